"""Crash recovery: reconcile journaled intents that never got a result.

Run on start-up (under the lock) by ``run``, ``watch``, ``undo`` and
``history``. For each operation still ``planned``:

- the source still in place (recorded identity) and no destination: not done;
  a temporary file the tool left beside the destination is removed;
- the source gone and the destination present with the recorded identity
  (same inode, or same size and mtime after a cross-device copy): done;
- both present as one inode (an interrupted link-then-unlink): finish the
  move by dropping the source's name;
- both present, the destination a complete copy byte-identical to the intact
  source (a cross-device move killed before the source unlink; the copy only
  gets its final name after it was synced and verified): finish the move;
- anything else is ambiguous: reported, both copies kept, nothing deleted.

Runs left ``running`` are marked ``interrupted``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from fileorganizer import fsops
from fileorganizer.errors import FileOrganizerError
from fileorganizer.history.models import enc
from fileorganizer.history.store import (
    DONE,
    FAILED,
    INTERRUPTED,
    SKIPPED,
    UNDONE,
    History,
    OpRecord,
    identity_columns,
)
from fileorganizer.operations import Identity

#: Kinds that take a file from ``src`` to a destination (the source goes away).
TRANSFER_KINDS = frozenset({"move", "rename", "trash", "restore"})
#: Kinds that make a new entry at the destination (the source stays).
CREATE_KINDS = frozenset({"copy", "symlink", "hardlink"})
#: Kinds that remove one path.
REMOVE_KINDS = frozenset({"delete", "remove_copy", "remove_symlink", "remove_hardlink"})


@dataclass(frozen=True)
class RecoveryItem:
    """What recovery decided for one unfinished operation."""

    op: OpRecord
    outcome: str  # done | not_done | ambiguous
    message: str

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {
            "run_id": self.op.run_id,
            "op": self.op.to_dict(),
            "outcome": self.outcome,
            "message": self.message,
        }


@dataclass
class RecoveryReport:
    """What recovery found and did."""

    items: list[RecoveryItem] = field(default_factory=list)
    runs: list[int] = field(default_factory=list)

    @property
    def ambiguous(self) -> list[RecoveryItem]:
        """Operations left for a human to look at."""
        return [i for i in self.items if i.outcome == "ambiguous"]

    def __bool__(self) -> bool:
        return bool(self.items or self.runs)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {"runs": self.runs, "items": [i.to_dict() for i in self.items]}


def _ident(path: str) -> Identity | None:
    try:
        return Identity.of(path)
    except OSError:
        return None


def _matches(now: Identity | None, recorded: Identity | None, *, check_inode: bool = True) -> bool:
    if now is None:
        return False
    if recorded is None:
        return True
    return now.same_file(recorded) if check_inode else now.same_content_marks(recorded)


def _arrived(now: Identity | None, recorded: Identity | None) -> bool:
    """Whether the file at the destination is the recorded source (moved or copied)."""
    if now is None:
        return False
    if recorded is None:
        return True
    return now.same_file(recorded) or now.same_content_marks(recorded)


class _Reconciler:
    def __init__(self, history: History) -> None:
        self.history = history
        self.report = RecoveryReport()
        #: (run, path) that an unfinished earlier operation should have created
        self._never_arrived: set[tuple[int, str]] = set()
        #: unfinished transfers by (run, source), to follow chains (a -> b -> c)
        self.pending_by_src: dict[tuple[int, str], OpRecord] = {}

    def _resolve(
        self,
        rec: OpRecord,
        state: str,
        outcome: str,
        message: str,
        dst: str | None = None,
        after: Identity | None = None,
    ) -> None:
        values: dict[str, object] = {"state": state}
        if state == DONE:
            values["dst"] = enc(dst)
            values.update(identity_columns("after_", after))
            if rec.kind == "trash":
                values["trash_path"] = enc(dst)
        if state == FAILED:
            values["error"] = message
        else:
            values["reason"] = message
        self.history.update_operation(rec.id, **values)
        if state == DONE and rec.reverses is not None:
            self.history.update_operation(rec.reverses, state=UNDONE, undone_by=rec.run_id)
        self.report.items.append(RecoveryItem(rec, outcome, message))

    def _cleanup_temp(self, rec: OpRecord) -> None:
        temp = rec.temp_path
        if temp and os.path.basename(temp).startswith(fsops.TEMP_PREFIX) and os.path.lexists(temp):
            fsops.restore_temp_cleanup(temp)

    def reconcile(self, rec: OpRecord) -> None:
        key = (rec.run_id, rec.src)
        if key in self._never_arrived:
            # a chained operation whose earlier step (which makes its source) was not done
            self._mark_not_arrived(rec)
            self._resolve(rec, SKIPPED, "not_done", f"not done: {rec.src} was never created")
            return
        before = len(self.report.items)
        try:
            if rec.kind in TRANSFER_KINDS:
                self._transfer(rec)
            elif rec.kind in CREATE_KINDS:
                self._create(rec)
            elif rec.kind in REMOVE_KINDS:
                self._remove(rec)
            else:  # echo and anything that does not touch the disk
                self._resolve(rec, DONE, "done", "nothing to do on disk")
        except (OSError, FileOrganizerError) as exc:
            self._resolve(
                rec, FAILED, "ambiguous", f"recovery could not decide: {exc}; nothing touched"
            )
        if len(self.report.items) > before and self.report.items[-1].outcome != "done":
            self._mark_not_arrived(rec)

    def _follow_chain(self, run_id: int, path: str) -> str | None:
        """Where the file journaled to arrive at ``path`` is now, following later ops."""
        seen = set()
        while (run_id, path) in self.pending_by_src and path not in seen:
            seen.add(path)
            nxt = self.pending_by_src[(run_id, path)]
            target = nxt.trash_path if nxt.kind == "trash" else nxt.planned_dst
            if target is None:
                return None
            if os.path.lexists(target):
                return target
            path = target
        return None

    def _mark_not_arrived(self, rec: OpRecord) -> None:
        target = rec.trash_path if rec.kind == "trash" else rec.planned_dst
        if target and rec.kind not in REMOVE_KINDS:
            self._never_arrived.add((rec.run_id, target))

    # -- transfers -----------------------------------------------------------
    def _transfer(self, rec: OpRecord) -> None:
        src = rec.src
        dst = rec.trash_path if rec.kind == "trash" else rec.planned_dst
        if dst is None:  # a trash that never got a slot: nothing happened
            self._resolve(rec, SKIPPED, "not_done", "interrupted before it started")
            return
        src_now, dst_now = _ident(src), _ident(dst)
        src_intact = _matches(src_now, rec.identity, check_inode=rec.check_inode)
        if not src_intact and _arrived(dst_now, rec.identity):
            self._finish_side_files(rec, dst)
            self._resolve(rec, DONE, "done", f"had been done: {dst}", dst, dst_now)
            return
        if src_intact and dst_now is None:
            self._cleanup_temp(rec)
            if rec.kind == "trash":
                fsops.Trash.discard_info(dst)
            self._resolve(
                rec, SKIPPED, "not_done", f"interrupted before it was done; {src} left in place"
            )
            return
        if dst_now is None and src_now is not None:
            kept = (
                f"; temporary file kept: {rec.temp_path}"
                if rec.temp_path and os.path.lexists(rec.temp_path)
                else ""
            )
            self._resolve(
                rec, SKIPPED, "not_done", f"not done; {src} changed since it was planned{kept}"
            )
            return
        if src_intact and dst_now is not None and src_now is not None:
            if (src_now.dev, src_now.ino) == (dst_now.dev, dst_now.ino):
                fsops.drop_second_link(src, dst)
                self._finish_side_files(rec, dst)
                self._resolve(
                    rec, DONE, "done", f"finished the interrupted move to {dst}", dst, dst_now
                )
                return
            if (
                os.path.isfile(src)
                and not os.path.islink(src)
                and dst_now.same_content_marks(src_now)
                and fsops.same_bytes(src, dst)
            ):
                fsops.remove_if_unchanged(src, src_now)
                self._finish_side_files(rec, dst)
                self._resolve(
                    rec,
                    DONE,
                    "done",
                    f"finished the interrupted move: verified copy at {dst}",
                    dst,
                    dst_now,
                )
                return
            # the source is intact and what sits at the destination is not ours:
            # a no-replace move never wrote there
            self._cleanup_temp(rec)
            self._resolve(
                rec, SKIPPED, "not_done", f"not done; {dst} is another file, {src} left in place"
            )
            return
        if src_now is None and dst_now is None:
            final = self._follow_chain(rec.run_id, dst)
            if final is not None and _arrived(_ident(final), rec.identity):
                # a later operation of the run moved it on from dst: this one was done
                self._resolve(
                    rec, DONE, "done", f"had been done (moved on to {final})", dst, _ident(final)
                )
                return
        if src_now is None and rec.identity is not None and rec.check_inode:
            found = _find_by_inode(os.path.dirname(dst), rec.identity)
            if found is not None:
                self._finish_side_files(rec, found)
                self._resolve(rec, DONE, "done", f"had been done: {found}", found, _ident(found))
                return
        if src_intact:
            self._cleanup_temp(rec)
        where = []
        if src_now is not None:
            where.append(src)
        if dst_now is not None:
            where.append(dst)
        if rec.temp_path and os.path.lexists(rec.temp_path):
            where.append(rec.temp_path)
        kept = ", ".join(where) if where else "nothing found at the source or destination"
        self._resolve(rec, FAILED, "ambiguous", f"interrupted and ambiguous; kept: {kept}")

    def _finish_side_files(self, rec: OpRecord, dst: str) -> None:
        if rec.kind == "restore" and rec.trash_path:
            fsops.Trash.discard_info(rec.trash_path)

    # -- creations -------------------------------------------------------------
    def _create(self, rec: OpRecord) -> None:
        src, dst = rec.src, rec.planned_dst
        if dst is None:
            self._resolve(rec, SKIPPED, "not_done", "interrupted before it started")
            return
        dst_now = _ident(dst)
        src_ok = os.path.lexists(src)
        if dst_now is None:
            if src_ok:
                self._cleanup_temp(rec)
            self._resolve(rec, SKIPPED, "not_done", "interrupted before it was done")
            return
        if rec.kind == "copy":
            made = src_ok and fsops.same_bytes(src, dst)
        elif rec.kind == "hardlink":
            s = _ident(src)
            made = s is not None and (s.dev, s.ino) == (dst_now.dev, dst_now.ino)
        else:
            made = os.path.islink(dst) and os.readlink(dst) == src
        if made:
            self._resolve(rec, DONE, "done", f"had been done: {dst}", dst, dst_now)
        else:
            self._resolve(rec, FAILED, "ambiguous", f"interrupted and ambiguous; kept {dst}")

    # -- removals --------------------------------------------------------------
    def _remove(self, rec: OpRecord) -> None:
        path = rec.src if rec.kind == "delete" else rec.planned_dst
        if path is None or not os.path.lexists(path):
            self._resolve(rec, DONE, "done", f"had been done: {path} is gone", path)
        else:
            self._resolve(rec, SKIPPED, "not_done", f"interrupted before it was done; {path} kept")


def _find_by_inode(folder: str, ident: Identity) -> str | None:
    """A same-device move redirected at apply time keeps its inode: look beside ``dst``."""
    try:
        with os.scandir(folder) as it:
            for entry in it:
                st = entry.stat(follow_symlinks=False)
                if (st.st_dev, st.st_ino) == (ident.dev, ident.ino):
                    return entry.path
    except OSError:
        return None
    return None


def recover(history: History) -> RecoveryReport:
    """Reconcile every unfinished intent with the disk; mark crashed runs interrupted.

    Call only while holding the lock (no other process is mid-run).
    """
    rec = _Reconciler(history)
    pending = history.pending_operations()
    rec.pending_by_src = {(op.run_id, op.src): op for op in pending if op.kind in TRANSFER_KINDS}
    for op in pending:
        rec.reconcile(op)
    for run in history.unfinished_runs():
        history.finish_run(run.id, status=INTERRUPTED)
        history.set_run_status(run.id, INTERRUPTED, "interrupted; reconciled at start-up")
        rec.report.runs.append(run.id)
    return rec.report
