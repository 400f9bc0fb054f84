"""The only code that changes the filesystem.

- :func:`rename_noreplace` never replaces an existing entry (Linux
  ``renameat2(RENAME_NOREPLACE)``; elsewhere link-then-unlink for files).
- :func:`move` falls back, across devices, to copy-to-temporary, fsync,
  verify, no-replace rename into place, and only then unlink the source.
- :class:`Trash` (:mod:`fileorganizer.fsops.trash`) follows the freedesktop.org
  trash layout, records where each file went, and never falls back to deleting.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import os
import shutil
import stat as stat_mod
import sys
from collections.abc import Callable

from fileorganizer.crash import crashpoint
from fileorganizer.errors import DestinationExistsError, OperationError, SourceChangedError
from fileorganizer.operations import Identity

TEMP_PREFIX = ".fileorganizer-tmp-"
CHUNK = 1024 * 1024
_AT_FDCWD = -100
_RENAME_NOREPLACE = 1


def _load_renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_renameat2 = _load_renameat2()


def temp_path_for(dst: str, op_id: str) -> str:
    """The temporary name a copy is written under, beside its destination."""
    return os.path.join(os.path.dirname(dst), f"{TEMP_PREFIX}{op_id}")


def rename_noreplace(src: str, dst: str) -> None:
    """Rename ``src`` to ``dst``; raise :class:`DestinationExistsError` if ``dst`` exists.

    Raises ``OSError(EXDEV)`` when the two are on different filesystems.
    """
    if _renameat2 is not None:
        rc = _renameat2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), _RENAME_NOREPLACE)
        if rc == 0:
            return
        err = ctypes.get_errno()
        if err == errno.EEXIST:
            raise DestinationExistsError(f"destination exists: {dst}", path=dst)
        if err not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(err, os.strerror(err), src, None, dst)
    _rename_noreplace_fallback(src, dst)


def _rename_noreplace_fallback(src: str, dst: str) -> None:
    """Link-then-unlink: atomic no-replace for files; folders and symlinks by mkdir guard."""
    st = os.lstat(src)
    if stat_mod.S_ISREG(st.st_mode):
        try:
            os.link(src, dst, follow_symlinks=False)
        except FileExistsError:
            raise DestinationExistsError(f"destination exists: {dst}", path=dst) from None
        os.unlink(src)
        return
    # Folders/symlinks where renameat2 is unsupported: best effort, documented.
    if os.path.lexists(dst):
        raise DestinationExistsError(f"destination exists: {dst}", path=dst)
    os.rename(src, dst)


def fsync_dir(path: str) -> None:
    """fsync a folder so a rename or unlink in it is durable."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def makedirs(path: str) -> list[str]:
    """Create ``path`` and missing parents; return the folders created (outermost first)."""
    created: list[str] = []
    missing: list[str] = []
    p = os.path.normpath(path)
    while not os.path.isdir(p):
        if os.path.lexists(p):
            raise OperationError(f"not a folder: {p}", path=p)
        missing.append(p)
        parent = os.path.dirname(p)
        if parent == p:
            break
        p = parent
    for d in reversed(missing):
        try:
            os.mkdir(d)
            created.append(d)
        except FileExistsError:
            if not os.path.isdir(d):
                raise OperationError(f"not a folder: {d}", path=d) from None
    return created


def check_identity(path: str, expected: Identity | None, *, check_inode: bool = True) -> Identity:
    """lstat ``path`` and compare it with ``expected``; raise SourceChangedError if it differs."""
    try:
        now = Identity.of(path)
    except FileNotFoundError:
        raise SourceChangedError(f"source is gone: {path}", path=path) from None
    if expected is not None:
        same = now.same_file(expected) if check_inode else now.same_content_marks(expected)
        if not same:
            raise SourceChangedError(f"source changed since it was planned: {path}", path=path)
    return now


def file_digest(path: str, algo: str = "sha256") -> str:
    """Hash a file's content."""
    h = hashlib.new(algo)
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def same_bytes(a: str, b: str) -> bool:
    """Whether two files have identical content (byte for byte)."""
    try:
        if os.path.getsize(a) != os.path.getsize(b):
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                ca, cb = fa.read(CHUNK), fb.read(CHUNK)
                if ca != cb:
                    return False
                if not ca:
                    return True
    except OSError:
        return False


