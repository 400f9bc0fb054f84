"""Applying a :class:`~fileorganizer.planner.Plan`.

For each batch of operations: journal the intents (one commit), then for each
operation re-check its source, act through :mod:`fileorganizer.fsops`, and
collect an :class:`OpResult`; then journal the results. A failure on one file
is recorded and the run goes on.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from fileorganizer import fsops
from fileorganizer.conflict import next_free_name
from fileorganizer.crash import crashpoint
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
from fileorganizer.planner import Plan
from fileorganizer.report import Problem, Reporter

#: the first batch of a run (its results show quickly), and the size batches double up to
FIRST_BATCH = 250
MAX_BATCH = 2000


class Journal(Protocol):
    """Where the executor records intents before acting and results after.

    ``record_intents`` must be durable when it returns (invariant 3).
    """

    def record_intents(self, intents: Sequence[Intent]) -> None:
        """Commit what is about to happen."""

    def record_results(self, results: Sequence[OpResult]) -> None:
        """Commit what happened."""


class NullJournal:
    """A journal that records nothing (library use without history)."""

    def record_intents(self, intents: Sequence[Intent]) -> None:
        return None

    def record_results(self, results: Sequence[OpResult]) -> None:
        return None


@dataclass
class RunResult:
    """What a run did: per-operation results, plus files that could not be planned.

    ``counts`` always covers every operation. ``results`` holds every result
    unless the run was told not to keep the successful ones (a large run whose
    caller only needs the counts); skipped and failed results are always kept.
    """

    results: list[OpResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    run_id: int | None = None
    interrupted: bool = False
    counts: dict[OpStatus, int] = field(default_factory=lambda: dict.fromkeys(OpStatus, 0))
    keep_done: bool = True

    def add(self, result: OpResult) -> None:
        """Count ``result`` and keep it (successful ones only when ``keep_done``)."""
        self.counts[result.status] += 1
        if self.keep_done or result.status is not OpStatus.DONE:
            self.results.append(result)

    @property
    def applied(self) -> list[OpResult]:
        """Operations carried out (empty when ``keep_done`` is off; see ``counts``)."""
        return [r for r in self.results if r.status is OpStatus.DONE]

    @property
    def skipped(self) -> list[OpResult]:
        """Operations skipped (source gone or changed, conflict policy skip)."""
        return [r for r in self.results if r.status is OpStatus.SKIPPED]

    @property
    def failed(self) -> list[OpResult]:
        """Operations that failed."""
        return [r for r in self.results if r.status is OpStatus.FAILED]

    @property
    def ok(self) -> bool:
        """True when nothing failed and every file could be planned."""
        return not self.counts[OpStatus.FAILED] and not self.problems

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready summary."""
        return {
            "run_id": self.run_id,
            "applied": self.counts[OpStatus.DONE],
            "skipped": self.counts[OpStatus.SKIPPED],
            "failed": self.counts[OpStatus.FAILED],
            "problems": len(self.problems),
            "interrupted": self.interrupted,
        }


