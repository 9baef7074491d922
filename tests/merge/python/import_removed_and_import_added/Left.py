import os
import tempfile


def scratch_dir(prefix="job-"):
    return tempfile.mkdtemp(prefix=prefix, dir=os.environ.get("SCRATCH"))


def fail(message):
    raise SystemExit(message)
