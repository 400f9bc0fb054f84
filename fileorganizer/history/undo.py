"""Undo: reverse a run's operations, newest first, one file at a time.

Before putting a file back, undo checks that it is unchanged since the run
(inode, size, mtime_ns) and that its original place is free; otherwise it
leaves that file alone and says why. Missing parent folders are recreated;
folders the run created are removed once empty. A copy is deleted only if it
is unchanged and still byte-identical to its original. Trashed (and
overwritten) files come back from where the history says they went.

An undo is itself a run (mode ``undo``), journaled like any other, so it can
be undone and is recovered after a crash. A permanent ``delete`` cannot be
undone: it is reported.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from fileorganizer import fsops
from fileorganizer.crash import crashpoint
from fileorganizer.errors import DestinationExistsError, FileOrganizerError, UndoError
from fileorganizer.history.store import (
    DONE,
    FAILED,
    SKIPPED,
    History,
    OpRecord,
    Reversal,
    ReversalResult,
    RunJournal,
    missing_parents,
)
from fileorganizer.operations import Identity, new_op_id

#: What reverses each kind. ``delete`` has no inverse.
INVERSE = {
    "move": "move",
    "rename": "rename",
    "trash": "restore",
    "restore": "trash",
    "copy": "remove_copy",
    "remove_copy": "copy",
    "symlink": "remove_symlink",
    "remove_symlink": "symlink",
    "hardlink": "remove_hardlink",
    "remove_hardlink": "hardlink",
}

BATCH = 500


class Refused(Exception):
    """One file undo leaves alone, with the reason."""


@dataclass
class UndoStep:
    """One planned reversal: ``kind`` applied to ``src`` (-> ``dst``)."""

    op: OpRecord
    kind: str
    src: str
    dst: str | None
    expected: Identity | None
    op_id: str = field(default_factory=new_op_id)
    trash_path: str | None = None
    same_as: str | None = None
    # outcome
    status: str = "planned"  # planned | done | refused | failed | irreversible
    reason: str | None = None
    final_dst: str | None = None
    created_dirs: list[str] = field(default_factory=list)
    identity_after: Identity | None = None
    #: the id of this step's row in the undo run's journal, once journaled
    row_id: int | None = None

    @property
    def temp_path(self) -> str | None:
        """The temporary name used beside the destination."""
        target = self.dst if self.kind != "trash" else self.trash_path
        return fsops.temp_path_for(target, self.op_id) if target else None

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {
            "op": self.op.id,
            "original_kind": self.op.kind,
            "kind": self.kind,
            "src": self.src,
            "dst": self.final_dst or self.dst,
            "status": self.status,
            "reason": self.reason,
        }


@dataclass
class UndoResult:
    """What an undo did (or, with ``dry_run``, would do).

    ``steps`` holds every step unless the undo was asked not to keep them
    (``keep_steps=False``: a large undo streams its steps to ``on_step``);
    the counts are always complete.
    """

    target_run: int
    run_id: int | None
    dry_run: bool
    steps: list[UndoStep] = field(default_factory=list)
    removed_dirs: list[str] = field(default_factory=list)
    #: how many steps were reversed, refused (or failed), irreversible
    n_done: int = 0
    n_refused: int = 0
    n_irreversible: int = 0

    def __post_init__(self) -> None:
        for step in self.steps:
            self._count(step)

    def _count(self, step: UndoStep) -> None:
        status = step.status
        if status in _DONE:
            self.n_done += 1
        elif status in _REFUSED:
            self.n_refused += 1
        elif status == "irreversible":
            self.n_irreversible += 1

    def add(self, step: UndoStep, *, keep: bool = True) -> None:
        """Count a finished step (and keep it in ``steps`` if ``keep``)."""
        self._count(step)
        if keep:
            self.steps.append(step)

    @property
    def done(self) -> list[UndoStep]:
        """Reversed (or, in a dry run, reversible now)."""
        return [s for s in self.steps if s.status in _DONE]

    @property
    def refused(self) -> list[UndoStep]:
        """Files left alone, each with a reason."""
        return [s for s in self.steps if s.status in _REFUSED]

    @property
    def irreversible(self) -> list[UndoStep]:
        """Operations that cannot be undone (permanent deletes)."""
        return [s for s in self.steps if s.status == "irreversible"]

    @property
    def ok(self) -> bool:
        """Everything reversible was reversed."""
        return not self.n_refused and not self.n_irreversible

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {
            "undo_of": self.target_run,
            "run_id": self.run_id,
            "dry_run": self.dry_run,
            "undone": self.n_done,
            "refused": self.n_refused,
            "irreversible": self.n_irreversible,
            "steps": [s.to_dict() for s in self.steps],
            "removed_dirs": self.removed_dirs,
        }


_DONE = ("done", "would_undo")
_REFUSED = ("refused", "failed")


def _check_undoable(history: History, run_id: int) -> None:
    run = history.run(run_id)
    if run.mode == "sim":
        raise UndoError(f"run {run_id} was a sim: it changed nothing")
    if run.status == "running":
        raise UndoError(f"run {run_id} is still running (or was interrupted; run recovery first)")


def planned_batches(history: History, run_id: int, batch: int = BATCH) -> Iterator[list[UndoStep]]:
    """The reversals of ``run_id``'s done operations, newest first, a batch at a time.

    Reads the history page by page, so memory does not grow with the run.
    Does not check whether the run can be undone (see :func:`plan_undo`).
    """
    for records in history.iter_operations(run_id, states=[DONE], newest_first=True, batch=batch):
        yield [_step_for(rec) for rec in records if rec.kind != "echo"]


def plan_undo(history: History, run_id: int) -> list[UndoStep]:
    """The reversals of ``run_id``'s done operations, newest first."""
    _check_undoable(history, run_id)
    return [step for steps in planned_batches(history, run_id) for step in steps]


