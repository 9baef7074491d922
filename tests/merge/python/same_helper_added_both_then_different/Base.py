import re

_WORD = re.compile(r"\w+")


def tokens(text):
    return _WORD.findall(text.lower())
