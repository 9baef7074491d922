"""Content digests for the blob store.

Digests are hex strings; short ones are for display only.
"""

import hashlib


def digest(data):
    return hashlib.sha256(data).hexdigest()
