def parse(line):
    key, value = line.split("=", 1)
    return key.strip(), value.strip()


def dump(pairs):
    return "\n".join(f"{k}={v}" for k, v in pairs)
