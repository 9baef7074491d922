from os.path import join, basename
import sys


def where(name):
    return join(sys.prefix, name)
