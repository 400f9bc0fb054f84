"""Content type detection on real files: the corpus, and files with wrong or no extensions."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

from fileorganizer.content.counting import ByteCounter
from fileorganizer.content.mime import (
    EMPTY,
    HEAD_SIZE,
    MimeType,
    detect_mimetype,
    mimetype_from_extension,
    sniff,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="the shared sample corpus is not beside this checkout"
)
FORMATS = CORPUS / "formats"

#: What each corpus file's extension names (written out by hand, not computed).
EXPECTED: dict[str, str] = {
    "AudioVideoInterleave.avi": "video/x-msvideo",
    "FlashVideo.flv": "video/x-flv",
    "Mpeg4.mp4": "video/mp4",
    "WindowsMediaVideo.wmv": "video/x-ms-wmv",
    "WindowsMetafile.wmf": "image/wmf",
    "bmp.bmp": "image/bmp",
    "bzip2.bz2": "application/x-bzip2",
    "gif-transparent.gif": "image/gif",
    "gif.gif": "image/gif",
    "gzip-name.gz": "application/gzip",
    "gzip.gz": "application/gzip",
    "heif.heif": "image/heif",
    "html5.html": "text/html",
    "ico.ico": "image/vnd.microsoft.icon",
    "jpeg.jpg": "image/jpeg",
    "jpeg2.jp2": "image/jp2",
    "json.json": "application/json",
    "jxl.jxl": "image/jxl",
    "markdown.md": "text/markdown",
    "mp3.mp3": "audio/mpeg",
    "mp4-with-audio.mp4": "video/mp4",
    "pdf.pdf": "application/pdf",
    "png-transparent.png": "image/png",
    "png-truncated.png": "image/png",
    "rar14.rar": "application/vnd.rar",
    "rar4.rar": "application/vnd.rar",
    "rar5.rar": "application/vnd.rar",
    "rtf.rtf": "application/rtf",
    "svg.svg": "image/svg+xml",
    "tar.tar": "application/x-tar",
    "tiff.tif": "image/tiff",
    "toml.toml": "application/toml",
    "wav.wav": "audio/x-wav",
    "webm.webm": "video/webm",
    "webp.webp": "image/webp",
    "xml-1.0.xml": "application/xml",
    "yaml.yml": "application/yaml",
    "zip.zip": "application/zip",
}

#: Files whose type cannot be told from their bytes once the extension is gone.
#: - markdown.md, toml.toml, yaml.yml are empty (0 bytes): no content, nothing to
#:   sniff; without a name they are "inode/x-empty" (as file(1) says).
#: - json.json holds the single byte "0": valid JSON, but just as valid plain text;
#:   calling every file that holds a number JSON would mislabel text files, so only
#:   a complete object or array (``{...}``/``[...]``) is sniffed as JSON.
NO_EXTENSION_EXCEPTIONS: dict[str, str] = {
    "markdown.md": EMPTY,
    "toml.toml": EMPTY,
    "yaml.yml": EMPTY,
    "json.json": "text/plain",
}

pytestmark = pytest.mark.skipif(not FORMATS.is_dir(), reason="corpus not available")


@needs_corpus
def test_expected_table_covers_every_corpus_file() -> None:
    assert sorted(os.listdir(FORMATS)) == sorted(EXPECTED)


@needs_corpus
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_gets_the_type_its_extension_names(name: str, tmp_path: Path) -> None:
    copy = tmp_path / name
    shutil.copyfile(FORMATS / name, copy)
    assert mimetype_from_extension(name) == EXPECTED[name]
    assert detect_mimetype(copy) == EXPECTED[name]


@needs_corpus
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_without_extension_gets_the_same_type(name: str, tmp_path: Path) -> None:
    bare = tmp_path / Path(name).stem
    shutil.copyfile(FORMATS / name, bare)
    expected = NO_EXTENSION_EXCEPTIONS.get(name, EXPECTED[name])
    assert detect_mimetype(bare) == expected


@needs_corpus
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_with_a_wrong_extension_is_known_by_its_content(
    name: str, tmp_path: Path
) -> None:
    if name in NO_EXTENSION_EXCEPTIONS:
        pytest.skip("no content to tell the type by")
    liar = tmp_path / (Path(name).stem + ".dat")
    shutil.copyfile(FORMATS / name, liar)
    assert detect_mimetype(liar) == EXPECTED[name]


def test_mimetype_value_has_type_and_subtype() -> None:
    mime = MimeType("image/jpeg")
    assert (mime.type, mime.subtype) == ("image", "jpeg")
    assert mime == "image/jpeg"


@needs_corpus
def test_photo_named_pdf_is_an_image(tmp_path: Path) -> None:
    f = tmp_path / "scan.pdf"
    shutil.copyfile(CORPUS / "photos" / "Canon_40D.jpg", f)
    assert detect_mimetype(f) == "image/jpeg"


def test_text_named_jpg_is_text(tmp_path: Path) -> None:
    f = tmp_path / "notes.jpg"
    f.write_text("just some notes\n")
    assert detect_mimetype(f) == "text/plain"


def test_text_starting_with_a_short_signature_stays_text(tmp_path: Path) -> None:
    # "BM" is the two-byte BMP signature; "MZ" is DOS executables'.
    for i, text in enumerate(["BMW service invoice\n", "MZ Sample, 2024\n"]):
        f = tmp_path / f"t{i}"
        f.write_text(text)
        assert detect_mimetype(f) == "text/plain"


def test_text_extension_refines_plain_text(tmp_path: Path) -> None:
    f = tmp_path / "data.csv"
    f.write_text("a,b\n1,2\n")
    assert detect_mimetype(f) == "text/csv"
    g = tmp_path / "data"
    g.write_text('{"a": [1, 2]}')
    assert detect_mimetype(g) == "application/json"


def test_docx_is_recognized_without_extension(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.add_paragraph("hello")
    path = tmp_path / "letter.docx"
    doc.save(str(path))
    bare = tmp_path / "letter"
    shutil.copyfile(path, bare)
    expected = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert detect_mimetype(path) == expected
    assert detect_mimetype(bare) == expected


def test_zip_named_docx_is_a_document_and_odf_reads_its_mimetype_entry(tmp_path: Path) -> None:
    odt = tmp_path / "doc"
    with zipfile.ZipFile(odt, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<x/>")
    assert detect_mimetype(odt) == "application/vnd.oasis.opendocument.text"
    plain = tmp_path / "a.zip"
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("readme.txt", "hi")
    assert detect_mimetype(plain) == "application/zip"
    shutil.copyfile(plain, tmp_path / "b.docx")
    assert detect_mimetype(tmp_path / "b.docx").endswith("wordprocessingml.document")


def test_unknown_binary_falls_back_to_extension_then_octet_stream(tmp_path: Path) -> None:
    blob = bytes(range(256)) * 4
    (tmp_path / "x.mkv").write_bytes(blob)
    (tmp_path / "x").write_bytes(blob)
    assert detect_mimetype(tmp_path / "x.mkv") == "video/x-matroska"
    assert detect_mimetype(tmp_path / "x") == "application/octet-stream"


def test_empty_file_with_extension_uses_extension(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"")
    assert detect_mimetype(tmp_path / "a.txt") == "text/plain"
    assert sniff(b"") is None


def test_detection_reads_only_head_and_tail_of_a_large_file(tmp_path: Path) -> None:
    f = tmp_path / "big.bin"
    with open(f, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + b"\x00" * (8 * 1024 * 1024))
    counter = ByteCounter()
    assert detect_mimetype(f, counter=counter) == "image/png"
    assert counter.bytes_read <= HEAD_SIZE + 1024


def test_unreadable_path_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        detect_mimetype(tmp_path / "missing")
