"""What a scan yields: a :class:`FileEntry`, with its stat, identity and caches computed once."""

from __future__ import annotations

import os
from typing import Any

from fileorganizer.operations import Identity

__all__ = ["FileEntry", "split_name"]


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
