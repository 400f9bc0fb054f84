"""Content type (MIME) detection: the bytes first, the extension as a fallback.

A file costs one open and one read of its first 4 KiB, matched against the
signature table of :mod:`fileorganizer.content.signatures` (which reads a
little more only for the formats that need it: a ZIP's central directory, an
OLE directory, long text). Only bytes the table does not know go to the general
identifier (puremagic, with the first ~36 KiB and last 516 bytes). The result
has one spelling per type (``video/x-msvideo``, not ``video/avi``).

The extension is used when the content says nothing (empty or unknown binary)
and when it *refines* what the content says (a ZIP named ``.docx`` is a Word
document; text named ``.csv`` is CSV). For a scanned entry the content's type
is computed once and kept in the entry's cache, which every rule, filter and
placeholder of a plan shares.
"""

from __future__ import annotations

import os
import stat as stat_mod
from functools import cache
from typing import TYPE_CHECKING

from fileorganizer.content.counting import ByteCounter
from fileorganizer.content.mimenames import ALIASES, EXTENSION_TYPES
from fileorganizer.content.signatures import HEAD_SIZE, TEXT_MAX, sniff_table
from fileorganizer.content.textsniff import TEXT_PLAIN, looks_textual, sniff_text

if TYPE_CHECKING:
    import mimetypes

    from fileorganizer.scan import FileEntry

__all__ = [
    "EMPTY",
    "EXTENSION_TYPES",
    "HEAD_SIZE",
    "OCTET_STREAM",
    "TEXT_PLAIN",
    "MimeType",
    "canonical",
    "choose",
    "detect_mimetype",
    "entry_mimetype",
    "is_textual",
    "looks_textual",
    "mimetype_from_extension",
    "refines",
    "sniff",
    "sniff_general",
]


class MimeType(str):
    """A MIME type string (``image/jpeg``) with ``.type`` and ``.subtype``."""

    __slots__ = ()

    @property
    def type(self) -> str:
        """The top-level type, e.g. ``image``."""
        return self.partition("/")[0]

    @property
    def subtype(self) -> str:
        """The subtype, e.g. ``jpeg``."""
        return self.partition("/")[2]


#: The type of an empty file without a telling extension (as ``file(1)`` names it).
EMPTY = "inode/x-empty"
#: Unknown binary content.
OCTET_STREAM = "application/octet-stream"
#: What the general identifier reads from the start and the end of a file.
GENERAL_HEAD = 36870
GENERAL_FOOT = 516

#: Types of what is not a regular file (as ``file(1)`` names them); never opened.
_SPECIAL = {
    stat_mod.S_IFIFO: "inode/fifo",
    stat_mod.S_IFSOCK: "inode/socket",
    stat_mod.S_IFCHR: "inode/chardevice",
    stat_mod.S_IFBLK: "inode/blockdevice",
}

#: Content types a more specific extension may refine.
_REFINABLE: dict[str, frozenset[str]] = {
    "application/zip": frozenset(
        EXTENSION_TYPES[e]
        for e in ("docx", "xlsx", "pptx", "odt", "ods", "odp", "odg", "epub", "jar", "apk")
    ),
    "video/mp4": frozenset({"audio/mp4", "video/x-m4v", "video/quicktime"}),
    "image/heif": frozenset({"image/heic"}),
    "video/x-ms-asf": frozenset({"video/x-ms-wmv", "audio/x-ms-wma"}),
    "application/x-ole-storage": frozenset(
        {"application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"}
    ),
    "application/xml": frozenset({"image/svg+xml", "application/xhtml+xml"}),
    "text/html": frozenset({"application/xhtml+xml"}),
    "application/ogg": frozenset({"audio/ogg", "video/ogg"}),
}

_TEXTUAL_APPLICATION = frozenset(
    {
        "application/json", "application/xml", "application/yaml", "application/toml",
        "application/x-sh", "application/sql", "application/x-subrip", "application/rtf",
    }
)  # fmt: skip


