"""Rules x entries -> :class:`Plan`, against a virtual tree of the planned result.

Rules run in order. Each sees the tree as the operations planned before it
leave it: files an earlier rule moves away are gone from their old place and
present at their new one, and two files aimed at one name get distinct names
here, in the plan, not at run time. Planning reads the disk but never changes it.
"""

from __future__ import annotations

import filecmp
import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from fileorganizer.config.schema import Config, LocationModel, Rule
from fileorganizer.conflict import next_free_name
from fileorganizer.errors import FileOrganizerError, LocationError, TemplateError
from fileorganizer.filters.base import LAZY_PLACEHOLDERS, FilterContext, HashCache
from fileorganizer.operations import (
    DEFAULT_RENAME_TEMPLATE,
    ConflictMode,
    Identity,
    Operation,
    OpKind,
)
from fileorganizer.report import Problem, Reporter
from fileorganizer.scan import FileEntry, ScanSpec, scan
from fileorganizer.templates import compile_template
from fileorganizer.vtree import Placed, VirtualTree, norm

if TYPE_CHECKING:
    from fileorganizer.actions.base import Action


@dataclass(frozen=True, slots=True)
class Skip:
    """A file a rule matched but leaves alone, and why (shown by ``sim``)."""

    path: str
    rule: str
    reason: str

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {"path": self.path, "rule": self.rule, "reason": self.reason}


