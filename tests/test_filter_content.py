"""The content filters through their config syntax, on real files; and their placeholders."""

from __future__ import annotations

import shutil
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import ValidationError

import fileorganizer.filters.duplicate
import fileorganizer.filters.exif
import fileorganizer.filters.filecontent
import fileorganizer.filters.hash
import fileorganizer.filters.mimetype  # noqa: F401  (registers the filters)
from fileorganizer.errors import MissingExtraError
from fileorganizer.filters.base import FILTERS, LAZY_PLACEHOLDERS, Filter, FilterContext
from fileorganizer.scan import FileEntry, ScanSpec, scan

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="the shared sample corpus is not beside this checkout"
)


class DictHashCache:
    """A HashCache backed by a dict."""

    def __init__(self) -> None:
        self.data: dict[tuple[int, int, int, int, str], str] = {}

    def get_hash(self, dev: int, ino: int, size: int, mtime_ns: int, algo: str) -> str | None:
        return self.data.get((dev, ino, size, mtime_ns, algo))

    def put_hash(
        self, dev: int, ino: int, size: int, mtime_ns: int, algo: str, digest: str
    ) -> None:
        self.data[(dev, ino, size, mtime_ns, algo)] = digest


def make(name: str, value: Any = None) -> Filter:
    return FILTERS[name].from_config(value)


def entry(path: Path) -> FileEntry:
    return FileEntry(str(path), str(path.parent))


def render(template: str, **values: Any) -> str:
    env = ImmutableSandboxedEnvironment(
        variable_start_string="{", variable_end_string="}", undefined=jinja2.StrictUndefined
    )
    return env.from_string(template).render(**values)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    if not CORPUS.is_dir():
        pytest.skip("the shared sample corpus is not beside this checkout")
    shutil.copyfile(CORPUS / "photos" / "Canon_40D.jpg", tmp_path / "IMG_0001")  # no extension
    shutil.copyfile(CORPUS / "photos" / "Kodak_CX7530.jpg", tmp_path / "kodak.jpg")
    shutil.copyfile(CORPUS / "photos" / "PaintTool_sample.jpg", tmp_path / "paint.jpg")
    shutil.copyfile(CORPUS / "formats" / "pdf.pdf", tmp_path / "doc.txt")  # wrong extension
    (tmp_path / "invoice.txt").write_text("Hello\nInvoice 4711 due\n")
    return tmp_path


def test_filters_are_registered() -> None:
    assert {"mimetype", "exif", "filecontent", "duplicate", "hash"} <= set(FILTERS)
    assert {"mimetype", "exif", "photo_date", "hash"} <= set(LAZY_PLACEHOLDERS)


# --- mimetype ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "name", "expected"),
    [
        ("image", "IMG_0001", True),
        ("image", "doc.txt", False),
        (["image", "application/pdf"], "doc.txt", True),
        ("application/pdf", "doc.txt", True),
        ("text", "doc.txt", False),
        ("text/plain", "invoice.txt", True),
        ("image/*", "kodak.jpg", True),
        ("IMAGE/JPEG", "kodak.jpg", True),
        ("imag", "kodak.jpg", False),
        (None, "doc.txt", True),
    ],
)
def test_mimetype_matches_by_content(files: Path, config: Any, name: str, expected: bool) -> None:
    res = make("mimetype", config).match(entry(files / name), FilterContext())
    assert res.matched is expected


def test_mimetype_publishes_a_str_with_parts(files: Path) -> None:
    ctx = FilterContext()
    res = make("mimetype", "image").match(entry(files / "IMG_0001"), ctx)
    assert res.value == "image/jpeg"
    assert render("{mimetype.type}/{mimetype.subtype} {mimetype}", mimetype=res.value) == (
        "image/jpeg image/jpeg"
    )
    assert ctx.bytes_read > 0
    assert LAZY_PLACEHOLDERS["mimetype"](entry(files / "doc.txt"), ctx) == "application/pdf"


