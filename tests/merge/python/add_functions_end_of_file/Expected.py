"""Small helpers for reading key=value settings files."""

import os


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def parse_line(line):
    key, sep, value = line.partition("=")
    if not sep:
        raise ValueError(f"not a setting: {line!r}")
    return key.strip(), value.strip()


def load(path):
    settings = {}
    for line in read_lines(path):
        if line and not line.startswith("#"):
            key, value = parse_line(line)
            settings[key] = value
    return settings


def is_readable(path):
    return os.path.isfile(path) and os.access(path, os.R_OK)
