"""Extracting the text of a file: plain text always, PDF and DOCX with the ``content`` extra.

pypdf and python-docx are imported only when a PDF or DOCX is met; when they
are missing, :class:`~fileorganizer.errors.MissingExtraError` says which extra
to install. A document that cannot be parsed has no text (``None``); it is
not an error of the run.
"""

from __future__ import annotations

import codecs
import importlib
import logging
import os
from types import ModuleType
from typing import Any

from fileorganizer.content.counting import ByteCounter
from fileorganizer.content.mime import detect_mimetype, is_textual, looks_textual
from fileorganizer.errors import MissingExtraError

#: Plain text beyond this many bytes is not read (a regex over a 2 GB log is not organizing).
MAX_TEXT_BYTES = 16 * 1024 * 1024

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# pypdf and python-docx log at WARNING for every oddity of a damaged document.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def _require(module: str, feature: str, package: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(feature, "content", package) from exc


def extract_text(
    path: str | os.PathLike[str],
    *,
    mimetype: str | None = None,
    max_bytes: int = MAX_TEXT_BYTES,
    counter: ByteCounter | None = None,
) -> str | None:
    """The text of the file at ``path``, or ``None`` when it has no extractable text.

    Binary types other than PDF and DOCX are not read beyond their first bytes.

    ``mimetype`` skips detection when the caller already knows it. Raises
    :class:`MissingExtraError` for a PDF/DOCX without the ``content`` extra and
    ``OSError`` when the file cannot be read.
    """
    mime = mimetype or detect_mimetype(path, counter=counter)
    if mime == PDF:
        return pdf_text(path, counter=counter)
    if mime == DOCX:
        return docx_text(path, counter=counter)
    if not is_textual(mime):
        return None
    return plain_text(path, max_bytes=max_bytes, counter=counter, assume_text=True)


def plain_text(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = MAX_TEXT_BYTES,
    counter: ByteCounter | None = None,
    assume_text: bool = False,
) -> str | None:
    """Decode a text file (UTF-8, UTF-16 with BOM, else Latin-1); ``None`` for binary."""
    with open(path, "rb") as f:
        data = f.read(max_bytes)
    if counter is not None:
        counter.files_opened += 1
        counter.add(len(data))
    if not assume_text and not looks_textual(data[:8192]):
        return None
    return decode_text(data)


def decode_text(data: bytes) -> str:
    """Bytes -> str: BOM-marked UTF-8/16, else UTF-8, else Latin-1 (never fails)."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def pdf_text(path: str | os.PathLike[str], *, counter: ByteCounter | None = None) -> str | None:
    """The text of every page of a PDF (pages joined by newlines); ``None`` if unparsable."""
    pypdf = _require("pypdf", "PDF text", "pypdf")
    _count_whole(path, counter)
    try:
        reader = pypdf.PdfReader(os.fspath(path))
        if reader.is_encrypted:
            reader.decrypt("")
        pages: list[str] = [page.extract_text() or "" for page in reader.pages]
    except Exception:  # a damaged or encrypted PDF has no text we can read
        return None
    return "\n".join(pages)


def docx_text(path: str | os.PathLike[str], *, counter: ByteCounter | None = None) -> str | None:
    """The text of a Word document's paragraphs and tables; ``None`` if unparsable."""
    docx = _require("docx", "DOCX text", "python-docx")
    _count_whole(path, counter)
    try:
        document: Any = docx.Document(os.fspath(path))
        lines: list[str] = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                lines.append("\t".join(cell.text for cell in row.cells))
    except Exception:  # a damaged document has no text we can read
        return None
    return "\n".join(lines)


def _count_whole(path: str | os.PathLike[str], counter: ByteCounter | None) -> None:
    if counter is not None:
        counter.files_opened += 1
        counter.add(os.path.getsize(path))
