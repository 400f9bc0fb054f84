"""The virtual tree: the filesystem as it will be after the operations planned so far."""

from __future__ import annotations

import os
from typing import NamedTuple


class Placed(NamedTuple):
    """A file the plan puts at a path: where its bytes are now, and whether it is a folder."""

    real_path: str
    is_dir: bool


def norm(path: str) -> str:
    """``os.path.normpath``, returning ``path`` itself when it is already normal.

    Returning the same object lets the plan and the tree share one string per
    path instead of holding copies (this matters at hundreds of thousands).
    """
    if path[:1] == "/" and "//" not in path and "/." not in path and path[-1] != "/":
        return path  # the common case, in fewer scans (no component starts with a dot)
    if (
        path.startswith("/")
        and "//" not in path
        and "/./" not in path
        and "/../" not in path
        and not path.endswith(("/", "/.", "/.."))
    ) or path == "/":
        return path
    return os.path.normpath(path)


def _split(path: str) -> tuple[str, str]:
    """``os.path.split`` of a normal path (what ``norm`` returns), done in fewer steps."""
    i = path.rfind("/")
    if i > 1 or (i == 1 and path[0] != "/"):  # (not the root, nor POSIX's "//" root)
        return path[:i], path[i + 1 :]
    return os.path.split(path)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


class VirtualTree:
    """Answers "does this path exist?" as if the plan so far were applied.

    The disk is read lazily: a folder's listing only when a question about a
    name in it comes up (never for a source folder that files only leave).
    What the plan adds, removes and creates is kept beside the listings.
    Nothing here touches the disk but reading.
    """

    def __init__(self) -> None:
        self._listings: dict[str, frozenset[str]] = {}
        #: planned path -> where its bytes are now (the string is shared with the plan)
        self._added: dict[str, str] = {}
        self._added_dirs: set[str] = set()
        self._removed: set[str] = set()
        self._removed_dirs: set[str] = set()
        #: folders the plan creates (they do not exist on disk yet)
        self._new_dirs: set[str] = set()
        #: folders known to exist in the planned tree (on disk or created)
        self._present_dirs: set[str] = set()

    def _listing(self, folder: str) -> frozenset[str]:
        got = self._listings.get(folder)
        if got is None:
            try:
                got = frozenset(os.listdir(folder))
            except OSError:
                got = frozenset()
            self._listings[folder] = got
        return got

    def _under_removed_dir(self, path: str) -> bool:
        return bool(self._removed_dirs) and any(_inside(path, d) for d in self._removed_dirs)

    def exists(self, path: str) -> bool:
        """Whether ``path`` exists in the planned tree (file or folder)."""
        path = norm(path)
        if path in self._added or path in self._new_dirs:
            return True
        if path in self._removed or (self._removed_dirs and self._under_removed_dir(path)):
            return False
        folder, name = _split(path)
        if not name:
            return True
        listing = self._listings.get(folder)
        if listing is None:
            listing = self._listing(folder)
        return name in listing

    def add(self, path: str, real_path: str, *, is_dir: bool = False) -> None:
        """Record that the plan puts an entry at ``path`` (its folders appear too)."""
        path = norm(path)
        self._added[path] = real_path
        if is_dir:
            self._added_dirs.add(path)
        elif self._added_dirs:
            self._added_dirs.discard(path)
        if self._removed:
            self._removed.discard(path)
        folder = _split(path)[0]
        while folder not in self._present_dirs:
            if folder in self._removed or self._under_removed_dir(folder):
                self._removed.discard(folder)
                self._removed_dirs.discard(folder)
                self._new_dirs.add(folder)
            elif not os.path.isdir(folder):
                self._new_dirs.add(folder)
            self._present_dirs.add(folder)
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent

    def remove(self, path: str, *, is_dir: bool = False) -> None:
        """Record that the plan takes the entry at ``path`` away (``is_dir`` for a folder)."""
        path = norm(path)
        if self._added.pop(path, None) is None and path not in self._new_dirs:
            self._removed.add(path)
        if self._added_dirs:
            self._added_dirs.discard(path)
        if self._new_dirs:
            self._new_dirs.discard(path)
        if is_dir:
            self._removed_dirs.add(path)
            for p in [p for p in self._added if _inside(p, path)]:
                del self._added[p]
                self._added_dirs.discard(p)
            self._new_dirs = {d for d in self._new_dirs if not _inside(d, path)}
            self._present_dirs = {d for d in self._present_dirs if not _inside(d, path)}

    def is_removed(self, path: str) -> bool:
        """Whether a real entry at ``path`` is taken away by the plan."""
        return path in self._removed or (bool(self._removed_dirs) and self._under_removed_dir(path))

    def placed(self, path: str) -> Placed | None:
        """The planned entry at ``path``, if the plan put one there."""
        path = norm(path)
        real = self._added.get(path)
        return None if real is None else Placed(real, path in self._added_dirs)

    def added_under(self, folder: str, max_depth: int | None) -> list[tuple[str, Placed]]:
        """Entries the plan puts below ``folder`` (within ``max_depth`` levels)."""
        base = norm(folder)
        prefix = base.rstrip(os.sep) + os.sep
        out: list[tuple[str, Placed]] = []
        for path, real in self._added.items():
            if not path.startswith(prefix):
                continue
            depth = path[len(prefix) :].count(os.sep)
            if max_depth is None or depth <= max_depth:
                out.append((path, Placed(real, path in self._added_dirs)))
        out.sort()
        return out