def test_mimetype_rejects_empty_pattern() -> None:
    with pytest.raises(ValidationError):
        make("mimetype", [""])


# --- exif -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "name", "expected"),
    [
        (None, "IMG_0001", True),
        (None, "paint.jpg", True),  # has EXIF, just no camera
        (None, "invoice.txt", False),
        ({"model": "Canon*"}, "IMG_0001", True),
        ({"model": "canon eos*"}, "IMG_0001", True),
        ({"model": "Nikon*"}, "IMG_0001", False),
        ({"model": ["Nikon*", "*40D"]}, "IMG_0001", True),
        ({"image.make": "Canon"}, "IMG_0001", True),
        ({"gps": None}, "kodak.jpg", True),
        ({"gps": None}, "IMG_0001", False),
        ("gps", "kodak.jpg", True),
        (["model", "gps"], "IMG_0001", False),
        ({"model": None}, "paint.jpg", False),
        ({"datetimeoriginal": "2008:05:30*"}, "IMG_0001", True),
    ],
)
def test_exif_matches_presence_and_globs(
    files: Path, config: Any, name: str, expected: bool
) -> None:
    res = make("exif", config).match(entry(files / name), FilterContext())
    assert res.matched is expected


def test_exif_publishes_attribute_values(files: Path) -> None:
    res = make("exif").match(entry(files / "IMG_0001"), FilterContext())
    out = render(
        "{exif.model}|{exif.image.make}|{exif.datetimeoriginal.year}|{exif.gps.lat | default('-')}",
        exif=res.value,
    )
    assert out == "Canon EOS 40D|Canon|2008|-"
    kodak = make("exif").match(entry(files / "kodak.jpg"), FilterContext()).value
    assert render("{'%.3f' % exif.lat}", exif=kodak) == "-0.371"


def test_photo_date_placeholder_falls_back_to_mtime(files: Path) -> None:
    ctx = FilterContext()
    taken = LAZY_PLACEHOLDERS["photo_date"](entry(files / "IMG_0001"), ctx)
    assert render("{d.year}/{'%02d' % d.month}", d=taken) == "2008/05"
    paint = LAZY_PLACEHOLDERS["photo_date"](entry(files / "paint.jpg"), ctx)
    assert paint == datetime.fromtimestamp((files / "paint.jpg").stat().st_mtime)


@needs_corpus
def test_broken_exif_does_not_match_and_does_not_raise(tmp_path: Path) -> None:
    for p in (CORPUS / "photos" / "broken").iterdir():
        shutil.copyfile(p, tmp_path / p.name)
        make("exif", {"model": "*"}).match(entry(tmp_path / p.name), FilterContext())


# --- filecontent ------------------------------------------------------------------------


def test_filecontent_publishes_named_groups(files: Path) -> None:
    f = make("filecontent", r"Invoice (?P<invoice_no>\d+)")
    res = f.match(entry(files / "invoice.txt"), FilterContext())
    assert res.matched and res.value.invoice_no == "4711"
    assert render("{filecontent.invoice_no}", filecontent=res.value) == "4711"
    assert not f.match(entry(files / "IMG_0001"), FilterContext()).matched


def test_filecontent_ignore_case_and_bad_regex(files: Path) -> None:
    f = make("filecontent", {"expr": "invoice", "ignore_case": True})
    assert f.match(entry(files / "invoice.txt"), FilterContext()).matched
    with pytest.raises(ValidationError):
        make("filecontent", "(unclosed")


def test_filecontent_reads_pdf(tmp_path: Path) -> None:
    pytest.importorskip("pypdf")
    from test_content_text import make_pdf

    make_pdf(tmp_path / "scan.pdf", "Invoice 12345")
    res = make("filecontent", r"Invoice (?P<no>\d+)").match(
        entry(tmp_path / "scan.pdf"), FilterContext()
    )
    assert res.matched and res.value.no == "12345"


