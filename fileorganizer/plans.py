"""The plan as a value: what a run, an undo or a recovery will do, and what it leaves.

A :class:`Plan` is made by the planner (rules), by undo (the reverse of a
recorded run) or by recovery (from what the disk shows after a crash). The
executor applies it; ``sim`` and ``undo --dry-run`` render it. Nothing here
touches the disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fileorganizer.operations import Operation, OpKind
from fileorganizer.report import Problem


@dataclass(frozen=True, slots=True)
class Skip:
    """A file the plan leaves alone on purpose, and why (shown by ``sim`` and ``undo``)."""

    path: str
    rule: str
    reason: str
    #: an operation undo cannot reverse (a permanent delete)
    irreversible: bool = False

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {
            "path": self.path,
            "rule": self.rule,
            "reason": self.reason,
            "irreversible": self.irreversible,
        }


@dataclass
class Plan:
    """What a run will do: operations in order, plus files that could not be planned."""

    operations: list[Operation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    config_path: str | None = None
    config_hash: str = ""
    entries_seen: int = 0
    created_at: datetime = field(default_factory=datetime.now)
    #: for an undo plan: the run it reverses
    undo_of: int | None = None
    #: planning stopped early on request (nothing of it should be applied)
    interrupted: bool = False
    #: how many planned operations act on files an earlier undo had put back
    put_back: int = 0
    #: paths the rules' scans left out, and why (only when asked: ``sim -v``)
    unseen: list[Skip] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.operations)

    @property
    def irreversible(self) -> list[Operation]:
        """Operations undo cannot reverse (permanent deletes)."""
        return [op for op in self.operations if not op.reversible]

    @property
    def changes(self) -> int:
        """How many operations change the disk (everything but ``echo``)."""
        return sum(1 for op in self.operations if op.kind is not OpKind.ECHO)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description of the whole plan."""
        return {
            "operations": [op.to_dict() for op in self.operations],
            "problems": [p.to_dict() for p in self.problems],
            "skips": [s.to_dict() for s in self.skips],
        }


@dataclass
class FilterTrace:
    """One filter's verdict on one file (for ``explain``)."""

    name: str
    negate: bool
    matched: bool
    value: Any
    error: str | None = None


@dataclass
class RuleTrace:
    """How one rule judged one file (for ``explain``)."""

    rule: str
    in_location: bool
    filters: list[FilterTrace] = field(default_factory=list)
    matched: bool = False
    operations: list[Operation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: why the file was not even looked at (excluded, too deep, a symlink, ...)
    not_seen: str | None = None
    #: the rule is disabled or left out by --tags/--skip-tags
    disabled: str | None = None
