import os

VERSION = "1.0"

    def stop(self):
        return None


class Pool:
    size = 4

    def start(self):
        return os.cpu_count()