def _step_for(rec: OpRecord) -> UndoStep:
    kind = INVERSE.get(rec.kind)
    after = rec.identity_after
    if kind is None:
        what = "permanently deleted" if rec.kind == "delete" else f"a {rec.kind}"
        step = UndoStep(rec, rec.kind, rec.src, None, None)
        step.status = "irreversible"
        step.reason = f"cannot be undone: {rec.src} was {what}"
        return step
    if kind in ("move", "rename"):
        return UndoStep(rec, kind, rec.dst or rec.planned_dst or "", rec.src, after)
    if kind == "restore":
        return UndoStep(rec, kind, rec.trash_path or "", rec.src, after, trash_path=rec.trash_path)
    if kind == "trash":
        return UndoStep(rec, kind, rec.dst or rec.planned_dst or "", None, after)
    if kind in ("remove_copy", "remove_symlink", "remove_hardlink"):
        return UndoStep(rec, kind, rec.src, rec.dst or rec.planned_dst, after)
    # copy / symlink / hardlink again (undo of an undo)
    return UndoStep(rec, kind, rec.src, rec.dst or rec.planned_dst, None)


def _describe_change(path: str, now: Identity, expected: Identity) -> str:
    if (now.dev, now.ino) != (expected.dev, expected.ino):
        return f"{path} is a different file than the run left there (moved away or replaced)"
    return f"{path} changed after the run"


def _check_unchanged(path: str, expected: Identity | None) -> Identity:
    try:
        now = Identity.of(path)
    except FileNotFoundError:
        raise Refused(f"{path} is gone (moved away or deleted after the run)") from None
    if expected is None:
        raise Refused(f"no identity recorded for {path}; left alone")
    if not now.same_file(expected):
        raise Refused(_describe_change(path, now, expected))
    return now


def _check_free(path: str) -> None:
    if os.path.lexists(path):
        raise Refused(f"original place {path} is occupied")


