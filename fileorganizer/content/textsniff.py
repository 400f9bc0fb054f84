"""Text or binary, and which kind of text: decided from a file's first bytes.

Text is UTF-8 (a character cut at the end of the sample is fine), UTF-16 with
a byte-order mark, or a single-byte encoding with few control characters; one
NUL byte makes it binary. Text that announces a format is named by it: markup
(HTML, SVG, XML), scripts (``#!``), complete JSON objects and arrays, and the
signatures in :data:`TEXT_SIGNATURES` (PostScript, RTF, vCard, iCalendar, ...).
Everything else is ``text/plain``; the extension may refine it later (text
named ``.csv`` is CSV).
"""

from __future__ import annotations

import json
import re

TEXT_PLAIN = "text/plain"

TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")

#: Text that starts with these bytes is this type (longest prefix first).
TEXT_SIGNATURES: tuple[tuple[bytes, str], ...] = tuple(
    sorted(
        (
            (b"%!PS-Adobe", "application/postscript"),
            (b"%!PS", "application/postscript"),
            (b"{\\rtf", "application/rtf"),
            (b"BEGIN:VCARD", "text/vcard"),
            (b"BEGIN:VCALENDAR", "text/calendar"),
            (b"#EXTM3U", "application/vnd.apple.mpegurl"),
            (b"%YAML", "application/yaml"),
            (b"-----BEGIN PGP MESSAGE-----", "application/pgp-encrypted"),
            (b"-----BEGIN PGP SIGNATURE-----", "application/pgp-signature"),
            (b"-----BEGIN PGP PUBLIC KEY BLOCK-----", "application/pgp-keys"),
            (b"-----BEGIN PGP PRIVATE KEY BLOCK-----", "application/pgp-keys"),
            (b"# -*- coding", "text/x-python"),
            (b"#!AMR\n", "audio/amr"),
            (b"#!AMR-WB\n", "audio/amr-wb"),
            (b"WEBVTT", "text/vtt"),
            (b"!<arch>\n", "application/x-archive"),
            (b"RE~^", "application/vnd.rar"),  # RAR 1.4 (its header is printable)
            (b"/* XPM", "image/x-xpixmap"),
            (b"\\documentclass", "text/x-tex"),
            (b"\\documentstyle", "text/x-tex"),
            (b"begin:vcard", "text/vcard"),
            (b"begin:vcalendar", "text/calendar"),
            (b"diff --git ", "text/x-patch"),
            (b"Index: ", "text/x-patch"),
            (b"Return-Path:", "message/rfc822"),
            (b"Received:", "message/rfc822"),
            (b"Delivered-To:", "message/rfc822"),
            (b"[Desktop Entry]", "application/x-desktop"),
            (b"[playlist]", "audio/x-scpls"),
            (b"[Playlist]", "audio/x-scpls"),
            (b"[PLAYLIST]", "audio/x-scpls"),
            (b"d8:announce", "application/x-bittorrent"),
        ),
        key=lambda sig: -len(sig[0]),
    )
)

# C0 controls that do not occur in text (tab, newlines, form feed, backspace and
# escape do), as a deletion table for bytes.translate
_CONTROL_BYTES = bytes(sorted(set(range(32)) - {8, 9, 10, 12, 13, 27}))


