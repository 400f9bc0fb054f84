"""How each kind of operation is carried out (for the executor, which journals around it).

:class:`Appliers` re-checks an operation's source against its recorded
identity (invariant 4), then acts through :mod:`fileorganizer.fsops`. A
destination that appeared since planning is resolved by the operation's
conflict policy again. Each method returns the :class:`OpResult`.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable

from fileorganizer import fsops
from fileorganizer.apply_actions import ACTION_KINDS, GATE_KINDS, ActionAppliers
from fileorganizer.conflict import next_free_name
from fileorganizer.errors import DestinationExistsError, FileOrganizerError, SourceChangedError
from fileorganizer.operations import (
    ConflictMode,
    Identity,
    Intent,
    Operation,
    OpKind,
    OpResult,
    OpStatus,
)

MakeRoom = Callable[[Operation, OpKind, str, "str | None"], OpResult]

#: kinds whose source is checked against the recorded identity before acting
_NO_SOURCE_CHECK = frozenset(
    {
        OpKind.ECHO,
        OpKind.SYMLINK,
        OpKind.RMDIR,
        OpKind.MKDIR,
        OpKind.CLEANUP,
        OpKind.WRITE,  # (its file is the outfile: checked by the write itself)
        OpKind.UNWRITE,
    }
)
_TO_DESTINATION = frozenset(
    {OpKind.MOVE, OpKind.RENAME, OpKind.COPY, OpKind.SYMLINK, OpKind.HARDLINK, OpKind.RESTORE}
)
_REMOVALS = frozenset({OpKind.REMOVE_COPY, OpKind.REMOVE_SYMLINK, OpKind.REMOVE_HARDLINK})


class Appliers:
    """Carries out one operation at a time. One instance per run (it remembers folders)."""

    def __init__(
        self,
        trash: fsops.Trash,
        verify_hash: bool,
        make_room: MakeRoom,
        redirects: dict[str, str],
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        self.trash = trash
        self.verify_hash = verify_hash
        self._make_room = make_room
        self._redirects = redirects
        #: folders known to exist (made or seen by this run): one check per folder
        self._known_dirs: set[str] = set()
        self._checked: Identity | None = None
        self._crossed = True
        #: operations added at apply time to make room (overwrite of a newcomer)
        self.extra_results: list[OpResult] = []
        #: shell, python, write and macos_tags operations, and what a run learns from them
        self.actions = ActionAppliers(should_stop)

    def apply(self, intent: Intent) -> OpResult:
        """Re-check and carry out ``intent.op`` (errors propagate to the executor)."""
        op = intent.op
        kind = op.kind
        if op.after is not None:
            held = self.actions.held_back(op)
            if held is not None:
                return held
        if kind is OpKind.ECHO:
            if op.payload is not None:
                return self.actions.echo(op)
            return OpResult(op, OpStatus.DONE)
        if kind not in _NO_SOURCE_CHECK:
            try:
                self._checked = fsops.check_identity(
                    op.src, self.actions.expected(op), check_inode=op.check_inode
                )
            except SourceChangedError:
                if kind in GATE_KINDS:
                    self.actions.blocked.add(op.op_id)
                raise
        if kind in ACTION_KINDS:
            return self.actions.apply(intent, self._checked)
        if kind in _TO_DESTINATION:
            return self._to_destination(intent)
        if kind is OpKind.TRASH:
            return self._trash(intent)
        if kind is OpKind.DELETE:
            if op.same_as and not fsops.same_bytes(op.src, op.same_as):
                return OpResult(op, OpStatus.SKIPPED, reason=f"no longer identical to {op.same_as}")
            fsops.delete(op.src)
            return OpResult(op, OpStatus.DONE)
        if kind in _REMOVALS:
            return self._remove(op)
        if kind is OpKind.RMDIR:
            return self._rmdir(op)
        if kind is OpKind.MKDIR:
            if os.path.isdir(op.src):
                return OpResult(op, OpStatus.SKIPPED, reason=f"{op.src} exists already")
            return OpResult(op, OpStatus.DONE, created_dirs=tuple(fsops.makedirs(op.src)))
        if kind is OpKind.CLEANUP:
            fsops.remove_leftover(op.src)
            return OpResult(op, OpStatus.DONE)
        raise FileOrganizerError(f"unknown operation kind {kind}")  # pragma: no cover

    # -- to a destination ------------------------------------------------------
    def _to_destination(self, intent: Intent) -> OpResult:
        op = intent.op
        kind = op.kind
        assert op.dst is not None
        # (the source's identity as just checked: making room for a newcomer at the
        # destination applies an operation of its own, which checks the newcomer)
        checked = self._checked
        parent = os.path.dirname(op.dst)
        created: list[str] = []
        if parent not in self._known_dirs:
            created = fsops.makedirs(parent)
            self._known_dirs.add(parent)
        dst = op.dst
        for _attempt in range(3):
            try:
                self._transfer(
                    kind, op, dst, intent.temp_path or fsops.temp_path_for(dst, op.op_id)
                )
            except FileNotFoundError:
                if os.path.isdir(parent) or not os.path.lexists(op.src):
                    raise
                created += fsops.makedirs(parent)  # the folder vanished mid-run
                continue
            except DestinationExistsError:
                new_dst, final = self._resolve_at_apply(op, dst)
                if final is not None:
                    return final
                assert new_dst is not None
                dst = new_dst
                continue
            if dst != op.dst:
                self._redirects[op.dst] = dst
            if kind in (OpKind.MOVE, OpKind.RENAME, OpKind.RESTORE) and not self._crossed:
                after: Identity | None = checked  # a rename keeps inode and times
            else:
                after = _identity_or_none(dst)
            return OpResult(
                op, OpStatus.DONE, dst=dst, created_dirs=tuple(created), identity_after=after
            )
        return OpResult(op, OpStatus.FAILED, error=f"destination kept appearing: {dst}")

    def _transfer(self, kind: OpKind, op: Operation, dst: str, temp: str) -> None:
        self._crossed = True
        if kind in (OpKind.MOVE, OpKind.RENAME):
            self._crossed = fsops.move(
                op.src, dst, temp, expected=None, verify_hash=self.verify_hash
            )
        elif kind is OpKind.RESTORE:
            self._crossed = self.trash.restore(op.src, dst, temp)
        elif kind is OpKind.COPY:
            fsops.copy(op.src, dst, temp, verify_hash=self.verify_hash)
        elif kind is OpKind.SYMLINK:
            fsops.symlink(op.src, dst)
        else:
            fsops.hardlink(op.src, dst)

    def _resolve_at_apply(self, op: Operation, dst: str) -> tuple[str | None, OpResult | None]:
        """A destination appeared after planning: apply the conflict policy again.

        Returns a new destination to try, or a final result for ``op``. Making
        room (overwrite/trash: the newcomer goes to the trash; rename_existing:
        it is renamed) is journaled and reported as an operation of its own.
        """
        mode = op.on_conflict
        if mode is ConflictMode.SKIP:
            why = (
                f"original place {dst} is occupied"
                if op.reverses is not None
                else f"{dst} exists (on_conflict: skip)"
            )
            return None, OpResult(op, OpStatus.SKIPPED, reason=why)
        if (
            mode is ConflictMode.DEDUPLICATE
            and op.kind is not OpKind.SYMLINK
            and fsops.same_bytes(op.src, dst)
        ):
            return None, OpResult(
                op,
                OpStatus.SKIPPED,
                reason=f"identical to existing {dst} (on_conflict: deduplicate)",
            )
        is_file = os.path.isfile(dst) or os.path.islink(dst)
        if is_file and mode in (ConflictMode.OVERWRITE, ConflictMode.TRASH):
            room = self._make_room(op, OpKind.TRASH, dst, None)
            return (dst, None) if room.status is OpStatus.DONE else (None, _blocked(op, room))
        if is_file and mode is ConflictMode.RENAME_EXISTING:
            aside = next_free_name(dst, op.rename_template, os.path.lexists)
            room = self._make_room(op, OpKind.MOVE, dst, aside)
            return (dst, None) if room.status is OpStatus.DONE else (None, _blocked(op, room))
        return next_free_name(dst, op.rename_template, os.path.lexists), None

    # -- away ------------------------------------------------------------------
    def _trash(self, intent: Intent) -> OpResult:
        op = intent.op
        if op.same_as and not fsops.same_bytes(op.src, op.same_as):
            return OpResult(op, OpStatus.SKIPPED, reason=f"no longer identical to {op.same_as}")
        if intent.trash_path is None:
            return OpResult(
                op, OpStatus.FAILED, error="no trash folder available (nothing deleted)"
            )
        slot = fsops.TrashSlot(intent.trash_path, fsops.Trash.info_path_of(intent.trash_path))
        temp = intent.temp_path or fsops.temp_path_for(slot.files_path, op.op_id)
        where = self.trash.put(op.src, slot, temp)
        return OpResult(
            op, OpStatus.DONE, trash_path=where, identity_after=_identity_or_none(where)
        )

    def _remove(self, op: Operation) -> OpResult:
        """Remove a copy or link the tool made, only while it is what the run made."""
        if (
            op.kind is OpKind.REMOVE_COPY
            and op.same_as
            and not fsops.same_bytes(op.src, op.same_as)
        ):
            return OpResult(
                op,
                OpStatus.SKIPPED,
                reason=f"the original {op.same_as} is gone or differs from the copy; "
                f"copy {op.src} kept",
            )
        if op.kind is OpKind.REMOVE_HARDLINK and op.same_as:
            a, b = os.lstat(op.src), _identity_or_none(op.same_as)
            if b is None or (a.st_dev, a.st_ino) != (b.dev, b.ino):
                return OpResult(
                    op, OpStatus.SKIPPED, reason=f"{op.src} is no longer a link of {op.same_as}"
                )
        fsops.unlink_checked(op.src)
        return OpResult(op, OpStatus.DONE)

    def _rmdir(self, op: Operation) -> OpResult:
        if not os.path.isdir(op.src) or os.path.islink(op.src):
            return OpResult(op, OpStatus.SKIPPED, reason=f"folder {op.src} is gone")
        try:
            fsops.rmdir_synced(op.src)
        except OSError as exc:
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                return OpResult(op, OpStatus.SKIPPED, reason=f"folder {op.src} is not empty (kept)")
            raise
        return OpResult(op, OpStatus.DONE)


def _blocked(op: Operation, room: OpResult) -> OpResult:
    why = room.error or room.reason or "could not make room"
    return OpResult(op, OpStatus.FAILED, error=f"could not make room at {room.op.src}: {why}")


def _identity_or_none(path: str) -> Identity | None:
    try:
        return Identity.of(path)
    except OSError:
        return None
