"""Rules x entries -> :class:`~fileorganizer.plans.Plan`, against a virtual tree.

Rules run in order. Each sees the tree as the operations planned before it
leave it: files an earlier rule moves away are gone from their old place and
present at their new one (a rule over a folder an earlier rule fills sees
those files), and two files aimed at one name get distinct names here, in the
plan, not at run time. Where a destination goes and how its conflicts are
resolved is :mod:`fileorganizer.destinations`. Planning reads the disk but
never changes it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from fileorganizer.chains import Question
from fileorganizer.config.schema import Config, Rule
from fileorganizer.destinations import RuleContext
from fileorganizer.errors import FileOrganizerError
from fileorganizer.filters.base import FilterContext, HashCache
from fileorganizer.locations import RuleEntries
from fileorganizer.operations import Identity, Operation
from fileorganizer.plans import FilterTrace, Plan, RuleTrace, Skip
from fileorganizer.report import Problem, Reporter
from fileorganizer.scan import FileEntry
from fileorganizer.vtree import VirtualTree

__all__ = ["FilterTrace", "Plan", "Planner", "RuleContext", "RuleTrace", "Skip", "plan"]

#: how often (in entries) planning asks whether to stop
_STOP_EVERY = 256


class Planner(RuleEntries):
    """Builds a :class:`Plan`. One instance per plan; not thread-safe."""

    def __init__(
        self,
        config: Config,
        *,
        paths: Sequence[str | os.PathLike[str]] | None = None,
        tags: Iterable[str] | None = None,
        skip_tags: Iterable[str] | None = None,
        reporter: Reporter | None = None,
        now: datetime | None = None,
        hash_cache: HashCache | None = None,
        protected: Sequence[str | os.PathLike[str]] = (),
        env: Any = None,
        only: Iterable[str | os.PathLike[str]] | None = None,
        should_stop: Callable[[], bool] | None = None,
        put_back: Mapping[str, Identity] | None = None,
        respect_put_back: bool = False,
        report_unseen: bool = False,
        simulating: bool = False,
        ask: Callable[[Question], bool] | None = None,
    ) -> None:
        self.config = config
        self.paths = [os.path.abspath(os.path.expanduser(os.fspath(p))) for p in paths or ()]
        self.rules = config.selected(set(tags or ()) or None, set(skip_tags or ()) or None)
        self.reporter = reporter or Reporter()
        self.now = now or datetime.now()
        self.env = dict(os.environ) if env is None else env
        self.hash_cache = hash_cache
        self.protected = tuple(os.path.abspath(os.fspath(p)) for p in protected)
        self.vtree = VirtualTree()
        self.plan = Plan(config_path=config.path, config_hash=config.source_hash)
        self._only: str | None = None
        #: the prefix of this plan's operation ids
        self.token = uuid.uuid4().hex[:8]
        #: asked every few entries; True stops planning (``plan.interrupted``)
        self.should_stop = should_stop
        #: files an undo put back (path -> identity there): the watcher leaves
        #: them until they change; a run acts on them and counts them
        self.put_back = put_back or {}
        self.respect_put_back = respect_put_back
        self._put_back_hits: set[str] = set()
        #: list what each rule's scan leaves out, with reasons (``sim -v``)
        self.report_unseen = report_unseen
        self._uses_values: dict[int, bool] = {}
        #: per-file caches (hash, mime type, EXIF) shared by all rules of this plan
        self._caches: dict[str, dict[str, Any]] | None = {} if len(self.rules) > 1 else None
        #: When set, only these paths are planned (the watcher's stable files).
        self.only: frozenset[str] | None = (
            frozenset(os.path.normpath(os.path.abspath(os.fspath(p))) for p in only)
            if only is not None
            else None
        )
        self._trace: list[RuleTrace] | None = None
        #: the plan is for ``sim``: actions with ``run_in_simulation`` run while planning
        self.simulating = simulating
        #: asks ``confirm``'s questions (a real run on a terminal); None: nobody to ask
        self.ask = ask
        #: files the plan's ``write`` actions create (they are not on disk yet)
        self.outfiles: set[str] = set()

    # -- locations -------------------------------------------------------
    # -- planning --------------------------------------------------------
    def run(self) -> Plan:
        """Plan every selected rule over its locations (stops early on ``should_stop``)."""
        for rule in self.rules:
            self._check_rule_locations(rule, planned=True)
            self._plan_rule(rule)
            if self.plan.interrupted:
                break
            if self.report_unseen:
                self._report_unseen(rule)
        return self.plan

    def _plan_rule(self, rule: Rule) -> None:
        ctx = FilterContext(
            now=self.now,
            env=self.env,
            hash_cache=self.hash_cache,
            rule_name=rule.name,
            locations=[os.path.abspath(loc.path) for loc in self.locations_of(rule)],
            original_locations=[
                os.path.abspath(loc.path) for loc in self.locations_of(rule) if loc.original
            ],
        )
        needs_all = any(f.filter.needs_all_entries for f in rule.filters)
        entries: Iterable[FileEntry] = self._rule_entries(rule)
        if needs_all:
            collected = list(entries)
            for f in rule.filters:
                if f.filter.needs_all_entries:
                    try:
                        f.filter.prepare(collected, ctx)
                    except (OSError, FileOrganizerError) as exc:
                        self._problem(rule.name, f"filter {f.name}: {exc}", rule)
                        return
            entries = collected
        progress = self.reporter.wants_progress
        rctx = RuleContext(self, rule, ctx)
        plan = self.plan
        should_stop = self.should_stop
        for entry in entries:
            plan.entries_seen += 1
            if plan.entries_seen % _STOP_EVERY == 0:
                if should_stop is not None and should_stop():
                    plan.interrupted = True
                    return
                if progress and plan.entries_seen % 1024 == 0:
                    self.reporter.progress(plan.entries_seen, None, "plan")
            self._plan_entry(rule, entry, ctx, rctx)

    def _plan_entry(
        self, rule: Rule, entry: FileEntry, ctx: FilterContext, rctx: RuleContext
    ) -> None:
        trace = RuleTrace(rule.name, True) if self._trace is not None else None
        try:
            matched, values = self._evaluate(rule, entry, ctx, trace)
        except OSError as exc:
            self._problem(entry.path, f"cannot read file: {exc.strerror or exc}", rule)
            return
        except FileOrganizerError as exc:
            self._problem(entry.path, str(exc), rule)
            return
        if trace is not None:
            trace.matched = matched
            assert self._trace is not None
            self._trace.append(trace)
        if not matched:
            return
        before = len(self.plan.operations)
        rctx.values = values
        current: FileEntry | None = entry
        for spec in rule.actions:
            if current is None:
                break
            try:
                current = spec.action.plan(current, rctx)
            except (OSError, FileOrganizerError) as exc:
                msg = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                self._problem(entry.path, f"action {spec.name}: {msg}", rule)
                if trace is not None:
                    trace.problems.append(f"action {spec.name}: {msg}")
                break
        if self._put_back_hits and entry.path in self._put_back_hits:
            self._put_back_hits.discard(entry.path)
            if len(self.plan.operations) > before:
                self.plan.put_back += 1
        if trace is not None:
            trace.operations = self.plan.operations[before:]

    def _evaluate(
        self, rule: Rule, entry: FileEntry, ctx: FilterContext, trace: RuleTrace | None
    ) -> tuple[bool, dict[str, Any]]:
        values: dict[str, Any] = {}
        ctx.values = values  # (earlier filters' values, for the python filter)
        mode = rule.filter_mode
        if trace is None and mode == "all":
            for spec in rule.filters:
                res = spec.filter.match(entry, ctx)
                values[spec.name] = res.value
                if res.matched == spec.negate:
                    return False, values
            return True, values
        results: list[bool] = []
        for spec in rule.filters:
            res = spec.filter.match(entry, ctx)
            ok = res.matched != spec.negate
            values[spec.name] = res.value
            results.append(ok)
            if trace is not None:
                trace.filters.append(FilterTrace(spec.name, spec.negate, ok, res.value))
            if trace is None:
                if mode == "all" and not ok:
                    return False, values
                if mode == "none" and ok:
                    return False, values
                if mode == "any" and ok and not self._needs_all_values(rule):
                    return True, values
        if mode == "all":
            matched = all(results)
        elif mode == "any":
            matched = any(results) if results else True
        else:
            matched = not any(results)
        return matched, values

    def _needs_all_values(self, rule: Rule) -> bool:
        """Whether the rule's actions use a filter's value (so every filter must run)."""
        got = self._uses_values.get(rule.index)
        if got is None:
            used: set[str] = set()
            for spec in rule.actions:
                for _option, template in spec.action.templates():
                    used |= template.names
            got = self._uses_values[rule.index] = bool(used & {f.name for f in rule.filters})
        return got

    def _problem(self, path: str, message: str, rule: Rule | None) -> None:
        problem = Problem(path, message, rule.name if rule else None)
        self.plan.problems.append(problem)
        self.reporter.problem(problem)

    def next_op_id(self) -> str:
        """A unique, cheap operation id: this plan's token and a counter."""
        return f"{self.token}{len(self.plan.operations):08x}"

    def add_operation(self, op: Operation) -> Operation:
        """Append ``op`` to the plan with the next sequence number."""
        ops = self.plan.operations
        if op.seq != len(ops):
            op = replace(op, seq=len(ops))
        ops.append(op)
        self.reporter.planned(op)
        return op

    # -- explain ---------------------------------------------------------------
    def explain(self, path: str | os.PathLike[str]) -> list[RuleTrace]:
        """How each rule judges the file at ``path`` (see :func:`fileorganizer.explain.explain`)."""
        from fileorganizer.explain import explain

        return explain(self, path)

    def trace(self, rule: Rule, target: str) -> list[RuleTrace]:
        """Plan ``rule`` for ``target`` only, recording how it judged the file."""
        self._trace = []
        self._only = target
        try:
            self._plan_rule(rule)
        finally:
            self._only = None
        traces, self._trace = self._trace, None
        return traces


