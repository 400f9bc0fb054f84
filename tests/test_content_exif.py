"""EXIF reading on real camera photos and on broken files."""

from __future__ import annotations

import os
import random
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from fileorganizer.content.counting import ByteCounter
from fileorganizer.content.exif import (
    exif_from_tags,
    parse_exif_datetime,
    photo_date,
    read_exif,
)
from fileorganizer.scan import FileEntry

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="the shared sample corpus is not beside this checkout"
)
PHOTOS = CORPUS / "photos"
BROKEN = PHOTOS / "broken"

#: Camera model and DateTimeOriginal of every camera photo (read off by hand).
CAMERA_PHOTOS: dict[str, tuple[str, str]] = {
    "Canon_40D.jpg": ("Canon EOS 40D", "2008-05-30 15:56:01"),
    "Canon_DIGITAL_IXUS_400.jpg": ("Canon DIGITAL IXUS 400", "2004-08-27 13:52:55"),
    "Canon_PowerShot_S40.jpg": ("Canon PowerShot S40", "2003-12-14 12:01:44"),
    "Fujifilm_FinePix6900ZOOM.jpg": ("FinePix6900ZOOM", "2001-02-19 06:40:05"),
    "Fujifilm_FinePix_E500.jpg": ("FinePix E500", "2006-08-17 09:24:48"),
    "Kodak_CX7530.jpg": ("KODAK CX7530 ZOOM DIGITAL CAMERA", "2005-08-13 09:47:23"),
    "Konica_Minolta_DiMAGE_Z3.jpg": ("DiMAGE Z3", "2005-03-10 15:10:48"),
    "Nikon_COOLPIX_P1.jpg": ("COOLPIX P1", "2008-03-07 09:55:46"),
    "Nikon_D70.jpg": ("NIKON D70", "2008-03-15 09:52:01"),
    "Olympus_C8080WZ.jpg": ("C8080WZ", "2006-10-22 15:44:29"),
    "Panasonic_DMC-FZ30.jpg": ("DMC-FZ30", "2008-07-16 11:33:20"),
    "Pentax_K10D.jpg": ("PENTAX K10D", "2008-05-04 16:47:24"),
    "Ricoh_Caplio_RR330.jpg": ("RR330", "2004-08-31 19:52:58"),
    "Sony_HDR-HC3.jpg": ("HDR-HC3", "2007-06-15 04:42:32"),
}
#: Not camera photos: made or re-saved by GIMP, with EXIF but no camera and no
#: DateTimeOriginal (the corpus README says so for PaintTool_sample.jpg).
NOT_CAMERA_PHOTOS = ("PaintTool_sample.jpg", "long_description.jpg")

pytestmark = pytest.mark.skipif(not PHOTOS.is_dir(), reason="corpus not available")


