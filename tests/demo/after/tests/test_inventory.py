from app.inventory import Inventory


def test_add():
    inv = Inventory()
    inv.add("apple", 2)
    assert inv.items["apple"] == 2


if __name__ == "__main__":  # python3 -m tests.test_inventory (the demo: no pytest needed)
    test_add()