def plan(
    config: Config,
    *,
    paths: Sequence[str | os.PathLike[str]] | None = None,
    tags: Iterable[str] | None = None,
    skip_tags: Iterable[str] | None = None,
    reporter: Reporter | None = None,
    now: datetime | None = None,
    hash_cache: HashCache | None = None,
    protected: Sequence[str | os.PathLike[str]] | None = None,
) -> Plan:
    """Plan ``config`` over its locations (or ``paths``); touches nothing.

    ``protected``: paths never organized nor written (default: the tool's own
    history, configuration, logs and trash, and the rules file, as the CLI's).

    Raises :class:`~fileorganizer.errors.LocationError` for a missing location.
    Per-file problems (unreadable file, bad template value) are collected in
    ``Plan.problems`` and the file is left alone.
    """
    return Planner(
        config,
        paths=paths,
        tags=tags,
        skip_tags=skip_tags,
        reporter=reporter,
        now=now,
        hash_cache=hash_cache,
        protected=_own_paths(config) if protected is None else protected,
    ).run()


def _own_paths(config: Config) -> list[str]:
    from fileorganizer.paths import resolve_paths

    ap = resolve_paths()
    own = [str(p) for p in ap.own_paths()] + [str(ap.lock_path)]
    if config.path:
        own.append(os.path.abspath(config.path))
    return own
