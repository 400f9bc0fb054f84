"""Loading and validating a rules file. Every error names the file, the rule and the key."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from fileorganizer.actions import ACTIONS, Action
from fileorganizer.config.schema import ActionSpec, Config, FilterSpec, Rule, RuleModel
from fileorganizer.errors import ConfigError, FileOrganizerError
from fileorganizer.filters import FILTERS, LAZY_PLACEHOLDERS, Filter

TOP_LEVEL_KEYS = frozenset({"rules", "version"})


def load_config(source: str | os.PathLike[str]) -> Config:
    """Load and validate a rules file from a path.

    Raises :class:`~fileorganizer.errors.ConfigError` naming the file, the
    rule and the key path for anything wrong; never a bare traceback.
    """
    path = Path(source).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("config file not found", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file: {exc}", file=path) from None
    return load_config_text(text, file=str(path))


def load_config_text(text: str, *, file: str = "<string>", builtin: bool = False) -> Config:
    """Load and validate rules from YAML text (``file`` names it in errors)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"malformed YAML{where}: {problem}", file=file) from None
    config = parse_config(data, file=file)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Config(rules=config.rules, path=file, source_hash=digest, builtin=builtin)


def parse_config(data: Any, *, file: str = "<string>") -> Config:
    """Validate already-parsed YAML data."""
    if data is None:
        raise ConfigError("the file is empty: expected a 'rules:' list", file=file)
    if not isinstance(data, Mapping):
        raise ConfigError("expected a mapping with a 'rules:' list at the top", file=file)
    for key in data:
        if key not in TOP_LEVEL_KEYS and not str(key).startswith(("_", "x-")):
            raise ConfigError(
                "unknown top-level key (expected 'rules'; keep YAML anchors under a key "
                "starting with '_' or 'x-')",
                file=file,
                key=str(key),
            )
    rules_data = data.get("rules")
    if not isinstance(rules_data, list):
        raise ConfigError("'rules' must be a list of rules", file=file, key="rules")
    rules = tuple(_parse_rule(i, r, file) for i, r in enumerate(rules_data))
    return Config(rules=rules, path=file)


def _rule_label(index: int, data: Any) -> str | int:
    if isinstance(data, Mapping) and isinstance(data.get("name"), str):
        return str(data["name"])
    return index


def _loc_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _parse_rule(index: int, data: Any, file: str) -> Rule:
    label = _rule_label(index, data)
    if not isinstance(data, Mapping):
        raise ConfigError("a rule must be a mapping", file=file, rule=label, key=f"rules[{index}]")
    try:
        model = RuleModel.model_validate(dict(data))
    except ValidationError as exc:
        err = _first_error(exc)
        raise ConfigError(
            _pydantic_message(err), file=file, rule=label, key=_loc_path(err["loc"])
        ) from None
    filters = tuple(_parse_filter(i, f, file, label) for i, f in enumerate(model.filters))
    actions = tuple(_parse_action(i, a, file, label) for i, a in enumerate(model.actions))
    rule = Rule(
        index=index,
        name=model.name or f"rule {index}",
        enabled=model.enabled,
        tags=tuple(model.tags),
        targets=model.targets,
        locations=tuple(model.locations),
        subfolders=model.subfolders,
        filter_mode=model.filter_mode,
        filters=filters,
        actions=actions,
    )
    _check_targets(rule, file, label)
    _check_placeholders(rule, file, label)
    return rule


def _first_error(exc: ValidationError) -> Mapping[str, Any]:
    """The error to show: an unknown key first (a typo also explains a "missing" one)."""
    errors = exc.errors()
    unknown = [e for e in errors if e.get("type") == "extra_forbidden"]
    return unknown[0] if unknown else errors[0]


def _pydantic_message(err: Mapping[str, Any]) -> str:
    msg = str(err.get("msg", "invalid value"))
    if err.get("type") == "extra_forbidden":
        return "unknown key"
    if err.get("type") == "missing":
        return "required key is missing"
    msg = msg.removeprefix("Value error, ")
    if "input" in err and err.get("type") not in ("extra_forbidden",):
        value = err["input"]
        if isinstance(value, str | int | float | bool) or value is None:
            return f"{msg} (got {value!r})"
    return msg


def _split_item(item: Any, what: str, file: str, label: str | int, key: str) -> tuple[str, Any]:
    if isinstance(item, str):
        return item.strip(), None
    if isinstance(item, Mapping) and len(item) == 1:
        ((name, value),) = item.items()
        return str(name).strip(), value
    raise ConfigError(
        f"each {what} is a name or a one-key mapping like '- extension: pdf'",
        file=file,
        rule=label,
        key=key,
    )


T = TypeVar("T", Filter, Action)


def _build(
    registry: Mapping[str, type[T]],
    what: str,
    name: str,
    value: Any,
    *,
    file: str,
    label: str | int,
    key: str,
) -> T:
    """Look ``name`` up in a registry and validate its options; errors name the key."""
    cls = registry.get(name)
    if cls is None:
        known = ", ".join(sorted(registry))
        raise ConfigError(
            f"unknown {what} {name!r} (known: {known})", file=file, rule=label, key=key
        )
    try:
        return cls.from_config(value)
    except ValidationError as exc:
        err = _first_error(exc)
        sub = _loc_path(err["loc"])
        raise ConfigError(
            _pydantic_message(err),
            file=file,
            rule=label,
            key=f"{key}.{name}" + (f".{sub}" if sub else ""),
        ) from None
    except (ValueError, TypeError, FileOrganizerError) as exc:
        raise ConfigError(str(exc), file=file, rule=label, key=f"{key}.{name}") from None


def _parse_filter(i: int, item: Any, file: str, label: str | int) -> FilterSpec:
    key = f"filters[{i}]"
    name, value = _split_item(item, "filter", file, label, key)
    negate = False
    if name.startswith("not "):
        negate, name = True, name[4:].strip()
    flt = _build(FILTERS, "filter", name, value, file=file, label=label, key=key)
    return FilterSpec(flt, negate, key)


def _parse_action(i: int, item: Any, file: str, label: str | int) -> ActionSpec:
    key = f"actions[{i}]"
    name, value = _split_item(item, "action", file, label, key)
    action = _build(ACTIONS, "action", name, value, file=file, label=label, key=key)
    return ActionSpec(action, key)


def _check_targets(rule: Rule, file: str, label: str | int) -> None:
    dirs = rule.targets == "dirs"
    for f in rule.filters:
        ok = f.filter.supports_dirs if dirs else f.filter.supports_files
        if not ok:
            raise ConfigError(
                f"filter {f.name!r} does not support targets: {rule.targets}",
                file=file,
                rule=label,
                key=f.key,
            )
    for a in rule.actions:
        ok = a.action.supports_dirs if dirs else a.action.supports_files
        if not ok:
            raise ConfigError(
                f"action {a.name!r} does not support targets: {rule.targets}",
                file=file,
                rule=label,
                key=a.key,
            )


def _check_placeholders(rule: Rule, file: str, label: str | int) -> None:
    from fileorganizer.templates import unknown_names

    known = {f.name for f in rule.filters} | set(LAZY_PLACEHOLDERS)
    for a in rule.actions:
        for option, template in a.action.templates():
            bad = unknown_names(template, known)
            if bad:
                hint = ""
                if any(b in FILTERS for b in bad):
                    hint = " (add that filter to the rule to use its value)"
                raise ConfigError(
                    f"unknown placeholder {{{bad[0]}}} in {template.source!r}{hint}",
                    file=file,
                    rule=label,
                    key=f"{a.key}.{a.name}.{option}",
                )