def _copy_file_to_temp(src: str, temp: str, verify_hash: bool) -> None:
    """Copy ``src`` to a new file ``temp`` (O_EXCL), fsync, copy metadata, verify."""
    st = os.lstat(src)
    if stat_mod.S_ISLNK(st.st_mode):
        os.symlink(os.readlink(src), temp)
        return
    src_hash = hashlib.sha256() if verify_hash else None
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with open(src, "rb") as fin, os.fdopen(fd, "wb", closefd=False) as fout:
            first = True
            while chunk := fin.read(CHUNK):
                fout.write(chunk)
                if src_hash is not None:
                    src_hash.update(chunk)
                if first:
                    first = False
                    fout.flush()
                    crashpoint("mid_copy")
            fout.flush()
            os.fsync(fd)
    finally:
        os.close(fd)
    shutil.copystat(src, temp, follow_symlinks=False)
    size = os.lstat(temp).st_size
    if size != st.st_size:
        raise OperationError(
            f"copy verification failed: {size} bytes written, {st.st_size} expected", path=src
        )
    if src_hash is not None and file_digest(temp) != src_hash.hexdigest():
        raise OperationError("copy verification failed: content hash differs", path=src)


def _copy_tree_to_temp(src: str, temp: str, verify_hash: bool) -> None:
    os.mkdir(temp, 0o700)
    for entry in os.scandir(src):
        target = os.path.join(temp, entry.name)
        if entry.is_dir(follow_symlinks=False):
            _copy_tree_to_temp(entry.path, target, verify_hash)
        else:
            _copy_file_to_temp(entry.path, target, verify_hash)
    shutil.copystat(src, temp, follow_symlinks=False)


def _remove_temp(temp: str) -> None:
    try:
        if os.path.isdir(temp) and not os.path.islink(temp):
            shutil.rmtree(temp)
        elif os.path.lexists(temp):
            os.unlink(temp)
    except OSError:
        pass


def copy_verified(src: str, dst: str, temp: str, *, verify_hash: bool = False) -> None:
    """Copy ``src`` to ``dst`` via ``temp``; never replace ``dst``; no partial file left."""
    if os.path.lexists(dst):
        raise DestinationExistsError(f"destination exists: {dst}", path=dst)
    try:
        if os.path.isdir(src) and not os.path.islink(src):
            _copy_tree_to_temp(src, temp, verify_hash)
        else:
            _copy_file_to_temp(src, temp, verify_hash)
        rename_noreplace(temp, dst)
    except BaseException as exc:
        _remove_temp(temp)
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            raise OperationError(f"no space left on device writing {dst}", path=dst) from None
        raise
    crashpoint("after_final_rename")
    fsync_dir(os.path.dirname(dst))


def move(
    src: str,
    dst: str,
    temp: str,
    *,
    expected: Identity | None = None,
    verify_hash: bool = False,
) -> bool:
    """Move ``src`` to ``dst`` without ever replacing ``dst``.

    Returns ``True`` when the move crossed filesystems (copy + verify + unlink).
    """
    try:
        rename_noreplace(src, dst)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    else:
        crashpoint("after_final_rename")
        return False
    before = expected or Identity.of(src)
    folder = os.path.dirname(os.path.abspath(src))
    if not os.access(folder, os.W_OK):
        # the source could not be removed after the copy: nothing would be moved,
        # and a copy would exist twice (invariant 11)
        raise OperationError(
            f"cannot move {src} to another filesystem: its folder {folder} is not writable "
            "(read-only), so the file could not be removed after copying; nothing changed",
            path=src,
        )
    copy_verified(src, dst, temp, verify_hash=verify_hash)
    crashpoint("before_source_unlink")
    try:
        check_identity(src, before, check_inode=True)
    except SourceChangedError:
        # the source changed while we copied: keep both, report
        raise SourceChangedError(
            f"source changed during copy; both {src} and {dst} kept", path=src
        ) from None
    try:
        _remove_source(src)
    except OSError as exc:
        # our verified copy goes, so that the file does not exist twice (invariant 11)
        _remove_our_copy(dst, src)
        raise OperationError(
            f"cannot move {src}: it could not be removed after copying "
            f"({exc.strerror or exc}); the copy at {dst} was removed, nothing changed",
            path=src,
        ) from None
    fsync_dir(os.path.dirname(src))
    return True


