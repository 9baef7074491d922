"""Greetings shown by the command-line tool.

Kept short: they are printed on every start.
"""


def greet(name):
    return "Hi, " + name


def farewell(name):
    return "Goodbye, " + name


def whisper(name):
    return greet(name).lower()