def check_step(step: UndoStep) -> None:
    """Raise :class:`Refused` if ``step`` cannot be applied now (touches nothing)."""
    kind = step.kind
    if kind in ("move", "rename", "restore"):
        _check_unchanged(step.src, step.expected)
        assert step.dst is not None
        _check_free(step.dst)
    elif kind == "trash":
        _check_unchanged(step.src, step.expected)
    elif kind == "remove_copy":
        assert step.dst is not None
        _check_unchanged(step.dst, step.expected)
        if not fsops.same_bytes(step.src, step.dst):
            raise Refused(
                f"the original {step.src} is gone or differs from the copy; copy {step.dst} kept"
            )
    elif kind in ("remove_symlink", "remove_hardlink"):
        assert step.dst is not None
        _check_unchanged(step.dst, step.expected)
    elif kind in ("copy", "symlink", "hardlink"):
        if kind != "symlink" and not os.path.lexists(step.src):
            raise Refused(f"the original {step.src} is gone; cannot recreate {step.dst}")
        assert step.dst is not None
        _check_free(step.dst)


class _Applier:
    def __init__(self, history: History, trash: fsops.Trash, run_id: int) -> None:
        self.history = history
        self.trash = trash
        self.run_id = run_id
        self.journal = RunJournal(history, run_id)

    def journal_intents(self, steps: Sequence[UndoStep], first_seq: int) -> None:
        """Reserve trash slots and commit the steps' intents (one durable transaction)."""
        reversals: list[Reversal] = []
        cache: dict[str, bool] = {}  # per batch: the batch before may have made folders
        for i, step in enumerate(steps):
            kind = step.kind
            if kind == "trash":
                try:
                    slot = self.trash.reserve(step.src, step.op_id)
                    step.trash_path = slot.files_path
                except OSError:
                    step.trash_path = None
            dst = step.dst
            op = step.op
            reversals.append(
                Reversal(
                    first_seq + i,
                    step.op_id,
                    kind,
                    op.rule,
                    step.src,
                    dst,
                    step.temp_path,
                    step.trash_path,
                    f"undo of operation {op.id} (run {op.run_id})",
                    step.expected,
                    missing_parents(dst, cache) if dst and kind in _CREATES_DST else [],
                    op.id,
                )
            )
        first_id = self.journal.record_reversals(reversals)
        for k, step in enumerate(steps):
            step.row_id = first_id + k

    def apply(self, step: UndoStep) -> None:
        try:
            check_step(step)
            self._do(step)
            step.status = "done"
        except Refused as exc:
            step.status, step.reason = "refused", str(exc)
        except DestinationExistsError as exc:
            step.status, step.reason = "refused", f"original place {exc.path} is occupied"
        except (OSError, FileOrganizerError) as exc:
            step.status, step.reason = "failed", str(exc)
        crashpoint("undo_after_rename")

    def _do(self, step: UndoStep) -> None:
        kind = step.kind
        temp = step.temp_path
        if kind in ("move", "rename", "restore", "copy", "symlink", "hardlink"):
            assert step.dst is not None and temp is not None
            step.created_dirs = fsops.makedirs(os.path.dirname(step.dst))
            if kind == "restore":
                self.trash.restore(step.src, step.dst, temp)
            elif kind == "copy":
                fsops.copy(step.src, step.dst, temp)
            elif kind == "symlink":
                fsops.symlink(step.src, step.dst)
            elif kind == "hardlink":
                fsops.hardlink(step.src, step.dst)
            else:
                fsops.move(step.src, step.dst, temp, expected=step.expected)
            step.final_dst = step.dst
            step.identity_after = Identity.of(step.dst)
        elif kind == "trash":
            if step.trash_path is None:
                raise Refused("no trash folder available")
            slot = fsops.TrashSlot(step.trash_path, fsops.Trash.info_path_of(step.trash_path))
            assert temp is not None
            where = self.trash.put(step.src, slot, temp, expected=step.expected)
            step.final_dst = where
            step.identity_after = Identity.of(where)
        else:  # remove_copy / remove_symlink / remove_hardlink
            assert step.dst is not None and step.expected is not None
            fsops.remove_if_unchanged(step.dst, step.expected)
            step.final_dst = step.dst

    def record_results(self, steps: Sequence[UndoStep]) -> None:
        """Commit the steps' results and mark the reversed operations undone (one transaction)."""
        results: list[ReversalResult] = []
        undone: list[int] = []
        for step in steps:
            status = step.status
            assert step.row_id is not None
            results.append(
                ReversalResult(
                    step.row_id,
                    _STATE.get(status, FAILED),
                    step.final_dst or step.dst,
                    step.reason if status == "failed" else None,
                    step.reason if status == "refused" else None,
                    step.identity_after,
                    step.created_dirs,
                    step.final_dst if step.kind == "trash" and step.final_dst else None,
                )
            )
            if status == "done":
                undone.append(step.op.id)
        self.journal.record_reversal_results(results, undone)


