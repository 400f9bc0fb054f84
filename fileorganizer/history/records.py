"""What the history holds, as values: run modes and statuses, operation states, records.

No database code here (importing this module imports no SQLAlchemy): the
session, the watcher and the CLI use these enums and records without paying
for the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from fileorganizer.operations import Identity, OpKind
from fileorganizer.states import OpState, RunMode, RunStatus

__all__ = [
    "OpRecord",
    "OpState",
    "Outcome",
    "RecoveryItem",
    "RecoveryReport",
    "RunInfo",
    "RunMode",
    "RunStatus",
]


def same_file_seen_from(here: Identity, recorded: Identity, *, other_host: bool) -> bool:
    """Whether ``here`` (a stat on this host) is the file ``recorded`` describes.

    A device number is the host's own name for a file system: a share mounted on
    two hosts (NFS, a Kubernetes volume on two nodes) has a different ``st_dev``
    on each, while its inode numbers, sizes and mtimes agree. So for a record
    made on ``other_host`` the device is left out (at a given path, the file
    system is the share either way).
    """
    if other_host:
        return (here.ino, here.size, here.mtime_ns) == (
            recorded.ino,
            recorded.size,
            recorded.mtime_ns,
        )
    return here.same_file(recorded)


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
    #: the lock keys the run held (``x:KEY``/``s:KEY``, shared history only)
    locks: str | None = None

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
            "locks": self.locks,
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
