"""The built-in filters on real files."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from fileorganizer.filters import FILTERS, FilterContext
from fileorganizer.filters.size import parse_size_conditions
from fileorganizer.scan import FileEntry


def entry(tmp_path: Path, name: str, data: bytes = b"", age_days: float = 0) -> FileEntry:
    p = tmp_path / name
    p.write_bytes(data)
    if age_days:
        t = time.time() - age_days * 86400
        os.utime(p, (t, t))
    return FileEntry(str(p), str(tmp_path))


def match(
    name: str, value: object, e: FileEntry, now: datetime | None = None
) -> tuple[bool, object]:
    f = FILTERS[name].from_config(value)
    r = f.match(e, FilterContext(now=now or datetime.now()))
    return r.matched, r.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (">1 MB", [(">", 1_000_000)]),
        (">1 MB, <= 10 MiB", [(">", 1_000_000), ("<=", 10 * 1024 * 1024)]),
        ("500", [("", 500)]),
        ("<1.5kb", [("<", 1500)]),
        ("!= 0", [("!=", 0)]),
    ],
)
def test_size_expressions_parse(text: str, expected: list[tuple[str, int]]) -> None:
    assert parse_size_conditions(text) == expected


@pytest.mark.parametrize("text", ["> 1 QB", "big", ">> 3", ""])
def test_bad_size_expressions_raise(text: str) -> None:
    with pytest.raises(ValueError):
        parse_size_conditions(text)


def test_size_filter(tmp_path: Path) -> None:
    e = entry(tmp_path, "f.bin", b"x" * 2048)
    assert match("size", ">2 kB, <= 2 KiB", e)[0]
    assert not match("size", "> 2 KiB", e)[0]
    assert match("size", ["< 1 kB", "= 2048"], e)[0]
    ok, value = match("size", None, e)
    assert ok and value.bytes == 2048 and value.binary == "2.0 KiB"  # type: ignore[attr-defined]


def test_extension_filter_is_case_insensitive(tmp_path: Path) -> None:
    e = entry(tmp_path, "Photo.JPG")
    assert match("extension", ["jpg", ".png"], e) == (True, "JPG")
    assert not match("extension", "png", e)[0]
    # a bare extension matches every file, as in organize
    assert match("extension", None, entry(tmp_path, "Makefile")) == (True, "")


def test_name_filter_options(tmp_path: Path) -> None:
    e = entry(tmp_path, "Invoice-2024-ACME.pdf")
    assert match("name", {"startswith": "Invoice"}, e)[0]
    assert not match("name", {"startswith": "invoice"}, e)[0]
    assert match("name", {"startswith": "invoice", "case_sensitive": False}, e)[0]
    assert match("name", {"contains": ["2023", "2024"], "endswith": "ACME"}, e)[0]
    assert match("name", "Invoice-*", e)[0]
    assert match("name", {"match": "*-ACME"}, e) == (True, "Invoice-2024-ACME")


def test_regex_filter_publishes_named_groups(tmp_path: Path) -> None:
    e = entry(tmp_path, "IMG_20190704_1200.jpg")
    ok, value = match("regex", r"IMG_(?P<year>\d{4})(?P<month>\d{2})", e)
    assert ok and value.year == "2019" and value["month"] == "07"  # type: ignore[attr-defined]
    assert not match("regex", r"DSC_\d+", e)[0]


def test_date_filters_older_and_newer(tmp_path: Path) -> None:
    old = entry(tmp_path, "old.txt", b"o", age_days=40)
    new = entry(tmp_path, "new.txt", b"n")
    assert match("lastmodified", {"days": 30}, old)[0]
    assert not match("lastmodified", {"days": 30}, new)[0]
    assert match("lastmodified", {"days": 30, "mode": "newer"}, new)[0]
    ok, when = match("lastmodified", None, old)
    assert ok and isinstance(when, datetime)
    assert abs(when - (datetime.now() - timedelta(days=40))) < timedelta(minutes=5)
    assert match("created", {"weeks": 1, "mode": "newer"}, new)[0]
    assert match("lastaccessed", {"days": 30}, old)[0]


def test_empty_filter_for_files_and_folders(tmp_path: Path) -> None:
    assert match("empty", None, entry(tmp_path, "e.txt"))[0]
    assert not match("empty", None, entry(tmp_path, "f.txt", b"1"))[0]
    d = tmp_path / "d"
    d.mkdir()
    assert match("empty", None, FileEntry(str(d), str(tmp_path), is_dir=True))[0]
    (d / "x").write_text("x")
    assert not match("empty", None, FileEntry(str(d), str(tmp_path), is_dir=True))[0]
