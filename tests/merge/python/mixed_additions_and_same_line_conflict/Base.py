"""Greetings shown by the command-line tool.

Kept short: they are printed on every start.
"""


def greet(name):
    return "Hello, " + name


def farewell(name):
    return "Goodbye, " + name
