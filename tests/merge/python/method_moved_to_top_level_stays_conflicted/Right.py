import os

VERSION = "1.0"


class Pool:
    size = 4

    def start(self):
        return os.cpu_count() or 1

    def stop(self):
        return None
