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

from fileorganizer.chains import Question, require_answerer
from fileorganizer.planner import Planner
from fileorganizer.plans import Plan
from fileorganizer.report import Reporter
from fileorganizer.states import RunMode

if TYPE_CHECKING:
    from fileorganizer.config import Config
    from fileorganizer.executor import Journal
    from fileorganizer.filters.base import HashCache
    from fileorganizer.history import History, RecoveryReport
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
    #: ``RUN`` or ``WATCH`` (a ``sim`` is ``dry_run``)
    mode: RunMode = RunMode.RUN
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
    #: List what the scans leave out, with reasons (``sim -v``).
    report_unseen: bool = False
    #: Asks ``confirm``'s questions in a real run (the CLI's, on a terminal); a run
    #: whose rules confirm is refused without one. ``sim`` never asks.
    ask: Callable[[Question], bool] | None = None


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
        respect_put_back=options.mode == RunMode.WATCH,
        report_unseen=options.report_unseen,
        simulating=options.dry_run,
        ask=None if options.dry_run else options.ask,
    )


# (at the end of the imports: these modules use the values above)
from fileorganizer.applying import (  # noqa: E402
    LazyHashCache,
    apply_ops,
    apply_recorded,
    open_history,
    recover,
    recover_now,
)
from fileorganizer.undoing import UndoSession, undo, undo_in  # noqa: E402

__all__ = [
    "SessionOptions",
    "SessionResult",
    "UndoSession",
    "apply_recorded",
    "make_planner",
    "open_history",
    "organize",
    "protected_paths",
    "recover",
    "recover_now",
    "undo",
    "undo_in",
]


def organize(
    config: Config, options: SessionOptions, journal: Journal | None = None
) -> SessionResult:
    """Plan, and unless ``dry_run``, apply. Raises typed errors for whole-run problems.

    A real pass holds the lock (:class:`~fileorganizer.errors.LockHeldError`
    after ``options.wait`` seconds) from recovery through planning to the
    last result: the data folder's, or with a shared history its locations'
    (:mod:`fileorganizer.pass_lock`). With an explicit ``journal`` or
    ``record=False`` the history and the lock are not used.
    """
    if options.dry_run:
        return _simulate(config, options)
    require_answerer(
        config.selected(set(options.tags) or None, set(options.skip_tags) or None), options.ask
    )
    from fileorganizer.pass_lock import location_folders, locked_history
    from fileorganizer.results import RunResult
    from fileorganizer.states import RunMode, RunStatus

    if journal is not None or not options.record:
        plan = make_planner(config, options).run()
        if plan.interrupted:
            return SessionResult(plan, RunResult(interrupted=True))
        result = _apply_plan(plan, options, journal)
        return SessionResult(plan, result)
    folders = location_folders(config, options.paths, options.tags, options.skip_tags)
    with locked_history(options.app_paths, options.wait, lambda _h: folders) as (history, lock):
        recovery = recover(history, options.app_paths, lock)
        plan = make_planner(config, options, hash_cache=history, history=history).run()
        mode = RunMode.WATCH if options.mode == RunMode.WATCH else RunMode.RUN
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
            locks=lock.record,
        )
        problems = len(plan.problems)
        # (on an exception the run stays "running": the next start-up recovers it)
        result = _apply_plan(plan, options, history.journal(run_id, guard=lock.check))
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
    cache = LazyHashCache(options.app_paths)
    try:
        plan = make_planner(config, options, hash_cache=cache).run()
    finally:
        cache.close()
    return SessionResult(plan)


def _abs(path: str | None) -> str | None:
    return os.path.abspath(path) if path else None


def _apply_plan(plan: Plan, options: SessionOptions, journal: Journal | None) -> RunResult:
    result = apply_ops(
        plan.operations,
        options.app_paths,
        journal,
        options.reporter,
        should_stop=options.should_stop,
        keep_results=options.keep_results,
    )
    result.problems = list(plan.problems)
    return result
