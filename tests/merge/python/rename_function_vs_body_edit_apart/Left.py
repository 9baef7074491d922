import json


def load_config(path):
    with open(path) as f:
        data = json.load(f)
    data.setdefault("name", "app")
    data.setdefault("debug", False)
    return data


def main():
    config = load_config("app.json")
    print(config["name"])
