def mean(values):
    return sum(values) / len(values)


<<<<<<< ours
||||||| base
def median(values):
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


=======
def median(values):
    if not values:
        raise ValueError("median of nothing")
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


>>>>>>> theirs
def spread(values):
    return max(values) - min(values)