@dataclass
class Plan:
    """What a run will do: operations in order, plus files that could not be planned."""

    operations: list[Operation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    config_path: str | None = None
    config_hash: str = ""
    entries_seen: int = 0
    created_at: datetime = field(default_factory=datetime.now)

    def __len__(self) -> int:
        return len(self.operations)

    @property
    def irreversible(self) -> list[Operation]:
        """Operations undo cannot reverse (permanent deletes)."""
        return [op for op in self.operations if not op.reversible]

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description of the whole plan."""
        return {
            "operations": [op.to_dict() for op in self.operations],
            "problems": [p.to_dict() for p in self.problems],
            "skips": [s.to_dict() for s in self.skips],
        }


@dataclass
class FilterTrace:
    """One filter's verdict on one file (for ``explain``)."""

    name: str
    negate: bool
    matched: bool
    value: Any
    error: str | None = None


@dataclass
class RuleTrace:
    """How one rule judged one file (for ``explain``)."""

    rule: str
    in_location: bool
    filters: list[FilterTrace] = field(default_factory=list)
    matched: bool = False
    operations: list[Operation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class _EnvProxy:
    """``{env.HOME}``: environment variables by attribute."""

    def __init__(self, env: Any) -> None:
        self._env = env

    def __getattr__(self, key: str) -> str:
        try:
            return str(self._env[key])
        except KeyError:
            raise AttributeError(f"environment variable {key} is not set") from None


class Planner:
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
        self._token = uuid.uuid4().hex[:8]
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

    # -- locations -------------------------------------------------------
    def locations_of(self, rule: Rule) -> list[LocationModel]:
        """The rule's locations; folders given on the command line replace them."""
        if self.paths:
            base = rule.locations[0]
            return [base.model_copy(update={"path": p}) for p in self.paths]
        return list(rule.locations)

    def check_locations(self) -> None:
        """Raise :class:`LocationError` for a location that is missing or not a folder."""
        for rule in self.rules:
            for loc in self.locations_of(rule):
                path = os.path.abspath(loc.path)
                if not os.path.isdir(path) and not loc.ignore_errors:
                    why = "does not exist" if not os.path.exists(path) else "is not a folder"
                    raise LocationError(f"rule {rule.name!r}: location {path} {why}", path=path)

    def _entries(
        self, rule: Rule, loc: LocationModel, placed_before: list[tuple[str, Placed]]
    ) -> Iterator[FileEntry]:
        location = os.path.abspath(loc.path)
        max_depth = loc.max_depth if loc.max_depth is not None else (None if rule.subfolders else 0)
        spec = ScanSpec(
            path=location,
            subfolders=rule.subfolders,
            min_depth=loc.min_depth,
            max_depth=max_depth,
            targets=rule.targets,
            exclude_files=tuple(loc.exclude_files),
            exclude_dirs=tuple(loc.exclude_dirs),
            include=tuple(loc.filter),
            protected=self.protected,
            include_hidden=loc.include_hidden,
        )

        def on_error(path: str, exc: OSError) -> None:
            if path == location and not loc.ignore_errors:
                self._problem(path, f"cannot read location: {exc.strerror or exc}", rule)
            elif path != location:
                self._problem(path, f"cannot read folder: {exc.strerror or exc}", rule)

        vtree = self.vtree
        want_dirs = rule.targets == "dirs"
        caches = self._caches
        for entry in scan(spec, on_error):
            # (a scan's paths are normal: its location is)
            if vtree.is_removed(entry.path):
                continue
            if caches is not None:
                entry.cache = caches.setdefault(entry.real_path, entry.cache)
            yield entry
        for path, placed in placed_before:
            if vtree.placed(path) != placed:
                continue  # moved on by this rule meanwhile
            if placed.is_dir != want_dirs:
                continue
            entry = FileEntry(path, location, real_path=placed.real_path, is_dir=placed.is_dir)
            if caches is not None:
                entry.cache = caches.setdefault(entry.real_path, entry.cache)
            yield entry

    def _placed_in(self, rule: Rule, loc: LocationModel) -> list[tuple[str, Placed]]:
        max_depth = loc.max_depth if loc.max_depth is not None else (None if rule.subfolders else 0)
        return self.vtree.added_under(os.path.abspath(loc.path), max_depth)

    # -- planning --------------------------------------------------------
    def run(self) -> Plan:
        """Plan every selected rule over its locations."""
        self.check_locations()
        for rule in self.rules:
            self._plan_rule(rule)
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
        for entry in entries:
            plan.entries_seen += 1
            if progress and plan.entries_seen % 1000 == 0:
                self.reporter.progress(plan.entries_seen, None, "plan")
            self._plan_entry(rule, entry, ctx, rctx)

    def _rule_entries(self, rule: Rule) -> Iterator[FileEntry]:
        # what earlier rules put in each location, taken before this rule plans
        # anything: a rule never acts again on its own output
        locations = self.locations_of(rule)
        snapshots = [self._placed_in(rule, loc) for loc in locations]
        if self._only is None and self.only is None:
            # (chained, not re-yielded: a generator layer costs per entry)
            return chain.from_iterable(
                self._entries(rule, loc, placed_before)
                for loc, placed_before in zip(locations, snapshots, strict=True)
            )
        return self._only_entries(rule, locations, snapshots)

    def _only_entries(
        self,
        rule: Rule,
        locations: list[LocationModel],
        snapshots: list[list[tuple[str, Placed]]],
    ) -> Iterator[FileEntry]:
        """The rule's entries restricted to ``explain``'s file or the watcher's ``only``."""
        for loc, placed_before in zip(locations, snapshots, strict=True):
            if self._only is not None:
                location = os.path.abspath(loc.path)
                if not _inside(self._only, location):
                    continue
            only = self.only
            for entry in self._entries(rule, loc, placed_before):
                if self._only is not None and norm(entry.path) != self._only:
                    continue
                if (
                    only is not None
                    and norm(entry.path) not in only
                    and norm(entry.real_path) not in only
                ):
                    continue  # (a file an earlier rule moved keeps its real path)
                yield entry

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
        if trace is not None:
            trace.operations = self.plan.operations[before:]

    def _evaluate(
        self, rule: Rule, entry: FileEntry, ctx: FilterContext, trace: RuleTrace | None
    ) -> tuple[bool, dict[str, Any]]:
        values: dict[str, Any] = {}
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
        return f"{self._token}{len(self.plan.operations):08x}"

    def add_operation(self, op: Operation) -> Operation:
        """Append ``op`` to the plan with the next sequence number."""
        ops = self.plan.operations
        if op.seq != len(ops):
            op = _with_seq(op, len(ops))
        ops.append(op)
        self.reporter.planned(op)
        return op

    # -- explain -----------------------------------------------------------
    def explain(self, path: str | os.PathLike[str]) -> list[RuleTrace]:
        """How each selected rule judges the file at ``path`` (earlier rules' plans included)."""
        target = os.path.normpath(os.path.abspath(os.fspath(path)))
        self._trace = []
        for rule in self.rules:
            seen_before = len(self._trace)
            self._only = target
            self._plan_rule(rule)
            if len(self._trace) == seen_before:
                in_loc = any(
                    _inside(target, os.path.abspath(loc.path)) for loc in self.locations_of(rule)
                )
                self._trace.append(RuleTrace(rule.name, in_loc))
            # later rules see the file where this rule put it
            ops = self._trace[-1].operations
            for op in ops:
                if op.kind.removes_source and op.dst:
                    target = os.path.normpath(op.dst)
        self._only = None
        return self._trace


#: how many distinct destination renderings a rule remembers
_FOLDER_CACHE_MAX = 4096

#: (an enum member read from its class costs ~0.2 us on Python 3.11: once per file counts)
_COPY = OpKind.COPY


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _with_seq(op: Operation, seq: int) -> Operation:
    from dataclasses import replace

    return replace(op, seq=seq)


def _now(planner: Planner) -> Any:
    now = planner.now
    return lambda: now


_BUILTINS: dict[str, Any] = {
    "name": lambda e, p: e.name if e.is_dir else e.stem,
    "extension": lambda e, p: "" if e.is_dir else e.extension,
    "path": lambda e, p: PurePosixPath(e.path),
    "relative_path": lambda e, p: PurePosixPath(e.relative_path),
    "location": lambda e, p: PurePosixPath(e.location),
    "env": lambda e, p: _EnvProxy(p.env),
    "now": lambda e, p: _now(p),
    "today": lambda e, p: lambda d=p.now.date(): d,
    "utcnow": lambda e, p: lambda: datetime.utcnow(),
}


class RuleContext:
    """What an action sees while planning one matched entry of one rule."""

    def __init__(self, planner: Planner, rule: Rule, fctx: FilterContext) -> None:
        self.planner = planner
        self.rule = rule
        #: the filter values of the entry being planned (set per entry)
        self.values: dict[str, Any] = {}
        self.fctx = fctx
        self.vtree = planner.vtree
        #: (rendered destination, location) -> (absolute normal path, folder-like);
        #: a folder's path ends in a separator
        self._folders: dict[tuple[str, str], tuple[str, bool]] = {}
        #: id(action) -> (on_conflict, rename_template); the rule's actions live as long
        self._policies: dict[int, tuple[ConflictMode, str]] = {}

    # -- templates --------------------------------------------------------
    def context(self, entry: FileEntry, names: frozenset[str]) -> dict[str, Any]:
        """The template variables ``names`` needs for ``entry``, computed lazily."""
        ctx: dict[str, Any] = {}
        values = self.values
        for name in names:
            if name in values:
                ctx[name] = values[name]
            elif name in _BUILTINS:
                ctx[name] = _BUILTINS[name](entry, self.planner)
            elif name in LAZY_PLACEHOLDERS:
                ctx[name] = LAZY_PLACEHOLDERS[name](entry, self.fctx)
        return ctx

    def render(self, entry: FileEntry, source: str, *, as_path: bool = True) -> str:
        """Render a template for ``entry``."""
        template = compile_template(source)
        ctx = self.context(entry, template.names)
        return template.render_path(ctx) if as_path else template.render(ctx)

    # -- destinations --------------------------------------------------------
    def destination(self, entry: FileEntry, dest: str, action: Action) -> str | None:
        """Render ``dest`` for ``entry`` and resolve conflicts; None to leave it."""
        template = compile_template(dest)
        rendered = template.render_path(self.context(entry, template.names))
        # Many files share a destination folder ({extension}, {year}), and a
        # template hands back one string per distinct rendering: the absolute,
        # normal folder is worked out once per rendering and location.
        key = (rendered, entry.location)
        folders = self._folders
        hit = folders.get(key)
        if hit is None:
            folder_like = rendered.endswith(("/", os.sep))
            if not os.path.isabs(rendered):
                rendered = os.path.join(entry.location, rendered)
            base = norm(rendered)
            if folder_like and not base.endswith(os.sep):
                base += os.sep  # the file's name is appended to it
            hit = (base, folder_like)
            if len(folders) >= _FOLDER_CACHE_MAX:
                folders.clear()  # the renderings differ per file: keep the memory bounded
            folders[key] = hit
        base, folder_like = hit
        # (normal already: a normal folder and the last component of a normal path)
        return self.resolve(entry, base + entry.name if folder_like else base, action)

    def renamed(self, entry: FileEntry, new_name: str, action: Action) -> str | None:
        """Render a new name for ``entry`` in its folder and resolve conflicts."""
        rendered = self.render(entry, new_name, as_path=False)
        if not rendered or rendered in (".", "..") or "/" in rendered or "\x00" in rendered:
            raise TemplateError(f"new name {rendered!r} is not a plain file name")
        return self.resolve(entry, os.path.join(entry.parent, rendered), action)

    def resolve(self, entry: FileEntry, dst: str, action: Action) -> str | None:
        """Apply the action's conflict policy against the virtual tree."""
        src = norm(entry.path)
        if dst == src:
            return None
        if entry.is_dir and _inside(dst, src):
            raise TemplateError(f"cannot put folder {src} inside itself ({dst})")
        vtree = self.vtree
        if not vtree.exists(dst):
            return dst
        mode, template = self._policy(action)
        existing_is_dir = self._is_dir(dst)
        if existing_is_dir and mode in (ConflictMode.OVERWRITE, ConflictMode.TRASH):
            mode = ConflictMode.RENAME_NEW  # never trash a folder to make room for a file
        if mode is ConflictMode.SKIP:
            self._skip(entry, f"{dst} exists (on_conflict: skip)")
            return None
        if mode is ConflictMode.DEDUPLICATE:
            if not existing_is_dir and self._same_content(entry, dst):
                self._skip(entry, f"identical to existing {dst} (on_conflict: deduplicate)")
                return None
            return next_free_name(dst, template, vtree.exists)
        if mode is ConflictMode.RENAME_NEW:
            return next_free_name(dst, template, vtree.exists)
        if mode is ConflictMode.RENAME_EXISTING:
            aside = next_free_name(dst, template, vtree.exists)
            self._emit_existing(OpKind.MOVE, dst, aside, action, "rename_existing")
            return dst
        # OVERWRITE / TRASH: the existing file goes to the trash first
        self._emit_existing(OpKind.TRASH, dst, None, action, mode.value)
        return dst

    def _is_dir(self, path: str) -> bool:
        placed = self.vtree.placed(path)
        if placed is not None:
            return placed.is_dir
        return os.path.isdir(path) and not os.path.islink(path)

    def _real_of(self, path: str) -> tuple[str, bool]:
        placed = self.vtree.placed(path)
        if placed is not None:
            return placed.real_path, True
        return path, False

    def _same_content(self, entry: FileEntry, dst: str) -> bool:
        real, _ = self._real_of(dst)
        try:
            return filecmp.cmp(entry.real_path, real, shallow=False)
        except OSError:
            return False

    def _skip(self, entry: FileEntry, reason: str) -> None:
        self.planner.plan.skips.append(Skip(entry.path, self.rule.name, reason))

    def _emit_existing(
        self, kind: OpKind, path: str, dst: str | None, action: Action, why: str
    ) -> None:
        real, chained = self._real_of(path)
        ident = Identity.of(real)
        op = Operation(
            kind=kind,
            src=path,
            dst=dst,
            rule=self.rule.name,
            rule_index=self.rule.index,
            action=action.action_name,
            identity=ident,
            check_inode=not chained,
            note=f"make room (on_conflict: {why})",
        )
        self.planner.add_operation(op)
        is_dir = self._is_dir(path)
        self.vtree.remove(path, is_dir=is_dir)
        if dst is not None:
            self.vtree.add(dst, real, is_dir=is_dir)

    # -- emitting --------------------------------------------------------------
    def _op(self, kind: OpKind, entry: FileEntry, dst: str | None, action: Action) -> Operation:
        chained = entry.path is not entry.real_path and norm(entry.path) != norm(entry.real_path)
        planner = self.planner
        seq = len(planner.plan.operations)
        on_conflict, rename_template = self._policy(action)
        return Operation.planned(
            kind,
            entry.path,
            dst,
            self.rule.name,
            self.rule.index,
            action.action_name,
            seq,
            f"{planner._token}{seq:08x}",  # as next_op_id()
            entry.identity(),
            not chained,
            on_conflict,
            rename_template,
        )

    def _policy(self, action: Action) -> tuple[ConflictMode, str]:
        """The action's ``on_conflict`` and ``rename_template`` (defaults if it has none)."""
        got = self._policies.get(id(action))
        if got is None:
            got = self._policies[id(action)] = (
                getattr(action, "on_conflict", ConflictMode.RENAME_NEW),
                getattr(action, "rename_template", DEFAULT_RENAME_TEMPLATE),
            )
        return got

    def transfer(self, kind: OpKind, entry: FileEntry, dst: str, action: Action) -> FileEntry:
        """Plan a move/rename/copy of ``entry`` to ``dst``; return the entry at ``dst``."""
        self.planner.add_operation(self._op(kind, entry, dst, action))
        if kind is _COPY:
            self.vtree.add(dst, entry.real_path, is_dir=entry.is_dir)
            copied = entry.moved_to(dst, same_inode=False)
            copied.cache = {}
            return copied
        self.vtree.remove(entry.path, is_dir=entry.is_dir)
        self.vtree.add(dst, entry.real_path, is_dir=entry.is_dir)
        return entry.moved_to(dst)

    def remove(self, kind: OpKind, entry: FileEntry, action: Action) -> None:
        """Plan a trash/delete of ``entry``."""
        op = self._op(kind, entry, None, action)
        dup = self.values.get("duplicate")
        original = getattr(dup, "original", None) if dup is not None else None
        if original:
            from dataclasses import replace

            op = replace(op, same_as=str(original))
        self.planner.add_operation(op)
        self.vtree.remove(entry.path, is_dir=entry.is_dir)

    def link(self, kind: OpKind, entry: FileEntry, dst: str, action: Action) -> None:
        """Plan a symlink/hardlink at ``dst`` for ``entry``."""
        op = self._op(kind, entry, dst, action)
        if kind is OpKind.SYMLINK:
            from dataclasses import replace

            op = replace(op, src=os.path.abspath(entry.path))
        self.planner.add_operation(op)
        self.vtree.add(dst, entry.real_path, is_dir=False)

    def echo(self, entry: FileEntry, msg: str) -> None:
        """Plan an echo message."""
        text = self.render(entry, msg, as_path=False)
        op = Operation(
            kind=OpKind.ECHO,
            src=entry.path,
            rule=self.rule.name,
            rule_index=self.rule.index,
            action="echo",
            message=text,
        )
        self.planner.add_operation(op)


def plan(
    config: Config,
    *,
    paths: Sequence[str | os.PathLike[str]] | None = None,
    tags: Iterable[str] | None = None,
    skip_tags: Iterable[str] | None = None,
    reporter: Reporter | None = None,
    now: datetime | None = None,
    hash_cache: HashCache | None = None,
    protected: Sequence[str | os.PathLike[str]] = (),
) -> Plan:
    """Plan ``config`` over its locations (or ``paths``); touches nothing.

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
        protected=protected,
    ).run()
