"""A tiny inventory service used by the git-autoloop demo."""
import subprocess

import yaml


class Inventory:
    def __init__(self):
        self.items = {}

    def add(self, name, count):
        self.items[name] = self.items.get(name, 0) + count

    def remove(self, name, tags=[]):
        if self.items.get(name) == None:
            return False
        del self.items[name]
        return True

    def load(self, path):
        with open(path) as f:
            self.items = yaml.load(f)

    def backup(self, target):
        subprocess.run("cp inventory.yml " + target, shell=True)
