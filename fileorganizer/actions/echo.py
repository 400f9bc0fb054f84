"""The ``echo`` action."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from pydantic import field_validator

from fileorganizer.actions.base import Action, register_action
from fileorganizer.templates import Template, compile_template

if TYPE_CHECKING:
    from fileorganizer.actions.base import PlanContext
    from fileorganizer.scan import FileEntry


@register_action
class EchoAction(Action):
    """Print a message (a template) for the file; changes nothing.

    ```yaml
    actions:
      - echo: "Found {name} ({size.decimal})"
    ```
    """

    action_name: ClassVar[str] = "echo"
    shorthand_field: ClassVar[str | None] = "msg"
    late_options: ClassVar[frozenset[str]] = frozenset({"msg"})
    msg: str

    @field_validator("msg")
    @classmethod
    def _compiles(cls, v: str) -> str:
        compile_template(v)
        return v

    def templates(self) -> list[tuple[str, Template]]:
        return [("msg", compile_template(self.msg))]

    def plan(self, entry: FileEntry, ctx: PlanContext) -> FileEntry | None:
        ctx.echo(entry, self.msg)
        return entry
