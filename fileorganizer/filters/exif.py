"""The ``exif`` filter and the ``{exif}`` / ``{photo_date}`` placeholders."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field, field_validator

from fileorganizer.filters.base import (
    Filter,
    FilterContext,
    FilterResult,
    as_list,
    register_filter,
    register_placeholder,
)
from fileorganizer.scan import FileEntry

if TYPE_CHECKING:
    from fileorganizer.content.attrdict import AttrDict
    from fileorganizer.content.exif import ExifData


@register_filter
class ExifFilter(Filter):
    """Match photos by their EXIF metadata (JPEG, TIFF, HEIC, WebP, PNG).

    ``- exif`` alone matches files that have EXIF. Given tag names, each must be
    present: ``- exif: gps`` or ``- exif: [model, gps]``. Given a mapping, each tag
    must be present and, when a value is given, match it as a glob
    (case-insensitive; a list means any of them). Tag names are short names
    (``make``, ``model``, ``datetimeoriginal``, ``lensmodel``, ``gps``, ...) or
    ``section.tag`` as in organize (``image.model``, ``exif.fnumber``).
    Malformed EXIF counts as no EXIF.

    Publishes ``{exif}``: ``{exif.make}``, ``{exif.model}``,
    ``{exif.datetimeoriginal}`` (a date: ``{exif.datetimeoriginal.year}``),
    ``{exif.lat}``/``{exif.lon}`` (decimal degrees) and every tag by section
    (``{exif.image.model}``, ``{exif.exif.fnumber}``, ``{exif.gps.lat}``). Missing
    tags are left out: ``{exif.model | default("Unknown")}``.

    ``{photo_date}`` (in any template) is when the photo was taken:
    DateTimeOriginal, else DateTimeDigitized, else the file's modification time.

    ```yaml
    rules:
      - locations: ~/Camera
        filters:
          - exif: {model: "Canon*", gps}
        actions:
          - move: "~/Photos/{photo_date.year}/{photo_date.month:02}/"
    ```
    """

    filter_name: ClassVar[str] = "exif"
    #: tag name -> globs its value must match (empty: presence only).
    tags: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @classmethod
    def from_config(cls, value: Any) -> Filter:
        if isinstance(value, Mapping) and set(value) != {"tags"}:
            value = {"tags": dict(value)}
        return super().from_config(value)

    @classmethod
    def shorthand(cls, value: Any) -> dict[str, Any]:
        return {"tags": {str(name): None for name in as_list(value)}}

    @field_validator("tags", mode="before")
    @classmethod
    def _normalize(cls, v: Any) -> dict[str, tuple[str, ...]]:
        if not isinstance(v, Mapping):
            raise ValueError("expected tag names or a mapping of tag: glob")
        return {str(k): tuple(str(g) for g in as_list(g)) for k, g in v.items()}

    def match(self, entry: FileEntry, ctx: FilterContext) -> FilterResult:
        from fileorganizer.content.attrdict import AttrDict

        data = _exif(entry, ctx)
        if data is None:
            return FilterResult(False, AttrDict())
        ok = all(_tag_matches(data, name, globs) for name, globs in self.tags.items())
        return FilterResult(ok, data.as_placeholder())


def _tag_matches(data: ExifData, name: str, globs: tuple[str, ...]) -> bool:
    value = data.get(name)
    if value is None:
        return False
    if not globs:
        return True
    low = value.lower()
    return any(fnmatch.fnmatchcase(low, g.lower()) for g in globs)


def _exif(entry: FileEntry, ctx: FilterContext) -> ExifData | None:
    from fileorganizer.content.counting import ByteCounter
    from fileorganizer.content.exif import entry_exif

    counter = ByteCounter()
    try:
        return entry_exif(entry, counter)
    finally:
        ctx.bytes_read += counter.bytes_read


@register_placeholder("exif")
def exif_placeholder(entry: FileEntry, ctx: FilterContext) -> AttrDict:
    """``{exif}`` in any template (empty when the file has no EXIF)."""
    from fileorganizer.content.attrdict import AttrDict

    data = _exif(entry, ctx)
    return data.as_placeholder() if data is not None else AttrDict()


@register_placeholder("photo_date")
def photo_date_placeholder(entry: FileEntry, ctx: FilterContext) -> datetime:
    """``{photo_date}``: DateTimeOriginal, else DateTimeDigitized, else mtime."""
    from fileorganizer.content.counting import ByteCounter
    from fileorganizer.content.exif import photo_date

    counter = ByteCounter()
    try:
        return photo_date(entry, counter)
    finally:
        ctx.bytes_read += counter.bytes_read
