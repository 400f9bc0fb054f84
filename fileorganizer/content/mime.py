"""Content type (MIME) detection: magic bytes first, the extension as a fallback.

:func:`detect_mimetype` reads at most the first ~36 KiB and last 516 bytes of a
file. It asks a few precise sniffers of its own (containers that puremagic
mislabels or misses: JPEG 2000, RIFF, ASF, ISO-BMFF brands, ZIP-based office
formats, MPEG audio frames, RAR 1.4, text/markup), then puremagic, and names
the result with one canonical spelling per type (``video/x-msvideo``, not
``video/avi``). The extension is used when the content says nothing (empty or
unknown binary) and when it *refines* what the content says (a ZIP named
``.docx`` is a Word document; text named ``.csv`` is CSV).
"""

from __future__ import annotations

import json
import mimetypes
import os
import re
from functools import cache
from typing import TYPE_CHECKING

import puremagic

from fileorganizer.content.counting import ByteCounter

if TYPE_CHECKING:
    from fileorganizer.scan import FileEntry


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
TEXT_PLAIN = "text/plain"

HEAD_SIZE: int = puremagic.main.max_head
FOOT_SIZE: int = puremagic.main.max_foot

#: Extension -> type. Deterministic across Python versions and systems (the
#: stdlib table, without /etc/mime.types, fills in the rest).
EXTENSION_TYPES: dict[str, str] = {
    # images
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "jpe": "image/jpeg", "jfif": "image/jpeg",
    "png": "image/png", "gif": "image/gif", "bmp": "image/bmp", "dib": "image/bmp",
    "tif": "image/tiff", "tiff": "image/tiff", "webp": "image/webp",
    "heif": "image/heif", "heic": "image/heic", "avif": "image/avif",
    "ico": "image/vnd.microsoft.icon", "svg": "image/svg+xml", "jxl": "image/jxl",
    "jp2": "image/jp2", "jpx": "image/jpx", "jpm": "image/jpm", "wmf": "image/wmf",
    "emf": "image/emf", "psd": "image/vnd.adobe.photoshop", "cr2": "image/x-canon-cr2",
    "cr3": "image/x-canon-cr3", "nef": "image/x-nikon-nef", "arw": "image/x-sony-arw",
    "dng": "image/x-adobe-dng", "raf": "image/x-fuji-raf", "orf": "image/x-olympus-orf",
    # audio
    "mp3": "audio/mpeg", "m4a": "audio/mp4", "aac": "audio/aac", "wav": "audio/x-wav",
    "flac": "audio/flac", "ogg": "audio/ogg", "oga": "audio/ogg", "opus": "audio/ogg",
    "wma": "audio/x-ms-wma", "aif": "audio/x-aiff", "aiff": "audio/x-aiff",
    "mid": "audio/midi", "midi": "audio/midi", "amr": "audio/amr",
    # video
    "mp4": "video/mp4", "m4v": "video/x-m4v", "mov": "video/quicktime",
    "avi": "video/x-msvideo", "mkv": "video/x-matroska", "webm": "video/webm",
    "flv": "video/x-flv", "wmv": "video/x-ms-wmv", "asf": "video/x-ms-asf",
    "mpg": "video/mpeg", "mpeg": "video/mpeg", "3gp": "video/3gpp", "3g2": "video/3gpp2",
    "ogv": "video/ogg", "ts": "video/mp2t", "mts": "video/mp2t",
    # archives and compressed data
    "zip": "application/zip", "gz": "application/gzip", "tgz": "application/gzip",
    "bz2": "application/x-bzip2", "tbz2": "application/x-bzip2", "xz": "application/x-xz",
    "txz": "application/x-xz", "zst": "application/zstd", "lz": "application/x-lzip",
    "lzma": "application/x-lzma", "7z": "application/x-7z-compressed",
    "rar": "application/vnd.rar", "tar": "application/x-tar", "iso": "application/x-iso9660-image",
    "cab": "application/vnd.ms-cab-compressed", "deb": "application/vnd.debian.binary-package",
    "rpm": "application/x-rpm", "dmg": "application/x-apple-diskimage",
    "jar": "application/java-archive", "apk": "application/vnd.android.package-archive",
    # documents
    "pdf": "application/pdf", "rtf": "application/rtf", "epub": "application/epub+zip",
    "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "odg": "application/vnd.oasis.opendocument.graphics",
    # text and markup
    "txt": "text/plain", "text": "text/plain", "log": "text/plain", "md": "text/markdown",
    "markdown": "text/markdown", "rst": "text/x-rst", "csv": "text/csv",
    "tsv": "text/tab-separated-values", "html": "text/html", "htm": "text/html",
    "xhtml": "application/xhtml+xml", "css": "text/css", "js": "text/javascript",
    "mjs": "text/javascript", "json": "application/json", "xml": "application/xml",
    "yaml": "application/yaml", "yml": "application/yaml", "toml": "application/toml",
    "ini": "text/plain", "cfg": "text/plain", "conf": "text/plain", "ics": "text/calendar",
    "vcf": "text/vcard", "py": "text/x-python", "sh": "application/x-sh",
    "c": "text/x-c", "h": "text/x-c", "java": "text/x-java", "sql": "application/sql",
    "tex": "text/x-tex", "srt": "application/x-subrip", "vtt": "text/vtt",
    # fonts and executables
    "ttf": "font/ttf", "otf": "font/otf", "woff": "font/woff", "woff2": "font/woff2",
    "exe": "application/vnd.microsoft.portable-executable", "wasm": "application/wasm",
}  # fmt: skip

