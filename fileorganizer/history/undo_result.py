"""What an undo did: :class:`UndoResult`, its plan and (if applied) the executor's result."""

from __future__ import annotations

from dataclasses import dataclass

from fileorganizer.operations import Operation, OpKind, OpStatus
from fileorganizer.plans import Plan, Skip
from fileorganizer.results import RunResult

#: operations on the folders a run made (counted apart from the files undone)
FOLDER_KINDS = frozenset({OpKind.RMDIR, OpKind.MKDIR})


@dataclass
class UndoResult:
    """What an undo did (or, with ``dry_run``, would do): its plan and, if applied, the result."""

    target_run: int
    run_id: int | None
    dry_run: bool
    plan: Plan
    result: RunResult | None = None

    def _ops(self, *, folders: bool) -> list[Operation]:
        """Reversals (or folder removals) done, or in a dry run planned."""
        if self.result is None:
            ops = self.plan.operations
        else:
            ops = [r.op for r in self.result.results if r.status is OpStatus.DONE]
        return [op for op in ops if (op.kind in FOLDER_KINDS) == folders]

    @property
    def done(self) -> list[Operation]:
        """The operations that reversed one of the run's (in a dry run: would)."""
        return self._ops(folders=False)

    @property
    def removed_dirs(self) -> list[str]:
        """Folders the run made that the undo removed (in a dry run: would remove)."""
        return [op.src for op in self._ops(folders=True) if op.kind is OpKind.RMDIR]

    @property
    def refused(self) -> list[Skip]:
        """Files left alone, each with its reason (planned, or found at apply time)."""
        out = [s for s in self.plan.skips if not s.irreversible]
        if self.result is not None:
            out.extend(
                Skip(r.op.src, r.op.rule, r.reason or r.error or "")
                for r in self.result.results
                if r.status is not OpStatus.DONE and r.op.reverses is not None
            )
        return out

    @property
    def n_done(self) -> int:
        """Operations reversed (in a dry run: planned)."""
        return len(self.done)

    @property
    def n_refused(self) -> int:
        """Files left alone (planned skips, plus skips and failures at apply time)."""
        return len(self.refused)

    @property
    def n_irreversible(self) -> int:
        """Operations that cannot be undone (permanent deletes)."""
        return sum(1 for s in self.plan.skips if s.irreversible)

    @property
    def ok(self) -> bool:
        """Everything reversible was reversed (and the undo was not cut short)."""
        interrupted = self.result is not None and self.result.interrupted
        return not self.n_refused and not self.n_irreversible and not interrupted

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {
            "undo_of": self.target_run,
            "run_id": self.run_id,
            "dry_run": self.dry_run,
            "undone": self.n_done,
            "refused": self.n_refused,
            "irreversible": self.n_irreversible,
            "interrupted": bool(self.result and self.result.interrupted),
            "operations": [op.to_dict() for op in self.plan.operations]
            if self.result is None
            else [r.to_dict() for r in self.result.results],
            "skips": [s.to_dict() for s in self.plan.skips],
            "removed_dirs": self.removed_dirs,
        }