class Executor:
    """Applies operations with the safety invariants. One instance per run."""

    def __init__(
        self,
        *,
        journal: Journal | None = None,
        reporter: Reporter | None = None,
        trash: fsops.Trash | None = None,
        batch_size: int | None = None,
        verify_hash: bool = False,
        should_stop: Callable[[], bool] | None = None,
        keep_results: bool = True,
    ) -> None:
        from fileorganizer.paths import default_trash_dir

        self.journal = journal or NullJournal()
        self.reporter = reporter or Reporter()
        self.trash = trash or fsops.Trash(default_trash_dir())
        #: a fixed batch size, or None: batches grow from FIRST_BATCH to MAX_BATCH
        self.batch_size = batch_size
        self.verify_hash = verify_hash
        self.should_stop = should_stop
        self.keep_results = keep_results
        #: planned path -> real path, for ops whose destination moved at apply time
        self._redirects: dict[str, str] = {}
        #: folders known to exist (made or seen by this run): one check per folder
        self._known_dirs: set[str] = set()
        self._checked: Identity | None = None
        self._crossed = True
        #: operations added at apply time to make room (overwrite of a newcomer)
        self.extra_results: list[OpResult] = []

    def apply(self, operations: Sequence[Operation], *, release: bool = False) -> RunResult:
        """Apply ``operations`` in order, in journaled batches.

        With ``release`` (and a list), the list is emptied as batches are done,
        so a huge run does not hold every operation until the end.
        """
        result = RunResult(keep_done=self.keep_results)
        total = len(operations)
        progress = self.reporter.wants_progress
        pending: list[Operation] | None = None
        if release and isinstance(operations, list):
            pending = operations
            pending.reverse()  # pop() from the end takes them in order
        start = 0
        size = self.batch_size or FIRST_BATCH
        while start < total:
            if self._stop_requested():
                result.interrupted = True
                break
            if pending is not None:
                batch = [pending.pop() for _ in range(min(size, len(pending)))]
            else:
                batch = list(operations[start : start + size])
            intents = [self._intent(op) for op in batch]
            del batch
            self.journal.record_intents(intents)
            crashpoint("after_intent_commit")
            batch_results = self._apply_batch(intents, result)
            crashpoint("before_done_commit")
            self.journal.record_results(batch_results)
            for r in batch_results:
                self._report(r)
            for r in self.extra_results:
                result.add(r)
            self.extra_results.clear()
            for r in batch_results:
                result.add(r)
            start += len(intents)
            if progress:
                self.reporter.progress(min(start, total), total, "apply")
            if self.batch_size is None:
                # the first results show quickly; later batches share a commit
                size = min(size * 2, MAX_BATCH)
        if pending is not None:
            pending.reverse()  # anything not applied (a stop) stays, in order
        return result

    def _apply_batch(self, intents: list[Intent], result: RunResult) -> list[OpResult]:
        """Apply each intent in order; after a stop request the rest are skipped, untouched."""
        out: list[OpResult] = []
        should_stop = self.should_stop
        apply_one = self._apply_one
        for intent in intents:
            if not result.interrupted and (should_stop is None or not should_stop()):
                out.append(apply_one(intent))
                continue
            result.interrupted = True
            out.append(OpResult(intent.op, OpStatus.SKIPPED, reason="interrupted before this file"))
        return out

    def _stop_requested(self) -> bool:
        flag = self.should_stop
        return flag is not None and bool(flag())

    def _report(self, r: OpResult) -> None:
        if r.status is OpStatus.DONE:
            if r.op.kind is OpKind.ECHO:
                self.reporter.echo(r.op)
            else:
                self.reporter.applied(r)
        elif r.status is OpStatus.SKIPPED:
            self.reporter.skipped(r)
        else:
            self.reporter.failed(r)

    def _intent(self, op: Operation) -> Intent:
        src = self._redirects.get(op.src, op.src) if self._redirects else op.src
        if src != op.src:
            op = replace(op, src=src)
        if op.kind is OpKind.TRASH:
            try:
                slot = self.trash.reserve(op.src, op.op_id)
            except OSError:
                return Intent(op, None)
            temp = fsops.temp_path_for(slot.files_path, op.op_id)
            return Intent(op, None, temp_path=temp, trash_path=slot.files_path)
        if op.kind in (OpKind.MOVE, OpKind.RENAME, OpKind.COPY) and op.dst:
            return Intent(op, op.dst, temp_path=fsops.temp_path_for(op.dst, op.op_id))
        return Intent(op, op.dst)

    def _apply_one(self, intent: Intent) -> OpResult:
        redirected = self._redirects.get(intent.op.src) if self._redirects else None
        if redirected is not None and redirected != intent.op.src:
            # an earlier op in this batch put the file elsewhere than planned
            intent = replace(intent, op=replace(intent.op, src=redirected))
        op = intent.op
        try:
            if op.kind is OpKind.ECHO:
                return OpResult(op, OpStatus.DONE)
            if op.kind is not OpKind.SYMLINK:
                self._checked = fsops.check_identity(
                    op.src, op.identity, check_inode=op.check_inode
                )
            return self._dispatch(intent)
        except SourceChangedError as exc:
            return OpResult(op, OpStatus.SKIPPED, reason=str(exc))
        except FileOrganizerError as exc:
            return OpResult(op, OpStatus.FAILED, error=str(exc))
        except OSError as exc:
            return OpResult(op, OpStatus.FAILED, error=_os_message(exc))

    def _dispatch(self, intent: Intent) -> OpResult:
        op = intent.op
        kind = op.kind
        if kind is OpKind.TRASH:
            return self._trash(intent)
        if kind is OpKind.DELETE:
            if op.same_as and not fsops.same_bytes(op.src, op.same_as):
                return OpResult(op, OpStatus.SKIPPED, reason=f"no longer identical to {op.same_as}")
            fsops.delete(op.src)
            return OpResult(op, OpStatus.DONE)
        assert op.dst is not None
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
                new_dst, pre = self._resolve_at_apply(op, dst)
                if pre is not None:
                    return pre
                assert new_dst is not None
                dst = new_dst
                continue
            if dst != op.dst:
                self._redirects[op.dst] = dst
            if kind in (OpKind.MOVE, OpKind.RENAME) and not self._crossed:
                after: Identity | None = self._checked  # a rename keeps inode and times
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
        elif kind is OpKind.COPY:
            fsops.copy(op.src, dst, temp, verify_hash=self.verify_hash)
        elif kind is OpKind.SYMLINK:
            fsops.symlink(op.src, dst)
        elif kind is OpKind.HARDLINK:
            fsops.hardlink(op.src, dst)
        else:  # pragma: no cover - every kind is dispatched above
            raise FileOrganizerError(f"unknown operation kind {kind}")

    def _resolve_at_apply(self, op: Operation, dst: str) -> tuple[str | None, OpResult | None]:
        """A destination appeared after planning: apply the conflict policy again.

        Returns a new destination to try, or a final result for ``op``. Making
        room (overwrite/trash: the newcomer goes to the trash; rename_existing:
        it is renamed) is journaled and reported as an operation of its own.
        """
        mode = op.on_conflict
        if mode is ConflictMode.SKIP:
            return None, OpResult(op, OpStatus.SKIPPED, reason=f"{dst} exists (on_conflict: skip)")
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

    def _make_room(self, op: Operation, kind: OpKind, path: str, dst: str | None) -> OpResult:
        extra = Operation(
            kind=kind,
            src=path,
            dst=dst,
            rule=op.rule,
            rule_index=op.rule_index,
            action=op.action,
            seq=op.seq,
            identity=Identity.of(path),
            note=f"make room at apply time (on_conflict: {op.on_conflict.value})",
        )
        intent = self._intent(extra)
        self.journal.record_intents([intent])
        result = self._apply_one(intent)
        self.journal.record_results([result])
        self._report(result)
        self.extra_results.append(result)
        return result

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


def _blocked(op: Operation, room: OpResult) -> OpResult:
    why = room.error or room.reason or "could not make room"
    return OpResult(op, OpStatus.FAILED, error=f"could not make room at {room.op.src}: {why}")


def _identity_or_none(path: str) -> Identity | None:
    try:
        return Identity.of(path)
    except OSError:
        return None


def _os_message(exc: OSError) -> str:
    parts = [exc.strerror or str(exc)]
    if exc.filename:
        parts.append(os.fsdecode(exc.filename))
    return ": ".join(parts)


def apply_plan(
    plan: Plan,
    *,
    journal: Journal | None = None,
    reporter: Reporter | None = None,
    trash_dir: str | os.PathLike[str] | None = None,
    batch_size: int | None = None,
    verify_hash: bool = False,
) -> RunResult:
    """Apply ``plan``; return what was applied, skipped and failed.

    Without a ``journal`` nothing is recorded (use :class:`History` for undo).
    """
    trash = fsops.Trash(trash_dir) if trash_dir is not None else None
    executor = Executor(
        journal=journal,
        reporter=reporter,
        trash=trash,
        batch_size=batch_size,
        verify_hash=verify_hash,
    )
    result = executor.apply(plan.operations)
    result.problems = list(plan.problems)
    return result