def looks_textual(head: bytes) -> bool:
    """Whether the bytes look like text (UTF-8/16 or a single-byte encoding)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if not head or b"\x00" in head:
        return False
    if head.isascii():
        return True  # (valid UTF-8, without decoding it)
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut at the end of the sample
            return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls * 20 < len(head)


_XML_TAG = re.compile(r"<[A-Za-z_][\w.:-]*(\s[^<>]*)?/?>")
_HTML_START = ("<!doctype html", "<html", "<head", "<body")


def sniff_text(head: bytes, complete: bool, tail: bytes | None = None) -> str:
    """The type of text content: a format it announces, or ``text/plain``.

    ``complete`` says ``head`` is the whole file (a JSON value is then parsed);
    ``tail`` is the file's last bytes when ``head`` is not (an XML document
    ends with a tag, a JSON object with a brace).
    """
    start = head.lstrip(b"\xef\xbb\xbf")
    for prefix, mime in TEXT_SIGNATURES:
        if start.startswith(prefix):
            return mime
    text = decode_sample(head).lstrip("\ufeff \t\r\n")
    if not text:
        return TEXT_PLAIN
    first = text[0]
    if first == "<":
        return _markup(text, head if tail is None else tail)
    if first == "#":
        return _hash_line(text)
    if first in "{[":
        return _json(text, complete, tail)
    if first in "if" and _PY_IMPORT.match(text):
        return "text/x-python"
    if text.startswith(("digraph ", "strict digraph ")):
        return "text/vnd.graphviz"
    if first == "-" and _PATCH.match(text):
        return "text/x-patch"
    if first == "P" and (pnm := _PNM.match(text)):
        return _PNM_TYPES[pnm.group(1)]
    return TEXT_PLAIN


#: A Python import as a first line (not JavaScript's or Java's: no quotes, no semicolon).
_PY_IMPORT = re.compile(
    r"(?:import [\w.]+(?: as \w+)?(?:, *[\w.]+(?: as \w+)?)*"
    r"|from \.*[\w.]* import (?:\*|\(|[\w, ]+))[ \t]*\r?\n"
)
_PATCH = re.compile(r"--- [^\n]*\n\+\+\+ ")
#: Netpbm's plain (text) formats: magic, then width and height (comments allowed)
_PNM = re.compile(r"P([123])\s+(?:#[^\n]*\n\s*)*\d+\s+\d+\s")
_PNM_TYPES = {
    "1": "image/x-portable-bitmap",
    "2": "image/x-portable-graymap",
    "3": "image/x-portable-pixmap",
}
_XBM = re.compile(r"#define \S+_width \d+\s")
_AWK = frozenset({"awk", "gawk", "mawk", "nawk"})


def _hash_line(text: str) -> str:
    """``#!`` scripts by their interpreter; X bitmaps by their ``#define``."""
    if text.startswith("#!"):
        words = text[2:].split("\n", 1)[0].split()
        if words and words[0].endswith("/env"):
            words = [w for w in words[1:] if not w.startswith("-")]
        name = words[0].rsplit("/", 1)[-1] if words else ""
        if name.startswith("python"):
            return "text/x-python"
        return "application/x-awk" if name in _AWK else "application/x-sh"
    if _XBM.match(text):
        return "image/x-xbitmap"
    return TEXT_PLAIN


def _json(text: str, complete: bool, tail: bytes | None) -> str:
    """A JSON object or array: parsed when whole, else told by how it starts and ends."""
    if complete:
        try:
            json.loads(text)
        except ValueError:
            return TEXT_PLAIN
        return "application/json"
    if tail is None:
        return TEXT_PLAIN
    second = text[1:].lstrip()[:1]
    end = decode_sample(tail).rstrip()[-1:]
    if (text[0], end) == ("{", "}") and second in ('"', "}"):
        return "application/json"
    if (text[0], end) == ("[", "]") and second and second in '{["-0123456789]tfn':
        return "application/json"
    return TEXT_PLAIN


_PROLOG = re.compile(r"(?:<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>|\s+)*", re.DOTALL | re.IGNORECASE)


def _markup(text: str, end: bytes) -> str:
    """HTML, SVG or XML, by the first tag after the prolog (declaration, comments, DOCTYPE)."""
    low = text[:256].lower()
    if low.startswith(_HTML_START):
        return "text/html"
    if low.startswith("<svg") or (low.startswith("<?xml") and "<svg" in text[:1024].lower()):
        return "image/svg+xml"
    if low.startswith("<?xml"):
        return "application/xml"
    prolog = _PROLOG.match(text, 0, 4096)
    body = text[prolog.end() if prolog else 0 :]
    root = body[:5].lower()
    if prolog is not None and prolog.end() > 0:
        if "<!doctype html" in text[: prolog.end()].lower() or root == "<html":
            return "text/html"
        if root == "<svg " or root == "<svg>":
            return "image/svg+xml"
    if _XML_TAG.match(body) and decode_sample(end).rstrip().endswith(">"):
        return "application/xml"
    return TEXT_PLAIN


def decode_sample(head: bytes) -> str:
    """The sample as text (UTF-16 by its mark, else UTF-8), undecodable bytes replaced."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace")