def _copy(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / src.name
    shutil.copyfile(src, dst)
    return dst


@needs_corpus
def test_tables_cover_every_photo() -> None:
    names = {p.name for p in PHOTOS.glob("*.jpg")}
    assert names == set(CAMERA_PHOTOS) | set(NOT_CAMERA_PHOTOS)


@needs_corpus
@pytest.mark.parametrize("name", sorted(CAMERA_PHOTOS))
def test_camera_photo_yields_model_and_date_taken(name: str, tmp_path: Path) -> None:
    model, taken = CAMERA_PHOTOS[name]
    data = read_exif(_copy(PHOTOS / name, tmp_path))
    assert data is not None
    assert data.model == model
    assert data.datetime_original == datetime.fromisoformat(taken)
    assert data.get("model") == model
    assert data.get("image.model") == model
    placeholder = data.as_placeholder()
    assert placeholder.model == model
    assert placeholder.image.model == model
    assert placeholder.datetimeoriginal.year == int(taken[:4])
    assert placeholder.exif.datetimeoriginal == datetime.fromisoformat(taken)


@needs_corpus
@pytest.mark.parametrize("name", NOT_CAMERA_PHOTOS)
def test_edited_image_has_exif_but_no_camera(name: str, tmp_path: Path) -> None:
    data = read_exif(_copy(PHOTOS / name, tmp_path))
    assert data is not None
    assert data.get("software") == "GIMP 2.4.5"
    assert data.model is None and data.datetime_original is None
    assert "model" not in data.as_placeholder()


@needs_corpus
@pytest.mark.parametrize(
    "name", sorted(p.name for p in BROKEN.iterdir()) if BROKEN.is_dir() else []
)
def test_broken_exif_is_read_without_exception(name: str, tmp_path: Path) -> None:
    path = _copy(BROKEN / name, tmp_path)
    data = read_exif(path)
    entry = FileEntry(str(path), str(tmp_path))
    when = photo_date(entry)
    assert isinstance(when, datetime)
    if data is None or data.datetime_original is None:
        assert when == datetime.fromtimestamp(path.stat().st_mtime)


@needs_corpus
def test_broken_files_that_keep_some_exif_keep_what_is_readable(tmp_path: Path) -> None:
    g9 = read_exif(_copy(BROKEN / "33-type_error.jpg", tmp_path))
    assert g9 is not None and g9.model == "Canon PowerShot G9"
    samsung = read_exif(_copy(BROKEN / "67-0_length_string.jpg", tmp_path))
    assert samsung is not None and samsung.model == "SM-G930F"
    assert samsung.gps is not None
    assert samsung.gps.lat == pytest.approx(51 + 1 / 60 + 30 / 3600)
    assert samsung.gps.lon == pytest.approx(7 + 35 / 60 + 31 / 3600)
    assert samsung.gps.altitude == pytest.approx(340)


@needs_corpus
def test_gps_south_is_negative(tmp_path: Path) -> None:
    data = read_exif(_copy(PHOTOS / "Kodak_CX7530.jpg", tmp_path))
    assert data is not None and data.gps is not None
    assert data.gps.lat == pytest.approx(-(11139 / 500) / 60)
    assert data.gps.lon == pytest.approx(36 + (677 / 200) / 60)
    assert data.get("gps") is not None
    canon = read_exif(_copy(PHOTOS / "Canon_40D.jpg", tmp_path))
    assert canon is not None and canon.gps is None and canon.get("gps") is None


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00II*\x00\xff\xff\xff\xff",  # IFD offset past the end
        b"\xff\xd8\xff\xe1\xff\xffExif\x00\x00MM\x00*" + random.Random(1).randbytes(64),
        b"II*\x00" + random.Random(2).randbytes(200),  # TIFF header, garbage IFDs
        random.Random(3).randbytes(4096),
        b"not an image at all",
    ],
)
def test_malformed_or_missing_exif_is_none_not_a_crash(content: bytes, tmp_path: Path) -> None:
    f = tmp_path / "x.jpg"
    f.write_bytes(content)
    data = read_exif(f)  # must not raise
    assert data is None or data.datetime_original is None
    entry = FileEntry(str(f), str(tmp_path))
    assert photo_date(entry) == datetime.fromtimestamp(f.stat().st_mtime)


@needs_corpus
def test_truncated_photo_is_handled(tmp_path: Path) -> None:
    src = (PHOTOS / "Canon_40D.jpg").read_bytes()
    for cut in (2, 20, 100, 500, 2000):
        f = tmp_path / f"cut{cut}.jpg"
        f.write_bytes(src[:cut])
        read_exif(f)  # no exception


@needs_corpus
def test_photo_date_prefers_original_then_digitized_then_mtime(tmp_path: Path) -> None:
    photo = _copy(PHOTOS / "Canon_40D.jpg", tmp_path)
    os.utime(photo, (0, 1_000_000_000))
    entry = FileEntry(str(photo), str(tmp_path))
    assert photo_date(entry) == datetime(2008, 5, 30, 15, 56, 1)
    paint = _copy(PHOTOS / "PaintTool_sample.jpg", tmp_path)
    os.utime(paint, (0, 1_000_000_000))
    assert photo_date(FileEntry(str(paint), str(tmp_path))) == datetime.fromtimestamp(1e9)


def test_digitized_date_is_the_second_choice() -> None:
    class Tag:
        def __init__(self, text: str) -> None:
            self.text = text

        def __str__(self) -> str:
            return self.text

    data = exif_from_tags(
        {
            "Image Model": Tag("X100"),
            "EXIF DateTimeOriginal": Tag("0000:00:00 00:00:00"),
            "EXIF DateTimeDigitized": Tag("2020:01:02 03:04:05"),
        }
    )
    assert data is not None
    assert data.datetime_original is None
    assert data.datetime_digitized == datetime(2020, 1, 2, 3, 4, 5)


@needs_corpus
def test_exif_is_read_once_per_entry(tmp_path: Path) -> None:
    photo = _copy(PHOTOS / "Nikon_D70.jpg", tmp_path)
    entry = FileEntry(str(photo), str(tmp_path))
    counter = ByteCounter()
    photo_date(entry, counter)
    first = counter.bytes_read
    photo_date(entry, counter)
    assert first > 0 and counter.bytes_read == first


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2008:05:30 15:56:01", datetime(2008, 5, 30, 15, 56, 1)),
        ("2008:05:30 15:56:01\x00", datetime(2008, 5, 30, 15, 56, 1)),
        ("    :  :     :  :  ", None),
        ("0000:00:00 00:00:00", None),
        ("garbage", None),
        ("", None),
    ],
)
def test_parse_exif_datetime(text: str, expected: datetime | None) -> None:
    assert parse_exif_datetime(text) == expected
