"""Loading and validating a rules file.

Every problem of a file is reported at once (a :class:`ConfigError` carries them
all), each naming the file, the rule and the key path, with a "did you mean"
for a misspelled key, filter, action or placeholder.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from difflib import get_close_matches
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from fileorganizer.actions import ACTIONS, Action
from fileorganizer.config.compat import ORGANIZE_ACTIONS, ORGANIZE_FILTERS
from fileorganizer.config.schema import (
    ActionSpec,
    Config,
    FilterSpec,
    LocationModel,
    Rule,
    RuleModel,
)
from fileorganizer.errors import ConfigError, ConfigProblem, FileOrganizerError
from fileorganizer.filters import FILTERS, Filter

TOP_LEVEL_KEYS = frozenset({"rules", "version"})


class Problems:
    """The problems (errors) and warnings found in one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[ConfigProblem] = []
        self.warnings: list[ConfigProblem] = []

    def error(self, message: str, rule: str | int | None = None, key: str | None = None) -> None:
        """Record an error."""
        self.errors.append(ConfigProblem(message, self.file, rule, key))

    def warn(self, message: str, rule: str | int | None = None, key: str | None = None) -> None:
        """Record a warning (shown by ``check``; the file still loads)."""
        self.warnings.append(ConfigProblem(message, self.file, rule, key))

    def raise_errors(self) -> None:
        """Raise one :class:`ConfigError` with every error, if there is any."""
        if self.errors:
            raise ConfigError(problems=self.errors)


def did_you_mean(name: str, known: Any) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``known``, or ``""``."""
    close = get_close_matches(name, sorted(str(k) for k in known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def load_config(source: str | os.PathLike[str]) -> Config:
    """Load and validate a rules file from a path.

    Raises :class:`~fileorganizer.errors.ConfigError` listing every problem,
    each naming the file, the rule and the key path; never a bare traceback.
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
    return Config(
        rules=config.rules,
        path=file,
        source_hash=digest,
        builtin=builtin,
        warnings=config.warnings,
    )


def parse_config(data: Any, *, file: str = "<string>") -> Config:
    """Validate already-parsed YAML data."""
    found = Problems(file)
    if data is None:
        raise ConfigError("the file is empty: expected a 'rules:' list", file=file)
    if not isinstance(data, Mapping):
        raise ConfigError("expected a mapping with a 'rules:' list at the top", file=file)
    for key in data:
        if key in TOP_LEVEL_KEYS or str(key).startswith(("_", "x-")):
            continue
        hint = did_you_mean(str(key), TOP_LEVEL_KEYS)
        if hint:
            found.error(f"unknown top-level key{hint}", key=str(key))
        else:
            found.warn(
                "top-level key is not used by fileorganizer (fine for YAML anchors)", key=str(key)
            )
    rules_data = data.get("rules")
    if not isinstance(rules_data, list):
        what = "is missing" if "rules" not in data else "must be a list of rules"
        found.error(f"'rules' {what}", key="rules")
        found.raise_errors()
        assert isinstance(rules_data, list)  # (raise_errors raised)
    rules: list[Rule] = []
    for i, r in enumerate(rules_data):
        rule = _parse_rule(i, r, found)
        if rule is not None:
            rules.append(rule)
    found.raise_errors()
    return Config(rules=tuple(rules), path=file, warnings=tuple(found.warnings))


def _rule_label(index: int, data: Any) -> str | int:
    if isinstance(data, Mapping) and isinstance(data.get("name"), str):
        return str(data["name"])
    return index


