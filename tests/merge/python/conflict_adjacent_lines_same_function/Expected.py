"""Invoice totals."""

TAX_RATE = 0.2


def subtotal(lines):
    return sum(qty * price for qty, price in lines)


def total(lines, discount=0.0):
    amount = subtotal(lines)
<<<<<<< ours
    amount -= min(amount, amount * discount)
    amount += amount * TAX_RATE
=======
    amount -= amount * discount
    amount *= 1 + TAX_RATE
>>>>>>> theirs
    return round(amount, 2)
