"""Content hashes: the full hash, and a cheap head+tail hash to rule out most non-duplicates.

Reads are chunked (1 MiB, into one reused buffer) and counted in an optional
:class:`~fileorganizer.content.counting.ByteCounter`.
"""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING

from fileorganizer.content.counting import ByteCounter

if TYPE_CHECKING:
    from fileorganizer.filters.base import HashCache
    from fileorganizer.scan import FileEntry

DEFAULT_ALGORITHM = "sha256"
CHUNK_SIZE = 1024 * 1024
#: Bytes read from each end for the partial hash.
PARTIAL_BLOCK = 4096


def check_algorithm(name: str) -> str:
    """The normalized name of a hashlib algorithm; ``ValueError`` if unknown."""
    algo = name.lower().replace("-", "")
    if algo not in hashlib.algorithms_available or algo.startswith("shake"):
        raise ValueError(f"unknown hash algorithm {name!r}")
    return algo


def hash_file(
    path: str | os.PathLike[str],
    algorithm: str = DEFAULT_ALGORITHM,
    *,
    counter: ByteCounter | None = None,
) -> str:
    """The hex digest of the whole file."""
    h = hashlib.new(algorithm)
    buf = bytearray(CHUNK_SIZE)
    view = memoryview(buf)
    total = 0
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buf):
            h.update(view[:n])
            total += n
    if counter is not None:
        counter.files_opened += 1
        counter.add(total)
    return h.hexdigest()


def partial_hash(
    path: str | os.PathLike[str],
    algorithm: str = DEFAULT_ALGORITHM,
    *,
    block: int = PARTIAL_BLOCK,
    counter: ByteCounter | None = None,
) -> tuple[str, bool]:
    """A hash of the first and last ``block`` bytes, with the file size mixed in.

    Returns ``(digest, complete)``; ``complete`` is true when the file is no
    longer than ``2 * block``, so the digest covers every byte and equals
    :func:`hash_file`'s (no second read needed).
    """
    with open(path, "rb", buffering=0) as f:
        size = os.fstat(f.fileno()).st_size
        if size <= 2 * block:
            data = f.read()
            complete = True
        else:
            head = f.read(block)
            f.seek(-block, os.SEEK_END)
            data = head + f.read(block)
            complete = False
    if counter is not None:
        counter.files_opened += 1
        counter.add(len(data))
    if complete:
        return hashlib.new(algorithm, data).hexdigest(), True
    h = hashlib.new(algorithm, size.to_bytes(8, "little"))
    h.update(data)
    return h.hexdigest(), False


def same_bytes(
    a: str | os.PathLike[str],
    b: str | os.PathLike[str],
    *,
    counter: ByteCounter | None = None,
) -> bool:
    """Whether two files hold exactly the same bytes (compared chunk by chunk)."""
    with open(a, "rb", buffering=0) as fa, open(b, "rb", buffering=0) as fb:
        if os.fstat(fa.fileno()).st_size != os.fstat(fb.fileno()).st_size:
            return False
        while True:
            ca = fa.read(CHUNK_SIZE)
            cb = fb.read(CHUNK_SIZE)
            if counter is not None:
                counter.add(len(ca) + len(cb))
            if ca != cb:
                return False
            if not ca:
                return True


def cached_hash(
    entry: FileEntry,
    algorithm: str = DEFAULT_ALGORITHM,
    *,
    cache: HashCache | None = None,
    counter: ByteCounter | None = None,
) -> str:
    """The full hash of a scanned entry: from ``entry.cache``, the hash cache, or read once."""
    key = f"hash:{algorithm}"
    found: str | None = entry.cache.get(key)
    if found is not None:
        return found
    st = entry.stat()
    ident = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, algorithm)
    if cache is not None:
        found = cache.get_hash(*ident)
    if found is None:
        found = hash_file(entry.real_path, algorithm, counter=counter)
        if cache is not None:
            cache.put_hash(*ident, found)
    entry.cache[key] = found
    return found