def loc_path(loc: tuple[Any, ...]) -> str:
    """A pydantic error location as a key path: ``locations[0].path``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _fields(model: type[BaseModel]) -> set[str]:
    return {(f.alias or name).rstrip("_") for name, f in model.model_fields.items()}


def _keys_at(model: type[BaseModel], parent: tuple[Any, ...]) -> set[str]:
    """The keys allowed at ``parent`` in ``model`` (a rule's location, or the model)."""
    if model is RuleModel and parent[:1] == ("locations",):
        return _fields(LocationModel)
    return _fields(model)


def pydantic_problems(
    exc: ValidationError,
    model: type[BaseModel],
    found: Problems,
    label: str | int,
    prefix: str = "",
) -> None:
    """Record every error of ``exc``; an unknown key that explains a missing one wins."""
    errors = exc.errors()
    explained: set[tuple[tuple[Any, ...], str]] = set()
    for err in errors:
        if err.get("type") != "extra_forbidden":
            continue
        loc = tuple(err["loc"])
        known = _keys_at(model, loc[:-1])
        name = str(loc[-1])
        close = get_close_matches(name, sorted(known), n=1)
        if close:
            explained.add((loc[:-1], close[0]))
            msg = f"unknown key (did you mean {close[0]!r}?)"
        else:
            msg = f"unknown key (known: {', '.join(sorted(known))})"
        found.error(msg, label, _join(prefix, loc_path(loc)))
    for err in errors:
        loc = tuple(err["loc"])
        if err.get("type") == "extra_forbidden":
            continue
        if err.get("type") == "missing" and (loc[:-1], str(loc[-1])) in explained:
            continue
        found.error(pydantic_message(err), label, _join(prefix, loc_path(loc)))


def _join(prefix: str, sub: str) -> str:
    if not prefix:
        return sub
    return f"{prefix}.{sub}" if sub and not sub.startswith("[") else prefix + sub


def pydantic_message(err: Mapping[str, Any]) -> str:
    """One pydantic error as a sentence a person understands."""
    kind = err.get("type")
    if kind == "missing":
        return "required key is missing"
    msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    msg = {
        "bool_parsing": "expected true or false",
        "bool_type": "expected true or false",
        "int_parsing": "expected a whole number",
        "int_type": "expected a whole number",
        "list_type": "expected a list",
        "string_type": "expected text",
        "dict_type": "expected a mapping of options",
        "model_type": "expected a mapping of options",
    }.get(str(kind), msg)
    if kind == "literal_error":
        msg = msg.replace("Input should be ", "expected ")
    if "input" in err and "(got " not in msg:
        value = err["input"]
        if isinstance(value, str | int | float | bool) or value is None:
            msg = f"{msg} (got {value!r})"
            ctx = err.get("ctx") or {}
            if kind == "literal_error" and isinstance(value, str):
                expected = [x.strip(" '") for x in str(ctx.get("expected", "")).split(",")]
                expected = [y.strip(" '") for x in expected for y in x.split(" or ")]
                msg += did_you_mean(value, [e for e in expected if e])
    return msg


def _parse_rule(index: int, data: Any, found: Problems) -> Rule | None:
    label = _rule_label(index, data)
    if not isinstance(data, Mapping):
        found.error(
            "a rule must be a mapping with keys such as locations, filters and actions",
            label,
            f"rules[{index}]",
        )
        return None
    before = len(found.errors)
    model: RuleModel | None = None
    try:
        model = RuleModel.model_validate(dict(data))
    except ValidationError as exc:
        pydantic_problems(exc, RuleModel, found, label)
    raw_filters = model.filters if model else _as_items(data.get("filters"))
    raw_actions = model.actions if model else _as_items(data.get("actions"))
    filters = [_parse_filter(i, f, found, label) for i, f in enumerate(raw_filters)]
    actions = [_parse_action(i, a, found, label) for i, a in enumerate(raw_actions)]
    good_filters = tuple(f for f in filters if f is not None)
    good_actions = tuple(a for a in actions if a is not None)
    from fileorganizer.config.checks import check_placeholders

    check_placeholders(good_filters, good_actions, found, label)
    if model is None or len(found.errors) > before:
        return None
    rule = Rule(
        index=index,
        name=model.name or f"rule {index}",
        enabled=model.enabled,
        tags=tuple(model.tags),
        targets=model.targets,
        locations=tuple(model.locations),
        subfolders=model.subfolders,
        filter_mode=model.filter_mode,
        filters=good_filters,
        actions=good_actions,
    )
    _check_targets(rule, found, label)
    return rule if len(found.errors) == before else None


def _as_items(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _split_item(item: Any, what: str, found: Problems, label: str | int, key: str) -> Any:
    if isinstance(item, str):
        return item.strip(), None
    if isinstance(item, Mapping) and len(item) == 1:
        ((name, value),) = item.items()
        return str(name).strip(), value
    found.error(f"each {what} is a name or a one-key mapping like '- extension: pdf'", label, key)
    return None


T = TypeVar("T", Filter, Action)


def _build(
    registry: Mapping[str, type[T]],
    what: str,
    name: str,
    value: Any,
    found: Problems,
    label: str | int,
    key: str,
) -> T | None:
    """Look ``name`` up in a registry and validate its options; errors name the key."""
    cls = registry.get(name)
    if cls is None:
        organize_only = (ORGANIZE_ACTIONS if what == "action" else ORGANIZE_FILTERS).get(name)
        if organize_only is not None:
            found.error(
                f"{what} {name!r} ({organize_only}) is not available in this version of "
                "fileorganizer",
                label,
                key,
            )
            return None
        hint = did_you_mean(name, registry) or f" (known: {', '.join(sorted(registry))})"
        found.error(f"unknown {what} {name!r}{hint}", label, key)
        return None
    try:
        return cls.from_config(value)
    except ValidationError as exc:
        pydantic_problems(exc, cls, found, label, prefix=f"{key}.{name}")
    except (ValueError, TypeError, FileOrganizerError) as exc:
        found.error(str(exc), label, f"{key}.{name}")
    return None


def _parse_filter(i: int, item: Any, found: Problems, label: str | int) -> FilterSpec | None:
    key = f"filters[{i}]"
    split = _split_item(item, "filter", found, label, key)
    if split is None:
        return None
    name, value = split
    negate = False
    if name.startswith("not "):
        negate, name = True, name[4:].strip()
    flt = _build(FILTERS, "filter", name, value, found, label, key)
    return FilterSpec(flt, negate, key) if flt is not None else None


def _parse_action(i: int, item: Any, found: Problems, label: str | int) -> ActionSpec | None:
    key = f"actions[{i}]"
    split = _split_item(item, "action", found, label, key)
    if split is None:
        return None
    name, value = split
    action = _build(ACTIONS, "action", name, value, found, label, key)
    return ActionSpec(action, key) if action is not None else None


def _check_targets(rule: Rule, found: Problems, label: str | int) -> None:
    dirs = rule.targets == "dirs"
    for f in rule.filters:
        if not (f.filter.supports_dirs if dirs else f.filter.supports_files):
            found.error(f"filter {f.name!r} does not support targets: {rule.targets}", label, f.key)
    for a in rule.actions:
        if not (a.action.supports_dirs if dirs else a.action.supports_files):
            found.error(f"action {a.name!r} does not support targets: {rule.targets}", label, a.key)
