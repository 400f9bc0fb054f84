"""The signature table: a file's content type from its first 4 KiB, for common formats.

:func:`sniff_table` looks at the head of a file once, through a table compiled
by first byte, so a file costs a dictionary look-up and a few prefix compares.
Containers are told apart by what is inside them: ZIP-based documents by their
entry names (the first local entries, else the central directory at the end of
the file), OLE documents by their directory, ISO-BMFF files by their ``ftyp``
brands, RIFF, Ogg, Matroska and ASF files by their first header. Only those
formats read more than the head, and only what they need.

``None`` means the table does not know the bytes: the general identifier
(:mod:`fileorganizer.content.mime`) takes over.
"""

from __future__ import annotations

from collections.abc import Callable

from fileorganizer.content.containers import ole_kind, zip_kind
from fileorganizer.content.textsniff import TEXT_BOMS, looks_textual, sniff_text

#: Bytes read from the start of every file.
HEAD_SIZE = 4096
#: The most a text file's head is extended to, to judge a complete JSON value.
TEXT_MAX = 36 * 1024
#: Bytes read from the end of text that may be XML or JSON (told by how it ends).
TAIL_SIZE = 512

#: ``read_at(offset, n)``: up to ``n`` bytes of the file at ``offset``.
ReadAt = Callable[[int, int], bytes]
Sniffer = Callable[[bytes, int, ReadAt], "str | None"]


def _ftyp(head: bytes, size: int, read_at: ReadAt) -> str | None:
    major = head[8:12]
    box_len = int.from_bytes(head[0:4], "big")
    brands = {major} | {head[i : i + 4] for i in range(16, min(box_len, len(head)) - 3, 4)}
    if b"avif" in brands or b"avis" in brands:
        return "image/avif"
    if major in _HEIF_BRANDS:
        return "image/heif"
    if major == b"qt  ":
        return "video/quicktime"
    if major in (b"M4A ", b"M4B ", b"M4P "):
        return "audio/mp4"
    if major == b"M4V ":
        return "video/x-m4v"
    if major.startswith(b"3gp"):
        return "video/3gpp"
    if major.startswith(b"3g2"):
        return "video/3gpp2"
    if major == b"crx ":
        return "image/x-canon-cr3"
    if major in _MP4_BRANDS:
        return "video/mp4"
    return None


_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"mif2"}
)
_MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9",
     b"mp41", b"mp42", b"mp71", b"avc1", b"dash", b"mmp4", b"MSNV", b"NDAS", b"F4V ",
     b"M4VP", b"XAVC", b"cmfc", b"cmfv"}
)  # fmt: skip

_RIFF = {b"AVI ": "video/x-msvideo", b"WAVE": "audio/x-wav", b"WEBP": "image/webp"}


def _riff(head: bytes, size: int, read_at: ReadAt) -> str | None:
    return _RIFF.get(head[8:12])


_ASF_VIDEO = bytes.fromhex("c0ef19bc4d5bcf11a8fd00805f5c442b")
_ASF_AUDIO = bytes.fromhex("409e69f84d5bcf11a8fd00805f5c442b")


def _asf(head: bytes, size: int, read_at: ReadAt) -> str:
    """Windows Media: video if a video stream is declared, else audio, else plain ASF."""
    if _ASF_VIDEO not in head and _ASF_AUDIO not in head and size > len(head):
        head = read_at(0, TEXT_MAX)  # the header objects can be long
    if _ASF_VIDEO in head:
        return "video/x-ms-wmv"
    return "audio/x-ms-wma" if _ASF_AUDIO in head else "video/x-ms-asf"


def _jp2(head: bytes, size: int, read_at: ReadAt) -> str:
    return {b"jpx ": "image/jpx", b"jpm ": "image/jpm"}.get(head[20:24], "image/jp2")


