def parse_line(line):
    key, value = line.split("=")
    return key.strip(), value.strip()


def dump(pairs):
    return "\n".join(f"{k}={v}" for k, v in pairs)
