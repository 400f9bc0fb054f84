"""The ``size`` filter and size expressions such as ``">1 MB, <= 10 MiB"``."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any, ClassVar

from pydantic import field_validator

from fileorganizer.filters.base import (
    Filter,
    FilterContext,
    FilterResult,
    as_list,
    register_filter,
    register_placeholder,
)
from fileorganizer.scan import FileEntry
from fileorganizer.units import SizeValue

__all__ = ["SizeFilter", "SizeValue"]

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 1000**2,
    "mb": 1000**2,
    "g": 1000**3,
    "gb": 1000**3,
    "t": 1000**4,
    "tb": 1000**4,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}
_OPS: dict[str, Callable[[int, int], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
    "": operator.eq,
}
_COND = re.compile(r"^\s*(>=|<=|==|!=|>|<|=)?\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


def parse_size_conditions(text: str) -> list[tuple[str, int]]:
    """Parse ``">1 MB, <= 10 MiB"`` into ``[(">", 1000000), ("<=", 10485760)]``.

    Raises ``ValueError`` naming the part that is wrong.
    """
    conds: list[tuple[str, int]] = []
    for part in str(text).split(","):
        if not part.strip():
            continue
        m = _COND.match(part)
        if not m:
            raise ValueError(f"bad size condition {part.strip()!r} (try '>1 MB' or '<= 10 MiB')")
        op, num, unit = m.group(1) or "", m.group(2), m.group(3).lower()
        if unit not in _UNITS:
            raise ValueError(f"unknown size unit {m.group(3)!r} in {part.strip()!r}")
        conds.append((op, int(float(num) * _UNITS[unit])))
    if not conds:
        raise ValueError("empty size condition")
    return conds


@register_filter
class SizeFilter(Filter):
    """Match by file size. Every condition in the expression must hold.

    Units: B, kB/KB, MB, GB, TB (powers of 1000) and KiB, MiB, GiB, TiB
    (powers of 1024). Operators: ``>``, ``>=``, ``<``, ``<=``, ``=``, ``!=``.
    A list means any of its expressions. Publishes ``{size.bytes}``,
    ``{size.decimal}``, ``{size.binary}``, ``{size.traditional}``.

    ```yaml
    filters:
      - size: ">1 MB, <= 10 MiB"
    ```
    """

    filter_name: ClassVar[str] = "size"
    conditions: tuple[str, ...] = ()

    @classmethod
    def shorthand(cls, value: Any) -> dict[str, Any]:
        return {"conditions": as_list(value)}

    @field_validator("conditions", mode="before")
    @classmethod
    def _valid(cls, v: Any) -> tuple[str, ...]:
        items = tuple(str(x) for x in as_list(v))
        for item in items:
            parse_size_conditions(item)
        return items

    def match(self, entry: FileEntry, ctx: FilterContext) -> FilterResult:
        size = entry.stat().st_size
        value = SizeValue(size)
        if not self.conditions:
            return FilterResult(True, value)
        for expr in self.conditions:
            if all(_OPS[op](size, n) for op, n in _parsed(expr)):
                return FilterResult(True, value)
        return FilterResult(False, value)


_PARSED: dict[str, list[tuple[str, int]]] = {}


def _parsed(expr: str) -> list[tuple[str, int]]:
    got = _PARSED.get(expr)
    if got is None:
        got = _PARSED[expr] = parse_size_conditions(expr)
    return got


@register_placeholder("size")
def _size(entry: FileEntry, ctx: FilterContext) -> SizeValue:
    return SizeValue(entry.stat().st_size)
