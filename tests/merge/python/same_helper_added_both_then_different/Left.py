import re

_WORD = re.compile(r"\w+")


def tokens(text):
    return _WORD.findall(text.lower())


def unique(items):
    seen = set()
    return [x for x in items if not (x in seen or seen.add(x))]


def vocabulary(texts):
    return unique(t for text in texts for t in tokens(text))