_STATE = {"done": DONE, "refused": SKIPPED}
_CREATES_DST = frozenset({"move", "rename", "restore", "copy", "symlink", "hardlink"})


def _remove_created_dirs(history: History, run_id: int) -> list[str]:
    dirs = history.created_dirs(run_id)
    removed = []
    for d in sorted(dirs, key=lambda p: (p.count(os.sep), p), reverse=True):
        if fsops.remove_empty_dir(d):
            removed.append(d)
    return removed


def undo_run(
    history: History,
    run_id: int | None = None,
    *,
    trash: fsops.Trash | None = None,
    dry_run: bool = False,
    on_step: Callable[[UndoStep], None] | None = None,
    keep_steps: bool = True,
) -> UndoResult:
    """Undo ``run_id`` (default: the newest run that still has changes in place).

    Raises :class:`UndoError` when there is nothing to undo or the run is unknown.
    Per-file refusals are in the result, each with a reason. Hold the lock
    (see :func:`fileorganizer.session.undo`) when not a dry run.

    The run's operations are read, journaled, applied and recorded a batch at
    a time, newest first. Each finished step goes to ``on_step`` (in order);
    with ``keep_steps=False`` the result keeps only the counts, so memory does
    not grow with the run.
    """
    if run_id is None:
        run_id = history.last_undoable_run()
        if run_id is None:
            raise UndoError("nothing to undo: no run in the history has changes in place")
    try:
        _check_undoable(history, run_id)
        planned = history.count_operations(run_id, states=[DONE], exclude_kinds=["echo"])
    except FileOrganizerError as exc:
        if isinstance(exc, UndoError):
            raise
        raise UndoError(str(exc)) from None
    if dry_run:
        result = UndoResult(run_id, None, True)
        for steps in planned_batches(history, run_id, BATCH):
            for step in steps:
                if step.status != "irreversible":
                    try:
                        check_step(step)
                        step.status = "would_undo"
                    except Refused as exc:
                        step.status, step.reason = "refused", str(exc)
                result.add(step, keep=keep_steps)
                if on_step is not None:
                    on_step(step)
        return result
    if trash is None:
        from fileorganizer.paths import default_trash_dir

        trash = fsops.Trash(default_trash_dir())
    undo_id = history.start_run(
        "undo", undo_of=run_id, planned=planned, note=f"undo of run {run_id}"
    )
    result = UndoResult(run_id, undo_id, False)
    applier = _Applier(history, trash, undo_id)
    seq = 0
    for steps in planned_batches(history, run_id, BATCH):
        batch = [s for s in steps if s.status != "irreversible"]
        if batch:
            applier.journal_intents(batch, seq)
            seq += len(batch)
            crashpoint("undo_after_intent_commit")
            for step in batch:
                applier.apply(step)
            crashpoint("undo_before_done_commit")
            applier.record_results(batch)
        for step in steps:
            result.add(step, keep=keep_steps)
            if on_step is not None:
                on_step(step)
    result.removed_dirs = _remove_created_dirs(history, run_id)
    history.finish_run(undo_id)
    return result
