import functools


def normalize(word):
    return word.strip().lower()


def is_stopword(word):
    return normalize(word) in {"a", "an", "the", "of", "to"}


@functools.lru_cache(maxsize=4096)
def stem(word):
    word = normalize(word)
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)]
    return word
