"""Undo as a plan: the reverse of a recorded run, as ordinary operations.

:func:`plan_undo` reads a run's done operations, newest first, and plans the
inverse of each against a virtual tree (so a chain ``rename a -> b`` then
``move b -> c`` is undone as ``c -> b`` then ``b -> a``, with ``b`` present in
the plan although not on disk): move back, restore from the trash, remove a
copy or a link only while it is what the run made, recreate what an undone
undo removed. A file that changed since the run, is gone, or whose original
place is taken is a planned skip with the reason, and so is a permanent
delete (irreversible). Folders the run made are removed at the end when the
plan leaves them empty.

``undo --dry-run`` renders this plan and ``undo`` applies it through the one
executor, so they agree by construction. Nothing here touches the disk but
reading.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from fileorganizer.errors import HistoryError, UndoError
from fileorganizer.fsops import same_bytes
from fileorganizer.history.records import OpRecord, OpState, RunMode, RunStatus
from fileorganizer.history.store import History
from fileorganizer.history.undo_write import (
    IRREVERSIBLE_ACTIONS,
    UnwritePlanner,
    irreversible_reason,
)
from fileorganizer.operations import (
    ConflictMode,
    Identity,
    Operation,
    OpKind,
    OpPayload,
    OpStatus,
)
from fileorganizer.plans import Plan, Skip
from fileorganizer.results import RunResult
from fileorganizer.vtree import NodeKind, VirtualTree

_FOLDER = NodeKind.FOLDER
#: operations on the folders a run made (counted apart from the files undone)
_FOLDER_KINDS = frozenset({OpKind.RMDIR, OpKind.MKDIR})


class _Refused(Exception):
    """One operation undo leaves alone, with the reason."""


def undo_target(history: History, run_id: int | None) -> int:
    """The run to undo: ``run_id``, or the newest run with changes in place.

    Raises :class:`UndoError` when there is nothing to undo or the run cannot be.
    """
    if run_id is None:
        found = history.last_undoable_run()
        if found is None:
            raise UndoError("nothing to undo: no run has changes that are still in place")
        run_id = found
    try:
        run = history.run(run_id)
    except HistoryError:
        raise UndoError(f"there is no run {run_id} in the history") from None
    if run.mode is RunMode.SIM:
        raise UndoError(f"run {run_id} was a sim: it changed nothing")
    if run.mode is RunMode.RECOVERY:
        raise UndoError(
            f"run {run_id} is a recovery (it finished what a crashed run left); "
            f"undo the run it recovered instead"
        )
    if run.status is RunStatus.RUNNING:
        raise UndoError(f"run {run_id} is still running (or crashed: run any command to recover)")
    return run_id


def plan_undo(history: History, run_id: int | None = None) -> Plan:
    """The plan that reverses ``run_id`` (default: the newest undoable run)."""
    run_id = undo_target(history, run_id)
    planner = _UndoPlanner(run_id)
    for records in history.iter_operations(run_id, states=[OpState.DONE], newest_first=True):
        for rec in records:
            planner.add(rec)
    planner.remove_made_folders(history.created_dirs(run_id))
    if (
        not planner.plan.operations
        and not planner.plan.skips
        and history.count_operations(run_id, states=[OpState.UNDONE])
    ):
        raise UndoError(f"run {run_id} has nothing left to undo (it was undone already)")
    return planner.plan


class _UndoPlanner:
    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.vtree = VirtualTree()
        self.plan = Plan(undo_of=run_id)
        self._unwrites = UnwritePlanner(self)

    # -- checks against the planned tree ---------------------------------------
    def _present(self, path: str, expected: Identity | None) -> tuple[str, bool]:
        """Where the file the run left at ``path`` is now, and whether that is elsewhere."""
        real = self.vtree.real_path(path)
        if real is None:
            raise _Refused(f"{path} is gone (moved away or deleted after the run)")
        try:
            now = Identity.of(real)
        except OSError:
            raise _Refused(f"{path} is gone (moved away or deleted after the run)") from None
        if expected is None:
            raise _Refused(f"no identity was recorded for {path}; left alone")
        chained = real != path
        if not (now.same_content_marks(expected) if chained else now.same_file(expected)):
            if (now.dev, now.ino) != (expected.dev, expected.ino) and not chained:
                raise _Refused(
                    f"{path} is a different file than the run left there (moved away or replaced)"
                )
            raise _Refused(f"{path} changed after the run")
        return real, chained

    def _free(self, path: str) -> None:
        if self.vtree.exists(path):
            raise _Refused(f"original place {path} is occupied")
        blocked = self.vtree.blocking_ancestor(
            os.path.dirname(path), links_ok_up_to=os.path.dirname(path)
        )
        if blocked is not None:
            raise _Refused(f"{blocked[0]} is a file where the folder of {path} is needed")

    # -- planning ------------------------------------------------------------------
    def add(self, rec: OpRecord) -> None:
        """Plan the inverse of ``rec`` (or a skip saying why not)."""
        kind = rec.kind
        if kind is OpKind.ECHO or kind is OpKind.CLEANUP:
            return
        if kind is OpKind.DELETE or kind in IRREVERSIBLE_ACTIONS:
            self.plan.skips.append(
                Skip(rec.src, rec.rule, irreversible_reason(rec), irreversible=True)
            )
            return
        try:
            if kind is OpKind.WRITE:
                self._unwrites.add(rec)
                return
            self._add(rec)
        except _Refused as exc:
            self.plan.skips.append(Skip(_acted_on(rec), rec.rule, str(exc)))

    def refuse(self, rec: OpRecord, why: str) -> None:
        """Plan that ``rec`` is left as it is, with the reason."""
        self.plan.skips.append(Skip(_acted_on(rec), rec.rule, why))

    def _add(self, rec: OpRecord) -> None:
        kind, vtree = rec.kind, self.vtree
        inverse = kind.inverse
        assert inverse is not None
        if kind in (OpKind.MOVE, OpKind.RENAME, OpKind.TRASH):
            here = rec.trash_path if kind is OpKind.TRASH else rec.final_dst
            if here is None:
                raise _Refused(f"the history does not say where {rec.src} went")
            real, chained = self._present(here, rec.identity_after)
            self._free(rec.src)
            self._emit(rec, inverse, here, rec.src, rec.identity_after, chained)
            vtree.remove(here, is_dir=os.path.isdir(real) and not os.path.islink(real))
            vtree.add(rec.src, real, is_dir=os.path.isdir(real) and not os.path.islink(real))
        elif kind is OpKind.RESTORE:
            here = rec.final_dst
            assert here is not None
            real, chained = self._present(here, rec.identity_after)
            self._emit(rec, OpKind.TRASH, here, None, rec.identity_after, chained)
            vtree.remove(here)
        elif kind in (OpKind.COPY, OpKind.SYMLINK, OpKind.HARDLINK):
            made = rec.final_dst
            assert made is not None
            real, chained = self._present(made, rec.identity_after)
            if kind is OpKind.COPY:
                original = vtree.real_path(rec.src)
                if original is None or not same_bytes(original, real):
                    raise _Refused(
                        f"the original {rec.src} is gone or differs from the copy; copy {made} kept"
                    )
            self._emit(rec, inverse, made, None, rec.identity_after, chained, same_as=rec.src)
            vtree.remove(made)
        elif kind in (OpKind.REMOVE_COPY, OpKind.REMOVE_SYMLINK, OpKind.REMOVE_HARDLINK):
            original = rec.same_as
            if original is None:
                raise _Refused(f"the history does not say what {rec.src} was made from")
            self._free(rec.src)
            found = vtree.real_path(original)
            if found is None and inverse is not OpKind.SYMLINK:
                raise _Refused(f"the original {original} is gone; cannot make {rec.src} again")
            self._emit(rec, inverse, original, rec.src, None, False)
            vtree.add(rec.src, found or original, is_link=inverse is OpKind.SYMLINK)
        elif kind is OpKind.RMDIR:
            if vtree.kind(rec.src) is _FOLDER:
                return  # there again: nothing to do
            self._free(rec.src)
            self._emit(rec, OpKind.MKDIR, rec.src, None, None, False)
            vtree.add_dir(rec.src)
        elif kind is OpKind.MKDIR:
            if not vtree.is_empty_dir(rec.src):
                raise _Refused(f"folder {rec.src} is not empty (kept)")
            self._emit(rec, OpKind.RMDIR, rec.src, None, None, False)
            vtree.remove(rec.src, is_dir=True)

    def _emit(
        self,
        rec: OpRecord,
        kind: OpKind,
        src: str,
        dst: str | None,
        expected: Identity | None,
        chained: bool,
        *,
        same_as: str | None = None,
        payload: OpPayload | None = None,
    ) -> None:
        ops = self.plan.operations
        ops.append(
            Operation(
                kind=kind,
                src=src,
                dst=dst,
                rule=rec.rule,
                action="undo",
                seq=len(ops),
                identity=expected,
                check_inode=not chained,
                on_conflict=ConflictMode.SKIP,
                note=f"undo of operation {rec.id} (run {rec.run_id})",
                same_as=same_as,
                reverses=rec.id,
                payload=payload,
            )
        )

    def remove_made_folders(self, folders: set[str]) -> None:
        """Plan the removal of each folder the run made that the plan leaves empty."""
        for d in sorted(folders, key=lambda p: (p.count(os.sep), p), reverse=True):
            if self.vtree.kind(d) is not _FOLDER or not self.vtree.is_empty_dir(d):
                continue
            ops = self.plan.operations
            ops.append(
                Operation(
                    kind=OpKind.RMDIR,
                    src=d,
                    action="undo",
                    seq=len(ops),
                    on_conflict=ConflictMode.SKIP,
                    note=f"remove the folder run {self.run_id} made",
                )
            )
            self.vtree.remove(d, is_dir=True)


def _acted_on(rec: OpRecord) -> str:
    if rec.kind is OpKind.TRASH:
        return rec.trash_path or rec.src
    if rec.kind in (OpKind.MOVE, OpKind.RENAME, OpKind.COPY, OpKind.SYMLINK, OpKind.HARDLINK):
        return rec.final_dst or rec.src
    return rec.src


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
        return [op for op in ops if (op.kind in _FOLDER_KINDS) == folders]

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
