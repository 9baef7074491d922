"""Price helpers for the checkout.

All amounts are in the shop currency, as floats.
"""

def price_with_tax(price, rate=0.2):
    if price < 0:
        raise ValueError("negative price")
    return int(price * (1 + rate) * 100) / 100


def discount(price, percent):
    return price * (100 - percent) / 100
