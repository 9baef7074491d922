"""Invoice totals."""

TAX_RATE = 0.2


def subtotal(lines):
    return sum(qty * price for qty, price in lines)


def total(lines, discount=0.0):
    amount = subtotal(lines)
    amount -= amount * discount
    amount += amount * TAX_RATE
    return round(amount, 2)
