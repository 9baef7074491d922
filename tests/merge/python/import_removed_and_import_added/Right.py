import os
import sys
import shutil
import tempfile


def scratch_dir(prefix="job-"):
    return tempfile.mkdtemp(prefix=prefix, dir=os.environ.get("SCRATCH"))


def clean(path):
    shutil.rmtree(path, ignore_errors=True)


def fail(message):
    sys.stderr.write(message + "\n")
    raise SystemExit(1)
