"""The Reporter protocol: the engine emits events here and never prints."""

from __future__ import annotations

from dataclasses import dataclass

from fileorganizer.operations import Operation, OpResult


@dataclass(frozen=True, slots=True)
class Problem:
    """A per-file problem found while planning (bad template value, unreadable file)."""

    path: str
    message: str
    rule: str | None = None

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {"path": self.path, "rule": self.rule, "message": self.message}


class Reporter:
    """Receives engine events. The base class ignores them all, at no cost.

    Subclass and override what you need; the CLI renders these with Rich.
    """

    wants_progress: bool = False

    def planned(self, op: Operation) -> None:
        """An operation was added to the plan."""

    def problem(self, problem: Problem) -> None:
        """A file could not be planned (it stays where it is)."""

    def applied(self, result: OpResult) -> None:
        """An operation was carried out."""

    def skipped(self, result: OpResult) -> None:
        """An operation was skipped (source gone, conflict policy skip, ...)."""

    def failed(self, result: OpResult) -> None:
        """An operation failed; the run goes on."""

    def echo(self, op: Operation) -> None:
        """An ``echo`` action's message."""

    def progress(self, done: int, total: int | None, phase: str) -> None:
        """Progress of a phase ("scan", "plan", "apply"); only when wants_progress."""

    def log(self, level: str, message: str) -> None:
        """A free-form diagnostic (shown with --verbose)."""


class CollectingReporter(Reporter):
    """Keeps every event in lists (handy in tests and scripts)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def planned(self, op: Operation) -> None:
        self.events.append(("planned", op))

    def problem(self, problem: Problem) -> None:
        self.events.append(("problem", problem))

    def applied(self, result: OpResult) -> None:
        self.events.append(("applied", result))

    def skipped(self, result: OpResult) -> None:
        self.events.append(("skipped", result))

    def failed(self, result: OpResult) -> None:
        self.events.append(("failed", result))

    def echo(self, op: Operation) -> None:
        self.events.append(("echo", op))

    def log(self, level: str, message: str) -> None:
        self.events.append((level, message))
