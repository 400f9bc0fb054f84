"""Finding files with identical content.

Files are grouped by size first, so a file whose size no other file shares is
never opened. Same-size files are then told apart by a hash of their first
and last 4 KiB (with the size mixed in), and only files that still collide
get a full hash. Small files (<= 8 KiB) are read once: their head+tail hash
already covers every byte. Hashes come from and go to an optional
:class:`~fileorganizer.filters.base.HashCache`, keyed by device, inode, size
and mtime_ns, so a second run reads no more than the head and tail of a file of
``CACHE_MIN_SIZE`` or more that did not change (smaller files, and heads and tails,
are cheaper to read again than to look up).

Decisions:

- Hard links to one inode are one file, not duplicates of each other; a
  group member lists its other paths in ``links``.
- Symlinks and anything but regular files are ignored.
- Empty files are not reported unless ``include_empty=True`` (every empty
  file "equals" every other; removing them saves nothing).
- Files inside ``original_locations`` always win the choice of original;
  further copies inside those locations are listed as ``kept``, never as
  duplicates, so a rule can never remove a file from an originals location.
- The grouping hash is :func:`~fileorganizer.content.hashing.grouping_algorithm`
  (XXH3-128 when ``xxhash`` is installed). A group is what the hashes say; a
  removal is checked byte for byte when it is applied (``Operation.same_as``).
- ``detect_original_by: auto`` (what ``fileorganizer dupes`` uses) picks the
  oldest modification time, then a name without a copy marker
  (:func:`has_copy_marker`), then the shortest path.
"""

from __future__ import annotations

import os
import re
import stat as stat_mod
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fileorganizer.content.counting import ByteCounter
from fileorganizer.content.hashing import (
    grouping_algorithm,
    hash_file,
    new_hasher,
    partial_hash,
    same_bytes,
)
from fileorganizer.operations import Identity
from fileorganizer.scan import FileEntry, split_name

if TYPE_CHECKING:
    from fileorganizer.filters.base import HashCache

__all__ = [
    "ORIGINAL_KEYS",
    "DuplicateGroup",
    "FileRef",
    "find_duplicates",
    "has_copy_marker",
    "parse_detect_original_by",
    "same_bytes",
]

#: Files smaller than this are read rather than looked up in the hash cache: reading
#: them costs less than a look-up in the history database (and writing a digest
#: there is a durable transaction: about 20 ms on the reference machine).
CACHE_MIN_SIZE = 8 * 1024 * 1024

#: Ways to choose the original of a group; each may be prefixed with ``-`` to reverse.
ORIGINAL_KEYS = ("first_seen", "name", "created", "lastmodified", "auto")

#: What file managers, browsers and people add to the name of a copy:
#: "x copy", "x - Copy (2)", "Copy of x", "x (1)", "x - Kopie", "Kopie von x",
#: "x - copie", "Copie de x", "x copia", "zip-copy", ...
_COPY_WORDS = r"(?:copy|kopie|copie|copia|kopia|kopio)"
_COPY_MARKER = re.compile(
    rf"(?:[\s_.-]+(?:-\s*)?{_COPY_WORDS}(?:\s*\(?\d+\)?)?"
    r"|\s*\(\d+\)"
    rf"|\s*\({_COPY_WORDS}(?:\s+\d+)?\))$"
    rf"|^(?:{_COPY_WORDS}\s+(?:of|von|de|di|van)\s)",
    re.IGNORECASE,
)


def has_copy_marker(name: str) -> bool:
    """Whether a file name says it is a copy (``x copy.jpg``, ``x (1).pdf``, ``Kopie von x``)."""
    stem = split_name(os.path.basename(name))[0]
    return _COPY_MARKER.search(stem) is not None


@dataclass(frozen=True)
class FileRef:
    """One file (one inode) of a duplicate group."""

    path: str
    size: int
    #: Other paths of the same inode (hard links) among the scanned files.
    links: tuple[str, ...] = ()
    #: Device, inode, size and mtime when it was grouped (what a removal re-checks).
    identity: Identity | None = None

    @property
    def paths(self) -> tuple[str, ...]:
        """Every scanned path of this inode, ``path`` first."""
        return (self.path, *self.links)

    def __str__(self) -> str:
        return self.path


