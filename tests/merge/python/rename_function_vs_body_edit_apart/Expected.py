import json


def load_config(path):
    with open(path) as f:
        data = json.load(f)
    data.setdefault("name", "app")
    data.setdefault("debug", False)
    data.setdefault("workers", 4)
    return data


def main():
    config = load_config("app.json")
    print(config["name"])
