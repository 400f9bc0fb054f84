"""Reading EXIF metadata (JPEG, TIFF, HEIC, WebP, PNG) with exifread.

Malformed EXIF is treated as missing: :func:`read_exif` returns ``None`` or
leaves out what it cannot parse, and never raises for bad metadata (only for a
file that cannot be opened). Values are cleaned (stripped of padding), dates
become :class:`datetime.datetime`, GPS becomes decimal degrees.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

import exifread

from fileorganizer.content.attrdict import AttrDict
from fileorganizer.content.counting import ByteCounter

if TYPE_CHECKING:
    from fileorganizer.scan import FileEntry

# exifread logs every oddity it meets at WARNING/ERROR; malformed EXIF is normal input here.
logging.getLogger("exifread").setLevel(logging.CRITICAL)

#: Short names for the tags people ask for most.
ALIASES: dict[str, str] = {
    "make": "image.make",
    "model": "image.model",
    "camera": "image.model",
    "software": "image.software",
    "orientation": "image.orientation",
    "datetime": "image.datetime",
    "datetimeoriginal": "exif.datetimeoriginal",
    "datetaken": "exif.datetimeoriginal",
    "datetimedigitized": "exif.datetimedigitized",
    "lens": "exif.lensmodel",
    "lensmodel": "exif.lensmodel",
}
_SECTION_ORDER = ("image", "exif", "gps")
_DATE_TAGS = frozenset({"datetime", "datetimeoriginal", "datetimedigitized"})


@dataclass(frozen=True)
class GPSPosition:
    """A position in decimal degrees (south and west negative); altitude in metres."""

    lat: float
    lon: float
    altitude: float | None = None

    def __str__(self) -> str:
        return f"{self.lat:.6f},{self.lon:.6f}"


@dataclass(frozen=True)
class ExifData:
    """The EXIF of one file: cleaned tag strings plus the commonly used values parsed."""

    #: exifread's keys (``"Image Model"``) -> cleaned printable values.
    tags: Mapping[str, str] = field(default_factory=dict)
    make: str | None = None
    model: str | None = None
    datetime_original: datetime | None = None
    datetime_digitized: datetime | None = None
    gps: GPSPosition | None = None

    def key_for(self, name: str) -> str | None:
        """The exifread key a user's tag name means (``model``, ``image.model``, ...)."""
        norm = _norm(name)
        norm = ALIASES.get(norm, norm)
        index = _index(self.tags)
        if "." in norm:
            section, _, tag = norm.partition(".")
            return index.get((section, tag))
        for section in _SECTION_ORDER:
            if (section, norm) in index:
                return index[(section, norm)]
        return next((k for (_s, t), k in index.items() if t == norm), None)

    def get(self, name: str) -> str | None:
        """A tag's cleaned value by user name, or ``None`` when absent or empty."""
        if _norm(name) == "gps":
            return str(self.gps) if self.gps else None
        key = self.key_for(name)
        value = self.tags.get(key) if key else None
        return value or None

    def as_placeholder(self) -> AttrDict:
        """The value published as ``{exif}``: ``{exif.model}``, ``{exif.image.model}``,
        ``{exif.datetimeoriginal.year}``, ``{exif.gps.lat}``... Missing and empty
        tags are left out, so a template can say ``{exif.model | default("Unknown")}``.
        """
        sections: dict[str, AttrDict] = {}
        for key, value in self.tags.items():
            if not value:
                continue
            section, _, tag = key.partition(" ")
            tag_norm = _norm(tag)
            parsed: Any = parse_exif_datetime(value) if tag_norm in _DATE_TAGS else None
            sections.setdefault(_norm(section), AttrDict())[tag_norm] = parsed or value
        if self.gps is not None:
            gps = sections.setdefault("gps", AttrDict())
            gps.update(lat=self.gps.lat, lon=self.gps.lon)
            if self.gps.altitude is not None:
                gps["altitude"] = self.gps.altitude
        out = AttrDict(sections)
        top = {
            "make": self.make,
            "model": self.model,
            "datetimeoriginal": self.datetime_original,
            "datetimedigitized": self.datetime_digitized,
            "lat": self.gps.lat if self.gps else None,
            "lon": self.gps.lon if self.gps else None,
        }
        out.update((k, v) for k, v in top.items() if v is not None)
        return out


def _norm(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch not in " _-")


