def area(w, h):
    return w * h


def perimeter(w, h):
    return 2 * (w + h


def describe(w, h):
    return f"{w}x{h}: area {area(w, h)}, perimeter {perimeter(w, h)}"


def diagonal(w, h):
    return (w ** 2 + h ** 2) ** 0.5
