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
import stat
import uuid

from fileorganizer.errors import HistoryError, UndoError
from fileorganizer.fsops import same_bytes
from fileorganizer.history.records import (
    OpRecord,
    OpState,
    RunMode,
    RunStatus,
    same_file_seen_from,
)
from fileorganizer.history.store import History
from fileorganizer.history.undo_result import UndoResult
from fileorganizer.history.undo_write import (
    IRREVERSIBLE_ACTIONS,
    UnwritePlanner,
    irreversible_reason,
)
from fileorganizer.operations import ConflictMode, Identity, Operation, OpKind, OpPayload
from fileorganizer.plans import Plan, Skip
from fileorganizer.vtree import NodeKind, VirtualTree

__all__ = ["UndoResult", "plan_undo", "plan_undo_runs", "session_runs", "undo_target"]

_FOLDER = NodeKind.FOLDER


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
    plan = plan_undo_runs(history, [run_id])
    if (
        not plan.operations
        and not plan.skips
        and history.count_operations(run_id, states=[OpState.UNDONE])
    ):
        raise UndoError(f"run {run_id} has nothing left to undo (it was undone already)")
    return plan


def session_runs(history: History, run_id: int | None = None) -> tuple[str, list[int]]:
    """The watch session of ``run_id`` (default: the newest watch batch), and its runs.

    The runs are those with changes still in place, newest first. Raises
    :class:`UndoError` when there is no such session.
    """
    if run_id is None:
        found = [r for r in history.runs(None, modes=[RunMode.WATCH]) if r.session]
        if not found:
            raise UndoError("no watch session in the history to undo")
        session = found[0].session
    else:
        try:
            session = history.run(run_id).session
        except HistoryError:
            raise UndoError(f"there is no run {run_id} in the history") from None
        if not session:
            raise UndoError(f"run {run_id} is not a batch of a watch session")
    assert session is not None
    runs = history.runs_of_session(session)
    if not runs:
        raise UndoError(f"watch session {session} has nothing left to undo")
    return session, runs


def plan_undo_runs(history: History, run_ids: list[int]) -> Plan:
    """One plan that reverses every run of ``run_ids`` (given newest first), as one undo."""
    made: set[str] = set()
    for run_id in run_ids:
        made |= history.created_dirs(run_id)
    from fileorganizer.paths import host_id

    here = host_id()
    planner = _UndoPlanner(run_ids[0], made)
    for run_id in run_ids:
        host = history.run(run_id).host
        # a run another host made: its device numbers are not this host's
        planner.other_host = host is not None and host != here
        for records in history.iter_operations(run_id, states=[OpState.DONE], newest_first=True):
            for rec in records:
                planner.add(rec)
    planner.remove_made_folders()
    return planner.plan


class _UndoPlanner:
    def __init__(self, run_id: int, made: set[str], *, other_host: bool = False) -> None:
        self.run_id = run_id
        #: folders the run made (removed once the plan leaves them empty)
        self.made = made
        #: the run being added was made on another host: its device numbers are not ours
        self.other_host = other_host
        self.vtree = VirtualTree()
        self.plan = Plan(undo_of=run_id)
        #: the prefix of this plan's operation ids (as the planner's: cheap and unique)
        self.token = uuid.uuid4().hex[:8]
        self._last_is_dir = False
        self._unwrites = UnwritePlanner(self)

    # -- checks against the planned tree ---------------------------------------
    def _present(self, path: str, expected: Identity | None) -> tuple[str, bool, Identity]:
        """Where the file the run left at ``path`` is now, whether that is elsewhere, and
        the identity the undo expects there (the recorded one, or for a run of another
        host what this host sees once it matched)."""
        real = self.vtree.real_path(path)
        if real is None:
            raise _Refused(f"{path} is gone (moved away or deleted after the run)")
        try:
            st = os.lstat(real)
        except OSError:
            raise _Refused(f"{path} is gone (moved away or deleted after the run)") from None
        now = Identity.from_stat(st)
        self._last_is_dir = stat.S_ISDIR(st.st_mode)
        if expected is None:
            raise _Refused(f"no identity was recorded for {path}; left alone")
        chained = real != path
        other = self.other_host
        if not (
            now.same_content_marks(expected)
            if chained
            else same_file_seen_from(now, expected, other_host=other)
        ):
            inode_now = now.ino if other else (now.dev, now.ino)
            inode_then = expected.ino if other else (expected.dev, expected.ino)
            if inode_now != inode_then and not chained:
                raise _Refused(
                    f"{path} is a different file than the run left there (moved away or replaced)"
                )
            raise _Refused(f"{path} changed after the run")
        return real, chained, (now if other else expected)

    def _free(self, path: str) -> None:
        if path in self.made and self.vtree.is_empty_dir(path):
            # a folder the run made where a file it moved away was: empty again by now
            self._rmdir(path)
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
            real, chained, ident = self._present(here, rec.identity_after)
            is_dir = self._last_is_dir
            self._free(rec.src)
            self._emit(rec, inverse, here, rec.src, ident, chained)
            vtree.remove(here, is_dir=is_dir)
            vtree.add(rec.src, real, is_dir=is_dir)
        elif kind is OpKind.RESTORE:
            here = rec.final_dst
            assert here is not None
            real, chained, ident = self._present(here, rec.identity_after)
            self._emit(rec, OpKind.TRASH, here, None, ident, chained)
            vtree.remove(here)
        elif kind in (OpKind.COPY, OpKind.SYMLINK, OpKind.HARDLINK):
            made = rec.final_dst
            assert made is not None
            real, chained, ident = self._present(made, rec.identity_after)
            if kind is OpKind.COPY:
                original = vtree.real_path(rec.src)
                if original is None or not same_bytes(original, real):
                    raise _Refused(
                        f"the original {rec.src} is gone or differs from the copy; copy {made} kept"
                    )
            self._emit(rec, inverse, made, None, ident, chained, same_as=rec.src)
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
        seq = len(ops)
        ops.append(
            Operation(
                kind=kind,
                src=src,
                dst=dst,
                rule=rec.rule,
                action="undo",
                seq=seq,
                op_id=f"{self.token}{seq:08x}",
                identity=expected,
                check_inode=not chained,
                on_conflict=ConflictMode.SKIP,
                note=f"undo of operation {rec.id} (run {rec.run_id})",
                same_as=same_as,
                reverses=rec.id,
                payload=payload,
            )
        )

    def _rmdir(self, folder: str) -> None:
        ops = self.plan.operations
        seq = len(ops)
        ops.append(
            Operation(
                kind=OpKind.RMDIR,
                src=folder,
                action="undo",
                seq=seq,
                op_id=f"{self.token}{seq:08x}",
                on_conflict=ConflictMode.SKIP,
                note=f"made by run {self.run_id}",
            )
        )
        self.vtree.remove(folder, is_dir=True)

    def remove_made_folders(self) -> None:
        """Plan the removal of each folder the run made that the plan leaves empty."""
        for d in sorted(self.made, key=lambda p: (p.count(os.sep), p), reverse=True):
            if self.vtree.kind(d) is _FOLDER and self.vtree.is_empty_dir(d):
                self._rmdir(d)


def _acted_on(rec: OpRecord) -> str:
    if rec.kind is OpKind.TRASH:
        return rec.trash_path or rec.src
    if rec.kind in (OpKind.MOVE, OpKind.RENAME, OpKind.COPY, OpKind.SYMLINK, OpKind.HARDLINK):
        return rec.final_dst or rec.src
    return rec.src
