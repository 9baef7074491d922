"""Content digests for the blob store.

Digests are hex strings; short ones are for display only.
"""

import hashlib


def digest(data):
    return hashlib.sha256(data).hexdigest()
<<<<<<< ours


def short_digest(data):
    return digest(data)[:12]
||||||| base
=======


def short_digest(data, length=8):
    return hashlib.blake2b(data, digest_size=length).hexdigest()
>>>>>>> theirs
