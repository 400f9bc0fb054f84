"""One pass as the CLI and the watcher run it: lock, recovery, plan, apply, record.

Every change to the disk is a plan applied by the one executor:

- :func:`organize` plans the rules (``run``, a watch batch) and applies the plan;
- :func:`undo` plans the reverse of a recorded run and applies that plan;
- :func:`recover` plans what a crashed run left unfinished and applies it.

A real pass holds the one-writer lock from recovery through planning to the
last result, and journals in the history. ``sim`` plans and records nothing.
A stop request (``should_stop``, set by SIGINT/SIGTERM in the CLI) ends a pass
after the file in progress and marks its run ``interrupted``, with counts that
equal the disk.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from fileorganizer.planner import Planner
from fileorganizer.plans import Plan
from fileorganizer.report import Reporter

if TYPE_CHECKING:
    from fileorganizer.config import Config
    from fileorganizer.executor import Journal
    from fileorganizer.filters.base import HashCache
    from fileorganizer.history import History, RecoveryReport, UndoResult
    from fileorganizer.history.records import RunMode
    from fileorganizer.paths import AppPaths
    from fileorganizer.results import RunResult

# The history (SQLAlchemy), the lock and the executor are imported where they
# are used: ``explain`` and ``sim`` need none of them.


@dataclass
class SessionOptions:
    """Everything one pass needs besides the config."""

    app_paths: AppPaths
    paths: Sequence[str] = ()
    tags: Iterable[str] = ()
    skip_tags: Iterable[str] = ()
    dry_run: bool = False
    #: ``run`` or ``watch`` (a ``sim`` is ``dry_run``)
    mode: str = "run"
    wait: float = 0.0
    now: datetime | None = None
    reporter: Reporter = field(default_factory=Reporter)
    extra_protected: Sequence[str] = ()
    #: Record the pass in the history (``False``: no history, no lock; library use).
    record: bool = True
    #: Only plan these paths (the watcher's stable files); None plans everything.
    only: Sequence[str] | None = None
    #: Asked between files; True stops the pass there (the run is marked interrupted).
    should_stop: Callable[[], bool] | None = None
    #: Keep every result in memory (False: counts plus skipped/failed results only).
    keep_results: bool = True
    #: The watch session a batch belongs to (``undo --session``).
    session_id: str | None = None


@dataclass
class SessionResult:
    """The plan, and for a real run what applying it did."""

    plan: Plan
    result: RunResult | None = None
    run_id: int | None = None
    recovery: RecoveryReport | None = None

    @property
    def ok(self) -> bool:
        """Nothing failed, every file could be planned, nothing was cut short."""
        if self.result is not None:
            return self.result.ok
        return not self.plan.problems and not self.plan.interrupted

    @property
    def interrupted(self) -> bool:
        """A stop request cut the pass short (while planning or applying)."""
        return self.plan.interrupted or bool(self.result and self.result.interrupted)


def protected_paths(config: Config, options: SessionOptions) -> list[str]:
    """Paths the tool never organizes: its own state and the rules file."""
    out = [str(p) for p in options.app_paths.own_paths()]
    out.append(str(options.app_paths.lock_path))
    if config.path and os.path.exists(config.path):
        out.append(os.path.abspath(config.path))
    out.extend(options.extra_protected)
    return out


def make_planner(
    config: Config,
    options: SessionOptions,
    hash_cache: HashCache | None = None,
    history: History | None = None,
) -> Planner:
    """A planner for ``config`` with the session's paths, tags and protections."""
    put_back = history.put_back() if history is not None else None
    return Planner(
        config,
        paths=list(options.paths) or None,
        tags=options.tags,
        skip_tags=options.skip_tags,
        reporter=options.reporter,
        now=options.now,
        hash_cache=hash_cache,
        protected=protected_paths(config, options),
        only=options.only,
        should_stop=options.should_stop,
        put_back=put_back,
        respect_put_back=options.mode == "watch",
    )


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
        result = _apply_ops(rp.plan.operations, app_paths, history.journal(rid), Reporter())
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


def _apply_ops(
    operations: list[object] | Sequence[object],
    app_paths: AppPaths,
    journal: Journal | None,
    reporter: Reporter,
    *,
    should_stop: Callable[[], bool] | None = None,
    keep_results: bool = True,
) -> RunResult:
    from fileorganizer.executor import Executor
    from fileorganizer.fsops import Trash

    executor = Executor(
        journal=journal,
        reporter=reporter,
        trash=Trash(app_paths.trash_dir),
        should_stop=should_stop,
        keep_results=keep_results,
    )
    # a caller that keeps no per-file results needs no operation once it is done
    return executor.apply(operations, release=not keep_results)  # type: ignore[arg-type]


