<<<<<<< ours
from os.path import join, exists
=======
from os.path import join, basename
>>>>>>> theirs
import sys


def where(name):
    return join(sys.prefix, name)
