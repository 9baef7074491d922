import json


def save(path, data):
    try:
        text = json.dumps(data)
        with open(path, "w") as f:
            f.write(text)
    except OSError:
        pass


def load(path):
    with open(path) as f:
        return json.load(f)
