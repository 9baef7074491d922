"""Version-string helpers."""


def parse(version):
    return tuple(int(p) for p in version.split("."))


def compare(a, b):
    return (parse(a) > parse(b)) - (parse(a) < parse(b))
