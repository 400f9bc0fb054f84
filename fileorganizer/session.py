"""One organize pass as the CLI and the watcher run it: config -> plan -> apply.

This is the glue the CLI calls (and the watcher, per batch): it plans, and for
a real run applies the plan through the executor with the history journal and
the single-writer lock. Library users may call :func:`plan` and
:func:`apply_plan` directly instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from fileorganizer.config import Config
from fileorganizer.executor import Executor, Journal, RunResult
from fileorganizer.fsops import Trash
from fileorganizer.paths import AppPaths
from fileorganizer.planner import Plan, Planner
from fileorganizer.report import Reporter


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
    #: Only plan these paths (the watcher's stable files); None plans everything.
    only: Sequence[str] | None = None


@dataclass
class SessionResult:
    """The plan, and for a real run what applying it did."""

    plan: Plan
    result: RunResult | None = None

    @property
    def ok(self) -> bool:
        """Nothing failed and every file could be planned."""
        if self.result is not None:
            return self.result.ok
        return not self.plan.problems


def protected_paths(config: Config, options: SessionOptions) -> list[str]:
    """Paths the tool never organizes: its own state and the rules file."""
    out = [str(p) for p in options.app_paths.own_paths()]
    if config.path and os.path.exists(config.path):
        out.append(os.path.abspath(config.path))
    out.extend(options.extra_protected)
    return out


def make_planner(config: Config, options: SessionOptions, hash_cache: object = None) -> Planner:
    """A planner for ``config`` with the session's paths, tags and protections."""
    return Planner(
        config,
        paths=list(options.paths) or None,
        tags=options.tags,
        skip_tags=options.skip_tags,
        reporter=options.reporter,
        now=options.now,
        hash_cache=hash_cache,  # type: ignore[arg-type]
        protected=protected_paths(config, options),
        only=options.only,
    )


def organize(
    config: Config, options: SessionOptions, journal: Journal | None = None
) -> SessionResult:
    """Plan, and unless ``dry_run``, apply. Raises typed errors for whole-run problems."""
    plan = make_planner(config, options).run()
    if options.dry_run:
        return SessionResult(plan)
    executor = Executor(
        journal=journal, reporter=options.reporter, trash=Trash(options.app_paths.trash_dir)
    )
    result = executor.apply(plan.operations)
    result.problems = list(plan.problems)
    return SessionResult(plan, result)
