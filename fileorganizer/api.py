"""The library's one-call helpers: plan, apply and record as the CLI does.

:func:`run` plans a config and applies it as a recorded, undoable run;
:func:`apply_plan` applies a plan (recorded when given a ``history``);
:func:`undo_run` undoes a recorded run. Each holds the one-writer lock of the
user's data directory (or ``app_paths``) while it changes anything, like
``fileorganizer run`` and ``fileorganizer undo``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from fileorganizer.report import Reporter

if TYPE_CHECKING:
    from fileorganizer.config import Config
    from fileorganizer.executor import Journal
    from fileorganizer.history import History, UndoResult
    from fileorganizer.paths import AppPaths
    from fileorganizer.plans import Plan
    from fileorganizer.results import RunResult
    from fileorganizer.session import SessionResult


def apply_plan(
    plan: Plan,
    *,
    history: History | None = None,
    journal: Journal | None = None,
    reporter: Reporter | None = None,
    trash_dir: str | os.PathLike[str] | None = None,
    batch_size: int | None = None,
    verify_hash: bool = False,
    should_stop: Callable[[], bool] | None = None,
    app_paths: AppPaths | None = None,
) -> RunResult:
    """Apply ``plan``; return what was applied, skipped and failed.

    With ``history`` (e.g. ``History()``, the user's default database) the
    run is journaled there and can be undone with :func:`undo_run`, under the
    one-writer lock. Without it nothing is recorded (unless a ``journal`` is
    given).
    """
    if history is not None:
        from fileorganizer.session import apply_recorded

        return apply_recorded(
            plan, history, app_paths=app_paths, reporter=reporter, should_stop=should_stop
        )
    from fileorganizer.executor import apply_plan as apply_unrecorded

    return apply_unrecorded(
        plan,
        journal=journal,
        reporter=reporter,
        trash_dir=trash_dir,
        batch_size=batch_size,
        verify_hash=verify_hash,
        should_stop=should_stop,
    )


def run(
    config: Config,
    *,
    paths: Sequence[str | os.PathLike[str]] = (),
    tags: Iterable[str] = (),
    skip_tags: Iterable[str] = (),
    dry_run: bool = False,
    reporter: Reporter | None = None,
    app_paths: AppPaths | None = None,
    wait: float = 0.0,
) -> SessionResult:
    """Plan ``config`` (over ``paths`` if given) and apply it as a recorded run.

    Exactly what ``fileorganizer run`` does: the lock, recovery, the plan, the
    executor, the history. ``dry_run`` plans only (``fileorganizer sim``).
    """
    from fileorganizer.paths import resolve_paths
    from fileorganizer.session import SessionOptions, organize

    options = SessionOptions(
        app_paths=app_paths or resolve_paths(),
        paths=[os.fspath(p) for p in paths],
        tags=tags,
        skip_tags=skip_tags,
        dry_run=dry_run,
        wait=wait,
        reporter=reporter or Reporter(),
    )
    return organize(config, options)


def undo_run(
    history: History | None = None,
    run_id: int | None = None,
    *,
    dry_run: bool = False,
    reporter: Reporter | None = None,
    app_paths: AppPaths | None = None,
    wait: float = 0.0,
) -> UndoResult:
    """Undo ``run_id`` (default: the newest run with changes in place) in ``history``.

    ``history`` defaults to the user's database (or ``app_paths``'). Holds the
    one-writer lock (see :mod:`fileorganizer.pass_lock`). ``dry_run`` returns the plan
    without applying it. Raises :class:`~fileorganizer.errors.UndoError` when
    there is nothing to undo.
    """
    from fileorganizer.pass_lock import lock_for
    from fileorganizer.paths import resolve_paths
    from fileorganizer.session import open_history, undo_in
    from fileorganizer.undoing import undo_folders

    ap = app_paths or resolve_paths()
    own = history is None
    hist = open_history(ap) if history is None else history
    try:
        lock = lock_for(hist, ap, undo_folders(hist, run_id) if hist.shared else (), wait)
        lock.acquire()
        try:
            return undo_in(hist, ap, run_id, dry_run=dry_run, reporter=reporter, lock=lock).result
        finally:
            lock.release()
    finally:
        if own:
            hist.close()
