"""What a ZIP or OLE container holds: the document type told by its entries.

ZIP: an ODF or EPUB file names its type in a first entry called ``mimetype``;
an Office Open XML file (docx, xlsx, pptx) has ``[Content_Types].xml`` and a
``word/``, ``xl/`` or ``ppt/`` folder; a JAR has ``META-INF/MANIFEST.MF``, an
Android package ``AndroidManifest.xml``. The local entries in the head often
decide; otherwise the central directory at the end of the file lists every
name (read once: its end record, then the directory itself if it is not in
that read already).

OLE (the pre-2007 Office format, MSI): the directory's top-level streams
(``WordDocument``, ``Workbook``, ``PowerPoint Document``) or the root's class
id (MSI) name the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

ReadAt = Callable[[int, int], bytes]

ZIP = "application/zip"
OLE_STORAGE = "application/x-ole-storage"

_OOXML = (
    (b"word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (b"xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (b"ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
_APK = "application/vnd.android.package-archive"
_JAR = "application/java-archive"
_MIME_ENTRY = re.compile(rb"[a-z]+/[a-z0-9.+-]+\Z")
#: the most of a central directory read to list names (big archives are plain ZIPs)
_CENTRAL_MAX = 256 * 1024
_END_SEARCH = 65535 + 22  # the end record, after a comment of up to 64 KiB


def zip_kind(head: bytes, size: int, read_at: ReadAt) -> str:
    """The type of a ZIP file whose first ``head`` bytes are given."""
    names: list[bytes] = []
    pos = 0
    while pos + 30 <= len(head) and head.startswith(b"PK\x03\x04", pos):
        flags = int.from_bytes(head[pos + 6 : pos + 8], "little")
        method = int.from_bytes(head[pos + 8 : pos + 10], "little")
        csize = int.from_bytes(head[pos + 18 : pos + 22], "little")
        usize = int.from_bytes(head[pos + 22 : pos + 26], "little")
        nlen = int.from_bytes(head[pos + 26 : pos + 28], "little")
        xlen = int.from_bytes(head[pos + 28 : pos + 30], "little")
        name = head[pos + 30 : pos + 30 + nlen]
        data = pos + 30 + nlen + xlen
        if not names and name == b"mimetype" and method == 0 and usize <= 128:
            found = _MIME_ENTRY.match(head[data : data + usize].strip())
            if found:
                return found.group().decode("ascii")
        names.append(name)
        decided = _by_names(names, complete=False)
        if decided is not None:
            return decided
        if flags & 0x08 or len(name) < nlen:
            break  # sizes follow the data (or the name is cut off): stop walking
        pos = data + csize
    return _by_names(_central_names(size, read_at), complete=True) or ZIP


def _by_names(names: Iterable[bytes], *, complete: bool) -> str | None:
    """Decide from entry names; with ``complete=False`` only what more names cannot change."""
    content_types = jar = apk = False
    folder: str | None = None
    for name in names:
        if name == b"[Content_Types].xml":
            content_types = True
        elif name == b"AndroidManifest.xml":
            apk = True
        elif name == b"META-INF/MANIFEST.MF":
            jar = True
        elif folder is None:
            for prefix, mime in _OOXML:
                if name.startswith(prefix):
                    folder = mime
                    break
    if content_types and folder is not None:
        return folder
    if apk:
        return _APK
    if complete:
        return _JAR if jar else None
    return None


def _central_names(size: int, read_at: ReadAt) -> list[bytes]:
    """Every entry name in the central directory (as much as :data:`_CENTRAL_MAX` holds)."""
    if size < 22:
        return []
    start = max(0, size - 4096)
    tail = read_at(start, size - start)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 and start > 0:
        start = max(0, size - _END_SEARCH)
        tail = read_at(start, size - start)
        end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(tail):
        return []
    cd_size = int.from_bytes(tail[end + 12 : end + 16], "little")
    if cd_size == 0xFFFFFFFF:
        cd_size = _zip64_cd_size(tail, end, start, read_at)
    # The directory ends where the end record (or ZIP64's records) begin; measuring
    # from there is right even when data was prepended (self-extracting archives).
    cd_end = start + end
    if cd_size > _CENTRAL_MAX:
        cd_size = _CENTRAL_MAX
    cd_start = cd_end - cd_size
    if start <= cd_start:
        cd = tail[cd_start - start : end]
    else:
        cd = read_at(cd_start, cd_size) if cd_start >= 0 else b""
    names: list[bytes] = []
    pos = cd.find(b"PK\x01\x02")
    while pos >= 0 and pos + 46 <= len(cd) and cd.startswith(b"PK\x01\x02", pos):
        nlen = int.from_bytes(cd[pos + 28 : pos + 30], "little")
        xlen = int.from_bytes(cd[pos + 30 : pos + 32], "little")
        clen = int.from_bytes(cd[pos + 32 : pos + 34], "little")
        names.append(cd[pos + 46 : pos + 46 + nlen])
        pos += 46 + nlen + xlen + clen
    return names


def _zip64_cd_size(tail: bytes, end: int, start: int, read_at: ReadAt) -> int:
    loc = end - 20
    if loc < 0 or not tail.startswith(b"PK\x06\x07", loc):
        return 0
    record = int.from_bytes(tail[loc + 8 : loc + 16], "little")
    data = read_at(record, 56)
    if not data.startswith(b"PK\x06\x06"):
        return 0
    return int.from_bytes(data[40:48], "little")


# --- OLE (Compound File Binary) -----------------------------------------------------------

_MSI_CLSID = bytes.fromhex("84100c0000000000c000000000000046")
_OLE_STREAMS = {
    "WordDocument": "application/msword",
    "Workbook": "application/vnd.ms-excel",
    "Book": "application/vnd.ms-excel",
    "PowerPoint Document": "application/vnd.ms-powerpoint",
}
_NO_ENTRY = 0xFFFFFFFF


def ole_kind(head: bytes, size: int, read_at: ReadAt) -> str:
    """The document type of an OLE compound file, from its first directory sector."""
    shift = int.from_bytes(head[30:32], "little")
    if shift not in (9, 12):
        return OLE_STORAGE
    sector = 1 << shift
    first_dir = int.from_bytes(head[48:52], "little")
    offset = (first_dir + 1) * sector
    if offset + sector <= len(head):
        data = head[offset : offset + sector]
    elif offset + 128 <= size:
        data = read_at(offset, sector)
    else:
        return OLE_STORAGE
    count = len(data) // 128
    if count == 0:
        return OLE_STORAGE
    if data[80:96] == _MSI_CLSID:
        return "application/x-msi"
    # the root's children form a tree through left/right sibling links
    todo = [int.from_bytes(data[76:80], "little")]
    seen: set[int] = set()
    while todo:
        i = todo.pop()
        if i == _NO_ENTRY or i in seen or i >= count:
            continue
        seen.add(i)
        entry = data[i * 128 : (i + 1) * 128]
        nlen = int.from_bytes(entry[64:66], "little")
        name = entry[: max(0, min(nlen, 64) - 2)].decode("utf-16-le", "replace")
        if name in _OLE_STREAMS:
            return _OLE_STREAMS[name]
        todo += [int.from_bytes(entry[68:72], "little"), int.from_bytes(entry[72:76], "little")]
    return OLE_STORAGE
