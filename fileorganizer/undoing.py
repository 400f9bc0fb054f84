"""Undo as a pass: the lock, recovery, the plan that reverses a run, the executor.

The lock is the data folder's, or with a shared history the folders the run's
operations touched (:mod:`fileorganizer.pass_lock`).

:func:`undo` plans the reverse of a recorded run
(:func:`~fileorganizer.history.undo.plan_undo`) and applies that plan through
the one executor as a run of mode ``undo``; ``dry_run`` returns the plan
without applying it, so the preview and the undo agree by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fileorganizer.applying import apply_ops, recover
from fileorganizer.report import Reporter

if TYPE_CHECKING:
    from fileorganizer.history import History, RecoveryReport, UndoResult
    from fileorganizer.lock import WriterLock
    from fileorganizer.paths import AppPaths


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
    session: bool = False,
) -> UndoSession:
    """Undo ``run_id`` (default: the newest run with changes in place).

    Holds the lock and runs recovery first (also for a dry run, so that the
    plan it shows is the one an undo would apply); what recovery found goes to
    ``on_recovery`` before the undo starts. ``dry_run`` returns the plan;
    otherwise that plan is applied as a run of mode ``undo``.
    """
    from fileorganizer.pass_lock import locked_history

    def folders(history: History) -> list[str]:
        return undo_folders(history, run_id, session=session)

    with locked_history(app_paths, wait, folders) as (history, lock):
        return undo_in(
            history,
            app_paths,
            run_id,
            dry_run=dry_run,
            reporter=reporter,
            should_stop=should_stop,
            on_recovery=on_recovery,
            keep_results=keep_results,
            session=session,
            lock=lock,
        )


def undo_folders(history: History, run_id: int | None, *, session: bool = False) -> list[str]:
    """The folders an undo of ``run_id`` (default: the newest undoable run) would touch.

    With ``session``, those of every batch of its watch session. Empty when
    there is nothing to undo yet (recovery may change that; the undo then
    takes the folders of the run it finds, see :func:`undo_in`).
    """
    from fileorganizer.errors import UndoError
    from fileorganizer.history.undo import session_runs, undo_target
    from fileorganizer.pass_lock import touched_folders

    try:
        runs = session_runs(history, run_id)[1] if session else [undo_target(history, run_id)]
    except UndoError:
        return []
    return touched_folders(history, runs)


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
    session: bool = False,
    lock: WriterLock | None = None,
) -> UndoSession:
    """:func:`undo` in an open ``history``; the caller holds ``lock``.

    With ``session``, the whole watch session of ``run_id`` (default: the
    newest watch batch) is undone as one plan, all its batches newest first.
    With a shared history's folder locks, the lock is extended (without
    waiting) to every folder the runs to undo touched, if it does not cover
    them yet (the runs to undo are only known once recovery has run).
    """
    from fileorganizer.history.undo import (
        UndoResult,
        plan_undo,
        plan_undo_runs,
        session_runs,
        undo_target,
    )
    from fileorganizer.pass_lock import touched_folders
    from fileorganizer.states import RunMode, RunStatus

    recovery = recover(history, app_paths, lock)
    if on_recovery is not None:
        on_recovery(recovery)
    note = None
    if session:
        name, runs = session_runs(history, run_id)
        target = runs[0]
        note = f"undo of watch session {name} (runs {', '.join(map(str, sorted(runs)))})"
    else:
        target = undo_target(history, run_id)
        runs = [target]
    if lock is not None and not lock.sole_writer:
        lock.extend(touched_folders(history, runs))
    plan = plan_undo_runs(history, runs) if session else plan_undo(history, target)
    if dry_run:
        return UndoSession(UndoResult(target, None, True, plan), recovery)
    if not plan.operations:
        # nothing to apply (the run changed nothing, or only what cannot be undone)
        from fileorganizer.results import RunResult

        return UndoSession(UndoResult(target, None, False, plan, RunResult()), recovery)
    undo_id = history.start_run(
        RunMode.UNDO,
        undo_of=target,
        planned=len(plan.operations),
        note=note or f"undo of run {target}",
        locks=lock.record if lock is not None else None,
    )
    result = apply_ops(
        plan.operations,
        app_paths,
        history.journal(undo_id, guard=lock.check if lock is not None else None),
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
