import json


def save(path, data):
<<<<<<< ours
    try:
        text = json.dumps(data)
        with open(path, "w") as f:
            f.write(text)
    except OSError:
        pass
=======
    text = json.dumps(data, indent=2, sort_keys=True)
    with open(path, "w") as f:
        f.write(text)
>>>>>>> theirs


def load(path):
    with open(path) as f:
        return json.load(f)
