"""Which entries a rule sees: its locations' scans, and what earlier rules put there.

:class:`RuleEntries` is the part of the :class:`~fileorganizer.planner.Planner`
that checks a rule's locations (a folder an earlier rule of the same run
creates counts as there), builds each location's scan, and yields the scanned
entries followed by the ones the plan placed in the location before this rule
(never its own output). Files an undo put back are left out in watch mode.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from itertools import chain
from typing import TYPE_CHECKING, Any

from fileorganizer.config.schema import LocationModel, Rule
from fileorganizer.errors import LocationError
from fileorganizer.operations import Identity
from fileorganizer.plans import Plan, Skip
from fileorganizer.scan import FileEntry, ScanSpec, scan
from fileorganizer.vtree import NodeKind, Placed, VirtualTree, inside, norm

if TYPE_CHECKING:
    from fileorganizer.plans import RuleTrace


class RuleEntries:
    """Locations and entries of the rules (a part of the planner)."""

    paths: list[str]
    rules: list[Rule]
    protected: tuple[str, ...]
    vtree: VirtualTree
    plan: Plan
    put_back: Mapping[str, Identity]
    respect_put_back: bool
    only: frozenset[str] | None
    _only: str | None
    _put_back_hits: set[str]
    _caches: dict[str, dict[str, Any]] | None
    _trace: list[RuleTrace] | None

    def _problem(self, path: str, message: str, rule: Rule | None) -> None:  # pragma: no cover
        raise NotImplementedError

    def locations_of(self, rule: Rule) -> list[LocationModel]:
        """The rule's locations; folders given on the command line replace them."""
        if self.paths:
            base = rule.locations[0]
            return [base.model_copy(update={"path": p}) for p in self.paths]
        return list(rule.locations)

    def check_locations(self, *, planned: bool = False) -> None:
        """Raise :class:`LocationError` for a location that is missing or not a folder.

        With ``planned``, a location that the plan so far creates counts as
        present (a rule over a folder an earlier rule fills).
        """
        for rule in self.rules:
            self._check_rule_locations(rule, planned=planned)

    def _check_rule_locations(self, rule: Rule, *, planned: bool) -> None:
        for loc in self.locations_of(rule):
            path = os.path.abspath(loc.path)
            if os.path.isdir(path) or loc.ignore_errors:
                continue
            if planned and self.vtree.kind(path) is NodeKind.FOLDER:
                continue
            why = "does not exist" if not os.path.lexists(path) else "is not a folder"
            if self.paths:
                raise LocationError(f"folder given on the command line {path} {why}", path=path)
            raise LocationError(f"rule {rule.name!r}: location {path} {why}", path=path)

    def spec_for(self, rule: Rule, loc: LocationModel) -> ScanSpec:
        """What the scan of one location of ``rule`` walks."""
        max_depth = loc.max_depth if loc.max_depth is not None else (None if rule.subfolders else 0)
        return ScanSpec(
            path=os.path.abspath(loc.path),
            subfolders=rule.subfolders,
            min_depth=loc.min_depth,
            max_depth=max_depth,
            targets=rule.targets,
            exclude_files=tuple(loc.exclude_files),
            exclude_dirs=tuple(loc.exclude_dirs),
            include=tuple(loc.filter),
            protected=self.protected,
            include_symlinks=loc.include_symlinks,
            include_hidden=loc.include_hidden,
        )

    def _entries(
        self, rule: Rule, loc: LocationModel, placed_before: list[tuple[str, Placed]]
    ) -> Iterator[FileEntry]:
        spec = self.spec_for(rule, loc)
        location = spec.path

        def on_error(path: str, exc: OSError) -> None:
            if path == location and not loc.ignore_errors:
                self._problem(path, f"cannot read location: {exc.strerror or exc}", rule)
            elif path != location:
                self._problem(path, f"cannot read folder: {exc.strerror or exc}", rule)

        vtree = self.vtree
        caches = self._caches
        put_back = self.put_back
        # what earlier rules put here is walked with the files on disk, in one order
        extra: dict[str, dict[str, tuple[str, bool]]] = {}
        for path, placed in placed_before:
            folder, _sep, name = path.rpartition(os.sep)
            extra.setdefault(folder, {})[name] = (placed.real_path, placed.is_dir)
        if not extra and not os.path.isdir(location):
            return
        for entry in scan(spec, on_error, extra):
            # (a scan's paths are normal: its location is)
            if entry.real_path is not entry.path:
                now = vtree.placed(entry.path)
                if now is None or now.real_path != entry.real_path:
                    continue  # moved on by this rule meanwhile
            elif vtree.is_removed(entry.path) or (
                put_back and entry.path in put_back and self._was_put_back(rule, entry)
            ):
                continue
            if caches is not None:
                entry.cache = caches.setdefault(entry.real_path, entry.cache)
            yield entry

    def _was_put_back(self, rule: Rule, entry: FileEntry) -> bool:
        """Whether to leave ``entry`` alone because an undo put it back (watch only).

        A run acts on such a file and counts it (``plan.put_back``).
        """
        try:
            same = entry.identity() == self.put_back[entry.path]
        except OSError:
            return False
        if not same:
            return False
        if not self.respect_put_back:
            self._put_back_hits.add(entry.path)
            return False
        self.plan.skips.append(
            Skip(entry.path, rule.name, "put back by an undo; left alone until it changes")
        )
        return True

    def _placed_in(self, rule: Rule, loc: LocationModel) -> list[tuple[str, Placed]]:
        max_depth = loc.max_depth if loc.max_depth is not None else (None if rule.subfolders else 0)
        return self.vtree.added_under(os.path.abspath(loc.path), max_depth)

    def _report_unseen(self, rule: Rule) -> None:
        from fileorganizer.skips import unseen

        for loc in self.locations_of(rule):
            for path, why in unseen(self.spec_for(rule, loc)):
                self.plan.unseen.append(Skip(path, rule.name, why))

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
                if not inside(self._only, location):
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