#: puremagic's (and others') spellings -> the one this module uses.
ALIASES: dict[str, str] = {
    "video/avi": "video/x-msvideo",
    "video/msvideo": "video/x-msvideo",
    "image/x-ms-bmp": "image/bmp",
    "image/x-bmp": "image/bmp",
    "application/x-gzip": "application/gzip",
    "image/x-icon": "image/vnd.microsoft.icon",
    "audio/wave": "audio/x-wav",
    "audio/wav": "audio/x-wav",
    "audio/vnd.wave": "audio/x-wav",
    "windows/metafile": "image/wmf",
    "image/x-wmf": "image/wmf",
    "application/x-rar-compressed": "application/vnd.rar",
    "application/x-rar": "application/vnd.rar",
    "audio/mp3": "audio/mpeg",
    "audio/x-mpeg": "audio/mpeg",
    "application/x-zip-compressed": "application/zip",
    "text/xml": "application/xml",
    "application/x-pdf": "application/pdf",
    "audio/x-flac": "audio/flac",
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "application/x-yaml": "application/yaml",
    "text/yaml": "application/yaml",
    "application/x-javascript": "text/javascript",
    "application/javascript": "text/javascript",
    "application/x-tar-gz": "application/gzip",
    "audio/x-m4a": "audio/mp4",
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
}

_TEXTUAL_APPLICATION = frozenset(
    {
        "application/json", "application/xml", "application/yaml", "application/toml",
        "application/x-sh", "application/sql", "application/x-subrip", "application/rtf",
    }
)  # fmt: skip


@cache
def _stdlib_types() -> mimetypes.MimeTypes:
    # A fresh instance holds only the built-in table, not the system's files.
    return mimetypes.MimeTypes()


def mimetype_from_extension(name: str) -> MimeType | None:
    """The type a file name's last extension names, or ``None``."""
    ext = os.path.splitext(os.path.basename(name))[1].lower()
    if not ext:
        return None
    found = EXTENSION_TYPES.get(ext[1:])
    if found is None:
        db = _stdlib_types()
        found = db.types_map[True].get(ext) or db.types_map[False].get(ext)
    return MimeType(canonical(found)) if found else None


def canonical(mime: str) -> str:
    """One spelling per type: ``video/avi`` -> ``video/x-msvideo``."""
    low = mime.strip().lower()
    return ALIASES.get(low, low)


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
    head, foot, size = _read_ends(path, counter)
    by_ext = mimetype_from_extension(name if name is not None else os.fspath(path))
    return choose(sniff(head, foot, size), by_ext, size)


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


def _read_ends(
    path: str | os.PathLike[str], counter: ByteCounter | None
) -> tuple[bytes, bytes, int]:
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        head = f.read(HEAD_SIZE)
        foot = head[-FOOT_SIZE:]
        if size > len(head):
            f.seek(max(len(head), size - FOOT_SIZE))
            foot = (head + f.read())[-FOOT_SIZE:]
    if counter is not None:
        counter.files_opened += 1
        counter.add(len(head) + (len(foot) if size > len(head) else 0))
    return head, foot, size


# --- sniffing -------------------------------------------------------------------------


def sniff(head: bytes, foot: bytes = b"", size: int | None = None) -> str | None:
    """The content type the bytes show, or ``None`` (empty or unknown binary)."""
    if not head:
        return None
    if head.startswith(_TEXT_BOMS):
        return _sniff_text(head, complete=False)
    found = _sniff_containers(head)
    if found is None:
        found = _puremagic(head, foot)
    if found is None:
        found = _sniff_late(head)
    if found is None and looks_textual(head):
        complete = size is not None and size <= len(head)
        found = _sniff_text(head, complete)
    return found


_TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_ASF_HEADER = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
_ASF_VIDEO = bytes.fromhex("c0ef19bc4d5bcf11a8fd00805f5c442b")
_ASF_AUDIO = bytes.fromhex("409e69f84d5bcf11a8fd00805f5c442b")
_JP2_SIGNATURE = bytes.fromhex("0000000c6a5020200d0a870a")
_RIFF = {b"AVI ": "video/x-msvideo", b"WAVE": "audio/x-wav", b"WEBP": "image/webp"}
_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"mif2"}
)
_MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash",
     b"mmp4", b"MSNV", b"NDAS", b"F4V ", b"M4VP"}
)  # fmt: skip


