"""``explain FILE``: how each rule judges one file, and why a rule does not pick it.

Every rule of the config is traced in order, as a run would plan it (a later
rule sees the file where an earlier one put it). For each rule the trace says
one of: disabled (or left out by tags); the file is not in its locations; the
scan leaves it out and why (:func:`fileorganizer.skips.why_skipped`: hidden,
an unfinished download, a system file, an exclude pattern, too deep, a
symlink, ...); or each filter's verdict with its value, and what would happen.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from fileorganizer.plans import RuleTrace
from fileorganizer.skips import why_skipped
from fileorganizer.vtree import inside

if TYPE_CHECKING:
    from fileorganizer.planner import Planner


def explain(planner: Planner, path: str | os.PathLike[str]) -> list[RuleTrace]:
    """How each rule judges the file at ``path`` (earlier rules' plans included)."""
    target = os.path.normpath(os.path.abspath(os.fspath(path)))
    selected = {rule.index for rule in planner.rules}
    traces: list[RuleTrace] = []
    for rule in planner.config.rules:
        if rule.index not in selected:
            why = (
                "disabled (enabled: false)"
                if not rule.enabled
                else "left out by --tags/--skip-tags"
            )
            traces.append(RuleTrace(rule.name, False, disabled=why))
            continue
        locations = [
            loc for loc in planner.locations_of(rule) if inside(target, os.path.abspath(loc.path))
        ]
        if not locations:
            traces.append(RuleTrace(rule.name, False))
            continue
        reasons = [why_skipped(planner.spec_for(rule, loc), target) for loc in locations]
        placed = planner.vtree.placed(target) is not None
        if all(reasons) and not placed:
            traces.append(RuleTrace(rule.name, True, not_seen="; ".join(r for r in reasons if r)))
            continue
        found = planner.trace(rule, target)
        if not found:
            traces.append(RuleTrace(rule.name, True, not_seen="not found by the scan"))
            continue
        traces.extend(found)
        # later rules see the file where this rule put it
        for op in found[-1].operations:
            if op.kind.removes_source and op.dst:
                target = os.path.normpath(op.dst)
    return traces
