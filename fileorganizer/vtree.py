"""The virtual tree: the filesystem as it will be after the operations planned so far.

For any path it answers what is there at this point of the plan: a folder, a
file, a symlink, or nothing (:class:`NodeKind`), for the path itself and for
each of its ancestors. The planner asks it before every destination, so a file
where a folder is needed, or a symlinked folder on the way, is found in the
plan (and shown by ``sim``) instead of failing at run time.
"""

from __future__ import annotations

import os
import stat
from enum import StrEnum
from typing import NamedTuple


class NodeKind(StrEnum):
    """What sits at a path in the planned tree."""

    FOLDER = "folder"
    FILE = "file"
    SYMLINK = "symlink"
    ABSENT = "absent"


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


def inside(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or below it (both normal)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _disk_kind(path: str) -> NodeKind:
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return NodeKind.ABSENT
    if stat.S_ISDIR(mode):
        return NodeKind.FOLDER
    if stat.S_ISLNK(mode):
        return NodeKind.SYMLINK
    return NodeKind.FILE


class VirtualTree:
    """Answers "what is at this path?" as if the plan so far were applied.

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
        self._added_links: set[str] = set()
        self._removed: set[str] = set()
        self._removed_dirs: set[str] = set()
        #: folders the plan creates (they do not exist on disk yet)
        self._new_dirs: set[str] = set()
        #: folders known to exist in the planned tree (on disk or created)
        self._present_dirs: set[str] = set()
        #: how many planned entries (added paths, new folders) each folder holds
        self._children: dict[str, int] = {}

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
        removed = self._removed_dirs
        if not removed:
            return False
        if len(removed) < 8:
            return any(inside(path, d) for d in removed)
        # (many removed folders: look at the path's own ancestors instead)
        p = path
        while True:
            if p in removed:
                return True
            parent = _split(p)[0]
            if not parent or parent == p:
                return False
            p = parent

    # -- questions -------------------------------------------------------------
    def kind(self, path: str) -> NodeKind:
        """What is at ``path`` in the planned tree (not following a final symlink)."""
        path = norm(path)
        if path in self._added:
            if path in self._added_dirs:
                return NodeKind.FOLDER
            return NodeKind.SYMLINK if path in self._added_links else NodeKind.FILE
        if path in self._new_dirs or path in self._present_dirs:
            return NodeKind.FOLDER
        if self.is_removed(path):
            return NodeKind.ABSENT
        folder, name = _split(path)
        if not name:
            return NodeKind.FOLDER
        listing = self._listings.get(folder)
        if listing is not None and name not in listing:
            return NodeKind.ABSENT
        # (one lstat, rather than listing a folder of perhaps many thousand names)
        return _disk_kind(path)

    def exists(self, path: str) -> bool:
        """Whether ``path`` exists in the planned tree (file, folder or symlink)."""
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

    def is_removed(self, path: str) -> bool:
        """Whether a real entry at ``path`` is taken away by the plan."""
        return path in self._removed or (bool(self._removed_dirs) and self._under_removed_dir(path))

    def placed(self, path: str) -> Placed | None:
        """The planned entry at ``path``, if the plan put one there."""
        path = norm(path)
        real = self._added.get(path)
        return None if real is None else Placed(real, path in self._added_dirs)

    def real_path(self, path: str) -> str | None:
        """Where the bytes of what the plan has at ``path`` are now (None: nothing there)."""
        path = norm(path)
        real = self._added.get(path)
        if real is not None:
            return real
        return path if self.exists(path) else None

    def blocking_ancestor(
        self, folder: str, *, links_ok_up_to: str | None = None
    ) -> tuple[str, NodeKind] | None:
        """The first component of ``folder`` (itself included) that is not a folder.

        ``None`` when every component is a folder or absent (absent ones are
        created when the plan is applied). Otherwise the outermost component
        that is a file or a symlink. A symlink at or above ``links_ok_up_to``
        (a path the user named) counts as a folder when it points to one.
        """
        folder = norm(folder)
        chain: list[str] = []
        p = folder
        while p not in self._present_dirs and p not in self._new_dirs:
            chain.append(p)
            parent = os.path.dirname(p)
            if parent == p:
                break
            p = parent
        for c in reversed(chain):
            k = self.kind(c)
            if (
                k is NodeKind.SYMLINK
                and links_ok_up_to is not None
                and inside(links_ok_up_to, c)
                and os.path.isdir(c)
            ):
                k = NodeKind.FOLDER
            if k is NodeKind.FOLDER:
                self._present_dirs.add(c)
                continue
            if k is NodeKind.ABSENT:
                return None
            return c, k
        return None

    def is_empty_dir(self, path: str) -> bool:
        """Whether ``path`` is a folder with nothing in it in the planned tree."""
        path = norm(path)
        if self.kind(path) is not NodeKind.FOLDER:
            return False
        prefix = path.rstrip(os.sep) + os.sep
        if path not in self._new_dirs:
            for name in self._listing(path):
                if not self.is_removed(prefix + name):
                    return False
        return not self._children.get(path)

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

    # -- changes ---------------------------------------------------------------
    def add(
        self, path: str, real_path: str, *, is_dir: bool = False, is_link: bool = False
    ) -> None:
        """Record that the plan puts an entry at ``path`` (its folders appear too)."""
        path = norm(path)
        if path not in self._added and path not in self._new_dirs:
            self._count(path, 1)
        self._added[path] = real_path
        if is_dir:
            self._added_dirs.add(path)
        elif self._added_dirs:
            self._added_dirs.discard(path)
        if is_link:
            self._added_links.add(path)
        elif self._added_links:
            self._added_links.discard(path)
        if self._removed:
            self._removed.discard(path)
        folder = _split(path)[0]
        while folder not in self._present_dirs:
            if folder in self._removed or self._under_removed_dir(folder):
                self._removed.discard(folder)
                self._removed_dirs.discard(folder)
                self._new_dir(folder)
                self._listings[folder] = frozenset()  # a new folder: the old one's names are gone
            elif not os.path.isdir(folder):
                self._new_dir(folder)
            self._present_dirs.add(folder)
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent

    def _count(self, path: str, delta: int) -> None:
        parent = _split(path)[0]
        n = self._children.get(parent, 0) + delta
        if n:
            self._children[parent] = n
        else:
            self._children.pop(parent, None)

    def _new_dir(self, folder: str) -> None:
        if folder not in self._new_dirs:
            self._new_dirs.add(folder)
            if folder not in self._added:
                self._count(folder, 1)

    def add_dir(self, path: str) -> None:
        """Record that the plan makes the (empty) folder ``path``."""
        path = norm(path)
        if self.kind(path) is NodeKind.FOLDER:
            return
        self.add(path, path, is_dir=True)
        self._added.pop(path, None)  # (still counted once: now as a new folder)
        self._added_dirs.discard(path)
        self._new_dirs.add(path)
        self._present_dirs.add(path)
        self._listings[path] = frozenset()

    def _planned_below(self, folder: str) -> bool:
        """Whether the plan puts anything (a file, a new folder) somewhere below ``folder``."""
        return any(n and inside(f, folder) for f, n in self._children.items())

    def remove(self, path: str, *, is_dir: bool = False) -> None:
        """Record that the plan takes the entry at ``path`` away (``is_dir`` for a folder)."""
        path = norm(path)
        counted = path in self._added or path in self._new_dirs
        self._added.pop(path, None)
        if counted:
            self._count(path, -1)
        # (also when the plan had put it there: a real entry may sit there on disk,
        # one that an earlier step moved away and a later one brought back)
        self._removed.add(path)
        if self._added_dirs:
            self._added_dirs.discard(path)
        if self._added_links:
            self._added_links.discard(path)
        if self._new_dirs:
            self._new_dirs.discard(path)
        if is_dir:
            self._removed_dirs.add(path)
            if self._planned_below(path):
                for p in [p for p in self._added if inside(p, path)]:
                    del self._added[p]
                    self._added_dirs.discard(p)
                    self._added_links.discard(p)
                self._new_dirs = {d for d in self._new_dirs if not inside(d, path)}
                self._children = {
                    f: n for f, n in self._children.items() if not inside(f, path) or f == path
                }
                self._children.pop(path, None)
            self._present_dirs = {d for d in self._present_dirs if not inside(d, path)}
