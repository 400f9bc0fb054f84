"""The virtual tree: the filesystem as it will be after the operations planned so far."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(slots=True)
class Placed:
    """A file the plan puts at a path: where its bytes are now, and whether it is a copy."""

    real_path: str
    is_dir: bool
    chained: bool


class VirtualTree:
    """Answers "does this path exist?" as if the plan so far were applied.

    Folder listings are read from disk once, lazily, then kept up to date by
    :meth:`add` and :meth:`remove`. Nothing here touches the disk but reading.
    """

    def __init__(self) -> None:
        self._listings: dict[str, set[str]] = {}
        self._added: dict[str, Placed] = {}
        self._removed: set[str] = set()
        #: folders known to be in the planned tree (their parents list them)
        self._present_dirs: set[str] = set()

    def _listing(self, folder: str) -> set[str]:
        got = self._listings.get(folder)
        if got is None:
            try:
                got = set(os.listdir(folder))
            except OSError:
                got = set()
            self._listings[folder] = got
        return got

    def exists(self, path: str) -> bool:
        """Whether ``path`` exists in the planned tree (file or folder)."""
        folder, name = os.path.split(os.path.normpath(path))
        if not name:
            return True
        return name in self._listing(folder)

    def add(self, path: str, real_path: str, *, is_dir: bool = False, chained: bool = True) -> None:
        """Record that the plan puts an entry at ``path``."""
        path = os.path.normpath(path)
        self._added[path] = Placed(real_path, is_dir, chained)
        self._removed.discard(path)
        folder, name = os.path.split(path)
        if folder in self._present_dirs:
            self._listing(folder).add(name)
            return
        child = path
        while True:
            folder, name = os.path.split(child)
            listing = self._listing(folder)
            present = name in listing
            listing.add(name)
            if present or folder == child or not folder:
                break
            child = folder
        self._present_dirs.add(os.path.dirname(path))

    def remove(self, path: str, *, is_dir: bool = False) -> None:
        """Record that the plan takes the entry at ``path`` away (``is_dir`` for a folder)."""
        path = os.path.normpath(path)
        folder, name = os.path.split(path)
        self._listing(folder).discard(name)
        if is_dir and self._present_dirs:
            self._present_dirs = {d for d in self._present_dirs if not _inside(d, path)}
        if self._added.pop(path, None) is None:
            self._removed.add(path)

    def is_removed(self, path: str) -> bool:
        """Whether a real entry at ``path`` is taken away by the plan."""
        return path in self._removed

    def placed(self, path: str) -> Placed | None:
        """The planned entry at ``path``, if the plan put one there."""
        return self._added.get(os.path.normpath(path))

    def added_under(self, folder: str, max_depth: int | None) -> list[tuple[str, Placed]]:
        """Entries the plan puts below ``folder`` (within ``max_depth`` levels)."""
        base = os.path.normpath(folder)
        prefix = base.rstrip(os.sep) + os.sep
        out: list[tuple[str, Placed]] = []
        for path, placed in self._added.items():
            if not path.startswith(prefix):
                continue
            depth = path[len(prefix) :].count(os.sep)
            if max_depth is None or depth <= max_depth:
                out.append((path, placed))
        out.sort()
        return out


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
