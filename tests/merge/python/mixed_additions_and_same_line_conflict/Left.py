"""Greetings shown by the command-line tool.

Kept short: they are printed on every start.
"""


def greet(name):
    return f"Hello, {name}!"


def farewell(name):
    return "Goodbye, " + name


def shout(name):
    return greet(name).upper()
