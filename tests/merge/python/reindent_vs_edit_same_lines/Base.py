import json


def save(path, data):
    text = json.dumps(data)
    with open(path, "w") as f:
        f.write(text)


def load(path):
    with open(path) as f:
        return json.load(f)
