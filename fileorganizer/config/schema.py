"""The validated shape of a rules file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from fileorganizer.actions.base import Action
from fileorganizer.errors import ConfigProblem
from fileorganizer.filters.base import Filter
from fileorganizer.templates import expand_user_vars

#: ``max_depth: null`` in organize: no limit (here ``None`` inherits ``subfolders``).
UNLIMITED_DEPTH = 2**31 - 1


class LocationModel(BaseModel):
    """One location of a rule, in its long form."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(min_length=1)
    min_depth: int = Field(default=0, ge=0)
    max_depth: int | None = Field(default=None, ge=0)
    exclude_files: list[str] = []
    exclude_dirs: list[str] = []
    filter: list[str] = []
    original: bool = False
    ignore_errors: bool = False
    #: act on symlinks found here (the link itself, never what it points to);
    #: by default they are left alone, as organize does
    include_symlinks: bool = False
    #: organize's walk order option; organize 3.3 walks breadth-first whatever it says
    search: Literal["breadth", "depth"] = "breadth"

    @model_validator(mode="before")
    @classmethod
    def _organize_depth(cls, data: Any) -> Any:
        # organize: "inherit" follows subfolders, an explicit null has no limit
        if isinstance(data, dict) and "max_depth" in data:
            depth = data["max_depth"]
            if depth == "inherit":
                data = {**data, "max_depth": None}
            elif depth is None:
                data = {**data, "max_depth": UNLIMITED_DEPTH}
        return data

    #: Hidden files and folders (names starting with "."): walked unless false
    #: (as organize does); the built-in rules set it to false.
    include_hidden: bool = True

    @field_validator("path")
    @classmethod
    def _expand(cls, v: str) -> str:
        return expand_user_vars(v)

    @field_validator("exclude_files", "exclude_dirs", "filter", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


class RuleModel(BaseModel):
    """A rule's plain options (filters and actions are parsed by their registries)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    enabled: bool = True
    tags: list[str] = []
    targets: Literal["files", "dirs"] = "files"
    locations: list[LocationModel] = Field(min_length=1)
    subfolders: bool = False
    filter_mode: Literal["all", "any", "none"] = "all"
    filters: list[Any] = []
    actions: list[Any] = Field(min_length=1)

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("locations", mode="before")
    @classmethod
    def _locations(cls, v: Any) -> Any:
        if v is None:
            return []
        items = v if isinstance(v, list) else [v]
        out: list[Any] = []
        for x in _flatten(items):
            if isinstance(x, str):
                out.append({"path": x})
            elif isinstance(x, dict) and isinstance(x.get("path"), list):
                # organize: one location mapping may list several paths
                out.extend({**x, "path": p} for p in _flatten(x["path"]))
            elif isinstance(x, dict):
                out.append(x)
            else:
                raise ValueError(
                    "a location is a folder path (text) or a mapping with 'path:'"
                    f" (got {x!r}, {_kind(x)})"
                )
        return out

    @field_validator("filters", "actions", mode="before")
    @classmethod
    def _items(cls, v: Any) -> Any:
        # organize accepts one item for a list, and nested lists (YAML anchors)
        if v is None:
            return []
        return list(_flatten(v if isinstance(v, list) else [v]))


def _flatten(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for x in items:
        if isinstance(x, list):
            out.extend(_flatten(x))
        else:
            out.append(x)
    return out


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


@dataclass(frozen=True)
class FilterSpec:
    """A filter as configured: the filter, whether negated, and its position."""

    filter: Filter
    negate: bool
    key: str

    @property
    def name(self) -> str:
        """The filter's name (also its placeholder)."""
        return self.filter.filter_name


@dataclass(frozen=True)
class ActionSpec:
    """An action as configured, with its position for error messages."""

    action: Action
    key: str

    @property
    def name(self) -> str:
        """The action's name."""
        return self.action.action_name


@dataclass(frozen=True)
class Rule:
    """A validated rule."""

    index: int
    name: str
    enabled: bool
    tags: tuple[str, ...]
    targets: Literal["files", "dirs"]
    locations: tuple[LocationModel, ...]
    subfolders: bool
    filter_mode: Literal["all", "any", "none"]
    filters: tuple[FilterSpec, ...]
    actions: tuple[ActionSpec, ...]

    @property
    def label(self) -> str:
        """How messages name this rule."""
        return self.name


@dataclass(frozen=True)
class Config:
    """A validated rules file."""

    rules: tuple[Rule, ...]
    path: str | None = None
    source_hash: str = ""
    builtin: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    #: what ``check`` shows without refusing the file (unused top-level keys, ...)
    warnings: tuple[ConfigProblem, ...] = ()

    def including_hidden(self) -> Config:
        """The same rules with hidden files and folders walked in every location."""
        from dataclasses import replace

        rules = tuple(
            replace(
                rule,
                locations=tuple(
                    loc.model_copy(update={"include_hidden": True}) for loc in rule.locations
                ),
            )
            for rule in self.rules
        )
        return replace(self, rules=rules)

    def selected(
        self, tags: set[str] | None = None, skip_tags: set[str] | None = None
    ) -> list[Rule]:
        """Enabled rules, narrowed by tags (``--tags``) and ``--skip-tags``, as organize.

        A rule tagged ``always`` runs unless ``--skip-tags always``; one tagged
        ``never`` runs only with ``--tags never``.
        """
        return [r for r in self.rules if r.enabled and should_run(set(r.tags), tags, skip_tags)]


def should_run(rule_tags: set[str], tags: set[str] | None, skip_tags: set[str] | None) -> bool:
    """Whether a rule with ``rule_tags`` runs for ``--tags``/``--skip-tags`` (organize's rule)."""
    tags = tags or set()
    skip_tags = skip_tags or set()
    if "always" in rule_tags and "always" not in skip_tags:
        return True
    if "never" in rule_tags and "never" not in tags:
        return False
    if not tags and not skip_tags:
        return True
    if not rule_tags and tags:
        return False
    run = bool(rule_tags & tags) or not tags or not rule_tags
    return run and not (rule_tags & skip_tags)
