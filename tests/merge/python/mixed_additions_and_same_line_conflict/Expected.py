"""Greetings shown by the command-line tool.

Kept short: they are printed on every start.
"""


def greet(name):
<<<<<<< ours
    return f"Hello, {name}!"
=======
    return "Hi, " + name
>>>>>>> theirs


def farewell(name):
    return "Goodbye, " + name


def shout(name):
    return greet(name).upper()


def whisper(name):
    return greet(name).lower()