@cache
def _stdlib_types() -> mimetypes.MimeTypes:
    import mimetypes

    # A fresh instance holds only the built-in table, not the system's files.
    return mimetypes.MimeTypes()


@cache
def _by_extension(ext: str) -> MimeType | None:
    found = EXTENSION_TYPES.get(ext[1:])
    if found is None:
        db = _stdlib_types()
        found = db.types_map[True].get(ext) or db.types_map[False].get(ext)
    return MimeType(canonical(found)) if found else None


def mimetype_from_extension(name: str) -> MimeType | None:
    """The type a file name's last extension names, or ``None``."""
    ext = os.path.splitext(os.path.basename(name))[1].lower()
    return _by_extension(ext) if ext else None


def canonical(mime: str) -> str:
    """One spelling per type: ``video/avi`` -> ``video/x-msvideo``."""
    low = mime.strip().lower()
    return ALIASES.get(low, low)


def choose(by_content: str | None, by_ext: str | None, size: int) -> MimeType:
    """Combine what the content and the extension say (see the module doc)."""
    if by_content is None:
        return MimeType(by_ext or (EMPTY if size == 0 else OCTET_STREAM))
    if by_ext is not None and refines(by_content, by_ext):
        return MimeType(by_ext)
    return MimeType(by_content)


def refines(by_content: str, by_ext: str) -> bool:
    """Whether the extension's type is a more specific name for the content's."""
    if by_content == by_ext or by_ext in _REFINABLE.get(by_content, ()):
        return True
    if by_content == TEXT_PLAIN:
        return is_textual(by_ext)
    if by_content == "application/json":
        return by_ext.endswith("+json")
    if by_content == "application/xml":
        return by_ext.endswith("+xml")
    return False


def is_textual(mime: str) -> bool:
    """Whether files of this type are text (``text/*``, JSON, XML, YAML, ...)."""
    return (
        mime.startswith("text/") or mime in _TEXTUAL_APPLICATION or mime.endswith(("+xml", "+json"))
    )


# --- reading --------------------------------------------------------------------------


class _Reader:
    """Positioned reads of one open file, counted."""

    __slots__ = ("fd", "read", "size")

    def __init__(self, fd: int, size: int) -> None:
        self.fd = fd
        self.size = size
        self.read = 0

    def read_at(self, offset: int, n: int) -> bytes:
        offset = max(0, offset)
        if n <= 0 or offset >= self.size:
            return b""
        data = _pread(self.fd, n, offset)
        self.read += len(data)
        return data


