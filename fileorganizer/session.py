"""One organize pass as the CLI and the watcher run it: config -> plan -> apply.

This is the glue the CLI calls (and the watcher, per batch). For ``run`` and
``watch`` it takes the single-writer lock, opens the history, reconciles what
a crashed run left unfinished, plans, and applies the plan with the history
as the executor's journal. ``sim`` plans without the lock and records a run
row (mode ``sim``) with the plan's counts but no operations: it shows up in
``history`` and is never a candidate for ``undo``. Library users may call
:func:`~fileorganizer.planner.plan` and
:func:`~fileorganizer.executor.apply_plan` directly instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from fileorganizer.planner import Plan, Planner
from fileorganizer.report import Reporter

if TYPE_CHECKING:
    from fileorganizer.config import Config
    from fileorganizer.executor import Journal, RunResult
    from fileorganizer.filters.base import HashCache
    from fileorganizer.history import History, RecoveryReport, UndoResult, UndoStep
    from fileorganizer.paths import AppPaths

# The history (SQLAlchemy), the lock and the executor are imported where they
# are used: ``explain`` needs none of them, ``sim`` no lock and no executor.


@dataclass
class SessionOptions:
    """Everything one pass needs besides the config."""

    app_paths: AppPaths
    paths: Sequence[str] = ()
    tags: Iterable[str] = ()
    skip_tags: Iterable[str] = ()
    dry_run: bool = False
    mode: str = "run"
    wait: float = 0.0
    now: datetime | None = None
    reporter: Reporter = field(default_factory=Reporter)
    extra_protected: Sequence[str] = ()
    #: Record the pass in the history (``False``: no history, no lock; library use).
    record: bool = True
    #: Only plan these paths (the watcher's stable files); None plans everything.
    only: Sequence[str] | None = None
    #: Asked before each operation; True stops the run there (the rest is skipped).
    should_stop: Callable[[], bool] | None = None
    #: Keep every result in memory (False: counts plus skipped/failed results only).
    keep_results: bool = True


@dataclass
class SessionResult:
    """The plan, and for a real run what applying it did."""

    plan: Plan
    result: RunResult | None = None
    run_id: int | None = None
    recovery: RecoveryReport | None = None

    @property
    def ok(self) -> bool:
        """Nothing failed and every file could be planned."""
        if self.result is not None:
            return self.result.ok
        return not self.plan.problems


def protected_paths(config: Config, options: SessionOptions) -> list[str]:
    """Paths the tool never organizes: its own state and the rules file."""
    out = [str(p) for p in options.app_paths.own_paths()]
    out.append(str(options.app_paths.lock_path))
    if config.path and os.path.exists(config.path):
        out.append(os.path.abspath(config.path))
    out.extend(options.extra_protected)
    return out


def make_planner(
    config: Config, options: SessionOptions, hash_cache: HashCache | None = None
) -> Planner:
    """A planner for ``config`` with the session's paths, tags and protections."""
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
    )


def open_history(app_paths: AppPaths) -> History:
    """Open the history database of ``app_paths``."""
    from fileorganizer.history import History

    return History(app_paths.db_path)


def recover_now(
    app_paths: AppPaths, history: History, *, wait: float = 0.0
) -> RecoveryReport | None:
    """Reconcile unfinished intents if no other instance is working (lock free).

    Returns None when another instance holds the lock (recovery is its job).
    Used by read-only commands such as ``history``.
    """
    from fileorganizer.history import recover
    from fileorganizer.lock import RunLock

    lock = RunLock(app_paths.lock_path, wait)
    if not lock.try_acquire():
        return None
    try:
        return recover(history)
    finally:
        lock.release()


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
    from fileorganizer.executor import RunResult
    from fileorganizer.history import recover
    from fileorganizer.lock import RunLock

    if journal is not None or not options.record:
        plan = make_planner(config, options).run()
        result = _apply(plan, options, journal)
        return SessionResult(plan, result)
    with (
        RunLock(options.app_paths.lock_path, options.wait),
        open_history(options.app_paths) as history,
    ):
        recovery = recover(history)
        plan = make_planner(config, options, hash_cache=history).run()
        mode = options.mode if options.mode in ("run", "watch") else "run"
        if mode == "watch" and not plan.operations and not plan.problems:
            # a watcher batch where no rule matched: nothing worth a history entry
            return SessionResult(plan, RunResult(), None, recovery)
        run_id = history.start_run(
            mode,
            config_path=_abs(plan.config_path),
            config_hash=plan.config_hash,
            planned=len(plan.operations),
        )
        try:
            result = _apply(plan, options, history.journal(run_id))
        finally:
            history.finish_run(run_id, problems=len(plan.problems))
        result.run_id = run_id
        return SessionResult(plan, result, run_id, recovery)


def _simulate(config: Config, options: SessionOptions) -> SessionResult:
    if not options.record:
        return SessionResult(make_planner(config, options).run())
    with open_history(options.app_paths) as history:
        plan = make_planner(config, options, hash_cache=history).run()
        run_id = history.record_sim(
            config_path=_abs(plan.config_path),
            config_hash=plan.config_hash,
            planned=len(plan.operations),
            problems=len(plan.problems),
        )
    return SessionResult(plan, None, run_id)


def _abs(path: str | None) -> str | None:
    return os.path.abspath(path) if path else None


def _apply(plan: Plan, options: SessionOptions, journal: Journal | None) -> RunResult:
    from fileorganizer.executor import Executor
    from fileorganizer.fsops import Trash

    executor = Executor(
        journal=journal,
        reporter=options.reporter,
        trash=Trash(options.app_paths.trash_dir),
        should_stop=options.should_stop,
        keep_results=options.keep_results,
    )
    # a caller that keeps no per-file results needs no operation once it is done
    result = executor.apply(plan.operations, release=not options.keep_results)
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
    on_recovery: Callable[[RecoveryReport | None], None] | None = None,
    on_step: Callable[[UndoStep], None] | None = None,
    keep_steps: bool = True,
) -> UndoSession:
    """Undo ``run_id`` (default: the newest run with changes in place).

    Holds the lock and runs recovery first (also for a dry run, so that what
    it shows is what an undo would do); what recovery found goes to
    ``on_recovery`` before the undo starts. Each finished step goes to
    ``on_step``; with ``keep_steps=False`` the result keeps only counts (see
    :func:`fileorganizer.history.undo_run`).
    """
    from fileorganizer.fsops import Trash
    from fileorganizer.history import recover, undo_run
    from fileorganizer.lock import RunLock

    with RunLock(app_paths.lock_path, wait), open_history(app_paths) as history:
        recovery = recover(history)
        if on_recovery is not None:
            on_recovery(recovery)
        result = undo_run(
            history,
            run_id,
            trash=Trash(app_paths.trash_dir),
            dry_run=dry_run,
            on_step=on_step,
            keep_steps=keep_steps,
        )
        return UndoSession(result, recovery)
