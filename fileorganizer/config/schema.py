"""The validated shape of a rules file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from fileorganizer.actions.base import Action
from fileorganizer.filters.base import Filter
from fileorganizer.templates import expand_user_vars


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
        return [{"path": x} if isinstance(x, str) else x for x in items]


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
        """Enabled rules, narrowed by tags (``--tags``) and ``--skip-tags``."""
        out = []
        for rule in self.rules:
            if not rule.enabled:
                continue
            if tags and not (set(rule.tags) & tags):
                continue
            if skip_tags and set(rule.tags) & skip_tags:
                continue
            out.append(rule)
        return out
