"""Writing into a file in place, for the ``write`` action and its undo.

A ``write`` never replaces its file (invariant 1): it writes into it, keeping
its inode. Before it overwrites bytes (a prepend, an overwrite, a clearing) the
file's previous contents are saved (:func:`save_previous`): copied under a
temporary name, synced, given the file's times, and only then given the
backup's name, so a backup that has its name is complete. A new file is written
under a temporary name and linked into place without replacing anything.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat

from fileorganizer.crash import crashpoint
from fileorganizer.errors import FileOrganizerError
from fileorganizer.fsops import fsync_dir, makedirs, rename_noreplace

_OPEN_FLAGS = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class NotARegularFileError(FileOrganizerError):
    """The file to write into is a folder, a symlink or a device."""


def read_all(path: str) -> bytes:
    """The bytes of ``path`` (not following a final symlink)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as f:
        return f.read()


def _open_regular(path: str, extra: int = 0) -> int:
    try:
        fd = os.open(path, _OPEN_FLAGS | extra)
    except OSError as exc:
        if os.path.islink(path):
            raise NotARegularFileError(f"{path} is a symlink: not written through") from None
        raise exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotARegularFileError(f"{path} is not a regular file")
    return fd


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _rewrite(fd: int, data: bytes) -> None:
    """Make the open file's contents ``data`` (from the start, then cut to length)."""
    os.lseek(fd, 0, os.SEEK_SET)
    half = len(data) // 2
    _write_all(fd, data[:half])
    crashpoint("mid_write")
    _write_all(fd, data[half:])
    os.ftruncate(fd, len(data))


def save_previous(path: str, backup: str, temp: str) -> None:
    """Save the contents and times of ``path`` as ``backup`` (complete once it has its name)."""
    makedirs(os.path.dirname(backup))
    with open(path, "rb") as src, open(temp, "xb") as out:
        shutil.copyfileobj(src, out)
        out.flush()
        os.fsync(out.fileno())
    try:
        shutil.copystat(path, temp, follow_symlinks=False)
        rename_noreplace(temp, backup)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    fsync_dir(os.path.dirname(backup))


def create_with(path: str, data: bytes, temp: str) -> None:
    """Make the new file ``path`` holding ``data`` (never replacing one that appeared)."""
    with open(temp, "xb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    try:
        rename_noreplace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    fsync_dir(os.path.dirname(path))


def append(path: str, data: bytes) -> None:
    """Add ``data`` at the end of ``path`` (cut back to its old length if that fails).

    Opened with ``O_APPEND``, so each write lands at the end even while another
    process (another host's run on a shared volume) appends to the same file.
    """
    fd = _open_regular(path, os.O_APPEND)
    try:
        size = os.fstat(fd).st_size
        try:
            _write_all(fd, data)
            os.fsync(fd)
        except OSError:
            os.ftruncate(fd, size)
            raise
    finally:
        os.close(fd)


def rewrite(path: str, data: bytes) -> None:
    """Make the contents of ``path`` ``data``, in place (save them first: see the module)."""
    fd = _open_regular(path)
    try:
        _rewrite(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def restore(path: str, backup: str) -> None:
    """Put the saved contents and modification time of ``backup`` back into ``path``."""
    data = read_all(backup)
    st = os.stat(backup)
    rewrite(path, data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns), follow_symlinks=False)


def cut_tail(path: str, count: int) -> None:
    """Cut the last ``count`` bytes off ``path`` (the undo of an append)."""
    fd = _open_regular(path)
    try:
        size = os.fstat(fd).st_size
        os.ftruncate(fd, max(size - count, 0))
        os.fsync(fd)
    finally:
        os.close(fd)
