"""The action base class, the context actions plan against, and the registry.

An action turns a matched entry into planned operations through a
:class:`PlanContext`; it never touches the disk. It returns the entry as it is
after the action (for the next action in the chain), or ``None`` when the entry
is gone. Actions know the context only by this protocol, not the planner that
implements it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from fileorganizer._registry import LazyRegistry

if TYPE_CHECKING:
    from fileorganizer.filters.base import FilterContext
    from fileorganizer.operations import Operation, OpKind, OpPayload
    from fileorganizer.scan import FileEntry
    from fileorganizer.templates import Template
    from fileorganizer.vtree import NodeKind


class PlanContext(Protocol):
    """What an action can ask of the planner for one matched entry of one rule.

    Every method plans; none touches the disk. Destinations are resolved
    against the planned tree (earlier operations included) with the action's
    ``on_conflict``: a method returns ``None`` where the policy leaves the file.
    """

    #: the filter values of the entry being planned (``{regex.name}`` ...)
    values: dict[str, Any]

    def render(
        self, entry: FileEntry, source: str, *, as_path: bool = True, text: bool = False
    ) -> str:
        """Render a template for ``entry``: a path, a name (``as_path=False``) or a text."""
        ...

    def destination(self, entry: FileEntry, dest: str, action: Action) -> str | None:
        """Render ``dest`` for ``entry`` and resolve conflicts; None to leave it."""
        ...

    def renamed(self, entry: FileEntry, new_name: str, action: Action) -> str | None:
        """Render a new name for ``entry`` in its folder and resolve conflicts."""
        ...

    def transfer(self, kind: OpKind, entry: FileEntry, dst: str, action: Action) -> FileEntry:
        """Plan a move/rename/copy of ``entry`` to ``dst``; return the entry at ``dst``."""
        ...

    def remove(self, kind: OpKind, entry: FileEntry, action: Action) -> None:
        """Plan a trash/delete of ``entry``."""
        ...

    def link(self, kind: OpKind, entry: FileEntry, dst: str, action: Action) -> None:
        """Plan a symlink/hardlink at ``dst`` for ``entry``."""
        ...

    def echo(self, entry: FileEntry, msg: str) -> None:
        """Plan an echo message."""
        ...

    # -- running and writing actions (see fileorganizer.chains) --------------------
    @property
    def simulating(self) -> bool:
        """The plan is for ``sim`` (``run_in_simulation`` actions run while planning)."""
        ...

    @property
    def filter_context(self) -> FilterContext:
        """The rule's filter context (clock, environment, caches)."""
        ...

    @property
    def rule_name(self) -> str:
        """The rule's name."""
        ...

    def context(self, entry: FileEntry, names: frozenset[str]) -> dict[str, Any]:
        """The values of ``names`` for ``entry`` known when planning (no late ones)."""
        ...

    def variables(self, entry: FileEntry, names: frozenset[str]) -> dict[str, Any]:
        """The values of ``names`` for ``entry``; late ones as the plan shows them."""
        ...

    def late_sources(self, names: frozenset[str]) -> tuple[tuple[str, str], ...]:
        """The late placeholders among ``names``, each with the op_id producing it."""
        ...

    def publish(self, name: str, value: Any, op_id: str | None = None) -> None:
        """Make ``{name}`` known to later actions (late: produced by ``op_id``)."""
        ...

    def emit(
        self,
        kind: OpKind,
        entry: FileEntry,
        action: Action,
        *,
        payload: OpPayload | None = None,
        message: str | None = None,
        note: str | None = None,
        src: str | None = None,
        dst: str | None = None,
        gate: bool = False,
    ) -> Operation:
        """Plan an operation for ``entry`` (``gate``: later ones of the chain wait for it)."""
        ...

    def echo_text(self, entry: FileEntry, text: str, action: str = "confirm") -> None:
        """Plan a message of plain text."""
        ...

    def leave(self, entry: FileEntry, reason: str) -> None:
        """Plan that ``entry`` is left alone, with the reason."""
        ...

    def ask(self, entry: FileEntry, message: str, default: bool) -> bool | None:
        """Ask about ``entry`` (a real run); None when planning ``sim``."""
        ...

    def vtree_kind(self, path: str) -> NodeKind:
        """What is at ``path`` at this point of the plan."""
        ...

    def outfile_exists(self, path: str) -> bool:
        """Whether ``path`` exists at this point of the plan."""
        ...

    def wrote(self, path: str) -> None:
        """Record that the plan creates ``path`` by writing it."""
        ...

    def is_own_file(self, path: str) -> bool:
        """Whether ``path`` is the tool's own (history, config, logs, trash, the rules file)."""
        ...

    def first_write(self, action: Action, path: str) -> bool:
        """Whether this is ``action``'s first write to ``path`` in the plan."""
        ...


class Action(BaseModel):
    """Base class of every action. Its docstring is its user documentation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action_name: ClassVar[str] = ""
    supports_files: ClassVar[bool] = True
    supports_dirs: ClassVar[bool] = True
    #: The option a scalar shorthand fills (``move: "dest/"`` -> ``dest``).
    shorthand_field: ClassVar[str | None] = None
    #: Placeholders this action gives the actions after it, known only once it ran
    #: (``shell``: ``{shell.output}``), and the options that may use such values.
    publishes: ClassVar[frozenset[str]] = frozenset()
    late_options: ClassVar[frozenset[str]] = frozenset()

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

    def plan(self, entry: FileEntry, ctx: PlanContext) -> FileEntry | None:
        """Add operations for ``entry``; return the entry after this action."""
        raise NotImplementedError


A = TypeVar("A", bound=type[Action])

#: Where each action is defined (imported when a rules file first uses it).
ACTION_MODULES = {
    "move": "transfer",
    "copy": "transfer",
    "rename": "transfer",
    "trash": "remove",
    "delete": "remove",
    "symlink": "link",
    "hardlink": "link",
    "echo": "echo",
    "shell": "shell",
    "python": "python_code",
    "write": "write",
    "confirm": "confirm",
    "macos_tags": "macos_tags",
}

ACTIONS: LazyRegistry[type[Action]] = LazyRegistry("fileorganizer.actions", ACTION_MODULES)


def register_action(cls: A) -> A:
    """Class decorator: make an action available under its ``action_name``."""
    if not cls.action_name:
        raise TypeError(f"{cls.__name__} has no action_name")
    ACTIONS.register(cls.action_name, cls)
    return cls
