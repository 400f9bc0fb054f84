"""Recovery's decisions as values, and writing them to the history.

A :class:`Decision` settles one unfinished operation (done, not done, or
ambiguous), possibly depending on a change recovery applies first (finishing
an interrupted move); :func:`write_decisions` records them and
:func:`finish_crashed` marks each crashed run interrupted with its true counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from fileorganizer.history.models import enc, identity_values, operations, storable
from fileorganizer.history.records import (
    OpRecord,
    OpState,
    Outcome,
    RecoveryItem,
    RunInfo,
    RunStatus,
)
from fileorganizer.history.store import History
from fileorganizer.operations import Identity, Operation, OpKind, OpResult, OpStatus
from fileorganizer.plans import Plan


@dataclass
class Decision:
    """How one unfinished operation is settled; ``op`` is the change it needs first."""

    rec: OpRecord
    state: OpState
    outcome: Outcome
    message: str
    dst: str | None = None
    after: Identity | None = None
    #: a change on disk this decision depends on (finishing a move), if any
    op: Operation | None = None
    #: what holds instead when ``op`` is not done
    otherwise: tuple[OpState, Outcome, str] | None = None

    def settle(self, result: OpResult | None) -> None:
        """Take the result of ``op`` into account."""
        if self.op is not None and (result is None or result.status is not OpStatus.DONE):
            assert self.otherwise is not None
            why = f" ({result.error or result.reason})" if result is not None else ""
            self.state, self.outcome, message = self.otherwise
            self.message = message + why


@dataclass
class RecoveryPlan:
    """The decisions, and the plan of changes some of them need (clean-ups included)."""

    decisions: list[Decision] = field(default_factory=list)
    plan: Plan = field(default_factory=Plan)


def write_decisions(history: History, decisions: Iterable[Decision]) -> list[RecoveryItem]:
    """Record each decision in the history (one transaction)."""
    from sqlalchemy import update

    items: list[RecoveryItem] = []
    with history.transaction() as conn:
        for d in decisions:
            values: dict[str, object] = {"state": d.state.value}
            if d.state is OpState.DONE:
                values["dst"] = enc(d.dst)
                values.update(identity_values("after_", d.after))
                if d.rec.kind is OpKind.TRASH:
                    values["trash_path"] = enc(d.dst)
            values["error" if d.state is OpState.FAILED else "reason"] = storable(d.message)
            conn.execute(update(operations).where(operations.c.id == d.rec.id).values(**values))
            if d.state is OpState.DONE and d.rec.reverses is not None:
                conn.execute(
                    update(operations)
                    .where(operations.c.id == d.rec.reverses)
                    .values(state=OpState.UNDONE.value, undone_by=d.rec.run_id)
                )
            items.append(RecoveryItem(d.rec, d.outcome, d.message))
    return items


#: Applies a recovery plan (the session's: lock held, through the executor).
ApplyFn = Callable[[Plan], list[OpResult]]


def crashed_runs(history: History, owned: Callable[[RunInfo], bool] | None = None) -> list[RunInfo]:
    """Runs still marked running whose process is gone (``owned`` decides; default: all)."""
    return [r for r in history.unfinished_runs() if owned is None or owned(r)]


def finish_crashed(history: History, runs: Iterable[RunInfo]) -> list[int]:
    """Mark each crashed run interrupted, with its counts as the journal now says."""
    out = []
    for run in runs:
        history.finish_run(run.id, status=RunStatus.INTERRUPTED)
        history.set_run_status(run.id, RunStatus.INTERRUPTED, "interrupted; reconciled at start-up")
        out.append(run.id)
    return out