@dataclass(frozen=True)
class DuplicateGroup:
    """Files with identical content: one original, the duplicates, and copies kept."""

    digest: str
    size: int
    original: FileRef
    duplicates: tuple[FileRef, ...]
    #: Further copies inside originals locations: equal, but never removal candidates.
    kept: tuple[FileRef, ...] = ()

    @property
    def wasted_bytes(self) -> int:
        """Bytes that removing every duplicate would free."""
        return self.size * len(self.duplicates)

    @property
    def count(self) -> int:
        """Files (inodes) in the group, the original included."""
        return 1 + len(self.duplicates) + len(self.kept)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (for ``dupes --format json``)."""
        return {
            "digest": self.digest,
            "size": self.size,
            "count": self.count,
            "wasted_bytes": self.wasted_bytes,
            "original": self.original.path,
            "duplicates": [d.path for d in self.duplicates],
            "kept": [k.path for k in self.kept],
            "links": {r.path: list(r.links) for r in self._members() if r.links},
        }

    def _members(self) -> tuple[FileRef, ...]:
        return (self.original, *self.kept, *self.duplicates)


@dataclass
class _Cand:
    path: str
    real_path: str
    order: int
    st: os.stat_result
    in_originals: bool
    links: list[str] = field(default_factory=list)
    digest: str | None = None
    partial: str | None = None

    def ident(self) -> tuple[int, int, int, int]:
        return (self.st.st_dev, self.st.st_ino, self.st.st_size, self.st.st_mtime_ns)

    def ref(self) -> FileRef:
        return FileRef(self.path, self.st.st_size, tuple(self.links), Identity.from_stat(self.st))


def parse_detect_original_by(value: str) -> tuple[str, bool]:
    """``"-created"`` -> ``("created", True)``; ``ValueError`` for an unknown key."""
    text = value.strip()
    reverse = text.startswith("-")
    key = text.lstrip("-+").strip().lower()
    if key not in ORIGINAL_KEYS:
        raise ValueError(f"detect_original_by must be one of {', '.join(ORIGINAL_KEYS)}")
    return key, reverse


def find_duplicates(
    files: Iterable[FileEntry | str | os.PathLike[str]],
    *,
    algorithm: str | None = None,
    detect_original_by: str = "first_seen",
    original_locations: Sequence[str] = (),
    include_empty: bool = False,
    cache: HashCache | None = None,
    counter: ByteCounter | None = None,
) -> list[DuplicateGroup]:
    """Groups of files with identical content, in the order their originals were seen.

    ``files`` are scanned entries (read at ``real_path``, reported by ``path``)
    or paths. ``algorithm`` is the grouping hash (default: the fastest there
    is). Raises ``ValueError`` for a bad ``detect_original_by``; files that
    vanish or cannot be read are left out.
    """
    key, reverse = parse_detect_original_by(detect_original_by)
    originals = tuple(os.path.normpath(os.path.abspath(p)) for p in original_locations)
    by_size: dict[int, list[_Cand]] = defaultdict(list)
    for cand in _collect(files, originals):
        if cand.st.st_size or include_empty:
            by_size[cand.st.st_size].append(cand)
    hasher = _Hasher(algorithm or grouping_algorithm(), cache, counter)
    groups: list[list[_Cand]] = []
    for size, cands in by_size.items():
        if len(cands) > 1:
            groups.extend(hasher.split(size, cands))
    groups.sort(key=lambda g: min(c.order for c in g))
    return [_make_group(g, key, reverse) for g in groups]


def _collect(
    files: Iterable[FileEntry | str | os.PathLike[str]], originals: tuple[str, ...]
) -> list[_Cand]:
    """Regular files, one candidate per inode (further hard links become ``links``)."""
    seen: dict[tuple[int, int], _Cand] = {}
    for order, item in enumerate(files):
        entry = item if isinstance(item, FileEntry) else _entry(item)
        try:
            st = entry.lstat()
        except OSError:
            continue
        if not stat_mod.S_ISREG(st.st_mode):
            continue
        in_orig = bool(originals) and _inside(entry, originals)
        found = seen.get((st.st_dev, st.st_ino))
        if found is not None:
            found.links.append(entry.path)
            found.in_originals |= in_orig
            continue
        seen[(st.st_dev, st.st_ino)] = _Cand(entry.path, entry.real_path, order, st, in_orig)
    return list(seen.values())


def _entry(path: str | os.PathLike[str]) -> FileEntry:
    p = os.fspath(path)
    return FileEntry(p, os.path.dirname(p))


def _inside(entry: FileEntry, originals: tuple[str, ...]) -> bool:
    for p in (entry.path, entry.real_path, entry.location):
        q = os.path.normpath(os.path.abspath(p))
        if any(q == o or q.startswith(o.rstrip(os.sep) + os.sep) for o in originals):
            return True
    return False


class _Hasher:
    """Size bucket -> content groups, through partial and full hashes and the cache.

    Partial (head+tail) hashes are always read: two small reads cost less than a
    look-up. Only full hashes of files of ``CACHE_MIN_SIZE`` or more that share
    their partial hash with another file are looked up in and written to the cache.
    """

    def __init__(self, algorithm: str, cache: HashCache | None, counter: ByteCounter | None):
        self.algo = algorithm
        self.cache = cache
        self.counter = counter

    def split(self, size: int, cands: list[_Cand]) -> list[list[_Cand]]:
        if size == 0:
            empty = new_hasher(self.algo).hexdigest()  # nothing to read
            for c in cands:
                c.digest = empty
            return [cands]
        by_partial: dict[str, list[_Cand]] = defaultdict(list)
        for c in cands:
            c.partial = self._partial(c)
            if c.partial is not None:
                by_partial[c.partial].append(c)
        by_full: dict[str, list[_Cand]] = defaultdict(list)
        for sub in by_partial.values():
            if len(sub) < 2:
                continue
            for c in sub:
                if c.digest is None:
                    c.digest = self._full(c)
                if c.digest is not None:
                    by_full[c.digest].append(c)
        return [g for g in by_full.values() if len(g) > 1]

    def _partial(self, c: _Cand) -> str | None:
        """The head+tail digest; sets ``c.digest`` when it covers the whole file."""
        try:
            digest, complete = partial_hash(
                c.real_path, self.algo, counter=self.counter, size=c.st.st_size
            )
        except OSError:
            return None
        if complete:
            c.digest = digest
        return digest

    def _full(self, c: _Cand) -> str | None:
        cacheable = self.cache is not None and c.st.st_size >= CACHE_MIN_SIZE
        if cacheable:
            assert self.cache is not None
            found = self.cache.get_hash(*c.ident(), self.algo)
            if found is not None:
                return found
        try:
            digest = hash_file(c.real_path, self.algo, counter=self.counter, size=c.st.st_size)
        except OSError:
            return None
        if cacheable and _unchanged(c):
            assert self.cache is not None
            self.cache.put_hash(*c.ident(), self.algo, digest)
        return digest


def _unchanged(c: _Cand) -> bool:
    """Whether the file still has the identity it was hashed under (so caching is safe)."""
    try:
        st = os.lstat(c.real_path)
    except OSError:
        return False
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns) == c.ident()


def _created(st: os.stat_result) -> float:
    birth: float | None = getattr(st, "st_birthtime", None)
    return birth if birth is not None else st.st_ctime


_SORT_KEYS: dict[str, Callable[[_Cand], Any]] = {
    "first_seen": lambda c: c.order,
    "name": lambda c: (os.path.basename(c.path), c.path),
    "created": lambda c: _created(c.st),
    "lastmodified": lambda c: c.st.st_mtime_ns,
    "auto": lambda c: (c.st.st_mtime_ns, has_copy_marker(c.path), len(c.path), c.path),
}


def _make_group(cands: list[_Cand], key: str, reverse: bool) -> DuplicateGroup:
    ranked = sorted(cands, key=lambda c: c.order)
    ranked.sort(key=_SORT_KEYS[key], reverse=reverse)  # stable: ties keep scan order
    ranked.sort(key=lambda c: not c.in_originals)
    original, rest = ranked[0], ranked[1:]
    return DuplicateGroup(
        digest=original.digest or "",
        size=original.st.st_size,
        original=original.ref(),
        duplicates=tuple(c.ref() for c in rest if not c.in_originals),
        kept=tuple(c.ref() for c in rest if c.in_originals),
    )
