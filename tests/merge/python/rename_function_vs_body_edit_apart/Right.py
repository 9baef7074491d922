import json


def load(path):
    with open(path) as f:
        data = json.load(f)
    data.setdefault("name", "app")
    data.setdefault("debug", False)
    data.setdefault("workers", 4)
    return data


def main():
    config = load("app.json")
    print(config["name"])
