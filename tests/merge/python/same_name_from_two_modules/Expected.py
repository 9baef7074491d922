import os
<<<<<<< ours
from json import loads
=======
from tomllib import loads
>>>>>>> theirs


def read(path):
    with open(path) as fh:
        return fh.read()
