import json


def dump(obj):
    return json.dumps(obj, indent=2, sort_keys=True)


def load(text):
    return json.loads(text)
