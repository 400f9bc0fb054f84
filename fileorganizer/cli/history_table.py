"""The ``history`` table, readable at 80 columns and narrower.

Ids, start times, modes and statuses are never cut: when the full table is
wider than the terminal, columns that are zero in every row go first, then the
``planned`` column, and at last the counts share one column that wraps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from rich.table import Table

if TYPE_CHECKING:
    from fileorganizer.history import RunInfo

#: the count columns, most useful first (the last ones are dropped first)
COUNTS = ("done", "failed", "skipped", "undone", "planned")
#: spaces between two columns of a Rich table without a box
GAP = 2

_RELATIVE = re.compile(r"^\s*(\d+)\s*(m|min|h|d|w)\w*\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """``--since``: ``2026-01-31``, ``2026-01-31 14:00``, or ``30m``/``12h``/``7d``/``2w`` ago.

    Raises ValueError with a message that says what is accepted.
    """
    m = _RELATIVE.match(text)
    if m:
        unit = m[2].lower()
        unit = "min" if unit == "min" else unit[0]
        delta = timedelta(**{_UNITS[unit]: int(m[1])})
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
    return f"{run.mode} of {run.undo_of}" if run.undo_of else run.mode


def _count(run: RunInfo, name: str) -> int:
    value = getattr(run, name)
    return int(value)


def counts_text(run: RunInfo, names: Sequence[str]) -> str:
    """``10 done, 2 failed`` (zeros left out; ``-`` when all are zero)."""
    parts = [f"{_count(run, n)} {n}" for n in names if _count(run, n)]
    return ", ".join(parts) or "-"


def _width(cells: Sequence[str], header: str) -> int:
    return max([len(header), *(len(c) for c in cells)])


def history_table(runs: Sequence[RunInfo], width: int) -> Table:
    """The runs as a table that fits ``width`` columns without cutting ids, dates or modes."""
    fixed = {
        "id": [str(r.id) for r in runs],
        "started": [when(r) for r in runs],
        "mode": [mode_text(r) for r in runs],
        "status": [r.status for r in runs],
    }
    fixed_width = sum(_width(cells, h) for h, cells in fixed.items()) + GAP * (len(fixed) - 1)
    counts = [c for c in COUNTS if any(_count(r, c) for r in runs)] or ["done"]
    order = [c for c in ("planned", "done", "skipped", "failed", "undone") if c in counts]

    def wide_width(names: Sequence[str]) -> int:
        return fixed_width + sum(GAP + _width([str(_count(r, n)) for r in runs], n) for n in names)

    if wide_width(order) > width and "planned" in order:
        order.remove("planned")
    table = Table(box=None, pad_edge=False, header_style="bold")
    for header in fixed:
        table.add_column(header, justify="right" if header == "id" else "left", no_wrap=True)
    wide = wide_width(order) <= width
    if wide:
        for name in order:
            table.add_column(name, justify="right", no_wrap=True)
    else:
        table.add_column("files", overflow="fold", ratio=1)
    for i, r in enumerate(runs):
        row = [cells[i] for cells in fixed.values()]
        if wide:
            row += [str(_count(r, n)) for n in order]
        else:
            row.append(counts_text(r, COUNTS))
        table.add_row(*row)
    return table
