"""Walking locations into :class:`FileEntry` objects.

A scan streams: it yields entries as it reads directories, keeps no list of
what it has seen, and computes stat (and, through filters, hash, mime type and
EXIF) lazily, at most once per entry.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import PurePosixPath
from typing import Any

from fileorganizer.operations import Identity

#: Files that are never organized (system clutter and files still being written).
DEFAULT_EXCLUDE_FILES: tuple[str, ...] = (
    ".DS_Store",
    "Thumbs.db",
    "desktop.ini",
    "~$*",
    "*.part",
    "*.crdownload",
    "*.download",
    "*.tmp",
    ".fileorganizer-tmp-*",
)
#: Folders that are never descended into or organized.
DEFAULT_EXCLUDE_DIRS: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    "CVS",
    "_darcs",
    ".Trash",
    ".Trash-*",
)
#: Suffixes whose presence beside ``X`` means ``X`` is still downloading.
PARTIAL_SUFFIXES: tuple[str, ...] = (".part", ".crdownload", ".download")


def natural_key(name: str) -> Any:
    """The sort key of a name in a folder: natural order, as organize's walker.

    organize sorts each folder's entries with natsort's ``os_sorted`` (what a file
    manager shows: ``img2`` before ``img10``, case ignored); the same key is used
    here so that the same file wins when several are aimed at one name.
    """
    return _os_key()(name)


def sort_names(names: list[str]) -> None:
    """Sort one folder's names in place, in :func:`natural_key` order.

    natsort's key costs ~20 us a name. For a folder of plain ASCII names (the
    common case) an equivalent key is computed here: natsort's, less the steps
    that change nothing for such names (Unicode normalization, the C locale's
    identity collation, doubling every letter, which keeps their order). A test
    checks that both sort alike.
    """
    sep = _thousands_sep()
    if all(n.isascii() for n in names) and not (sep and any(sep in n for n in names)):
        names.sort(key=_ascii_key)
    else:
        names.sort(key=natural_key)


_DIGITS = re.compile(r"(\d+)")
_DOT_DIGIT = re.compile(r"\.\d")
_HAS_DIGIT = re.compile(r"\d").search


def _ascii_key(name: str) -> tuple[tuple[str | int, ...], ...]:
    low = name.lower()
    dot = low.rfind(".")
    if 0 < dot == low.find(".") and 1 < len(low) - dot <= 5 and not _DOT_DIGIT.match(low, dot):
        # one extension (the common case): base and suffix
        return (_ascii_component(low[:dot]), _ascii_component(low[dot:]))
    # natsort's path splitting: up to two suffixes of at most five characters,
    # none starting with a digit, split off the base (all their occurrences)
    # (on the name as it is: the suffixes are removed case-sensitively)
    suffixes: list[str] = []
    for i, suffix in enumerate(reversed(PurePosixPath(name).suffixes)):
        if i > 1 or len(suffix) > 5 or _DOT_DIGIT.match(suffix):
            break
        suffixes.append(suffix)
    suffixes.reverse()
    base = name.replace("".join(suffixes), "") if suffixes else name
    comps = [base, *suffixes] if base else suffixes
    return tuple(_ascii_component(c.lower()) for c in comps)


def _ascii_component(comp: str) -> tuple[str | int, ...]:
    if _HAS_DIGIT(comp) is None:
        return (comp,)
    out: list[str | int] = []
    for i, piece in enumerate(_DIGITS.split(comp)):
        if not piece:
            continue
        if i % 2:
            if not out or not isinstance(out[-1], str):
                out.append("")
            out.append(int(piece))
        else:
            out.append(piece)
    return tuple(out)


@cache
def _os_key() -> Callable[[str], Any]:
    from natsort import os_sort_keygen

    return os_sort_keygen()


@cache
def _thousands_sep() -> str:
    _os_key()
    from natsort.compat.locale import get_thousands_sep

    return str(get_thousands_sep())


@lru_cache(maxsize=256)
def _compile_globs(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))


def matches_any(name: str, patterns: tuple[str, ...]) -> bool:
    """Whether ``name`` matches one of the shell globs (case-sensitive)."""
    rx = _compile_globs(patterns)
    return rx is not None and rx.match(name) is not None


class FileEntry:
    """A file or folder found by a scan (or placed there by an earlier planned op).

    ``path`` is where the entry is *in the plan*; ``real_path`` is where its
    bytes are on disk right now (they differ for a file an earlier rule will
    move). ``cache`` holds lazily computed values (hash, mime type, EXIF) so
    that each is computed once.
    """

    __slots__ = (
        "_dirent",
        "_identity",
        "_name",
        "_split",
        "_stat",
        "cache",
        "is_dir",
        "location",
        "path",
        "real_path",
    )

    def __init__(
        self,
        path: str,
        location: str,
        *,
        real_path: str | None = None,
        is_dir: bool = False,
        dirent: os.DirEntry[str] | None = None,
        stat: os.stat_result | None = None,
    ) -> None:
        self.path = path
        self.real_path = real_path if real_path is not None else path
        self.location = location
        self.is_dir = is_dir
        self._dirent = dirent
        self._stat = stat
        self._identity: Identity | None = None
        self._name: str | None = None
        self._split: tuple[str, str] | None = None
        self.cache: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"FileEntry({self.path!r})"

    @property
    def name(self) -> str:
        """The final component, e.g. ``report.pdf``."""
        name = self._name
        if name is None:
            name = self._name = self.path.rpartition(os.sep)[2]
        return name

    def _stem_suffix(self) -> tuple[str, str]:
        got = self._split
        if got is None:
            got = self._split = split_name(self.name)
        return got

    @property
    def stem(self) -> str:
        """The name without its last extension, e.g. ``report``."""
        return (self._split or self._stem_suffix())[0]

    @property
    def suffix(self) -> str:
        """The last extension with its dot, e.g. ``.pdf`` (``""`` if none)."""
        return (self._split or self._stem_suffix())[1]

    @property
    def extension(self) -> str:
        """The last extension without its dot, e.g. ``pdf``."""
        return (self._split or self._stem_suffix())[1][1:]

    @property
    def relative_path(self) -> str:
        """The path relative to its location."""
        return os.path.relpath(self.path, self.location)

    @property
    def parent(self) -> str:
        """The folder holding the entry (in the plan)."""
        return os.path.dirname(self.path)

    def lstat(self) -> os.stat_result:
        """The entry's own stat (not following a symlink), computed once."""
        if self._stat is None:
            if self._dirent is not None:
                self._stat = self._dirent.stat(follow_symlinks=False)
                self._dirent = None
            else:
                self._stat = os.lstat(self.real_path)
        return self._stat

    def stat(self) -> os.stat_result:
        """Stat following a symlink (size and dates of what it points to)."""
        st = self.lstat()
        if (st.st_mode & 0o170000) == 0o120000:  # symlink
            cached = self.cache.get("_target_stat")
            if cached is None:
                try:
                    cached = os.stat(self.real_path)
                except OSError:
                    cached = st
                self.cache["_target_stat"] = cached
            return cached
        return st

    def identity(self) -> Identity:
        """Device, inode, size and mtime, as journaled and re-checked."""
        if self._identity is None:
            self._identity = Identity.from_stat(self.lstat())
        return self._identity

    def moved_to(self, new_path: str, *, same_inode: bool = True) -> FileEntry:
        """The same bytes, seen at ``new_path`` in the plan (after a move/rename)."""
        # (built slot by slot: one per planned file, and __init__'s keywords cost)
        e = _new_entry(FileEntry)
        e.path = new_path
        e.real_path = self.real_path
        e.location = self.location
        e.is_dir = self.is_dir
        e._dirent = None
        e._stat = self._stat
        e._identity = self._identity if same_inode else None
        e._name = None
        e._split = None
        e.cache = self.cache
        return e


