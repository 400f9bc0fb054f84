"""Static checks of a validated rule: placeholders (names and attributes), locations."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fileorganizer.config.placeholders import (
    ANY,
    CALLABLE,
    NAMED,
    ValueType,
    check_chain,
    filter_value_type,
)
from fileorganizer.errors import ConfigProblem
from fileorganizer.filters import FILTERS, LAZY_PLACEHOLDERS
from fileorganizer.payloads import LATE_ROOTS
from fileorganizer.templates import BUILTIN_NAMES, attribute_chains

if TYPE_CHECKING:
    from fileorganizer.actions.base import Action
    from fileorganizer.config.loader import Problems
    from fileorganizer.config.schema import ActionSpec, Config, FilterSpec


def placeholder_types(filters: Sequence[FilterSpec]) -> dict[str, ValueType]:
    """Every placeholder a rule with ``filters`` may use, with its value's type."""
    known: dict[str, ValueType] = {}
    for name in (*BUILTIN_NAMES, *LAZY_PLACEHOLDERS):
        known[name] = NAMED.get(name, ANY)
    for f in filters:
        known[f.name] = filter_value_type(f.name, f.filter)
    return known


def check_placeholders(
    filters: Sequence[FilterSpec],
    actions: Sequence[ActionSpec],
    found: Problems,
    label: str | int,
) -> None:
    """Record an error for each unknown placeholder, or attribute of one, in the actions."""
    from difflib import get_close_matches

    known = placeholder_types(filters)
    late: set[str] = set()  # given by an earlier action, known once it ran
    for a in actions:
        for option, template in a.action.templates():
            key = f"{a.key}.{a.name}.{option}"
            seen: set[str] = set()
            for root, attrs, called in attribute_chains(template):
                if root in late and root not in known:
                    why = _late_use(root, a.action, option)
                    if why is None:
                        why = check_chain(root, attrs, called, NAMED.get(root, ANY))
                        why = why and f"placeholder {{{'.'.join((root, *attrs))}}}: {why}"
                    if why is not None and root not in seen:
                        seen.add(root)
                        found.error(f"{why} (in {template.source!r})", label, key)
                    continue
                if root not in known and root not in CALLABLE:
                    if root in seen:
                        continue
                    seen.add(root)
                    close = get_close_matches(root, sorted(known), n=1)
                    if root in FILTERS:
                        hint = " (add that filter to the rule to use its value)"
                    elif root in LATE_ROOTS:
                        hint = f" (a {root} action before this one gives it)"
                    elif close:
                        hint = f" (did you mean {{{close[0]}}}?)"
                    else:
                        hint = ""
                    found.error(
                        f"unknown placeholder {{{root}}} in {template.source!r}{hint}", label, key
                    )
                    continue
                why = check_chain(root, attrs, called, known.get(root, ANY))
                if why is not None:
                    shown = ".".join((root, *attrs))
                    found.error(
                        f"placeholder {{{shown}}} in {template.source!r}: {why}", label, key
                    )
        late |= a.action.publishes


def _late_use(root: str, action: Action, option: str) -> str | None:
    """Why ``{root...}`` (known only once an earlier action ran) cannot be used here."""
    if option in action.late_options:
        return None
    return (
        f"{{{root}.output}} and {{{root}.returncode}} are known only once the {root} "
        f"command has run: use them in echo or write text, not in {action.action_name} "
        f"{option} (what the plan does is decided before anything runs)"
    )


def location_warnings(config: Config) -> list[ConfigProblem]:
    """A warning for each location of an enabled rule that does not exist (now)."""
    out: list[ConfigProblem] = []
    for rule in config.rules:
        if not rule.enabled:
            continue
        for i, loc in enumerate(rule.locations):
            path = os.path.abspath(loc.path)
            if not os.path.isdir(path):
                why = "does not exist" if not os.path.exists(path) else "is not a folder"
                out.append(
                    ConfigProblem(
                        f"location {path} {why} (yet)", config.path, rule.name, f"locations[{i}]"
                    )
                )
    return out