def organize(
    config: Config, options: SessionOptions, journal: Journal | None = None
) -> SessionResult:
    """Plan, and unless ``dry_run``, apply. Raises typed errors for whole-run problems.

    A real pass holds the lock (:class:`~fileorganizer.errors.LockHeldError`
    after ``options.wait`` seconds) from recovery through planning to the
    last result. With an explicit ``journal`` or ``record=False`` the history
    and the lock are not used.
    """
    if options.dry_run:
        return _simulate(config, options)
    from fileorganizer.history.records import RunMode, RunStatus
    from fileorganizer.lock import RunLock
    from fileorganizer.results import RunResult

    if journal is not None or not options.record:
        plan = make_planner(config, options).run()
        if plan.interrupted:
            return SessionResult(plan, RunResult(interrupted=True))
        result = _apply_plan(plan, options, journal)
        return SessionResult(plan, result)
    with (
        RunLock(options.app_paths.lock_path, options.wait),
        open_history(options.app_paths) as history,
    ):
        recovery = recover(history, options.app_paths)
        plan = make_planner(config, options, hash_cache=history, history=history).run()
        mode = RunMode.WATCH if options.mode == "watch" else RunMode.RUN
        if plan.interrupted:
            return SessionResult(plan, RunResult(interrupted=True), None, recovery)
        if mode is RunMode.WATCH and not plan.operations and not plan.problems:
            # a watcher batch where no rule matched: nothing worth a history entry
            return SessionResult(plan, RunResult(), None, recovery)
        run_id = history.start_run(
            mode,
            config_path=_abs(plan.config_path),
            config_hash=plan.config_hash,
            planned=len(plan.operations),
            session=options.session_id,
        )
        problems = len(plan.problems)
        # (on an exception the run stays "running": the next start-up recovers it)
        result = _apply_plan(plan, options, history.journal(run_id))
        history.finish_run(
            run_id,
            problems=problems,
            status=RunStatus.INTERRUPTED if result.interrupted else None,
            planned_skips=len(plan.skips),
        )
        result.run_id = run_id
        return SessionResult(plan, result, run_id, recovery)


def _simulate(config: Config, options: SessionOptions) -> SessionResult:
    if not options.record:
        return SessionResult(make_planner(config, options).run())
    cache = _LazyHashCache(options.app_paths)
    try:
        plan = make_planner(config, options, hash_cache=cache).run()
    finally:
        cache.close()
    return SessionResult(plan)


def _abs(path: str | None) -> str | None:
    return os.path.abspath(path) if path else None


def _apply_plan(plan: Plan, options: SessionOptions, journal: Journal | None) -> RunResult:
    result = _apply_ops(
        plan.operations,
        options.app_paths,
        journal,
        options.reporter,
        should_stop=options.should_stop,
        keep_results=options.keep_results,
    )
    result.problems = list(plan.problems)
    return result


@dataclass
class UndoSession:
    """What :func:`undo` did, plus what start-up recovery found."""

    result: UndoResult
    recovery: RecoveryReport | None = None


def undo(
    app_paths: AppPaths,
    run_id: int | None = None,
    *,
    dry_run: bool = False,
    wait: float = 0.0,
    reporter: Reporter | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_recovery: Callable[[RecoveryReport | None], None] | None = None,
    keep_results: bool = True,
) -> UndoSession:
    """Undo ``run_id`` (default: the newest run with changes in place).

    Holds the lock and runs recovery first (also for a dry run, so that the
    plan it shows is the one an undo would apply); what recovery found goes to
    ``on_recovery`` before the undo starts. ``dry_run`` returns the plan;
    otherwise that plan is applied as a run of mode ``undo``.
    """
    from fileorganizer.lock import RunLock

    with RunLock(app_paths.lock_path, wait), open_history(app_paths) as history:
        return undo_in(
            history,
            app_paths,
            run_id,
            dry_run=dry_run,
            reporter=reporter,
            should_stop=should_stop,
            on_recovery=on_recovery,
            keep_results=keep_results,
        )


def undo_in(
    history: History,
    app_paths: AppPaths,
    run_id: int | None = None,
    *,
    dry_run: bool = False,
    reporter: Reporter | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_recovery: Callable[[RecoveryReport | None], None] | None = None,
    keep_results: bool = True,
) -> UndoSession:
    """:func:`undo` in an open ``history``; the caller holds the lock."""
    from fileorganizer.history.records import RunMode, RunStatus
    from fileorganizer.history.undo import UndoResult, plan_undo, undo_target

    recovery = recover(history, app_paths)
    if on_recovery is not None:
        on_recovery(recovery)
    target = undo_target(history, run_id)
    plan = plan_undo(history, target)
    if dry_run:
        return UndoSession(UndoResult(target, None, True, plan), recovery)
    if not plan.operations:
        # nothing to apply (the run changed nothing, or only what cannot be undone)
        from fileorganizer.results import RunResult

        return UndoSession(UndoResult(target, None, False, plan, RunResult()), recovery)
    undo_id = history.start_run(
        RunMode.UNDO, undo_of=target, planned=len(plan.operations), note=f"undo of run {target}"
    )
    result = _apply_ops(
        plan.operations,
        app_paths,
        history.journal(undo_id),
        reporter or Reporter(),
        should_stop=should_stop,
        keep_results=keep_results,
    )
    history.finish_run(
        undo_id,
        status=RunStatus.INTERRUPTED if result.interrupted else None,
        planned_skips=len(plan.skips),
    )
    result.run_id = undo_id
    return UndoSession(UndoResult(target, undo_id, False, plan, result), recovery)


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
        result = _apply_ops(
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
