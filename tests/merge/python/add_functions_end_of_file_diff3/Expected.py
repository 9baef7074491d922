import math


def circle_area(r):
    return math.pi * r * r


def circle_circumference(r):
    return 2 * math.pi * r


def sphere_volume(r):
    return 4 / 3 * math.pi * r ** 3


def sphere_surface(r):
    return 4 * math.pi * r * r
