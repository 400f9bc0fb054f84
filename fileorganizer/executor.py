"""Applying a :class:`~fileorganizer.plans.Plan`: the one place plans become changes.

``run``, ``undo``, recovery and every watch batch apply their plans here. For
each batch of operations: journal the intents (one durable commit), then for
each operation re-check its source, act through :mod:`fileorganizer.fsops`,
and collect an :class:`OpResult`; then journal the results. A failure on one
file is recorded and the run goes on. A stop request (SIGINT/SIGTERM) ends the
run after the operation in progress: what was never started is taken out of
the journal, so the history counts equal the disk.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from fileorganizer import fsops
from fileorganizer.apply import Appliers
from fileorganizer.apply_actions import WRITE_BACKUPS, write_intent
from fileorganizer.crash import crashpoint
from fileorganizer.errors import FileOrganizerError, LockLostError, SourceChangedError
from fileorganizer.operations import Intent, Operation, OpKind, OpResult, OpStatus
from fileorganizer.plans import Plan
from fileorganizer.report import Reporter
from fileorganizer.results import RunResult

__all__ = ["Executor", "Journal", "NullJournal", "RunResult", "apply_plan"]

#: the first batch of a run (its results show quickly), and the size batches double up to
FIRST_BATCH = 250
MAX_BATCH = 2000
#: how often (seconds) a pass on a shared history checks, between operations, that it
#: still holds its folder locks
LOCK_CHECK_SECONDS = 0.5


class Journal(Protocol):
    """Where the executor records intents before acting and results after.

    ``record_intents`` must be durable when it returns (invariant 3).
    ``record_results`` gets every intent's result, except those of intents
    never started (a stop): those are in ``not_started`` and are forgotten.
    """

    def record_intents(self, intents: Sequence[Intent]) -> None:
        """Commit what is about to happen."""

    def record_results(
        self, results: Sequence[OpResult], not_started: Sequence[Operation] = ()
    ) -> None:
        """Commit what happened."""


class NullJournal:
    """A journal that records nothing (library use without history)."""

    def record_intents(self, intents: Sequence[Intent]) -> None:
        return None

    def record_results(
        self, results: Sequence[OpResult], not_started: Sequence[Operation] = ()
    ) -> None:
        return None


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
        backup_dir: str | None = None,
    ) -> None:
        from fileorganizer.paths import default_trash_dir, resolve_paths

        self.journal = journal or NullJournal()
        self.reporter = reporter or Reporter()
        self.trash = trash or fsops.Trash(default_trash_dir())
        #: a fixed batch size, or None: batches grow from FIRST_BATCH to MAX_BATCH
        self.batch_size = batch_size
        self.should_stop = should_stop
        self.keep_results = keep_results
        #: planned path -> real path, for ops whose destination moved at apply time
        self._redirects: dict[str, str] = {}
        self.appliers = Appliers(
            self.trash, verify_hash, self._make_room, self._redirects, should_stop
        )
        #: where a ``write`` saves a file's previous contents (in the data folder)
        self.backup_dir = backup_dir or str(resolve_paths().data_dir / WRITE_BACKUPS)
        #: the journal's lock check (a shared history): raises once the pass lost its
        #: folder locks. Called between operations at most every LOCK_CHECK_SECONDS,
        #: so a pass that lost them stops within that time, not at its next batch.
        self._lock_check: Callable[[], None] | None = getattr(self.journal, "guard", None)
        self._lock_checked_at = time.monotonic()
        self._lock_lost: LockLostError | None = None

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
                result.not_started += total - start
                break
            if pending is not None:
                batch = [pending.pop() for _ in range(min(size, len(pending)))]
            else:
                batch = list(operations[start : start + size])
            intents = [self._intent(op) for op in batch]
            del batch
            self.journal.record_intents(intents)
            crashpoint("after_intent_commit")
            done, not_started = self._apply_batch(intents, result)
            crashpoint("before_done_commit")
            self.journal.record_results(done, not_started)
            if self._lock_lost is not None:
                raise self._lock_lost  # (what was done is journaled; recovery does the rest)
            for r in self.appliers.extra_results:
                result.add(r)
            self.appliers.extra_results.clear()
            for r in done:
                self._report(r)
                result.add(r)
            result.not_started += len(not_started)
            start += len(intents)
            if progress:
                self.reporter.progress(min(start, total), total, "apply")
            if self.batch_size is None:
                # the first results show quickly; later batches share a commit
                size = min(size * 2, MAX_BATCH)
        if pending is not None:
            pending.reverse()  # anything not applied (a stop) stays, in order
        return result

    def _apply_batch(
        self, intents: list[Intent], result: RunResult
    ) -> tuple[list[OpResult], list[Operation]]:
        """Apply each intent in order; after a stop request the rest are not started."""
        out: list[OpResult] = []
        should_stop = self.should_stop
        apply_one = self._apply_one
        check = self._lock_check
        for k, intent in enumerate(intents):
            if should_stop is not None and should_stop():
                result.interrupted = True
                return out, [i.op for i in intents[k:]]
            if check is not None and time.monotonic() - self._lock_checked_at >= LOCK_CHECK_SECONDS:
                self._lock_checked_at = time.monotonic()
                try:
                    check()
                except LockLostError as exc:
                    self._lock_lost = exc
                    result.interrupted = True
                    return out, [i.op for i in intents[k:]]
            out.append(apply_one(intent))
        return out, []

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
        kind = op.kind
        if kind is OpKind.TRASH:
            try:
                slot = self.trash.reserve(op.src, op.op_id)
            except OSError:
                return Intent(op, None)
            temp = fsops.temp_path_for(slot.files_path, op.op_id)
            return Intent(op, None, temp_path=temp, trash_path=slot.files_path)
        if kind is OpKind.RESTORE and op.dst:
            temp = fsops.temp_path_for(op.dst, op.op_id)
            return Intent(op, op.dst, temp_path=temp, trash_path=op.src)
        if kind in _TEMP_KINDS and op.dst:
            return Intent(op, op.dst, temp_path=fsops.temp_path_for(op.dst, op.op_id))
        if kind is OpKind.WRITE:
            return write_intent(op, self.backup_dir)
        return Intent(op, op.dst)

    def _apply_one(self, intent: Intent) -> OpResult:
        redirected = self._redirects.get(intent.op.src) if self._redirects else None
        if redirected is not None and redirected != intent.op.src:
            # an earlier op in this batch put the file elsewhere than planned
            intent = replace(intent, op=replace(intent.op, src=redirected))
        op = intent.op
        try:
            return self.appliers.apply(intent)
        except SourceChangedError as exc:
            return OpResult(op, OpStatus.SKIPPED, reason=str(exc))
        except FileOrganizerError as exc:
            return OpResult(op, OpStatus.FAILED, error=str(exc))
        except OSError as exc:
            return OpResult(op, OpStatus.FAILED, error=_os_message(exc))

    def _make_room(self, op: Operation, kind: OpKind, path: str, dst: str | None) -> OpResult:
        """Journal and apply an operation that makes room for ``op`` at apply time."""
        from fileorganizer.operations import Identity

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
        self.appliers.extra_results.append(result)
        return result


#: kinds whose bytes may be copied to a temporary name beside the destination
_TEMP_KINDS = frozenset({OpKind.MOVE, OpKind.RENAME, OpKind.COPY})


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
    should_stop: Callable[[], bool] | None = None,
) -> RunResult:
    """Apply ``plan``; return what was applied, skipped and failed.

    Without a ``journal`` nothing is recorded (to record an undoable run, use
    :func:`fileorganizer.session.apply_recorded` or pass ``history.journal(run)``).
    """
    trash = fsops.Trash(trash_dir) if trash_dir is not None else None
    executor = Executor(
        journal=journal,
        reporter=reporter,
        trash=trash,
        batch_size=batch_size,
        verify_hash=verify_hash,
        should_stop=should_stop,
    )
    result = executor.apply(plan.operations)
    result.problems = list(plan.problems)
    return result
