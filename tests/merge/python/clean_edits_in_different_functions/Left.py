import re

WORD = re.compile(r"[A-Za-z']+")


def words(text):
    return [w.lower() for w in WORD.findall(text)]


def count_words(text):
    counts = {}
    for w in words(text):
        counts[w] = counts.get(w, 0) + 1
    return counts


def top(counts, n=10):
    return sorted(counts.items(), key=lambda kv: kv[1], reverse=True)[:n]
