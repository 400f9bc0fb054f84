"""Pruning the history: forget runs older than a cut-off, keeping what undo still needs.

A run older than the cut-off is removed with its operations, unless a run that
is kept refers to it (an undo of it, or an undo whose operations reverse its
own): undoing the kept runs must still work. Runs still marked ``running``
(recovery has not seen them yet) are always kept. Files a pruned run moved to
the trash stay in the trash; only the record of how to bring them back goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from fileorganizer.history.models import operations, runs
from fileorganizer.history.records import RunStatus
from fileorganizer.history.store import History


@dataclass
class PruneResult:
    """What :func:`prune` removed (or, with ``dry_run``, would remove)."""

    cutoff: datetime
    dry_run: bool
    runs: list[int] = field(default_factory=list)
    operations: int = 0
    #: old runs kept because a kept run still refers to them
    kept: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {
            "cutoff": self.cutoff.isoformat(timespec="seconds"),
            "dry_run": self.dry_run,
            "runs": self.runs,
            "operations": self.operations,
            "kept": self.kept,
        }


def prune(
    history: History,
    older_than: timedelta,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
) -> PruneResult:
    """Remove the runs started before ``now - older_than`` that nothing kept refers to."""
    cutoff = (now or datetime.now()) - older_than
    result = PruneResult(cutoff, dry_run)
    r, o = runs.c, operations.c
    with history.transaction() as conn:
        old = {
            int(i)
            for i in conn.execute(
                select(r.id).where(r.started_at < cutoff, r.status != RunStatus.RUNNING.value)
            ).scalars()
        }
        kept_runs = {int(i) for i in conn.execute(select(r.id)).scalars()} - old
        # the runs each run refers to: the run it undoes, and the runs of the
        # operations its operations reverse
        refers: dict[int, set[int]] = {}
        for run_id, undo_of in conn.execute(select(r.id, r.undo_of).where(r.undo_of.is_not(None))):
            refers.setdefault(int(run_id), set()).add(int(undo_of))
        reversed_op = operations.alias("reversed_op")
        for run_id, target in conn.execute(
            select(o.run_id, reversed_op.c.run_id)
            .join(reversed_op, reversed_op.c.id == o.reverses)
            .distinct()
        ):
            refers.setdefault(int(run_id), set()).add(int(target))
        # keep the closure of what kept runs refer to
        todo = list(kept_runs)
        while todo:
            for target in refers.get(todo.pop(), ()):
                if target in old:
                    old.discard(target)
                    kept_runs.add(target)
                    result.kept.append(target)
                    todo.append(target)
        result.runs = sorted(old)
        result.kept.sort()
        if not old:
            return result
        ids = sorted(old)
        result.operations = int(
            conn.execute(select(func.count()).where(o.run_id.in_(ids))).scalar_one()
        )
        if not dry_run:
            conn.execute(delete(operations).where(o.run_id.in_(ids)))
            conn.execute(delete(runs).where(r.id.in_(ids)))
    return result