def _pread(fd: int, n: int, offset: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, n, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # pragma: no cover - Windows
    return os.read(fd, n)  # pragma: no cover


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def _content_type(
    path: str | os.PathLike[str], size: int | None, counter: ByteCounter | None
) -> tuple[str | None, int]:
    """What the bytes of the file at ``path`` say, and its size. One open, one read."""
    fd = os.open(path, _OPEN_FLAGS)  # (non-blocking: a FIFO put there meanwhile never hangs)
    try:
        if size is None:
            st = os.fstat(fd)
            special = _SPECIAL.get(stat_mod.S_IFMT(st.st_mode))
            if special is not None:
                return special, 0
            size = st.st_size
        head = os.read(fd, HEAD_SIZE) if size else b""
        reader = _Reader(fd, max(size, len(head)))
        found = sniff_table(head, reader.size, reader.read_at)
        if found is None and head:
            found = _general(head, reader)
    finally:
        os.close(fd)
    if counter is not None:
        counter.files_opened += 1
        counter.add(len(head) + reader.read)
    return found, reader.size


def _general(head: bytes, reader: _Reader) -> str | None:
    """What the general identifier says, given the head the table did not know."""
    size = reader.size
    if size > len(head):
        head += reader.read_at(len(head), GENERAL_HEAD - len(head))
    foot = head[-GENERAL_FOOT:]
    if size > len(head):
        foot = reader.read_at(max(len(head), size - GENERAL_FOOT), GENERAL_FOOT)
        foot = (head + foot)[-GENERAL_FOOT:] if len(foot) < GENERAL_FOOT else foot
    return sniff_general(head, foot, size)


def detect_mimetype(
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    counter: ByteCounter | None = None,
) -> MimeType:
    """The content type of the file at ``path``.

    ``name`` is the file name whose extension is the fallback (default: the
    path's own). Raises ``OSError`` when the file cannot be read.
    """
    content, size = _content_type(path, None, counter)
    return choose(content, mimetype_from_extension(name or os.fspath(path)), size)


def entry_mimetype(entry: FileEntry, counter: ByteCounter | None = None) -> MimeType:
    """The content type of a scanned entry (its bytes, its planned name), computed once.

    The bytes are read once per file (the entry's cache is shared by every rule
    of a plan); the extension is the entry's current name's.
    """
    cache_ = entry.cache
    key = "mimetype:" + entry.name
    found: MimeType | None = cache_.get(key)
    if found is None:
        sniffed = cache_.get("content_type")
        if sniffed is None:
            sniffed = cache_["content_type"] = entry_content_type(entry, counter)
        content, size = sniffed
        found = cache_[key] = choose(content, _by_extension(entry.suffix.lower()), size)
    return found


def entry_content_type(
    entry: FileEntry, counter: ByteCounter | None = None
) -> tuple[str | None, int]:
    """What an entry's bytes say (``None``: nothing) and its size; not cached here."""
    st = entry.stat()
    fmt = stat_mod.S_IFMT(st.st_mode)
    if fmt != stat_mod.S_IFREG:
        special = _SPECIAL.get(fmt)
        if special is not None:
            return special, 0
        # (a dangling symlink, whose stat() is its own): opening it says why not
    elif st.st_size == 0:
        return None, 0  # nothing to read
    return _content_type(entry.real_path, st.st_size if fmt == stat_mod.S_IFREG else None, counter)


# --- sniffing bytes ---------------------------------------------------------------------


def sniff(head: bytes, foot: bytes = b"", size: int | None = None) -> str | None:
    """The content type the bytes show, or ``None`` (empty or unknown binary).

    ``head`` is the start of the file, ``foot`` its end (if it is longer than
    ``head``), ``size`` its length (default: ``len(head)``).
    """
    if not head:
        return None
    total = len(head) if size is None else max(size, len(head))

    def read_at(offset: int, n: int) -> bytes:
        offset = max(0, offset)
        if offset + n <= len(head) or total <= len(head):
            return head[offset : offset + n]
        if foot and offset >= total - len(foot):
            start = offset - (total - len(foot))
            return foot[start : start + n]
        return head[offset : offset + n]  # what is known of it

    found = sniff_table(head[:HEAD_SIZE], total, read_at)
    if found is None:
        found = sniff_general(head, foot or head[-GENERAL_FOOT:], total)
    return found


def sniff_general(head: bytes, foot: bytes, size: int) -> str | None:
    """The general identifier: puremagic on the head and foot, then text.

    Used for what the signature table does not know, and by the tests that
    compare the two.
    """
    found = _puremagic(head, foot)
    if found is None and looks_textual(head):
        found = sniff_text(head, complete=size <= len(head))
    return found


def _puremagic(head: bytes, foot: bytes) -> str | None:
    import puremagic

    data = head if len(head) < GENERAL_HEAD else head + foot
    try:
        matches = puremagic.magic_string(data)
    except (puremagic.PureError, ValueError):
        return None
    textual = looks_textual(head[:TEXT_MAX])
    for m in matches:
        if not m.mime_type or m.confidence < 0.2:
            continue
        # A two- or three-byte signature ("BM") at the start of text is a coincidence.
        if textual and len(m.byte_match) < 4:
            continue
        return canonical(m.mime_type)
    return None
