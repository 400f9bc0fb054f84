"""Text extraction: plain text in the base install, PDF and DOCX through the extra."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from fileorganizer.content.text import decode_text, extract_text
from fileorganizer.errors import MissingExtraError

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="the shared sample corpus is not beside this checkout"
)


def make_pdf(path: Path, text: str) -> None:
    """Write a one-page PDF showing ``text`` in Helvetica (a real, valid PDF)."""
    stream = f"BT /F1 18 Tf 20 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 400 200]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj" % i + body + b"endobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))


def test_plain_text_in_common_encodings(tmp_path: Path) -> None:
    cases = {
        "utf8.txt": "Rechnung Nr. 42 – Müller".encode(),
        "utf8bom.txt": b"\xef\xbb\xbf" + "Rechnung Nr. 42 – Müller".encode(),
        "utf16.txt": "Rechnung Nr. 42 – Müller".encode("utf-16"),
        "latin1.txt": "Rechnung Nr. 42 - Müller".encode("latin-1"),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        text = extract_text(tmp_path / name)
        assert text is not None and "Rechnung Nr. 42" in text and "Müller" in text, name


def test_text_without_extension_is_read(tmp_path: Path) -> None:
    (tmp_path / "README").write_text("Invoice 77\n")
    assert extract_text(tmp_path / "README") == "Invoice 77\n"


@needs_corpus
def test_binary_files_have_no_text(tmp_path: Path) -> None:
    shutil.copyfile(CORPUS / "photos" / "Canon_40D.jpg", tmp_path / "a.jpg")
    shutil.copyfile(CORPUS / "formats" / "zip.zip", tmp_path / "b.txt")
    assert extract_text(tmp_path / "a.jpg") is None
    assert extract_text(tmp_path / "b.txt") is None


def test_pdf_text(tmp_path: Path) -> None:
    pytest.importorskip("pypdf")
    make_pdf(tmp_path / "inv.pdf", "Invoice 12345")
    text = extract_text(tmp_path / "inv.pdf")
    assert text is not None and "Invoice 12345" in text


def test_damaged_pdf_has_no_text_but_does_not_raise(tmp_path: Path) -> None:
    pytest.importorskip("pypdf")
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 9 0 R")
    assert not extract_text(tmp_path / "bad.pdf")


def test_docx_text(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.add_paragraph("Dear customer,")
    doc.add_paragraph("Invoice 2024-0042 is attached.")
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Total"
    table.rows[0].cells[1].text = "99.00"
    doc.save(str(tmp_path / "letter.docx"))
    text = extract_text(tmp_path / "letter.docx")
    assert text is not None
    assert "Invoice 2024-0042" in text and "Total\t99.00" in text


@needs_corpus
def test_pdf_without_the_extra_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copyfile(CORPUS / "formats" / "pdf.pdf", tmp_path / "a.pdf")
    monkeypatch.setitem(sys.modules, "pypdf", None)  # makes "import pypdf" fail
    with pytest.raises(MissingExtraError) as info:
        extract_text(tmp_path / "a.pdf")
    assert (info.value.feature, info.value.extra, info.value.package) == (
        "PDF text",
        "content",
        "pypdf",
    )
    assert "pip install 'fileorganizer[content]'" in str(info.value)


def test_docx_without_the_extra_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.save(str(tmp_path / "a.docx"))
    monkeypatch.setitem(sys.modules, "docx", None)
    with pytest.raises(MissingExtraError) as info:
        extract_text(tmp_path / "a.docx")
    assert info.value.package == "python-docx"


def test_decode_text_never_fails() -> None:
    assert decode_text(bytes(range(256)))
