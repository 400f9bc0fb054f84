"""The action base class and registry.

An action turns a matched entry into planned operations through the planner's
context; it never touches the disk. It returns the entry as it is after the
action (for the next action in the chain), or ``None`` when the entry is gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from fileorganizer.planner import RuleContext
    from fileorganizer.scan import FileEntry
    from fileorganizer.templates import Template


class Action(BaseModel):
    """Base class of every action. Its docstring is its user documentation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action_name: ClassVar[str] = ""
    supports_files: ClassVar[bool] = True
    supports_dirs: ClassVar[bool] = True
    #: The option a scalar shorthand fills (``move: "dest/"`` -> ``dest``).
    shorthand_field: ClassVar[str | None] = None

    @classmethod
    def from_config(cls, value: Any) -> Action:
        """Build from the YAML value (``None`` for a bare ``- trash``)."""
        if isinstance(value, Mapping):
            return cls.model_validate(dict(value))
        if value is None:
            return cls.model_validate({})
        if cls.shorthand_field is None:
            raise ValueError(f"{cls.action_name!r} takes no value")
        return cls.model_validate({cls.shorthand_field: value})

    def templates(self) -> list[tuple[str, Template]]:
        """(option, template) pairs, checked for unknown placeholders on load."""
        return []

    def plan(self, entry: FileEntry, ctx: RuleContext) -> FileEntry | None:
        """Add operations for ``entry``; return the entry after this action."""
        raise NotImplementedError


A = TypeVar("A", bound=type[Action])

ACTIONS: dict[str, type[Action]] = {}


def register_action(cls: A) -> A:
    """Class decorator: make an action available under its ``action_name``."""
    if not cls.action_name:
        raise TypeError(f"{cls.__name__} has no action_name")
    ACTIONS[cls.action_name] = cls
    return cls
