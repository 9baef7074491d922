import os
import sys


def config_path():
    return os.environ.get("APP_CONFIG", os.path.expanduser("~/.app.json"))


def log(message):
    print(message, file=sys.stderr)


def elapsed(start, end):
    return end - start