def _ebml(head: bytes, size: int, read_at: ReadAt) -> str | None:
    """Matroska or WebM, by the EBML header's DocType."""
    i = head.find(b"\x42\x82", 4, 64)
    if i < 0 or i + 3 > len(head):
        return None
    first = head[i + 2]
    width = 1
    while width <= 8 and not first & (0x80 >> (width - 1)):
        width += 1
    if width > 8:
        return None
    length = first & (0xFF >> width)
    for b in head[i + 3 : i + 2 + width]:
        length = (length << 8) | b
    start = i + 2 + width
    doctype = head[start : start + length].rstrip(b"\x00")
    if doctype == b"webm":
        return "video/webm"
    if doctype == b"matroska":
        return "video/x-matroska"
    return None


def _ogg(head: bytes, size: int, read_at: ReadAt) -> str:
    """Ogg: audio or video by the codec of the first stream."""
    codec = head[28:36]
    if codec.startswith((b"\x80theora", b"\x01video")):
        return "video/ogg"
    if codec.startswith((b"\x01vorbis", b"OpusHead", b"\x7fFLAC", b"Speex")):
        return "audio/ogg"
    return "application/ogg"


def _iff(head: bytes, size: int, read_at: ReadAt) -> str | None:
    return "audio/x-aiff" if head[8:12] in (b"AIFF", b"AIFC") else None


def _mz(head: bytes, size: int, read_at: ReadAt) -> str | None:
    """A Windows (PE) executable; a bare DOS program is left to the general identifier."""
    pe = int.from_bytes(head[0x3C:0x40], "little")
    if head[2:4] == b"\x90\x00" or (0x40 <= pe <= len(head) - 4 and head[pe : pe + 4] == b"PE\0\0"):
        return "application/vnd.microsoft.portable-executable"
    return None


def _emf(head: bytes, size: int, read_at: ReadAt) -> str | None:
    return "image/emf" if head[40:44] == b" EMF" else None


