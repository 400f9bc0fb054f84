"""Walking locations into :class:`FileEntry` objects.

A scan streams: it yields entries as it reads directories, keeps no list of
what it has seen, and computes stat (and, through filters, hash, mime type and
EXIF) lazily, at most once per entry.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from fileorganizer.entries import FileEntry, split_name
from fileorganizer.natural import natural_key, sort_names

__all__ = [
    "DEFAULT_EXCLUDE_DIRS",
    "DEFAULT_EXCLUDE_FILES",
    "PARTIAL_SUFFIXES",
    "FileEntry",
    "ScanSpec",
    "is_partial_download",
    "matches_any",
    "natural_key",
    "scan",
    "sort_names",
    "split_name",
]

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


@lru_cache(maxsize=256)
def _compile_globs(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))


def matches_any(name: str, patterns: tuple[str, ...]) -> bool:
    """Whether ``name`` matches one of the shell globs (case-sensitive)."""
    rx = _compile_globs(patterns)
    return rx is not None and rx.match(name) is not None


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


#: entries a plan has put in folders, by folder: ``{folder: {name: (real path, is dir)}}``
Extra = Mapping[str, Mapping[str, tuple[str, bool]]]


def scan(
    spec: ScanSpec, on_error: ErrorHook | None = None, extra: Extra | None = None
) -> Iterator[FileEntry]:
    """Yield the entries of ``spec`` in organize's order (see :func:`natural_key`).

    In each folder: its files, then its folders, each in natural order; then
    the walk goes into each folder in that order. ``extra`` adds entries the
    plan so far has put in folders of the location (an earlier rule's output):
    they are walked in that same order among the files on disk, a planned
    entry in the place of one on disk standing for it, and a folder the plan
    makes is walked too.

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
        extra or None,
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
    extra: Extra | None = None,
) -> Iterator[FileEntry]:
    # names and a set of folder names, not DirEntry objects: a folder of 200k
    # files costs a fraction of the memory while it is being planned
    names: list[str] = []
    dirs: set[str] = set()
    links: set[str] = set()
    planned = extra.get(top) if extra is not None else None
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
    except FileNotFoundError:
        if extra is None or not _plans_below(extra, top):
            if on_error is not None:
                on_error(top, FileNotFoundError(2, "No such file or directory", top))
            return
    except OSError as exc:
        if on_error is not None:
            on_error(top, exc)
        return
    if extra is not None:
        _add_planned(top, names, dirs, links, planned, extra)
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
            got = planned.get(name) if planned is not None else None
            if got is not None:
                # the plan put it there (an earlier rule): its bytes are elsewhere now
                if not got[1]:
                    yield FileEntry(path, location, real_path=got[0])
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
            got = planned.get(name) if planned is not None else None
            yield FileEntry(path, location, real_path=got[0] if got else None, is_dir=True)
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
            extra,
        )


def _plans_below(extra: Extra, folder: str) -> bool:
    """Whether the plan puts anything in ``folder`` or below it."""
    prefix = folder.rstrip(os.sep) + os.sep
    return any(f == folder or f.startswith(prefix) for f in extra)


def _add_planned(
    top: str,
    names: list[str],
    dirs: set[str],
    links: set[str],
    planned: Mapping[str, tuple[str, bool]] | None,
    extra: Extra,
) -> None:
    """Add to a folder's listing what the plan puts in it, and the folders it makes below."""
    present = set(names)
    for name, (_real, is_dir) in (planned or {}).items():
        if name not in present:
            names.append(name)
            present.add(name)
        links.discard(name)
        if is_dir:
            dirs.add(name)
        else:
            dirs.discard(name)
    prefix = top.rstrip(os.sep) + os.sep
    for folder in extra:
        if folder.startswith(prefix):
            child = folder[len(prefix) :].split(os.sep, 1)[0]
            if child not in present:
                names.append(child)
                present.add(child)
                dirs.add(child)


def _is_protected(path: str, protected: tuple[str, ...]) -> bool:
    p = os.path.normpath(path)
    return any(p == q or p.startswith(q + os.sep) for q in protected)


def _holds_protected(path: str, protected: tuple[str, ...]) -> bool:
    p = os.path.normpath(path)
    return any(q.startswith(p + os.sep) for q in protected)
