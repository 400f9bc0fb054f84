"""The freedesktop.org trash: records where each file went, never falls back to deleting.

The home trash for files on its device, else ``$topdir/.Trash-$uid`` at the top
of the file's own filesystem (a verified cross-device move into the home trash
when that cannot be made).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from fileorganizer.crash import crashpoint
from fileorganizer.errors import DestinationExistsError
from fileorganizer.fsops import fsync_dir, move
from fileorganizer.operations import Identity


@dataclass(frozen=True)
class TrashSlot:
    """Where a trashed file goes: the file's new path and its ``.trashinfo``."""

    files_path: str
    info_path: str


def _nearest_existing(path: str) -> str:
    p = os.path.abspath(path)
    while not os.path.lexists(p):
        parent = os.path.dirname(p)
        if parent == p:
            break
        p = parent
    return p


def _mount_point(path: str) -> str:
    p = os.path.abspath(path)
    dev = os.lstat(p).st_dev
    while True:
        parent = os.path.dirname(p)
        if parent == p:
            return p
        try:
            if os.lstat(parent).st_dev != dev:
                return p
        except OSError:
            return p
        p = parent


class Trash:
    """freedesktop.org trash: ``home`` for files on its device, else ``$topdir/.Trash-$uid``."""

    def __init__(self, home: str | os.PathLike[str]) -> None:
        self.home = os.path.abspath(os.fspath(home))
        #: names handed out by :meth:`reserve` and not yet used (one batch's worth)
        self._reserved: set[str] = set()

    def _home_dev(self) -> int | None:
        p = self.home
        while True:
            try:
                return os.stat(p).st_dev
            except OSError:
                parent = os.path.dirname(p)
                if parent == p:
                    return None
                p = parent

    def trash_dir_for(self, path: str) -> str:
        """The trash folder to use for ``path`` (created if needed).

        ``path`` need not exist yet (a file an earlier operation of the same
        batch puts there): its nearest existing ancestor tells the filesystem.
        """
        existing = _nearest_existing(path)
        dev = os.lstat(existing).st_dev
        if dev == self._home_dev():
            return self.home
        top = _mount_point(existing)
        candidate = os.path.join(top, f".Trash-{os.getuid()}")
        try:
            os.makedirs(os.path.join(candidate, "files"), mode=0o700, exist_ok=True)
            os.makedirs(os.path.join(candidate, "info"), mode=0o700, exist_ok=True)
            return candidate
        except OSError:
            return self.home  # a verified cross-device move into the home trash

    def reserve(self, path: str, op_id: str) -> TrashSlot:
        """Choose a free name in the trash for ``path`` (does not create it)."""
        base = self.trash_dir_for(path)
        name = os.path.basename(os.path.normpath(path))
        files = os.path.join(base, "files")
        info = os.path.join(base, "info")
        candidate = name

        def taken(c: str) -> bool:
            path = os.path.join(files, c)
            return (
                path in self._reserved
                or os.path.lexists(path)
                or os.path.lexists(os.path.join(info, c + ".trashinfo"))
            )

        if taken(candidate):
            stem, suffix = os.path.splitext(name)
            candidate = f"{stem}.{op_id[:8]}{suffix}"
            n = 2
            while taken(candidate):
                candidate = f"{stem}.{op_id[:8]}-{n}{suffix}"
                n += 1
        files_path = os.path.join(files, candidate)
        if len(self._reserved) > 10_000:
            self._reserved.clear()
        self._reserved.add(files_path)
        return TrashSlot(files_path, os.path.join(info, candidate + ".trashinfo"))

    def put(self, path: str, slot: TrashSlot, temp: str, expected: Identity | None = None) -> str:
        """Move ``path`` into ``slot``; return where it went. Never deletes."""
        os.makedirs(os.path.dirname(slot.files_path), mode=0o700, exist_ok=True)
        os.makedirs(os.path.dirname(slot.info_path), mode=0o700, exist_ok=True)
        text = (
            "[Trash Info]\n"
            f"Path={quote(os.fsencode(os.path.abspath(path)))}\n"
            f"DeletionDate={datetime.now().strftime('%Y-%m-%dT%H:%M:%S')}\n"
        )
        try:
            fd = os.open(slot.info_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise DestinationExistsError(
                f"trash entry exists: {slot.info_path}", path=slot.info_path
            ) from None
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        crashpoint("trash_after_info")
        try:
            move(path, slot.files_path, temp, expected=expected)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(slot.info_path)
            raise
        crashpoint("trash_after_rename")
        fsync_dir(os.path.dirname(slot.files_path))
        return slot.files_path

    @staticmethod
    def discard_info(files_path: str) -> bool:
        """Remove the ``.trashinfo`` of ``files_path`` if that file is not in the trash.

        Recovery and undo only: an orphaned info file left by an interrupted
        trash or restore. Returns whether one was removed.
        """
        if os.path.lexists(files_path):
            return False
        try:
            os.unlink(Trash.info_path_of(files_path))
        except OSError:
            return False
        return True

    @staticmethod
    def info_path_of(files_path: str) -> str:
        """The ``.trashinfo`` path belonging to a trashed file."""
        base = os.path.dirname(os.path.dirname(files_path))
        return os.path.join(base, "info", os.path.basename(files_path) + ".trashinfo")

    def restore(self, files_path: str, original: str, temp: str) -> bool:
        """Move a trashed file back (never replacing) and drop its ``.trashinfo``.

        Returns whether the move crossed filesystems.
        """
        crossed = move(files_path, original, temp)
        with contextlib.suppress(OSError):
            os.unlink(self.info_path_of(files_path))
        return crossed


def home_trash(path: Path | str) -> Trash:
    """A :class:`Trash` whose home trash is ``path``."""
    return Trash(path)
