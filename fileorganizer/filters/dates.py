"""Date filters: ``created``, ``lastmodified``, ``lastaccessed``."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, ClassVar, Literal

from fileorganizer.filters.base import (
    Filter,
    FilterContext,
    FilterResult,
    register_filter,
    register_placeholder,
    result,
)
from fileorganizer.scan import FileEntry


class _DateFilter(Filter):
    """Shared options: an age (``years`` .. ``seconds``) and ``mode`` older|newer.

    With no age given the filter matches every file and only publishes the date.
    Months count as 30 days and years as 365 days.
    """

    years: float = 0
    months: float = 0
    weeks: float = 0
    days: float = 0
    hours: float = 0
    minutes: float = 0
    seconds: float = 0
    mode: Literal["older", "newer"] = "older"
    supports_dirs: ClassVar[bool] = True

    @classmethod
    def shorthand(cls, value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        raise ValueError("expected options such as {days: 30, mode: older}")

    @cached_property
    def _age(self) -> timedelta | None:
        # computed once per filter (the model is frozen), not once per file
        total = timedelta(
            days=self.years * 365 + self.months * 30 + self.weeks * 7 + self.days,
            hours=self.hours,
            minutes=self.minutes,
            seconds=self.seconds,
        )
        return total if total else None

    def _timestamp(self, st: os.stat_result) -> float:
        raise NotImplementedError

    def match(self, entry: FileEntry, ctx: FilterContext) -> FilterResult:
        when = datetime.fromtimestamp(self._timestamp(entry.stat()))
        age = self._age
        if age is None:
            return result(True, when)
        threshold = ctx.now - age
        ok = when < threshold if self.mode == "older" else when > threshold
        return result(ok, when)


@register_filter
class LastModifiedFilter(_DateFilter):
    """Match by the time a file's content last changed (mtime).

    Publishes ``{lastmodified}`` as a date-time: ``{lastmodified.year}``,
    ``{lastmodified.strftime('%Y-%m')}``.

    ```yaml
    filters:
      - lastmodified:
          days: 30
          mode: older
    ```
    """

    filter_name: ClassVar[str] = "lastmodified"

    def _timestamp(self, st: os.stat_result) -> float:
        return st.st_mtime


@register_filter
class CreatedFilter(_DateFilter):
    """Match by creation time: the birth time where the platform reports it,
    else the earlier of mtime and ctime (Linux does not expose birth time).

    Publishes ``{created}``: ``{created.year}``, ``{created.strftime('%Y-%m-%d')}``.

    ```yaml
    filters:
      - created:
          years: 1
          mode: newer
    ```
    """

    filter_name: ClassVar[str] = "created"

    def _timestamp(self, st: os.stat_result) -> float:
        birth = getattr(st, "st_birthtime", None)
        if birth:
            return float(birth)
        return min(st.st_mtime, st.st_ctime)


@register_filter
class LastAccessedFilter(_DateFilter):
    """Match by last access time (atime; many systems update it lazily).

    Publishes ``{lastaccessed}``.

    ```yaml
    filters:
      - lastaccessed:
          weeks: 8
    ```
    """

    filter_name: ClassVar[str] = "lastaccessed"

    def _timestamp(self, st: os.stat_result) -> float:
        return st.st_atime


@register_filter
class EmptyFilter(Filter):
    """Match empty files (size 0) and empty folders (no entries).

    ```yaml
    targets: dirs
    filters:
      - empty
    actions:
      - trash
    ```
    """

    filter_name: ClassVar[str] = "empty"
    supports_dirs: ClassVar[bool] = True

    def match(self, entry: FileEntry, ctx: FilterContext) -> FilterResult:
        if entry.is_dir:
            try:
                with os.scandir(entry.real_path) as it:
                    empty = next(it, None) is None
            except OSError:
                empty = False
            return FilterResult(empty, empty)
        empty = entry.stat().st_size == 0
        return FilterResult(empty, empty)


@register_placeholder("lastmodified")
def _lastmodified(entry: FileEntry, ctx: FilterContext) -> datetime:
    return datetime.fromtimestamp(entry.stat().st_mtime)


@register_placeholder("created")
def _created(entry: FileEntry, ctx: FilterContext) -> datetime:
    return datetime.fromtimestamp(CreatedFilter()._timestamp(entry.stat()))


@register_placeholder("lastaccessed")
def _lastaccessed(entry: FileEntry, ctx: FilterContext) -> datetime:
    return datetime.fromtimestamp(entry.stat().st_atime)
