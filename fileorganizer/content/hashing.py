"""Content hashes: the full hash, and a cheap head+tail hash to rule out most non-duplicates.

Two kinds of algorithm: any hashlib name (``sha256``, the default of the
``hash`` filter and ``{hash}``), and xxHash's ``xxh3_128``/``xxh3_64``/``xxh64``
from the ``xxhash`` package. Finding duplicates uses :data:`GROUPING_ALGORITHM`,
XXH3-128 when ``xxhash`` is installed (about 17 GiB/s on the reference machine
against 0.9 for SHA-256, and 0.3 us instead of 9 us per 8 KiB; see
``bench/bench_hashes.py``), else SHA-256. A grouping hash only says which files
to compare: nothing is removed as a duplicate before a byte-for-byte comparison.

Reads are chunked (1 MiB, into one reused buffer) and counted in an optional
:class:`~fileorganizer.content.counting.ByteCounter`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Protocol

from fileorganizer.content.counting import ByteCounter

if TYPE_CHECKING:
    from fileorganizer.filters.base import HashCache
    from fileorganizer.scan import FileEntry

DEFAULT_ALGORITHM = "sha256"
CHUNK_SIZE = 1024 * 1024
#: Bytes read from each end for the partial hash.
PARTIAL_BLOCK = 4096
#: xxHash algorithms (from the ``xxhash`` package), by name.
XXHASH_ALGORITHMS = ("xxh3_128", "xxh3_64", "xxh64", "xxh32")

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)


class Hasher(Protocol):
    """What hashlib's and xxhash's objects have in common."""

    def update(self, data: bytes | bytearray | memoryview, /) -> None:
        """Add bytes."""

    def hexdigest(self) -> str:
        """The digest so far, as hex."""


@cache
def _xxhash_factory(name: str) -> Callable[..., Hasher] | None:
    try:
        import xxhash  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    factory: Callable[..., Hasher] | None = getattr(xxhash, name, None)
    return factory


def have_xxhash() -> bool:
    """Whether the ``xxhash`` package is installed (it is a dependency, but optional)."""
    return _xxhash_factory("xxh3_128") is not None


@cache
def grouping_algorithm() -> str:
    """The fastest algorithm available for grouping duplicates."""
    return "xxh3_128" if have_xxhash() else DEFAULT_ALGORITHM


def new_hasher(algorithm: str, data: bytes = b"") -> Hasher:
    """A hash object of ``algorithm`` (a hashlib or xxHash name), fed ``data``."""
    if algorithm in XXHASH_ALGORITHMS:
        factory = _xxhash_factory(algorithm)
        if factory is None:
            raise ValueError(f"hash algorithm {algorithm!r} needs the xxhash package")
        return factory(data)
    return hashlib.new(algorithm, data)


def check_algorithm(name: str) -> str:
    """The normalized name of a known algorithm; ``ValueError`` if unknown."""
    algo = name.lower().replace("-", "")
    if algo in XXHASH_ALGORITHMS:
        if _xxhash_factory(algo) is None:
            raise ValueError(f"hash algorithm {name!r} needs the xxhash package")
        return algo
    if algo not in hashlib.algorithms_available or algo.startswith("shake"):
        raise ValueError(f"unknown hash algorithm {name!r}")
    return algo


def hash_file(
    path: str | os.PathLike[str],
    algorithm: str = DEFAULT_ALGORITHM,
    *,
    counter: ByteCounter | None = None,
    size: int | None = None,
) -> str:
    """The hex digest of the whole file (``size``, if known, saves work for small files)."""
    h = new_hasher(algorithm)
    total = 0
    with open(path, "rb", buffering=0) as f:
        if size is not None and size < CHUNK_SIZE:
            data = f.read(size + 1)  # all of it, in one read (unless it grew)
            while data:
                h.update(data)
                total += len(data)
                data = f.read(CHUNK_SIZE)
        else:
            buf = bytearray(CHUNK_SIZE)  # (one buffer for the whole file, refilled)
            view = memoryview(buf)
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
    size: int | None = None,
) -> tuple[str, bool]:
    """A hash of the first and last ``block`` bytes, with the file size mixed in.

    Returns ``(digest, complete)``; ``complete`` is true when the file is no
    longer than ``2 * block``, so the digest covers every byte and equals
    :func:`hash_file`'s (no second read needed). ``size`` saves a ``fstat``
    when the caller knows it (a wrong one only makes the digest differ).
    """
    fd = os.open(path, _READ_FLAGS)
    try:
        if size is None:
            size = os.fstat(fd).st_size
        if size <= 2 * block:
            data = os.read(fd, 2 * block + 1)
            complete = len(data) <= 2 * block
            if not complete:  # it grew: read what is there now
                data += _read_rest(fd)
        else:
            data = os.read(fd, block) + _pread(fd, block, size - block)
            complete = False
    finally:
        os.close(fd)
    if counter is not None:
        counter.files_opened += 1
        counter.add(len(data))
    if complete:
        return new_hasher(algorithm, data).hexdigest(), True
    h = new_hasher(algorithm, size.to_bytes(8, "little"))
    h.update(data)
    return h.hexdigest(), False


def _pread(fd: int, n: int, offset: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, n, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # pragma: no cover - Windows
    return os.read(fd, n)  # pragma: no cover


def _read_rest(fd: int) -> bytes:
    parts = []
    while chunk := os.read(fd, CHUNK_SIZE):
        parts.append(chunk)
    return b"".join(parts)


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
