"""The ``history`` table, readable at 80 columns and narrower.

Ids, start times, modes and statuses are never cut: when the full table is
wider than the terminal, columns that are zero in every row go first, then the
``planned`` column, and at last the counts share one column that wraps.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from fileorganizer.states import RunMode

if TYPE_CHECKING:
    from fileorganizer.history import RunInfo

#: the counts, most useful first
COUNTS = ("done", "failed", "skipped", "undone", "planned")
#: spaces between two columns of a Rich table without a box
GAP = 2

_RELATIVE = re.compile(r"^\s*(\d+)\s*(m|min|h|d|w)\w*\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_age(text: str) -> timedelta | None:
    """An age: ``30m``, ``12h``, ``7d``, ``2w`` (None: not one)."""
    m = _RELATIVE.match(text)
    if not m:
        return None
    unit = m[2].lower()
    unit = "min" if unit == "min" else unit[0]
    return timedelta(**{_UNITS[unit]: int(m[1])})


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """``--since``: ``2026-01-31``, ``2026-01-31 14:00``, or ``30m``/``12h``/``7d``/``2w`` ago.

    Raises ValueError with a message that says what is accepted.
    """
    delta = parse_age(text)
    if delta is not None:
        return (now or datetime.now()) - delta
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"--since {text!r}: give a date (2026-01-31), a date and time "
            "(2026-01-31 14:00) or an age (30m, 12h, 7d, 2w)"
        ) from None


def when(run: RunInfo) -> str:
    """A run's start time, to the second."""
    return run.started_at.strftime("%Y-%m-%d %H:%M:%S")


def mode_text(run: RunInfo) -> str:
    """The mode, with the run an undo reversed (``undo of 12``)."""
    return f"{run.mode} of {run.undo_of}" if run.undo_of else str(run.mode)


def _count(run: RunInfo, name: str) -> int:
    value = getattr(run, name)
    return int(value)


def counts_text(run: RunInfo, names: Sequence[str]) -> str:
    """``10 done, 2 failed`` (zeros left out; ``-`` when all are zero)."""
    parts = [f"{_count(run, n)} {n}" for n in names if _count(run, n)]
    return ", ".join(parts) or "-"


def _width(cells: Sequence[str], header: str) -> int:
    return max([len(header), *(len(c) for c in cells)])


def history_table(runs: Sequence[RunInfo], width: int) -> RenderableType:
    """The runs, fitting ``width`` columns without cutting ids, dates or modes.

    As a table with a column per count when that fits (zero-only columns and
    then ``planned`` dropped first); else each run's counts go on a line of
    their own under it, wrapped.
    """
    fixed: dict[str, list[str]] = {
        "id": [str(r.id) for r in runs],
        "started": [when(r) for r in runs],
        "mode": [mode_text(r) for r in runs],
        "status": [str(r.status) for r in runs],
    }
    widths = {h: _width(cells, h) for h, cells in fixed.items()}
    fixed_width = sum(widths.values()) + GAP * (len(fixed) - 1)
    counts = [c for c in COUNTS if any(_count(r, c) for r in runs)] or ["done"]
    order = [c for c in ("planned", "done", "skipped", "failed", "undone") if c in counts]

    def wide_width(names: Sequence[str]) -> int:
        return fixed_width + sum(GAP + _width([str(_count(r, n)) for r in runs], n) for n in names)

    if wide_width(order) > width and "planned" in order:
        order.remove("planned")
    if wide_width(order) > width:
        return _two_line_rows(runs, fixed, widths, width)
    table = Table(box=None, pad_edge=False, header_style="bold")
    for header in fixed:
        table.add_column(header, justify="right" if header == "id" else "left", no_wrap=True)
    for name in order:
        table.add_column(name, justify="right", no_wrap=True)
    for i, r in enumerate(runs):
        table.add_row(*(cells[i] for cells in fixed.values()), *(str(_count(r, n)) for n in order))
    return table


def _two_line_rows(
    runs: Sequence[RunInfo], fixed: dict[str, list[str]], widths: dict[str, int], width: int
) -> RenderableType:
    """Narrow terminals: id, start, mode, status on one line; the counts wrapped below."""
    indent = " " * (widths["id"] + GAP)
    gap = " " * GAP

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        parts = [first.rjust(widths["id"])]
        parts += [c.ljust(widths[h]) for c, h in zip(rest, list(fixed)[1:], strict=True)]
        return gap.join(parts).rstrip()

    out = [Text(line(list(fixed)), style="bold")]
    for i, r in enumerate(runs):
        out.append(Text(line([cells[i] for cells in fixed.values()])))
        names = [c for c in COUNTS if c != "planned"]
        if r.mode is RunMode.SIM or not any(_count(r, n) for n in names):
            names.append("planned")
        wrapped = textwrap.wrap(
            counts_text(r, names),
            width=max(width, len(indent) + 20),
            initial_indent=indent,
            subsequent_indent=indent,
        )
        out.extend(Text(w, style="dim") for w in wrapped)
    return Group(*out)
