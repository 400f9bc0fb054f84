"""Crash recovery as a plan: reconcile journaled intents that never got a result.

:func:`plan_recovery` looks at each operation still ``planned`` (its process
died between the intent and the result) and at what the disk shows, and
decides — reading only:

- the source in place (recorded identity) and no destination: not done; a
  temporary file the tool left beside the destination is cleaned up;
- the source gone and the destination present with the recorded identity
  (same inode, or same size and mtime after a cross-device copy): done;
- both present as one inode (an interrupted link-then-unlink): done once the
  source's second name is removed;
- both present, the destination a complete copy byte-identical to the intact
  source (a cross-device move killed before the source unlink; the copy only
  gets its final name after it was synced and verified): done once the source
  is removed;
- anything else is ambiguous: reported, both copies kept, nothing deleted;
- writes, unwrites and commands (``shell``, ``python``, ``macos_tags``): see
  :mod:`fileorganizer.history.recovery_write`.

What must change on disk (clean-ups, finishing a move) is a :class:`Plan` of
ordinary operations, applied by the session through the one executor and
journaled as a run of its own (mode ``recovery``); the decisions are then
written back, and each crashed run is marked ``interrupted`` with its true
counts.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable

from fileorganizer.history.decisions import (
    Decision,
    RecoveryPlan,
    crashed_runs,
    finish_crashed,
    write_decisions,
)

__all__ = [
    "Decision",
    "Outcome",
    "RecoveryItem",
    "RecoveryPlan",
    "RecoveryReport",
    "crashed_runs",
    "finish_crashed",
    "plan_recovery",
    "write_decisions",
]
from typing import Any

from fileorganizer import fsops
from fileorganizer.history.records import (
    OpRecord,
    OpState,
    Outcome,
    RecoveryItem,
    RecoveryReport,
    same_file_seen_from,
)
from fileorganizer.history.recovery_write import COMMAND_KINDS, WRITE_KINDS, WriteRecovery
from fileorganizer.operations import Identity, Operation, OpKind

#: Kinds that take an entry from ``src`` to a destination (the source goes away).
TRANSFER_KINDS = frozenset(k for k in OpKind if k.transfers)
#: Kinds that make a new entry at the destination (the source stays).
CREATE_KINDS = frozenset({OpKind.COPY, OpKind.SYMLINK, OpKind.HARDLINK})
#: Kinds that remove the entry at ``src``.
REMOVE_KINDS = frozenset(
    {
        OpKind.DELETE,
        OpKind.REMOVE_COPY,
        OpKind.REMOVE_SYMLINK,
        OpKind.REMOVE_HARDLINK,
        OpKind.RMDIR,
        OpKind.CLEANUP,
    }
)


def _ident(path: str) -> Identity | None:
    try:
        return Identity.of(path)
    except OSError:
        return None


def _matches(
    now: Identity | None,
    recorded: Identity | None,
    *,
    check_inode: bool = True,
    other_host: bool = False,
) -> bool:
    if now is None:
        return False
    if recorded is None:
        return True
    if not check_inode:
        return now.same_content_marks(recorded)
    return same_file_seen_from(now, recorded, other_host=other_host)


def _arrived(now: Identity | None, recorded: Identity | None) -> bool:
    """Whether the file at the destination is the recorded source (moved or copied)."""
    if now is None:
        return False
    if recorded is None:
        return True
    return now.same_file(recorded) or now.same_content_marks(recorded)


class _Planner:
    def __init__(self, other_hosts: Collection[int] = ()) -> None:
        self.out = RecoveryPlan()
        #: runs recorded by another host (device numbers are that host's own)
        self.other_hosts = frozenset(other_hosts)
        #: (run, path) that an unfinished earlier operation should have created
        self._never_arrived: set[tuple[int, str]] = set()
        #: unfinished transfers by (run, source), to follow chains (a -> b -> c)
        self.pending_by_src: dict[tuple[int, str], OpRecord] = {}
        #: writes, unwrites and commands (see :mod:`.recovery_write`)
        self.writes = WriteRecovery(self, [])

    def _op(self, kind: OpKind, rec: OpRecord, src: str, **kw: Any) -> Operation:
        ops = self.out.plan.operations
        op = Operation(
            kind=kind,
            src=src,
            rule=rec.rule,
            action="recovery",
            seq=len(ops),
            note=f"recovery of operation {rec.id} (run {rec.run_id})",
            **kw,
        )
        ops.append(op)
        return op

    def _cleanup(self, rec: OpRecord, path: str | None) -> None:
        """Plan the removal of a leftover of ours (a temporary file, an orphaned trash entry)."""
        if path and os.path.lexists(path):
            name = os.path.basename(path)
            if name.startswith(fsops.TEMP_PREFIX) or name.endswith(".trashinfo"):
                self._op(OpKind.CLEANUP, rec, path)

    def _decide(
        self, rec: OpRecord, state: OpState, outcome: Outcome, message: str, **kw: Any
    ) -> Decision:
        d = Decision(rec, state, outcome, message, **kw)
        self.out.decisions.append(d)
        return d

    def reconcile(self, rec: OpRecord) -> None:
        key = (rec.run_id, rec.src)
        if key in self._never_arrived:
            # a chained operation whose earlier step (which makes its source) was not done
            self._mark_not_arrived(rec)
            self._decide(
                rec, OpState.SKIPPED, Outcome.NOT_DONE, f"not done: {rec.src} was never created"
            )
            return
        before = len(self.out.decisions)
        if rec.kind in TRANSFER_KINDS:
            self._transfer(rec)
        elif rec.kind in CREATE_KINDS:
            self._create(rec)
        elif rec.kind in REMOVE_KINDS:
            self._remove(rec)
        elif rec.kind in WRITE_KINDS:
            self.writes.reconcile(rec)
        elif rec.kind in COMMAND_KINDS:
            self.writes.command(rec)
        elif rec.kind is OpKind.MKDIR:
            made = os.path.isdir(rec.src)
            self._decide(
                rec,
                OpState.DONE if made else OpState.SKIPPED,
                Outcome.DONE if made else Outcome.NOT_DONE,
                f"had been done: {rec.src}" if made else "interrupted before it was done",
            )
        else:  # echo and anything that does not touch the disk
            self._decide(rec, OpState.DONE, Outcome.DONE, "nothing to do on disk")
        if len(self.out.decisions) > before and self.out.decisions[-1].outcome is not Outcome.DONE:
            self._mark_not_arrived(rec)

    def _follow_chain(self, run_id: int, path: str) -> str | None:
        """Where the file journaled to arrive at ``path`` is now, following later ops."""
        seen = set()
        while (run_id, path) in self.pending_by_src and path not in seen:
            seen.add(path)
            nxt = self.pending_by_src[(run_id, path)]
            target = nxt.trash_path if nxt.kind is OpKind.TRASH else nxt.planned_dst
            if target is None:
                return None
            if os.path.lexists(target):
                return target
            path = target
        return None

    def _mark_not_arrived(self, rec: OpRecord) -> None:
        target = rec.trash_path if rec.kind is OpKind.TRASH else rec.planned_dst
        if target and rec.kind not in REMOVE_KINDS:
            self._never_arrived.add((rec.run_id, target))

    def _side_files(self, rec: OpRecord) -> None:
        if rec.kind is OpKind.RESTORE and rec.trash_path:
            info = fsops.Trash.info_path_of(rec.trash_path)
            if not os.path.lexists(rec.trash_path):
                self._cleanup(rec, info)

    # -- transfers -----------------------------------------------------------
    def _transfer(self, rec: OpRecord) -> None:
        src = rec.src
        dst = rec.trash_path if rec.kind is OpKind.TRASH else rec.planned_dst
        if dst is None:  # a trash that never got a slot: nothing happened
            self._decide(rec, OpState.SKIPPED, Outcome.NOT_DONE, "interrupted before it started")
            return
        src_now, dst_now = _ident(src), _ident(dst)
        other = rec.run_id in self.other_hosts
        src_intact = _matches(src_now, rec.identity, check_inode=rec.check_inode, other_host=other)
        done = (OpState.DONE, Outcome.DONE)
        if not src_intact and _arrived(dst_now, rec.identity):
            self._side_files(rec)
            self._decide(rec, *done, f"had been done: {dst}", dst=dst, after=dst_now)
            return
        if src_intact and dst_now is None:
            self._cleanup(rec, rec.temp_path)
            if rec.kind is OpKind.TRASH:
                self._cleanup(rec, fsops.Trash.info_path_of(dst))
            self._decide(
                rec,
                OpState.SKIPPED,
                Outcome.NOT_DONE,
                f"interrupted before it was done; {src} left in place",
            )
            return
        if dst_now is None and src_now is not None:
            kept = (
                f"; temporary file kept: {rec.temp_path}"
                if rec.temp_path and os.path.lexists(rec.temp_path)
                else ""
            )
            self._decide(
                rec,
                OpState.SKIPPED,
                Outcome.NOT_DONE,
                f"not done; {src} changed since it was planned{kept}",
            )
            return
        if src_intact and dst_now is not None and src_now is not None:
            both = (
                OpState.FAILED,
                Outcome.AMBIGUOUS,
                f"interrupted and ambiguous; kept: {src}, {dst}",
            )
            if (src_now.dev, src_now.ino) == (dst_now.dev, dst_now.ino):
                op = self._op(OpKind.REMOVE_HARDLINK, rec, src, identity=src_now, same_as=dst)
                self._side_files(rec)
                self._decide(
                    rec,
                    *done,
                    f"finished the interrupted move to {dst}",
                    dst=dst,
                    after=dst_now,
                    op=op,
                    otherwise=both,
                )
                return
            if (
                os.path.isfile(src)
                and not os.path.islink(src)
                and dst_now.same_content_marks(src_now)
                and fsops.same_bytes(src, dst)
            ):
                op = self._op(OpKind.REMOVE_COPY, rec, src, identity=src_now, same_as=dst)
                self._side_files(rec)
                self._decide(
                    rec,
                    *done,
                    f"finished the interrupted move: verified copy at {dst}",
                    dst=dst,
                    after=dst_now,
                    op=op,
                    otherwise=both,
                )
                return
            # the source is intact and what sits at the destination is not ours:
            # a no-replace move never wrote there
            self._cleanup(rec, rec.temp_path)
            self._decide(
                rec,
                OpState.SKIPPED,
                Outcome.NOT_DONE,
                f"not done; {dst} is another file, {src} left in place",
            )
            return
        if src_now is None and dst_now is None:
            final = self._follow_chain(rec.run_id, dst)
            if final is not None and _arrived(_ident(final), rec.identity):
                # a later operation of the run moved it on from dst: this one was done
                self._decide(
                    rec, *done, f"had been done (moved on to {final})", dst=dst, after=_ident(final)
                )
                return
        if src_now is None and rec.identity is not None and rec.check_inode:
            found = _find_by_inode(os.path.dirname(dst), rec.identity, other_host=other)
            if found is not None:
                self._side_files(rec)
                self._decide(rec, *done, f"had been done: {found}", dst=found, after=_ident(found))
                return
        if src_intact:
            self._cleanup(rec, rec.temp_path)
        where = [p for p, ident in ((src, src_now), (dst, dst_now)) if ident is not None]
        if rec.temp_path and os.path.lexists(rec.temp_path):
            where.append(rec.temp_path)
        kept = ", ".join(where) if where else "nothing found at the source or destination"
        self._decide(
            rec, OpState.FAILED, Outcome.AMBIGUOUS, f"interrupted and ambiguous; kept: {kept}"
        )

    # -- creations -------------------------------------------------------------
    def _create(self, rec: OpRecord) -> None:
        src, dst = rec.src, rec.planned_dst
        if dst is None:
            self._decide(rec, OpState.SKIPPED, Outcome.NOT_DONE, "interrupted before it started")
            return
        dst_now = _ident(dst)
        src_ok = os.path.lexists(src)
        if dst_now is None:
            if src_ok:
                self._cleanup(rec, rec.temp_path)
            self._decide(rec, OpState.SKIPPED, Outcome.NOT_DONE, "interrupted before it was done")
            return
        if rec.kind is OpKind.COPY:
            made = src_ok and fsops.same_bytes(src, dst)
        elif rec.kind is OpKind.HARDLINK:
            s = _ident(src)
            made = s is not None and (s.dev, s.ino) == (dst_now.dev, dst_now.ino)
        else:
            made = os.path.islink(dst) and os.readlink(dst) == src
        if made:
            self._decide(
                rec, OpState.DONE, Outcome.DONE, f"had been done: {dst}", dst=dst, after=dst_now
            )
        else:
            self._decide(
                rec, OpState.FAILED, Outcome.AMBIGUOUS, f"interrupted and ambiguous; kept {dst}"
            )

    # -- removals --------------------------------------------------------------
    def _remove(self, rec: OpRecord) -> None:
        path = rec.src
        if not os.path.lexists(path):
            self._decide(rec, OpState.DONE, Outcome.DONE, f"had been done: {path} is gone")
        else:
            self._decide(
                rec,
                OpState.SKIPPED,
                Outcome.NOT_DONE,
                f"interrupted before it was done; {path} kept",
            )


def _find_by_inode(folder: str, ident: Identity, *, other_host: bool = False) -> str | None:
    """A same-device move redirected at apply time keeps its inode: look beside ``dst``."""
    try:
        with os.scandir(folder) as it:
            for entry in it:
                st = entry.stat(follow_symlinks=False)
                if st.st_ino == ident.ino and (other_host or st.st_dev == ident.dev):
                    return entry.path
    except OSError:
        return None
    return None


def plan_recovery(pending: Iterable[OpRecord], other_hosts: Collection[int] = ()) -> RecoveryPlan:
    """Decide every unfinished intent in ``pending`` from what the disk shows (reads only).

    ``other_hosts``: the runs recorded by another host, whose device numbers are not
    this host's (see :func:`~fileorganizer.history.records.same_file_seen_from`).
    """
    pending = list(pending)
    planner = _Planner(other_hosts)
    planner.writes = WriteRecovery(planner, pending)
    planner.pending_by_src = {
        (op.run_id, op.src): op for op in pending if op.kind in TRANSFER_KINDS
    }
    for op in pending:
        planner.reconcile(op)
    return planner.out
