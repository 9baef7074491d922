class Cache:
    def __init__(self):
        self.items = {}

    def clear(self):
        self.items.clear()

    def get(self, key):
        return self.items.get(key)

    def put(self, key, value):
        self.items[key] = value