def _remove_our_copy(dst: str, src: str) -> None:
    """Remove the verified copy this move just put at ``dst`` (its source is still intact)."""
    if not same_bytes(src, dst) and not os.path.isdir(dst):
        return  # not provably our copy: keep it (nothing is lost by keeping)
    if os.path.isdir(dst) and not os.path.islink(dst):
        shutil.rmtree(dst)
    else:
        os.unlink(dst)
    fsync_dir(os.path.dirname(dst))


def _remove_source(src: str) -> None:
    if os.path.isdir(src) and not os.path.islink(src):
        shutil.rmtree(src)
    else:
        os.unlink(src)


def copy(src: str, dst: str, temp: str, *, verify_hash: bool = False) -> None:
    """Copy ``src`` to ``dst`` (verified, via a temporary name, never replacing)."""
    copy_verified(src, dst, temp, verify_hash=verify_hash)


def delete(path: str) -> None:
    """Permanently delete a file or folder (only for rules that ask by name)."""
    _remove_source(path)
    fsync_dir(os.path.dirname(path))


def symlink(target: str, link: str) -> None:
    """Create a symlink at ``link``; fails if ``link`` exists (never replaces)."""
    try:
        os.symlink(target, link)
    except FileExistsError:
        raise DestinationExistsError(f"destination exists: {link}", path=link) from None


def hardlink(src: str, link: str) -> None:
    """Create a hard link at ``link``; fails if ``link`` exists (never replaces)."""
    try:
        os.link(src, link, follow_symlinks=False)
    except FileExistsError:
        raise DestinationExistsError(f"destination exists: {link}", path=link) from None


def remove_if_unchanged(path: str, expected: Identity) -> None:
    """Remove a file (a copy or link the tool made) only if it is unchanged."""
    check_identity(path, expected, check_inode=True)
    unlink_checked(path)


def unlink_checked(path: str) -> None:
    """Unlink a file or link whose identity the caller has just checked; sync its folder."""
    os.unlink(path)
    fsync_dir(os.path.dirname(path))


def rmdir_synced(path: str) -> None:
    """Remove an empty folder and sync its parent (``OSError`` if it is not empty)."""
    os.rmdir(path)
    fsync_dir(os.path.dirname(path))


def remove_leftover(path: str) -> None:
    """Remove a leftover of the tool's own: a temporary file or an orphaned ``.trashinfo``.

    Refuses any other name (recovery only ever plans these).
    """
    name = os.path.basename(path)
    if not (name.startswith(TEMP_PREFIX) or name.endswith(".trashinfo")):
        raise OperationError(f"not a leftover of fileorganizer: {path}", path=path)
    if os.path.lexists(path):
        _remove_temp(path)
        fsync_dir(os.path.dirname(path))


def remove_empty_dir(path: str) -> bool:
    """Remove a folder if it is empty; return whether it was removed."""
    try:
        os.rmdir(path)
        return True
    except OSError:
        return False


def restore_temp_cleanup(temp: str) -> None:
    """Remove a temporary file the tool left behind (recovery only)."""
    _remove_temp(temp)


def drop_second_link(src: str, dst: str) -> None:
    """Finish an interrupted move whose two names point to one inode: unlink ``src``.

    Recovery only. Raises :class:`SourceChangedError` unless ``src`` and
    ``dst`` are the same inode on the same device (so no content is lost).
    """
    a, b = os.lstat(src), os.lstat(dst)
    if (a.st_dev, a.st_ino) != (b.st_dev, b.st_ino):
        raise SourceChangedError(f"{src} and {dst} are different files", path=src)
    os.unlink(src)
    fsync_dir(os.path.dirname(src))


# (imported last: the trash uses the functions above)
from fileorganizer.fsops.trash import Trash, TrashSlot, home_trash  # noqa: E402

__all__ = [
    "TEMP_PREFIX",
    "Trash",
    "TrashSlot",
    "check_identity",
    "copy",
    "copy_verified",
    "delete",
    "drop_second_link",
    "file_digest",
    "fsync_dir",
    "hardlink",
    "home_trash",
    "makedirs",
    "move",
    "remove_empty_dir",
    "remove_if_unchanged",
    "remove_leftover",
    "rename_noreplace",
    "restore_temp_cleanup",
    "same_bytes",
    "symlink",
    "temp_path_for",
    "unlink_checked",
]
