"""What the history holds, as values: run modes and statuses, operation states, records.

No database code here (importing this module imports no SQLAlchemy): the
session, the watcher and the CLI use these enums and records without paying
for the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from fileorganizer.operations import Identity, OpKind, OpStatus


class RunMode(StrEnum):
    """What kind of pass a run was."""

    RUN = "run"
    SIM = "sim"
    WATCH = "watch"
    UNDO = "undo"
    #: the clean-up recovery applied for runs a crash left unfinished
    RECOVERY = "recovery"

    @property
    def changes_disk(self) -> bool:
        """Whether runs of this mode apply operations (a sim does not)."""
        return self is not RunMode.SIM

    @property
    def undoable(self) -> bool:
        """Whether ``undo`` may pick a run of this mode."""
        return self in (RunMode.RUN, RunMode.WATCH, RunMode.UNDO)


class RunStatus(StrEnum):
    """Where a run is, or how it ended."""

    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    #: a sim: planned, nothing applied
    PLANNED = "planned"


class OpState(StrEnum):
    """Where one journaled operation is."""

    #: journaled before acting; no result yet (recovery reconciles these)
    PLANNED = "planned"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"
    #: done, then reversed by an undo run (``undone_by``)
    UNDONE = "undone"

    @classmethod
    def of(cls, status: OpStatus) -> OpState:
        """The journal state recording an executor outcome."""
        return _STATE_OF[status]

    @property
    def finished(self) -> bool:
        """Whether the operation has a result."""
        return self is not OpState.PLANNED


_STATE_OF = {
    OpStatus.DONE: OpState.DONE,
    OpStatus.SKIPPED: OpState.SKIPPED,
    OpStatus.FAILED: OpState.FAILED,
}


@dataclass(frozen=True)
class RunInfo:
    """A run as ``history`` shows it."""

    id: int
    mode: RunMode
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    config_path: str | None
    config_hash: str | None
    undo_of: int | None
    planned: int
    done: int
    skipped: int
    failed: int
    problems: int
    undone: int = 0
    note: str | None = None
    host: str | None = None
    pid: int | None = None
    session: str | None = None

    @property
    def changed_something(self) -> bool:
        """Whether the run applied at least one operation."""
        return self.done > 0

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {
            "id": self.id,
            "mode": self.mode.value,
            "status": self.status.value,
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "finished_at": self.finished_at.isoformat(timespec="seconds")
            if self.finished_at
            else None,
            "config_path": self.config_path,
            "config_hash": self.config_hash,
            "undo_of": self.undo_of,
            "planned": self.planned,
            "done": self.done,
            "skipped": self.skipped,
            "failed": self.failed,
            "problems": self.problems,
            "undone": self.undone,
            "note": self.note,
            "host": self.host,
            "pid": self.pid,
            "session": self.session,
        }


@dataclass(frozen=True)
class OpRecord:
    """One journaled operation, paths decoded back to ``str``.

    ``identity_after`` is the identity of what the operation left behind; the
    journal stores it only where it differs from ``identity`` (a same-device
    move keeps inode, size and mtime), and reading fills it in.
    """

    id: int
    run_id: int
    seq: int
    ord: int
    op_id: str
    kind: OpKind
    rule: str
    action: str
    state: OpState
    src: str
    planned_dst: str | None
    dst: str | None
    temp_path: str | None
    trash_path: str | None
    same_as: str | None
    identity: Identity | None
    check_inode: bool
    identity_after: Identity | None
    created_dirs: list[str] = field(default_factory=list)
    error: str | None = None
    reason: str | None = None
    note: str | None = None
    undone_by: int | None = None
    reverses: int | None = None
    #: what a shell/write/macos_tags operation ran or wrote (the command line, the bytes)
    detail: bytes | None = None

    @property
    def final_dst(self) -> str | None:
        """Where the operation put its entry (the real destination, else the planned one)."""
        return self.dst or self.planned_dst

    @property
    def target(self) -> str | None:
        """Where the file went: the trash path for a trash, else the destination."""
        return self.trash_path if self.kind is OpKind.TRASH else self.final_dst

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {
            "id": self.id,
            "seq": self.seq,
            "op_id": self.op_id,
            "kind": self.kind.value,
            "rule": self.rule,
            "action": self.action,
            "state": self.state.value,
            "src": self.src,
            "dst": self.final_dst,
            "trash_path": self.trash_path,
            "error": self.error,
            "reason": self.reason,
            "note": self.note,
            "undone_by": self.undone_by,
            "reverses": self.reverses,
            "reversible": self.kind.reversible,
            "detail": None
            if self.detail is None
            else self.detail.decode("utf-8", "backslashreplace"),
        }


class Outcome(StrEnum):
    """What recovery decided for one unfinished operation."""

    DONE = "done"
    NOT_DONE = "not_done"
    AMBIGUOUS = "ambiguous"


@dataclass(frozen=True)
class RecoveryItem:
    """What recovery decided for one unfinished operation."""

    op: OpRecord
    outcome: Outcome
    message: str

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {
            "run_id": self.op.run_id,
            "op": self.op.to_dict(),
            "outcome": self.outcome.value,
            "message": self.message,
        }


@dataclass
class RecoveryReport:
    """What recovery found and did."""

    items: list[RecoveryItem] = field(default_factory=list)
    #: the crashed runs it marked interrupted
    runs: list[int] = field(default_factory=list)
    #: the run that journaled recovery's own changes on disk, if it made any
    run_id: int | None = None

    @property
    def ambiguous(self) -> list[RecoveryItem]:
        """Operations left for a human to look at."""
        return [i for i in self.items if i.outcome is Outcome.AMBIGUOUS]

    def __bool__(self) -> bool:
        return bool(self.items or self.runs)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {
            "runs": self.runs,
            "recovery_run": self.run_id,
            "items": [i.to_dict() for i in self.items],
        }
