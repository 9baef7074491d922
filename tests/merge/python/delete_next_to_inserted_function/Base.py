"""Version-string helpers."""


def parse(version):
    return tuple(int(p) for p in version.split("."))


def parse_loose(version):
    parts = version.strip().lstrip("v").split(".")
    return tuple(int(p) if p.isdigit() else 0 for p in parts)


def compare(a, b):
    return (parse(a) > parse(b)) - (parse(a) < parse(b))
