"""One watch batch: a call of :func:`~fileorganizer.session.organize`, and its reporting.

:func:`organize_batch` plans and applies the watcher's stable files as one
history run (the same planner, executor, journal and lock as ``run``);
:class:`WatchReporter` is the reporter with the watcher's own events.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from fileorganizer.config import Config
from fileorganizer.operations import Operation, OpResult
from fileorganizer.report import Problem, Reporter
from fileorganizer.session import SessionOptions, SessionResult, organize


class WatchReporter(Reporter):
    """A :class:`Reporter` with the watcher's own events (all optional no-ops)."""

    def batch(self, session: SessionResult) -> None:
        """A batch was planned and applied."""

    def loop_stopped(self, path: str, moves: int, window: float) -> None:
        """The loop guard stopped ``path`` after ``moves`` moves within ``window`` s."""

    def location_missing(self, path: str) -> None:
        """A watched folder disappeared."""

    def location_back(self, path: str) -> None:
        """A watched folder that had disappeared is back and watched again."""

    def rescanned(self, reason: str, files: int) -> None:
        """A rescan (``catch-up``, ``periodic``, ``overflow``, ...) enqueued ``files`` files."""


def organize_batch(config: Config, options: SessionOptions, only: Sequence[str]) -> SessionResult:
    """One watch batch: :func:`~fileorganizer.session.organize` restricted to ``only``."""
    return organize(config, replace(options, only=list(only)))


def tolerant_config(config: Config) -> Config:
    """``config`` with every location marked ``ignore_errors``.

    The watcher reports a vanished folder itself; a batch for another folder
    must not fail because one location is gone.
    """
    rules = tuple(
        replace(
            rule,
            locations=tuple(
                loc.model_copy(update={"ignore_errors": True}) for loc in rule.locations
            ),
        )
        for rule in config.rules
    )
    return replace(config, rules=rules)


class _BatchReporter(Reporter):
    """Forwards engine events and keeps the heartbeat fresh during a long batch."""

    wants_progress = True

    def __init__(self, inner: Reporter, beat: Callable[[], None]) -> None:
        self.inner = inner
        self.beat = beat

    def planned(self, op: Operation) -> None:
        self.inner.planned(op)

    def problem(self, problem: Problem) -> None:
        self.inner.problem(problem)

    def applied(self, result: OpResult) -> None:
        self.inner.applied(result)

    def skipped(self, result: OpResult) -> None:
        self.inner.skipped(result)

    def failed(self, result: OpResult) -> None:
        self.inner.failed(result)

    def echo(self, op: Operation) -> None:
        self.inner.echo(op)

    def progress(self, done: int, total: int | None, phase: str) -> None:
        self.beat()
        if self.inner.wants_progress:
            self.inner.progress(done, total, phase)

    def log(self, level: str, message: str) -> None:
        self.inner.log(level, message)
