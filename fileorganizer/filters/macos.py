"""Filters on macOS metadata: ``date_added``, ``date_lastused``, ``macos_tags``.

On macOS they read Spotlight metadata (``mdls``) and Finder tags, as organize.
Elsewhere ``date_added`` and ``date_lastused`` fall back to the file's status
times; ``macos_tags`` is a config error (``check`` says "only available on macOS").
"""

from __future__ import annotations

import fnmatch
import os
import plistlib
import subprocess
import sys
from datetime import datetime
from typing import Any, ClassVar

from pydantic import field_validator, model_validator

from fileorganizer.filters.base import (
    Filter,
    FilterContext,
    FilterResult,
    as_list,
    register_filter,
    register_placeholder,
)
from fileorganizer.filters.dates import _DateFilter
from fileorganizer.scan import FileEntry

IS_MACOS = sys.platform == "darwin"


def mdls_date(path: str, attribute: str) -> datetime | None:
    """A date attribute from Spotlight (``mdls -raw``); None if it has none."""
    try:
        out = subprocess.run(
            ["mdls", "-raw", "-name", attribute, path],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    if not out or out == "(null)":
        return None
    try:
        return datetime.strptime(out, "%Y-%m-%d %H:%M:%S %z").astimezone().replace(tzinfo=None)
    except ValueError:
        return None


class _MetadataDate(_DateFilter):
    _mdls_attribute: ClassVar[str] = ""

    def _fallback(self, st: os.stat_result) -> float:
        raise NotImplementedError

    def when(self, entry: FileEntry) -> datetime:
        """The date this filter reads for ``entry``."""
        if IS_MACOS:
            got = mdls_date(entry.real_path, self._mdls_attribute)
            if got is not None:
                return got
        return datetime.fromtimestamp(self._fallback(entry.stat()))

    def match(self, entry: FileEntry, ctx: FilterContext) -> FilterResult:
        when = self.when(entry)
        age = self._age
        if age is None:
            return FilterResult(True, when)
        threshold = ctx.now - age
        return FilterResult(when < threshold if self.mode == "older" else when > threshold, when)


@register_filter
class DateAddedFilter(_MetadataDate):
    """Match by when the file was added to its folder.

    On macOS this is Spotlight's ``kMDItemDateAdded``. Elsewhere (and for a file
    Spotlight has no date for) it is the file's status-change time (ctime), which
    moving or copying a file into a folder sets on Linux. Options as for
    ``lastmodified``; publishes ``{date_added}``.

    ```yaml
    filters:
      - date_added:
          days: 7
          mode: newer
    ```
    """

    filter_name: ClassVar[str] = "date_added"
    _mdls_attribute: ClassVar[str] = "kMDItemDateAdded"

    def _fallback(self, st: os.stat_result) -> float:
        return st.st_ctime


@register_filter
class DateLastUsedFilter(_MetadataDate):
    """Match by when the file was last opened.

    On macOS this is Spotlight's ``kMDItemLastUsedDate``. Elsewhere (and for a
    file never opened since Spotlight indexed it) it is the last access time
    (atime; many systems update it at most once a day, ``relatime``). Options as
    for ``lastmodified``; publishes ``{date_lastused}``.

    ```yaml
    filters:
      - date_lastused:
          weeks: 26
          mode: older
    ```
    """

    filter_name: ClassVar[str] = "date_lastused"
    _mdls_attribute: ClassVar[str] = "kMDItemLastUsedDate"

    def _fallback(self, st: os.stat_result) -> float:
        return st.st_atime


@register_placeholder("date_added")
def _date_added(entry: FileEntry, ctx: FilterContext) -> datetime:
    return DateAddedFilter().when(entry)


@register_placeholder("date_lastused")
def _date_lastused(entry: FileEntry, ctx: FilterContext) -> datetime:
    return DateLastUsedFilter().when(entry)


#: Finder's tag colours, by the number macOS stores after a tag's name.
TAG_COLORS = ("none", "gray", "green", "purple", "blue", "yellow", "red", "orange")


def read_macos_tags(path: str) -> list[str]:
    """A file's Finder tags as ``"name (color)"``, from its extended attribute."""
    try:
        raw = subprocess.run(
            ["xattr", "-px", "com.apple.metadata:_kMDItemUserTags", path],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    try:
        tags = plistlib.loads(bytes.fromhex("".join(raw.split())))
    except (ValueError, plistlib.InvalidFileException):
        return []
    out = []
    for tag in tags if isinstance(tags, list) else []:
        name, _, color = str(tag).partition("\n")
        index = int(color) if color.isdigit() and int(color) < len(TAG_COLORS) else 0
        out.append(f"{name} ({TAG_COLORS[index]})")
    return out


@register_filter
class MacOSTagsFilter(Filter):
    """Match by Finder tags (macOS only; on other systems ``check`` rejects it).

    Each pattern is a glob matched case-insensitively against ``"name (color)"``:
    ``Invoice*``, ``* (red)``; a file matches if one of its tags matches one
    pattern. A bare ``- macos_tags`` matches files that have a tag. Publishes
    ``{macos_tags}``, the file's tags.

    ```yaml
    filters:
      - macos_tags: "* (red)"
    ```
    """

    filter_name: ClassVar[str] = "macos_tags"
    supports_dirs: ClassVar[bool] = True
    tags: tuple[str, ...] = ()

    @classmethod
    def shorthand(cls, value: Any) -> dict[str, Any]:
        return {"tags": [str(v) for v in as_list(value)]}

    @field_validator("tags", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return tuple(str(x) for x in as_list(v))

    @model_validator(mode="after")
    def _macos_only(self) -> MacOSTagsFilter:
        if not IS_MACOS:
            raise ValueError(
                f"the macos_tags filter is only available on macOS (this is {sys.platform})"
            )
        return self

    def match(self, entry: FileEntry, ctx: FilterContext) -> FilterResult:
        file_tags = read_macos_tags(entry.real_path)
        if not self.tags:
            return FilterResult(bool(file_tags), file_tags)
        ok = any(fnmatch.fnmatchcase(t.lower(), p.lower()) for t in file_tags for p in self.tags)
        return FilterResult(ok, file_tags)