def mpeg_audio_frame(head: bytes, size: int = 0, read_at: ReadAt | None = None) -> str | None:
    """An MPEG audio frame header at offset 0 (MP3 without ID3, or ADTS AAC)."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return None
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    if layer == 0:
        return "audio/aac" if version in (0, 2) and head[1] & 0xF6 == 0xF0 else None
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 3
    if version == 1 or bitrate == 0xF or rate == 3:
        return None
    return "audio/mpeg"


def _mpeg_ts(head: bytes, size: int, read_at: ReadAt) -> str | None:
    if len(head) >= 377 and head[188] == 0x47 and head[376] == 0x47:
        return "video/mp2t"
    return None


def _zip(head: bytes, size: int, read_at: ReadAt) -> str:
    return zip_kind(head, size, read_at)


def _ole(head: bytes, size: int, read_at: ReadAt) -> str:
    return ole_kind(head, size, read_at)


#: (prefix at offset 0, type or a function of (head, size, read_at)).
#: Prefixes shorter than four bytes are not believed at the start of text.
SIGNATURES: tuple[tuple[bytes, str | Sniffer], ...] = (
    # images
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\x00\x00\x01\x00", "image/vnd.microsoft.icon"),
    (b"8BPS", "image/vnd.adobe.photoshop"),
    (b"icns", "image/x-icns"),
    (b"\xff\x0a", "image/jxl"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "image/jxl"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", _jp2),
    (b"\xd7\xcd\xc6\x9a", "image/wmf"),
    (b"\x01\x00\x00\x00", _emf),
    # audio
    (b"ID3", "audio/mpeg"),
    (b"fLaC", "audio/flac"),
    (b"MThd", "audio/midi"),
    (b"caff", "audio/x-caf"),
    (b"MAC ", "audio/x-ape"),
    (b"wvpk", "audio/x-wavpack"),
    (b"FORM", _iff),
    (b"OggS", _ogg),
    (b"\xff", mpeg_audio_frame),
    # video (ISO-BMFF "ftyp" is matched at offset 4, below)
    (b"RIFF", _riff),
    (b"\x1aE\xdf\xa3", _ebml),
    (b"FLV\x01", "video/x-flv"),
    (b"\x00\x00\x01\xba", "video/mpeg"),
    (b"\x00\x00\x01\xb3", "video/mpeg"),
    (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9\x00\xaa\x00\x62\xce\x6c", _asf),
    (b"\x47", _mpeg_ts),
    # archives and compressed data
    (b"PK\x03\x04", _zip),
    (b"PK\x05\x06", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"BZh", "application/x-bzip2"),
    (b"\xfd7zXZ\x00", "application/x-xz"),
    (b"\x28\xb5\x2f\xfd", "application/zstd"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"RE~^", "application/vnd.rar"),
    (b"LZIP", "application/x-lzip"),
    (b"MSCF", "application/vnd.ms-cab-compressed"),
    # installers and programs
    (b"!<arch>\ndebian-binary", "application/vnd.debian.binary-package"),
    (b"\xed\xab\xee\xdb", "application/x-rpm"),
    (b"MZ", _mz),
    (b"\x7fELF", "application/x-executable"),
    (b"\x00asm", "application/wasm"),
    (b"SQLite format 3\x00", "application/x-sqlite3"),
    (b"d8:announce", "application/x-bittorrent"),
    # documents
    (b"%PDF-", "application/pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", _ole),
    # fonts
    (b"\x00\x01\x00\x00", "font/ttf"),
    (b"OTTO", "font/otf"),
    (b"wOFF", "font/woff"),
    (b"wOF2", "font/woff2"),
)


def _compile(
    signatures: tuple[tuple[bytes, str | Sniffer], ...],
) -> dict[int, tuple[tuple[bytes, str | Sniffer, bool], ...]]:
    """First byte -> its signatures, longest first, each with "short" (< 4 bytes)."""
    table: dict[int, list[tuple[bytes, str | Sniffer, bool]]] = {}
    for prefix, result in signatures:
        table.setdefault(prefix[0], []).append((prefix, result, len(prefix) < 4))
    return {k: tuple(sorted(v, key=lambda s: -len(s[0]))) for k, v in table.items()}


_BY_FIRST_BYTE = _compile(SIGNATURES)


def sniff_table(head: bytes, size: int, read_at: ReadAt) -> str | None:
    """The content type the table knows for a file's head, or ``None``.

    ``size`` is the file's size; ``read_at`` reads more of it for the formats
    that need it (a ZIP's central directory, an OLE directory, long text).
    """
    if not head:
        return None
    if head.startswith(TEXT_BOMS):
        return sniff_text(head, complete=False)
    textual: bool | None = None
    for prefix, result, short in _BY_FIRST_BYTE.get(head[0], ()):
        if not head.startswith(prefix):
            continue
        if short:
            if textual is None:
                textual = looks_textual(head)
            if textual:
                continue  # two or three bytes at the start of text are a coincidence
        found = result if isinstance(result, str) else result(head, size, read_at)
        if found is not None:
            return found
    found = _by_offset(head, size, read_at)
    if found is not None:
        return found
    if textual if textual is not None else looks_textual(head):
        return _text(head, size, read_at)
    return None


def _by_offset(head: bytes, size: int, read_at: ReadAt) -> str | None:
    """Signatures that do not start at the first byte."""
    if head[4:8] == b"ftyp":
        return _ftyp(head, size, read_at)
    if head[257:262] == b"ustar":
        return "application/x-tar"
    if b"%PDF-" in head[:1024]:
        return "application/pdf"  # readers accept bytes before the header
    return None


def _text(head: bytes, size: int, read_at: ReadAt) -> str:
    """Text: what it announces; longer files get the rest they need, no more."""
    if size <= len(head):
        return sniff_text(head, complete=True)
    start = head.lstrip(b" \t\r\n")[:1]
    if start in (b"{", b"[") and size <= TEXT_MAX:
        whole = read_at(0, size)
        return sniff_text(whole, complete=len(whole) >= size and looks_textual(whole))
    tail = read_at(size - TAIL_SIZE, TAIL_SIZE) if start in (b"<", b"{", b"[") else None
    return sniff_text(head, complete=False, tail=tail)
