import os
import sys
import json
import logging


def config_path():
    return os.environ.get("APP_CONFIG", os.path.expanduser("~/.app.json"))


def log(message):
    logging.getLogger("app").info(message)


def read_config():
    with open(config_path(), encoding="utf-8") as f:
        return json.load(f)


def elapsed(start, end):
    return end - start
