"""Full and partial hashes, byte-for-byte comparison, and the hash cache."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fileorganizer.content.counting import ByteCounter
from fileorganizer.content.hashing import (
    CHUNK_SIZE,
    PARTIAL_BLOCK,
    cached_hash,
    check_algorithm,
    hash_file,
    partial_hash,
    same_bytes,
)
from fileorganizer.scan import FileEntry


class DictHashCache:
    """A HashCache backed by a dict (the history DB's stand-in)."""

    def __init__(self) -> None:
        self.data: dict[tuple[int, int, int, int, str], str] = {}
        self.gets = 0

    def get_hash(self, dev: int, ino: int, size: int, mtime_ns: int, algo: str) -> str | None:
        self.gets += 1
        return self.data.get((dev, ino, size, mtime_ns, algo))

    def put_hash(
        self, dev: int, ino: int, size: int, mtime_ns: int, algo: str, digest: str
    ) -> None:
        self.data[(dev, ino, size, mtime_ns, algo)] = digest


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, 3 * CHUNK_SIZE + 5])
@pytest.mark.parametrize("algo", ["sha256", "md5", "blake2b"])
def test_full_hash_equals_hashlib_and_counts_bytes(tmp_path: Path, size: int, algo: str) -> None:
    data = (b"0123456789abcdef" * (size // 16 + 1))[:size]
    f = tmp_path / "f"
    f.write_bytes(data)
    counter = ByteCounter()
    assert hash_file(f, algo, counter=counter) == hashlib.new(algo, data).hexdigest()
    assert counter.bytes_read == size and counter.files_opened == 1


def test_partial_hash_of_a_small_file_is_its_full_hash(tmp_path: Path) -> None:
    f = tmp_path / "small"
    f.write_bytes(b"x" * (2 * PARTIAL_BLOCK))
    digest, complete = partial_hash(f)
    assert complete and digest == hash_file(f)


def test_partial_hash_reads_head_and_tail_only(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    body = bytearray(b"\x00" * (1024 * 1024))
    a.write_bytes(bytes(body))
    body[500_000] = 1  # differs only in the middle
    b.write_bytes(bytes(body))
    body[-1] = 2  # differs in the tail
    c.write_bytes(bytes(body))
    counter = ByteCounter()
    pa, complete = partial_hash(a, counter=counter)
    assert not complete and counter.bytes_read == 2 * PARTIAL_BLOCK
    assert partial_hash(b)[0] == pa
    assert partial_hash(c)[0] != pa


def test_same_bytes(tmp_path: Path) -> None:
    a, b, c, d = (tmp_path / n for n in "abcd")
    a.write_bytes(b"hello" * 500_000)
    b.write_bytes(b"hello" * 500_000)
    c.write_bytes(b"hello" * 499_999 + b"hellO")
    d.write_bytes(b"hello")
    assert same_bytes(a, b)
    assert not same_bytes(a, c)
    assert not same_bytes(a, d)


def test_cached_hash_uses_and_fills_the_cache(tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_bytes(b"content")
    cache = DictHashCache()
    counter = ByteCounter()
    digest = cached_hash(FileEntry(str(f), str(tmp_path)), cache=cache, counter=counter)
    assert digest == hashlib.sha256(b"content").hexdigest()
    assert counter.bytes_read == 7 and len(cache.data) == 1
    again = ByteCounter()
    assert cached_hash(FileEntry(str(f), str(tmp_path)), cache=cache, counter=again) == digest
    assert again.bytes_read == 0


def test_changed_file_is_not_served_from_the_cache(tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_bytes(b"one")
    cache = DictHashCache()
    cached_hash(FileEntry(str(f), str(tmp_path)), cache=cache)
    f.write_bytes(b"two, longer")
    digest = cached_hash(FileEntry(str(f), str(tmp_path)), cache=cache)
    assert digest == hashlib.sha256(b"two, longer").hexdigest()


def test_check_algorithm() -> None:
    assert check_algorithm("SHA-256") == "sha256"
    with pytest.raises(ValueError):
        check_algorithm("crc99")
