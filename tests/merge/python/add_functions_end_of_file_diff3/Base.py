import math


def circle_area(r):
    return math.pi * r * r


def circle_circumference(r):
    return 2 * math.pi * r
