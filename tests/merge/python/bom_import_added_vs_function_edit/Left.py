import os
import sys


def home():
    return os.environ["HOME"]
