"""Applying plans in the history: recovery, recorded runs, the executor's wiring.

- :func:`recover` plans what crashed runs left unfinished and applies it;
- :func:`apply_recorded` applies any plan as a recorded, undoable run;
- :func:`apply_ops` is how every pass builds its executor.

Callers hold the one-writer lock.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from fileorganizer.report import Reporter

if TYPE_CHECKING:
    from fileorganizer.executor import Journal
    from fileorganizer.history import History, OpRecord, RecoveryReport, RunInfo
    from fileorganizer.lock import WriterLock
    from fileorganizer.operations import Operation
    from fileorganizer.paths import AppPaths
    from fileorganizer.plans import Plan
    from fileorganizer.results import RunResult
    from fileorganizer.states import RunMode


def open_history(app_paths: AppPaths) -> History:
    """Open the history of ``app_paths`` (its SQLite file, or its database URL)."""
    from fileorganizer.history import History

    if app_paths.database_url:
        return History(url=app_paths.database_url)
    return History(app_paths.db_path)


class LazyHashCache:
    """The history as a hash cache, opened on the first look-up.

    Only files of ``CACHE_MIN_SIZE`` or more are looked up, so a tree of small
    files (or a ``sim`` that hashes nothing) never opens the database.
    """

    def __init__(self, app_paths: AppPaths) -> None:
        self.app_paths = app_paths
        self._history: History | None = None

    def _open(self) -> History:
        if self._history is None:
            self._history = open_history(self.app_paths)
        return self._history

    def get_hash(self, dev: int, ino: int, size: int, mtime_ns: int, algo: str) -> str | None:
        """A cached digest, or None."""
        return self._open().get_hash(dev, ino, size, mtime_ns, algo)

    def put_hash(
        self, dev: int, ino: int, size: int, mtime_ns: int, algo: str, digest: str
    ) -> None:
        """Remember a digest."""
        self._open().put_hash(dev, ino, size, mtime_ns, algo, digest)

    def close(self) -> None:
        """Close the history if it was opened."""
        if self._history is not None:
            self._history.close()


def recover(
    history: History, app_paths: AppPaths, lock: WriterLock | None = None
) -> RecoveryReport:
    """Reconcile what crashed runs left unfinished; call only while holding ``lock``.

    Decides from the disk (:func:`~fileorganizer.history.recovery.plan_recovery`),
    applies the clean-ups and the finishing moves that needs through the
    executor as a run of mode ``recovery``, records the decisions, and marks
    each crashed run ``interrupted`` with its true counts.

    Which runs crashed: with the data folder's lock (SQLite; also ``lock``
    None, meaning the caller holds it), every run still marked running. With
    a shared history's folder locks, only those whose recorded locks are free
    (:meth:`~fileorganizer.folder_lock.FolderLock.claim`): another host's live
    run is left alone. The crashed runs' locks are held while they are settled.
    """
    from fileorganizer.history.records import RecoveryReport

    report = RecoveryReport()
    unfinished = history.unfinished_runs()
    if lock is None or lock.sole_writer:
        crashed = unfinished
        pending = history.pending_operations()
    else:
        crashed = [r for r in unfinished if lock.claim(r)]
        pending = history.pending_operations([r.id for r in crashed]) if crashed else []
    if not crashed and not pending:
        return report
    try:
        _settle(history, app_paths, lock, crashed, pending, report)
    finally:
        if lock is not None:
            lock.release_claims()
    return report


def _settle(
    history: History,
    app_paths: AppPaths,
    lock: WriterLock | None,
    crashed: list[RunInfo],
    pending: list[OpRecord],
    report: RecoveryReport,
) -> None:
    from fileorganizer.history.recovery import finish_crashed, plan_recovery, write_decisions
    from fileorganizer.paths import host_id
    from fileorganizer.states import RunMode

    here = host_id()
    rp = plan_recovery(pending, {r.id for r in crashed if r.host is not None and r.host != here})
    if rp.plan.operations:
        runs = sorted({d.rec.run_id for d in rp.decisions})
        rid = history.start_run(
            RunMode.RECOVERY,
            planned=len(rp.plan.operations),
            note=f"recovery of run(s) {', '.join(map(str, runs))}",
            locks=lock.record if lock is not None else None,
        )
        journal = history.journal(rid, guard=lock.check if lock is not None else None)
        result = apply_ops(rp.plan.operations, app_paths, journal, Reporter())
        history.finish_run(rid)
        report.run_id = rid
        by_id = {r.op.op_id: r for r in result.results}
        for d in rp.decisions:
            if d.op is not None:
                d.settle(by_id.get(d.op.op_id))
    report.items = write_decisions(history, rp.decisions)
    report.runs = finish_crashed(history, crashed)


def recover_now(
    app_paths: AppPaths, history: History, *, wait: float = 0.0
) -> RecoveryReport | None:
    """Reconcile unfinished intents if no other instance is working on them.

    With the data folder's lock: only if it is free (None when another
    instance holds it: recovery is its job). With a shared history: the
    crashed runs whose folders are free. Used by read-only commands such as
    ``history``.
    """
    from fileorganizer.pass_lock import lock_for

    lock = lock_for(history, app_paths, (), wait)
    if not lock.try_acquire():
        return None
    try:
        return recover(history, app_paths, lock)
    finally:
        lock.release()


def apply_ops(
    operations: Sequence[Operation],
    app_paths: AppPaths,
    journal: Journal | None,
    reporter: Reporter,
    *,
    should_stop: Callable[[], bool] | None = None,
    keep_results: bool = True,
) -> RunResult:
    from fileorganizer.apply_actions import WRITE_BACKUPS
    from fileorganizer.executor import Executor
    from fileorganizer.fsops import Trash

    executor = Executor(
        journal=journal,
        reporter=reporter,
        trash=Trash(app_paths.trash_dir),
        should_stop=should_stop,
        keep_results=keep_results,
        backup_dir=str(app_paths.data_dir / WRITE_BACKUPS),
    )
    # a caller that keeps no per-file results needs no operation once it is done
    return executor.apply(operations, release=not keep_results)


def apply_recorded(
    plan: Plan,
    history: History,
    *,
    mode: RunMode | None = None,
    app_paths: AppPaths | None = None,
    reporter: Reporter | None = None,
    should_stop: Callable[[], bool] | None = None,
    wait: float = 0.0,
    note: str | None = None,
) -> RunResult:
    """Apply ``plan`` as a recorded, undoable run in ``history`` (the library's way).

    Takes the one-writer lock around it, as the CLI does (the data folder's of
    ``app_paths``, default the user's; with a shared history, the folders of
    the plan's sources), waiting up to ``wait`` seconds, and runs recovery first.
    """
    from fileorganizer.pass_lock import lock_for, plan_folders
    from fileorganizer.paths import resolve_paths
    from fileorganizer.states import RunMode, RunStatus

    ap = app_paths or resolve_paths()
    lock = lock_for(history, ap, plan_folders(plan.operations), wait)
    lock.acquire()
    try:
        recover(history, ap, lock)
        run_id = history.start_run(
            mode or RunMode.RUN,
            config_path=_abs(plan.config_path),
            config_hash=plan.config_hash,
            planned=len(plan.operations),
            note=note,
            locks=lock.record,
        )
        result = apply_ops(
            plan.operations,
            ap,
            history.journal(run_id, guard=lock.check),
            reporter or Reporter(),
            should_stop=should_stop,
        )
        history.finish_run(
            run_id,
            problems=len(plan.problems),
            status=RunStatus.INTERRUPTED if result.interrupted else None,
            planned_skips=len(plan.skips),
        )
    finally:
        lock.release()
    result.problems = list(plan.problems)
    result.run_id = run_id
    return result


def _abs(path: str | None) -> str | None:
    return os.path.abspath(path) if path else None
