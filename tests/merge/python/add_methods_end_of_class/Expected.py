class Inventory:
    """Counts items by name."""

    def __init__(self):
        self._items = {}

    def add(self, name, count=1):
        self._items[name] = self._items.get(name, 0) + count

    def count(self, name):
        return self._items.get(name, 0)

    def remove(self, name, count=1):
        left = self.count(name) - count
        if left <= 0:
            self._items.pop(name, None)
        else:
            self._items[name] = left

    def names(self):
        return sorted(self._items)


def demo():
    inv = Inventory()
    inv.add("apple", 3)
    return inv.count("apple")
