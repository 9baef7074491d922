from os.path import join, exists
import sys


def where(name):
    return join(sys.prefix, name)
