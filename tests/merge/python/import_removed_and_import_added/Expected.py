import os
import tempfile
import shutil


def scratch_dir(prefix="job-"):
    return tempfile.mkdtemp(prefix=prefix, dir=os.environ.get("SCRATCH"))


def clean(path):
    shutil.rmtree(path, ignore_errors=True)


def fail(message):
    raise SystemExit(message)
