"""Filters on a file's name: ``extension``, ``name`` and ``regex``."""

from __future__ import annotations

import fnmatch
import re
from typing import Any, ClassVar

from pydantic import field_validator

from fileorganizer.filters.base import (
    Filter,
    FilterContext,
    FilterResult,
    RegexExprFilter,
    as_list,
    register_filter,
    result,
)
from fileorganizer.scan import FileEntry


class ExtensionValue(str):
    """The extension as found (no dot); ``{extension.lower()}`` etc. work as on str."""

    __slots__ = ()


@register_filter
class ExtensionFilter(Filter):
    """Match by file extension (case-insensitive, without the dot).

    Publishes ``{extension}`` (as found, without the dot).

    ```yaml
    filters:
      - extension: [jpg, jpeg, png]
    ```

    A bare ``- extension`` matches every file (as organize) and only publishes
    ``{extension}``.
    """

    filter_name: ClassVar[str] = "extension"
    supports_dirs: ClassVar[bool] = True
    extensions: tuple[str, ...] = ()

    @classmethod
    def shorthand(cls, value: Any) -> dict[str, Any]:
        return {"extensions": [str(v) for v in as_list(value)]}

    @field_validator("extensions", mode="before")
    @classmethod
    def _normalize(cls, v: Any) -> tuple[str, ...]:
        return tuple(str(x).lower().lstrip(".") for x in as_list(v))

    def match(self, entry: FileEntry, ctx: FilterContext) -> FilterResult:
        ext = entry.extension
        value = ExtensionValue(ext)
        if not self.extensions:
            return result(True, value)
        return result(ext.lower() in self.extensions, value)


@register_filter
class NameFilter(Filter):
    """Match the file (or folder) name without its extension (the stem).

    Options: ``match`` (a glob, or a list of globs), ``startswith``,
    ``contains``, ``endswith`` (each a string or list: any one matches),
    ``case_sensitive`` (default true). Publishes ``{name}``.

    ```yaml
    filters:
      - name:
          startswith: Invoice
          case_sensitive: false
    ```
    """

    filter_name: ClassVar[str] = "name"
    supports_dirs: ClassVar[bool] = True
    match_: tuple[str, ...] = ()
    startswith: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()
    endswith: tuple[str, ...] = ()
    case_sensitive: bool = True

    model_config = Filter.model_config | {"populate_by_name": True}

    @classmethod
    def shorthand(cls, value: Any) -> dict[str, Any]:
        return {"match_": as_list(value)}

    @classmethod
    def from_config(cls, value: Any) -> Filter:
        if isinstance(value, dict) and "match" in value:
            value = {("match_" if k == "match" else k): v for k, v in value.items()}
        return super().from_config(value)

    @field_validator("match_", "startswith", "contains", "endswith", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> tuple[str, ...]:
        return tuple(str(x) for x in as_list(v))

    def match(self, entry: FileEntry, ctx: FilterContext) -> FilterResult:
        # as organize: a folder's name is matched without its suffix too ("folder.d": folder)
        stem = entry.stem
        name = stem if self.case_sensitive else stem.lower()

        def norm(xs: tuple[str, ...]) -> tuple[str, ...]:
            return xs if self.case_sensitive else tuple(x.lower() for x in xs)

        ok = True
        if self.match_:
            ok = any(fnmatch.fnmatchcase(name, g) for g in norm(self.match_))
        if ok and self.startswith:
            ok = name.startswith(norm(self.startswith))
        if ok and self.contains:
            ok = any(c in name for c in norm(self.contains))
        if ok and self.endswith:
            ok = name.endswith(norm(self.endswith))
        return FilterResult(ok, stem)


class RegexValue(dict[str, Any]):
    """Named groups of a regex match; ``{regex.year}`` reads a group."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None


@register_filter
class RegexFilter(RegexExprFilter):
    """Match the file name (with extension) against a regular expression.

    Named groups are published: ``{regex.year}`` for ``(?P<year>\\d{4})``.
    The expression is searched anywhere in the name (``re.search``, as organize);
    anchor it with ``^`` to match from the start.

    ```yaml
    filters:
      - regex: '^IMG_(?P<year>\\d{4})(?P<month>\\d{2})'
    actions:
      - move: "~/Pictures/{regex.year}/{regex.month}/"
    ```
    """

    filter_name: ClassVar[str] = "regex"
    supports_dirs: ClassVar[bool] = True

    def match(self, entry: FileEntry, ctx: FilterContext) -> FilterResult:
        m = _compiled(self.expr).search(entry.name)
        if m is None:
            return FilterResult(False, RegexValue())
        return FilterResult(True, RegexValue(m.groupdict()))


_RX: dict[str, re.Pattern[str]] = {}


def _compiled(expr: str) -> re.Pattern[str]:
    rx = _RX.get(expr)
    if rx is None:
        rx = _RX[expr] = re.compile(expr)
    return rx
