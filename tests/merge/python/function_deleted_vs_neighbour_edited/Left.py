def new_format(n):
    return f"{n} items"


def describe(items):
    return new_format(len(items))
