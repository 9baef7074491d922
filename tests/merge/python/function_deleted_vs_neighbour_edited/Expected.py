def new_format(n, unit="item"):
    return f"{n} {unit}" + ("" if n == 1 else "s")


def describe(items):
    return new_format(len(items))
