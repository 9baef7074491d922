import functools


def normalize(word):
    return word.strip().lower()


@functools.lru_cache(maxsize=4096)
def stem(word):
    word = normalize(word)
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)]
    return word
