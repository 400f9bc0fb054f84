"""The signature table: what it knows from a file's first 4 KiB (and the little more some
formats need), with one open per file; the general identifier only for the rest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from fileorganizer.content.counting import ByteCounter
from fileorganizer.content.mime import detect_mimetype, entry_mimetype
from fileorganizer.content.signatures import HEAD_SIZE, sniff_table
from fileorganizer.scan import ScanSpec, scan

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not beside checkout")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
APK = "application/vnd.android.package-archive"


def table(path: Path) -> str | None:
    """What the table alone says about a file (reading it as detection does)."""
    data = path.read_bytes()

    def read_at(offset: int, n: int) -> bytes:
        return data[max(0, offset) : max(0, offset) + n]

    return sniff_table(data[:HEAD_SIZE], len(data), read_at)


@needs_corpus
def test_the_table_alone_knows_every_non_empty_corpus_file() -> None:
    from test_content_mime import EXPECTED, NO_EXTENSION_EXCEPTIONS

    for name, expected in EXPECTED.items():
        path = CORPUS / "formats" / name
        if path.stat().st_size == 0:
            continue
        assert table(path) == NO_EXTENSION_EXCEPTIONS.get(name, expected), name
    for photo in (CORPUS / "photos").rglob("*.jpg"):
        assert table(photo) == "image/jpeg", photo


def _zip(path: Path, names: list[str], *, first_stored: tuple[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        if first_stored:
            z.writestr(zipfile.ZipInfo(first_stored[0]), first_stored[1])
        for name in names:
            z.writestr(name, os.urandom(200))
    return path


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["[Content_Types].xml", "_rels/.rels", "word/document.xml"], DOCX),
        (["[Content_Types].xml", "xl/workbook.xml"], XLSX),
        (["[Content_Types].xml", "ppt/presentation.xml"], PPTX),
        (["META-INF/MANIFEST.MF", "a/B.class"], "application/java-archive"),
        (["AndroidManifest.xml", "META-INF/MANIFEST.MF"], APK),
        (["word/document.xml", "notes.txt"], "application/zip"),  # no [Content_Types].xml
        (["readme.txt"], "application/zip"),
    ],
)
def test_zip_documents_are_told_apart_by_their_entries(
    tmp_path: Path, names: list[str], expected: str
) -> None:
    path = _zip(tmp_path / "file", names)
    assert table(path) == expected
    assert detect_mimetype(path) == expected


@pytest.mark.parametrize(
    "mime",
    [
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/epub+zip",
    ],
)
def test_odf_and_epub_name_their_type_in_the_first_entry(tmp_path: Path, mime: str) -> None:
    path = _zip(tmp_path / "doc", ["content.xml"], first_stored=("mimetype", mime))
    assert table(path) == mime


def test_office_parts_beyond_the_head_are_found_in_the_central_directory(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "late",
        [f"customXml/item{i}.xml" for i in range(60)] + ["[Content_Types].xml", "word/a.xml"],
    )
    assert path.stat().st_size > 4 * HEAD_SIZE
    counter = ByteCounter()
    assert detect_mimetype(path, counter=counter) == DOCX
    assert counter.files_opened == 1
    # the head, then the end of the file (the directory is in that read)
    assert counter.bytes_read <= HEAD_SIZE + 4096 + 65536


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x02\x00" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00\x00\x00\x08free"


def _ole(stream: str, clsid: bytes = b"\x00" * 16) -> bytes:
    """A minimal compound file: header, then one directory sector (root + one stream)."""
    header = bytearray(512)
    header[:8] = bytes.fromhex("d0cf11e0a1b11ae1")
    header[30:32] = (9).to_bytes(2, "little")  # 512-byte sectors
    header[48:52] = (0).to_bytes(4, "little")  # the directory starts at sector 0

    def entry(name: str, child: int, clsid: bytes = b"\x00" * 16) -> bytes:
        e = bytearray(128)
        raw = (name + "\x00").encode("utf-16-le")
        e[: len(raw)] = raw
        e[64:66] = len(raw).to_bytes(2, "little")
        e[68:72] = e[72:76] = b"\xff\xff\xff\xff"
        e[76:80] = child.to_bytes(4, "little", signed=child < 0)
        e[80:96] = clsid
        return bytes(e)

    sector = entry("Root Entry", 1, clsid) + entry(stream, -1) + bytes(256)
    return bytes(header) + sector


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_ftyp(b"isom", b"isom", b"avc1"), "video/mp4"),
        (_ftyp(b"qt  "), "video/quicktime"),
        (_ftyp(b"M4A ", b"M4A ", b"mp42"), "audio/mp4"),
        (_ftyp(b"heic", b"mif1", b"heic"), "image/heif"),
        (_ftyp(b"mif1", b"avif"), "image/avif"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(40), "audio/x-wav"),
        (b"RIFF\x24\x00\x00\x00AVI LIST" + bytes(40), "video/x-msvideo"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(40), "image/webp"),
        (b"OggS\x00\x02" + bytes(22) + b"\x01vorbis" + bytes(30), "audio/ogg"),
        (b"OggS\x00\x02" + bytes(22) + b"OpusHead" + bytes(30), "audio/ogg"),
        (b"OggS\x00\x02" + bytes(22) + b"\x80theora" + bytes(30), "video/ogg"),
        (b"\x1aE\xdf\xa3\xa3\x42\x86\x81\x01\x42\x82\x88matroska" + bytes(20), "video/x-matroska"),
        (b"\x1aE\xdf\xa3\x9f\x42\x82\x84webm" + bytes(20), "video/webm"),
        (b"fLaC\x00\x00\x00\x22" + bytes(40), "audio/flac"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(40), "audio/mpeg"),
        (b"\xff\xfb\x90\x64" + bytes(100), "audio/mpeg"),
        (b"\xff\xf1\x50\x80" + bytes(100), "audio/aac"),
        ((b"\x47" + bytes(187)) * 3, "video/mp2t"),
        (b"!<arch>\ndebian-binary   1342943816  0     0     100644  4         `\n2.0\n",
         "application/vnd.debian.binary-package"),
        (b"\xed\xab\xee\xdb\x03\x00" + bytes(90), "application/x-rpm"),
        (b"MZ\x90\x00" + bytes(200), "application/vnd.microsoft.portable-executable"),
        (b"\x7fELF\x02\x01\x01" + bytes(60), "application/x-executable"),
        (b"\x00\x01\x00\x00\x00\x10" + bytes(60), "font/ttf"),
        (b"OTTO\x00\x0a" + bytes(60), "font/otf"),
        (b"wOFF\x00\x01\x00\x00" + bytes(60), "font/woff"),
        (b"wOF2\x00\x01\x00\x00" + bytes(60), "font/woff2"),
        (b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(40), "application/x-7z-compressed"),
        (b"\xfd7zXZ\x00\x00\x04" + bytes(40), "application/x-xz"),
        (b"\x28\xb5\x2f\xfd\x24" + bytes(40), "application/zstd"),
        (b"%PDF-1.7\n" + bytes(40), "application/pdf"),
        (b"\x00\x01junk before the header %PDF-1.4\n", "application/pdf"),
        (_ole("WordDocument"), "application/msword"),
        (_ole("Workbook"), "application/vnd.ms-excel"),
        (_ole("PowerPoint Document"), "application/vnd.ms-powerpoint"),
        (_ole("Other", bytes.fromhex("84100c0000000000c000000000000046")), "application/x-msi"),
        (_ole("SummaryInformation"), "application/x-ole-storage"),
    ],
)  # fmt: skip
def test_the_table_knows_the_formats_of_every_kind(
    tmp_path: Path, data: bytes, expected: str
) -> None:
    path = tmp_path / "bare"
    path.write_bytes(data)
    assert table(path) == expected
    assert detect_mimetype(path) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"\xff\xfeh\x00i\x00\n\x00", "text/plain"),  # UTF-16 with its mark
        ("Grüße aus Köln\n".encode("latin-1") * 40, "text/plain"),
        ("naïve café ".encode() * 400, "text/plain"),  # UTF-8, a character cut at 4 KiB
        (b"#!/usr/bin/env python3\nprint(1)\n", "text/x-python"),
        (b"#!/bin/bash\necho\n", "application/x-sh"),
        (b"#!/usr/bin/awk -f\n{ print }\n", "application/x-awk"),
        (b"import os\nprint(os.sep)\n", "text/x-python"),
        (b"from pathlib import Path\n", "text/x-python"),
        (b"import React from 'react';\n", "text/plain"),
        (b"#define icon_width 16\n#define icon_height 16\n", "image/x-xbitmap"),
        (b"P1\n# a comment\n2 2\n0 1\n1 0\n", "image/x-portable-bitmap"),
        (b"--- a/x\n+++ b/x\n@@ -1 +1 @@\n", "text/x-patch"),
        (b"---\nkey: value\n", "text/plain"),
        (b"<!-- generated -->\n<svg xmlns='http://www.w3.org/2000/svg'/>\n", "image/svg+xml"),
        (b"<!DOCTYPE node>\n<node><a/></node>\n", "application/xml"),
        (b"%!PS-Adobe-3.0\n", "application/postscript"),
        (b"BEGIN:VCARD\nVERSION:3.0\nEND:VCARD\n", "text/vcard"),
        (b"\x00text with a NUL", None),
    ],
)
def test_text_is_told_by_bom_utf8_validity_and_what_it_announces(
    tmp_path: Path, text: bytes, expected: str | None
) -> None:
    path = tmp_path / "bare"
    path.write_bytes(text)
    assert table(path) == expected


def test_json_longer_than_the_head_is_still_json(tmp_path: Path) -> None:
    medium = tmp_path / "medium"
    medium.write_text(json.dumps({"rows": [[i, i * 2] for i in range(1000)]}))
    assert 4096 < medium.stat().st_size < 36 * 1024
    large = tmp_path / "large"
    large.write_text(json.dumps([{"id": i, "name": f"n{i}"} for i in range(5000)]) + "\n")
    assert large.stat().st_size > 36 * 1024
    broken = tmp_path / "broken"
    broken.write_text('{"a": 1, ' + "x" * 5000)
    assert detect_mimetype(medium) == "application/json"
    assert detect_mimetype(large) == "application/json"
    assert detect_mimetype(broken) == "text/plain"
    counter = ByteCounter()
    detect_mimetype(large, counter=counter)
    assert counter.bytes_read <= HEAD_SIZE + 512  # the head and the last bytes


def test_a_fifo_is_named_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    found: list[str] = []
    worker = threading.Thread(
        target=lambda: found.extend(
            [detect_mimetype(fifo), *(entry_mimetype(e) for e in scan(ScanSpec(str(tmp_path))))]
        ),
        daemon=True,
    )
    worker.start()
    worker.join(10)
    assert found == ["inode/fifo", "inode/fifo"], "detection blocked on a FIFO"


_IMPORTS = r"""
import json, sys
from fileorganizer.content.mime import detect_mimetype
known = detect_mimetype(sys.argv[1])
before = "puremagic" in sys.modules
unknown = detect_mimetype(sys.argv[2])
print(json.dumps([known, before, unknown, "puremagic" in sys.modules]))
"""


def test_the_general_identifier_is_only_asked_about_what_the_table_does_not_know(
    tmp_path: Path,
) -> None:
    (tmp_path / "photo").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(100))
    (tmp_path / "archive").write_bytes(b"xar!\x00\x1c\x00\x01" + bytes(100))
    proc = subprocess.run(
        [sys.executable, "-c", _IMPORTS, str(tmp_path / "photo"), str(tmp_path / "archive")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(proc.stdout) == ["image/jpeg", False, "application/x-xar", True]


def test_a_scanned_file_is_opened_once_for_every_question(tmp_path: Path) -> None:
    (tmp_path / "a.docx").write_bytes(b"PK\x05\x06" + bytes(18))
    (entry,) = scan(ScanSpec(str(tmp_path)))
    counter = ByteCounter()
    first = entry_mimetype(entry, counter)
    moved = entry.moved_to(str(tmp_path / "a.zip"))  # a later rule sees the new name
    assert (first, entry_mimetype(moved, counter)) == (DOCX, "application/zip")
    assert counter.files_opened == 1