_new_entry = object.__new__


def split_name(name: str) -> tuple[str, str]:
    """Split ``name`` into stem and suffix; a leading dot is part of the stem.

    The same as ``os.path.splitext`` for a name without separators, in fewer steps.
    """
    if os.sep in name or (os.altsep is not None and os.altsep in name):
        stem, suffix = os.path.splitext(name)
        return stem, suffix
    i = name.rfind(".")
    # the last dot starts the suffix unless only dots come before it
    if i > 0 and (name[0] != "." or name[:i].lstrip(".")):
        return name[:i], name[i:]
    return name, ""


@dataclass(frozen=True)
class ScanSpec:
    """What to walk: one location of one rule."""

    path: str
    subfolders: bool = False
    min_depth: int = 0
    max_depth: int | None = None
    targets: str = "files"
    exclude_files: tuple[str, ...] = ()
    exclude_dirs: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    ignore_errors: bool = False
    protected: tuple[str, ...] = field(default=())
    #: yield symlinks (as entries for the link itself); by default they are skipped
    include_symlinks: bool = False
    #: Whether hidden files and folders (names starting with ".") are walked.
    include_hidden: bool = True


ErrorHook = Callable[[str, OSError], None]


def is_partial_download(dir_names: set[str] | frozenset[str], name: str) -> bool:
    """Whether ``name`` is still downloading: ``name.part`` (etc.) sits beside it."""
    return any(name + s in dir_names for s in PARTIAL_SUFFIXES)


