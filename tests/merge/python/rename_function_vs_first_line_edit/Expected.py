<<<<<<< ours
def parse_line(line):
    key, value = line.split("=")
=======
def parse(line):
    key, value = line.split("=", 1)
>>>>>>> theirs
    return key.strip(), value.strip()


def dump(pairs):
    return "\n".join(f"{k}={v}" for k, v in pairs)
