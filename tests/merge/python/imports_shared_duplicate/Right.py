import os
import sys
import logging
import time


def config_path():
    return os.environ.get("APP_CONFIG", os.path.expanduser("~/.app.json"))


def log(message):
    print(message, file=sys.stderr)


def elapsed(start, end=None):
    return (time.monotonic() if end is None else end) - start
