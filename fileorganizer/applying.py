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
    from fileorganizer.history import History, RecoveryReport
    from fileorganizer.history.records import RunMode
    from fileorganizer.operations import Operation
    from fileorganizer.paths import AppPaths
    from fileorganizer.plans import Plan
    from fileorganizer.results import RunResult


def open_history(app_paths: AppPaths) -> History:
    """Open the history of ``app_paths`` (its SQLite file, or its database URL)."""
    from fileorganizer.history import History

    if app_paths.database_url:
        return History(url=app_paths.database_url)
    return History(app_paths.db_path)


class _LazyHashCache:
    """The history as a hash cache, opened only if a filter asks (``sim`` records nothing)."""

    def __init__(self, app_paths: AppPaths) -> None:
        self.app_paths = app_paths
        self._history: History | None = None

    def _open(self) -> History:
        if self._history is None:
            self._history = open_history(self.app_paths)
        return self._history

    def get_hash(self, dev: int, ino: int, size: int, mtime_ns: int, algo: str) -> str | None:
        return self._open().get_hash(dev, ino, size, mtime_ns, algo)

    def put_hash(
        self, dev: int, ino: int, size: int, mtime_ns: int, algo: str, digest: str
    ) -> None:
        self._open().put_hash(dev, ino, size, mtime_ns, algo, digest)

    def close(self) -> None:
        if self._history is not None:
            self._history.close()


def recover(history: History, app_paths: AppPaths) -> RecoveryReport:
    """Reconcile what crashed runs left unfinished; call only while holding the lock.

    Decides from the disk (:func:`~fileorganizer.history.recovery.plan_recovery`),
    applies the clean-ups and the finishing moves that needs through the
    executor as a run of mode ``recovery``, records the decisions, and marks
    each crashed run ``interrupted`` with its true counts.
    """
    crashed = history.unfinished_runs()
    pending = history.pending_operations()
    from fileorganizer.history.records import RecoveryReport

    report = RecoveryReport()
    if not crashed and not pending:
        return report
    from fileorganizer.history.records import RunMode
    from fileorganizer.history.recovery import finish_crashed, plan_recovery, write_decisions

    rp = plan_recovery(pending)
    if rp.plan.operations:
        runs = sorted({d.rec.run_id for d in rp.decisions})
        rid = history.start_run(
            RunMode.RECOVERY,
            planned=len(rp.plan.operations),
            note=f"recovery of run(s) {', '.join(map(str, runs))}",
        )
        result = apply_ops(rp.plan.operations, app_paths, history.journal(rid), Reporter())
        history.finish_run(rid)
        report.run_id = rid
        by_id = {r.op.op_id: r for r in result.results}
        for d in rp.decisions:
            if d.op is not None:
                d.settle(by_id.get(d.op.op_id))
    report.items = write_decisions(history, rp.decisions)
    report.runs = finish_crashed(history, crashed)
    return report


def recover_now(
    app_paths: AppPaths, history: History, *, wait: float = 0.0
) -> RecoveryReport | None:
    """Reconcile unfinished intents if no other instance is working (lock free).

    Returns None when another instance holds the lock (recovery is its job).
    Used by read-only commands such as ``history``.
    """
    from fileorganizer.lock import RunLock

    lock = RunLock(app_paths.lock_path, wait)
    if not lock.try_acquire():
        return None
    try:
        return recover(history, app_paths)
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
) -> RunResult:
    """Apply ``plan`` as a recorded, undoable run in ``history`` (the library's way).

    Takes the one-writer lock of ``app_paths`` (default: the user's) around it,
    as the CLI does, and runs recovery first.
    """
    from fileorganizer.history.records import RunMode, RunStatus
    from fileorganizer.lock import RunLock
    from fileorganizer.paths import resolve_paths

    ap = app_paths or resolve_paths()
    with RunLock(ap.lock_path):
        recover(history, ap)
        run_id = history.start_run(
            mode or RunMode.RUN,
            config_path=_abs(plan.config_path),
            config_hash=plan.config_hash,
            planned=len(plan.operations),
        )
        result = apply_ops(
            plan.operations,
            ap,
            history.journal(run_id),
            reporter or Reporter(),
            should_stop=should_stop,
        )
        history.finish_run(
            run_id,
            problems=len(plan.problems),
            status=RunStatus.INTERRUPTED if result.interrupted else None,
        )
    result.problems = list(plan.problems)
    result.run_id = run_id
    return result


def _abs(path: str | None) -> str | None:
    return os.path.abspath(path) if path else None
