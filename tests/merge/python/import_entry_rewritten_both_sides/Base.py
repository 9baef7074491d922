from os.path import join
import sys


def where(name):
    return join(sys.prefix, name)
