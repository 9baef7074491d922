from app.inventory import Inventory


def test_add():
    inv = Inventory()
    inv.add("apple", 2)
    assert inv.items["apple"] == 2
