"""What applying a plan did: :class:`RunResult`, per-operation results and counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from fileorganizer.operations import OpResult, OpStatus
from fileorganizer.report import Problem


@dataclass
class RunResult:
    """What a run did: per-operation results, plus files that could not be planned.

    ``counts`` always covers every operation. ``results`` holds every result
    unless the run was told not to keep the successful ones (a large run whose
    caller only needs the counts); skipped and failed results are always kept.
    """

    results: list[OpResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    run_id: int | None = None
    #: a stop was requested (SIGINT/SIGTERM): the rest of the plan was not applied
    interrupted: bool = False
    #: operations of the plan never started because of the stop
    not_started: int = 0
    counts: dict[OpStatus, int] = field(default_factory=lambda: dict.fromkeys(OpStatus, 0))
    keep_done: bool = True

    def add(self, result: OpResult) -> None:
        """Count ``result`` and keep it (successful ones only when ``keep_done``)."""
        self.counts[result.status] += 1
        if self.keep_done or result.status is not OpStatus.DONE:
            self.results.append(result)

    @property
    def applied(self) -> list[OpResult]:
        """Operations carried out (empty when ``keep_done`` is off; see ``counts``)."""
        return [r for r in self.results if r.status is OpStatus.DONE]

    @property
    def skipped(self) -> list[OpResult]:
        """Operations skipped (source gone or changed, conflict policy skip)."""
        return [r for r in self.results if r.status is OpStatus.SKIPPED]

    @property
    def failed(self) -> list[OpResult]:
        """Operations that failed."""
        return [r for r in self.results if r.status is OpStatus.FAILED]

    @property
    def ok(self) -> bool:
        """True when nothing failed, every file could be planned, and nothing was cut short."""
        return not self.counts[OpStatus.FAILED] and not self.problems and not self.interrupted

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready summary."""
        return {
            "run_id": self.run_id,
            "applied": self.counts[OpStatus.DONE],
            "skipped": self.counts[OpStatus.SKIPPED],
            "failed": self.counts[OpStatus.FAILED],
            "problems": len(self.problems),
            "interrupted": self.interrupted,
            "not_started": self.not_started,
        }
