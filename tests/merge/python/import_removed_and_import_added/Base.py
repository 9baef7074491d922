import os
import sys
import tempfile


def scratch_dir(prefix="job-"):
    return tempfile.mkdtemp(prefix=prefix, dir=os.environ.get("SCRATCH"))


def fail(message):
    sys.stderr.write(message + "\n")
    raise SystemExit(1)