def test_filecontent_on_pdf_without_extra_raises_clear_error(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pypdf", None)
    with pytest.raises(MissingExtraError, match=r"fileorganizer\[content\]"):
        make("filecontent", "x").match(entry(files / "doc.txt"), FilterContext())


# --- hash -------------------------------------------------------------------------------


def test_hash_filter_and_placeholder(files: Path) -> None:
    import hashlib

    data = (files / "invoice.txt").read_bytes()
    cache = DictHashCache()
    ctx = FilterContext(hash_cache=cache)
    res = make("hash", {"algorithm": "sha256"}).match(entry(files / "invoice.txt"), ctx)
    assert res.matched and res.value == hashlib.sha256(data).hexdigest()
    assert make("hash", "md5").match(entry(files / "invoice.txt"), ctx).value == (
        hashlib.md5(data).hexdigest()
    )
    assert len(cache.data) == 2
    ctx2 = FilterContext(hash_cache=cache)
    assert LAZY_PLACEHOLDERS["hash"](entry(files / "invoice.txt"), ctx2) == res.value
    assert ctx2.bytes_read == 0  # served from the cache
    with pytest.raises(ValidationError):
        make("hash", "nope")


# --- duplicate --------------------------------------------------------------------------


def _dupe_tree(tmp_path: Path) -> tuple[Path, Path]:
    keep, inbox = tmp_path / "keep", tmp_path / "inbox"
    keep.mkdir()
    inbox.mkdir()
    (keep / "photo.jpg").write_bytes(b"P" * 10_000)
    (inbox / "a_copy.jpg").write_bytes(b"P" * 10_000)
    (inbox / "b_copy.jpg").write_bytes(b"P" * 10_000)
    (inbox / "other.jpg").write_bytes(b"Q" * 10_000)
    (inbox / "empty1").write_bytes(b"")
    (inbox / "empty2").write_bytes(b"")
    return keep, inbox


def _entries(*roots: Path) -> list[FileEntry]:
    return [e for r in roots for e in scan(ScanSpec(str(r)))]


def test_duplicate_filter_matches_duplicates_not_originals(tmp_path: Path) -> None:
    keep, inbox = _dupe_tree(tmp_path)
    entries = _entries(inbox, keep)
    ctx = FilterContext(original_locations=[str(keep)], hash_cache=DictHashCache())
    f = make("duplicate")
    assert type(f).needs_all_entries
    f.prepare(entries, ctx)
    matched = {e.name: f.match(e, ctx) for e in entries}
    assert {n for n, r in matched.items() if r.matched} == {"a_copy.jpg", "b_copy.jpg"}
    value = matched["a_copy.jpg"].value
    assert str(value.original) == str(keep / "photo.jpg")
    assert render("{duplicate.original.name} {duplicate.count}", duplicate=value) == ("photo.jpg 3")
    assert ctx.bytes_read > 0


def test_duplicate_filter_options(tmp_path: Path) -> None:
    _keep, inbox = _dupe_tree(tmp_path)
    entries = _entries(inbox)
    ctx = FilterContext()
    f = make("duplicate", {"detect_original_by": "-name", "include_empty": True})
    f.prepare(entries, ctx)
    matched = {e.name for e in entries if f.match(e, ctx).matched}
    assert matched == {"a_copy.jpg", "empty1"}
    assert make("duplicate", "-created").detect_original_by == "-created"
    with pytest.raises(ValidationError):
        make("duplicate", {"detect_original_by": "size"})
    with pytest.raises(ValidationError):
        make("duplicate", {"hash_algorithm": "nope"})


def test_duplicate_filter_prepare_resets(tmp_path: Path) -> None:
    keep, inbox = _dupe_tree(tmp_path)
    f = make("duplicate")
    ctx = FilterContext()
    f.prepare(_entries(inbox), ctx)
    assert len(f.groups) == 1  # type: ignore[attr-defined]
    f.prepare(_entries(keep), ctx)
    assert f.groups == []  # type: ignore[attr-defined]