def _index(tags: Mapping[str, str]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for key in tags:
        section, _, tag = key.partition(" ")
        out.setdefault((_norm(section), _norm(tag)), key)
    return out


class _CountingReader:
    """A read-only file wrapper that counts bytes read (exifread seeks around)."""

    def __init__(self, f: IO[bytes], counter: ByteCounter) -> None:
        self._f = f
        self._counter = counter

    def read(self, n: int = -1) -> bytes:
        data = self._f.read(n)
        self._counter.add(len(data))
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._f.seek(offset, whence)

    def tell(self) -> int:
        return self._f.tell()


def read_exif(
    path: str | os.PathLike[str], *, counter: ByteCounter | None = None
) -> ExifData | None:
    """The EXIF of the file at ``path``, or ``None`` if it has none (or it is unreadable).

    Raises ``OSError`` only when the file itself cannot be opened.
    """
    with open(path, "rb") as f:
        fh: Any = _CountingReader(f, counter) if counter is not None else f
        if counter is not None:
            counter.files_opened += 1
        try:
            raw = exifread.process_file(fh, details=False, extract_thumbnail=False)
        except Exception:  # malformed metadata of any kind: treated as missing
            return None
    return exif_from_tags(raw)


def exif_from_tags(raw: Mapping[str, Any]) -> ExifData | None:
    """Build :class:`ExifData` from exifread's tag dict; ``None`` when nothing usable."""
    tags: dict[str, str] = {}
    for key, tag in raw.items():
        if key.startswith(("JPEGThumbnail", "TIFFThumbnail", "Thumbnail ", "MakerNote ")):
            continue
        text = _printable(tag)
        if text is not None:
            tags[key] = text
    if not tags:
        return None
    return ExifData(
        tags=tags,
        make=tags.get("Image Make") or None,
        model=tags.get("Image Model") or None,
        datetime_original=parse_exif_datetime(tags.get("EXIF DateTimeOriginal")),
        datetime_digitized=parse_exif_datetime(tags.get("EXIF DateTimeDigitized")),
        gps=_gps(raw),
    )


def _printable(tag: Any) -> str | None:
    try:
        text = str(tag)
    except Exception:
        return None
    return text.replace("\x00", "").strip()


def parse_exif_datetime(value: str | None) -> datetime | None:
    """``"2008:05:30 15:56:01"`` -> a datetime; blanks, zeros and garbage -> ``None``."""
    if not value:
        return None
    text = value.replace("\x00", "").strip()
    for fmt in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y:%m:%d %H:%M", "%Y:%m:%d"):
        try:
            return datetime.strptime(text[:19], fmt)
        except ValueError:
            continue
    return None


def _gps(raw: Mapping[str, Any]) -> GPSPosition | None:
    try:
        lat = _degrees(raw.get("GPS GPSLatitude"), raw.get("GPS GPSLatitudeRef"), "S")
        lon = _degrees(raw.get("GPS GPSLongitude"), raw.get("GPS GPSLongitudeRef"), "W")
    except (ArithmeticError, TypeError, ValueError, IndexError, AttributeError):
        return None
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return GPSPosition(lat, lon, _altitude(raw))


def _degrees(tag: Any, ref: Any, negative: str) -> float | None:
    values = getattr(tag, "values", None)
    if not values:
        return None
    parts = [float(v) for v in list(values)[:3]]
    parts += [0.0] * (3 - len(parts))
    deg = parts[0] + parts[1] / 60 + parts[2] / 3600
    if not math.isfinite(deg):
        return None
    if ref is not None and str(ref).strip().upper().startswith(negative):
        deg = -deg
    return deg


def _altitude(raw: Mapping[str, Any]) -> float | None:
    try:
        values = raw["GPS GPSAltitude"].values
        alt = float(values[0])
        ref = raw.get("GPS GPSAltitudeRef")
        if ref is not None and list(getattr(ref, "values", [0]))[:1] == [1]:
            alt = -alt
        return alt if math.isfinite(alt) else None
    except (KeyError, ArithmeticError, TypeError, ValueError, IndexError, AttributeError):
        return None


def entry_exif(entry: FileEntry, counter: ByteCounter | None = None) -> ExifData | None:
    """The EXIF of a scanned entry, read once and kept in ``entry.cache``."""
    if "exif" not in entry.cache:
        entry.cache["exif"] = read_exif(entry.real_path, counter=counter)
    result: ExifData | None = entry.cache["exif"]
    return result


def photo_date(entry: FileEntry, counter: ByteCounter | None = None) -> datetime:
    """When a photo was taken: DateTimeOriginal, else DateTimeDigitized, else mtime (local)."""
    try:
        data = entry_exif(entry, counter)
    except OSError:
        data = None
    if data is not None:
        when = data.datetime_original or data.datetime_digitized
        if when is not None:
            return when
    return datetime.fromtimestamp(entry.stat().st_mtime)