def scan(spec: ScanSpec, on_error: ErrorHook | None = None) -> Iterator[FileEntry]:
    """Yield the entries of ``spec`` in organize's order (see :func:`natural_key`).

    In each folder: its files, then its folders, each in natural order; then
    the walk goes into each folder in that order.

    Unreadable folders are reported through ``on_error`` and skipped.
    (The walk itself is returned, not wrapped in one more generator: each
    layer costs per entry.)
    """
    excl_files = DEFAULT_EXCLUDE_FILES + spec.exclude_files
    excl_dirs = DEFAULT_EXCLUDE_DIRS + spec.exclude_dirs
    max_depth = spec.max_depth if spec.max_depth is not None else (None if spec.subfolders else 0)
    # only protected paths at or below this location can be met by the walk
    root = os.path.normpath(spec.path)
    protected = tuple(
        q
        for q in (os.path.normpath(p) for p in spec.protected)
        if q == root or q.startswith(root.rstrip(os.sep) + os.sep) or root.startswith(q + os.sep)
    )
    want_files = spec.targets == "files"
    return _walk(
        root,
        spec.path,
        0,
        spec,
        excl_files,
        excl_dirs,
        max_depth,
        protected,
        want_files,
        on_error,
    )


def _walk(
    top: str,
    location: str,
    depth: int,
    spec: ScanSpec,
    excl_files: tuple[str, ...],
    excl_dirs: tuple[str, ...],
    max_depth: int | None,
    protected: tuple[str, ...],
    want_files: bool,
    on_error: ErrorHook | None,
) -> Iterator[FileEntry]:
    # names and a set of folder names, not DirEntry objects: a folder of 200k
    # files costs a fraction of the memory while it is being planned
    names: list[str] = []
    dirs: set[str] = set()
    links: set[str] = set()
    try:
        with os.scandir(top) as it:
            for d in it:
                names.append(d.name)
                try:
                    if d.is_dir(follow_symlinks=False):
                        dirs.add(d.name)
                    elif d.is_symlink():
                        links.add(d.name)
                except OSError:
                    pass
    except OSError as exc:
        if on_error is not None:
            on_error(top, exc)
        return
    sort_names(names)
    # only names that mark a download in progress matter for the sibling check
    partial = frozenset(n for n in names if n.endswith(PARTIAL_SUFFIXES))
    rx_files = _compile_globs(excl_files)
    rx_dirs = _compile_globs(excl_dirs)
    rx_include = _compile_globs(spec.include)
    prefix = top if top.endswith(os.sep) else top + os.sep
    # As organize's walker: this folder's files first, then its folders (each
    # in natural order), then the walk goes into each folder in turn.
    skip_links = bool(links) and not spec.include_symlinks
    skip_hidden = not spec.include_hidden
    if want_files and depth >= spec.min_depth:
        for name in names:
            if name in dirs:
                continue
            if skip_hidden and name[0] == ".":
                continue  # a hidden file
            if skip_links and name in links:
                continue  # a symlink is left alone unless the location opts in
            if rx_files is not None and rx_files.match(name):
                continue
            if rx_include is not None and not rx_include.match(name):
                continue
            if partial and is_partial_download(partial, name):
                continue
            path = prefix + name
            if protected and _is_protected(path, protected):
                continue
            entry = FileEntry(path, location)
            entry._name = name
            yield entry
    if not dirs:
        return
    walk: list[str] = []
    for name in names:
        if name not in dirs or (rx_dirs is not None and rx_dirs.match(name)):
            continue
        if skip_hidden and name[0] == ".":
            continue  # a hidden folder and all it holds
        path = prefix + name
        if protected and _is_protected(path, protected):
            continue
        if (
            not want_files
            and depth >= spec.min_depth
            and (rx_include is None or rx_include.match(name))
            and not (protected and _holds_protected(path, protected))
        ):
            yield FileEntry(path, location, is_dir=True)
        if max_depth is None or depth < max_depth:
            walk.append(path)
    for path in walk:
        yield from _walk(
            path,
            location,
            depth + 1,
            spec,
            excl_files,
            excl_dirs,
            max_depth,
            protected,
            want_files,
            on_error,
        )


def _is_protected(path: str, protected: tuple[str, ...]) -> bool:
    p = os.path.normpath(path)
    return any(p == q or p.startswith(q + os.sep) for q in protected)


def _holds_protected(path: str, protected: tuple[str, ...]) -> bool:
    p = os.path.normpath(path)
    return any(q.startswith(p + os.sep) for q in protected)