def _sniff_containers(head: bytes) -> str | None:
    """Containers whose inner type puremagic gets wrong or leaves ambiguous."""
    if head.startswith(_JP2_SIGNATURE):
        brand = head[20:24]
        return {b"jpx ": "image/jpx", b"jpm ": "image/jpm"}.get(brand, "image/jp2")
    if head.startswith(b"RIFF") and head[8:12] in _RIFF:
        return _RIFF[head[8:12]]
    if head.startswith(_ASF_HEADER):
        if _ASF_VIDEO in head:
            return "video/x-ms-wmv"
        return "audio/x-ms-wma" if _ASF_AUDIO in head else "video/x-ms-asf"
    if head[4:8] == b"ftyp":
        return _ftyp(head)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(head)
    if head.startswith(b"PK\x05\x06"):
        return "application/zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/x-ole-storage"
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    return None


def _ftyp(head: bytes) -> str | None:
    major = head[8:12]
    box_len = int.from_bytes(head[0:4], "big")
    brands = {major} | {head[i : i + 4] for i in range(16, min(box_len, len(head)) - 3, 4)}
    if b"avif" in brands or b"avis" in brands:
        return "image/avif"
    if major in _HEIF_BRANDS:
        return "image/heif"
    if major == b"qt  ":
        return "video/quicktime"
    if major in (b"M4A ", b"M4B "):
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


_ODF_MIME = re.compile(rb"[a-z]+/[a-z0-9.+-]+")


def _zip_kind(head: bytes) -> str:
    """A ZIP's document type from its first local entries (ODF/EPUB, OOXML, JAR)."""
    if head[30:38] == b"mimetype":
        m = _ODF_MIME.match(head, 38)
        if m:
            return m.group().decode("ascii")
    if b"[Content_Types].xml" in head or b"_rels/.rels" in head:
        for marker, ext in ((b"word/", "docx"), (b"xl/", "xlsx"), (b"ppt/", "pptx")):
            if marker in head:
                return EXTENSION_TYPES[ext]
    if b"META-INF/MANIFEST.MF" in head:
        return "application/java-archive"
    return "application/zip"


def _puremagic(head: bytes, foot: bytes) -> str | None:
    data = head if len(head) < HEAD_SIZE else head + foot
    try:
        matches = puremagic.magic_string(data)
    except (puremagic.PureError, ValueError):
        return None
    textual = looks_textual(head)
    for m in matches:
        if not m.mime_type or m.confidence < 0.2:
            continue
        # A two- or three-byte signature ("BM") at the start of text is a coincidence.
        if textual and len(m.byte_match) < 4:
            continue
        return canonical(m.mime_type)
    return None


def _sniff_late(head: bytes) -> str | None:
    """Signatures puremagic misses, tried only when it found nothing."""
    if head.startswith(b"RE~^"):
        return "application/vnd.rar"  # RAR 1.4
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    return _mpeg_audio_frame(head)


def _mpeg_audio_frame(head: bytes) -> str | None:
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


_CONTROL = frozenset(range(32)) - {8, 9, 10, 12, 13, 27}


def looks_textual(head: bytes) -> bool:
    """Whether the bytes look like text (UTF-8/16 or a single-byte encoding)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut at the end of the sample
            return True
    controls = sum(1 for b in head if b in _CONTROL)
    return controls * 20 < len(head)


_XML_TAG = re.compile(r"<[A-Za-z_][\w.:-]*(\s[^<>]*)?/?>")
_HTML_START = ("<!doctype html", "<html", "<head", "<body")


def _sniff_text(head: bytes, complete: bool) -> str:
    """Markup and data formats that text announces; plain text otherwise."""
    text = _decode_sample(head).lstrip("\ufeff \t\r\n")
    low = text[:256].lower()
    if low.startswith(_HTML_START):
        return "text/html"
    if low.startswith("<svg") or (low.startswith("<?xml") and "<svg" in text[:1024].lower()):
        return "image/svg+xml"
    if low.startswith("<?xml") or (_XML_TAG.match(text) and text.rstrip().endswith(">")):
        return "application/xml"
    if text.startswith("#!"):
        return "text/x-python" if "python" in text.split("\n", 1)[0] else "application/x-sh"
    if complete and text[:1] in "{[":
        try:
            json.loads(text)
        except ValueError:
            pass
        else:
            return "application/json"
    return TEXT_PLAIN


def entry_mimetype(entry: FileEntry, counter: ByteCounter | None = None) -> MimeType:
    """The content type of a scanned entry (its bytes, its planned name), computed once."""
    key = f"mimetype:{entry.name}"
    found: MimeType | None = entry.cache.get(key)
    if found is None:
        found = detect_mimetype(entry.real_path, name=entry.name, counter=counter)
        entry.cache[key] = found
    return found


def _decode_sample(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace")
