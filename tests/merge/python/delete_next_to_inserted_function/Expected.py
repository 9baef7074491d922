"""Version-string helpers."""


def parse(version):
    return tuple(int(p) for p in version.split("."))


def bump_minor(version):
    major, minor, *_ = parse(version)
    return f"{major}.{minor + 1}.0"


def compare(a, b):
    return (parse(a) > parse(b)) - (parse(a) < parse(b))
