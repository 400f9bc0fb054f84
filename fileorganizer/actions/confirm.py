"""The ``confirm`` action: ask before the rest of a file's actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from pydantic import field_validator

from fileorganizer.actions.base import Action, register_action
from fileorganizer.templates import Template, compile_template

if TYPE_CHECKING:
    from fileorganizer.actions.base import PlanContext
    from fileorganizer.scan import FileEntry


@register_action
class ConfirmAction(Action):
    """Ask yes or no (on the terminal) before the file's later actions; "no" leaves
    the file alone (later rules still see it), as in organize.

    ``run`` asks while it plans, before anything is changed, so that what runs is
    what was answered; the plan is then applied as usual. ``sim`` never asks: it
    shows where ``run`` will ask and plans as if the answer were ``default``
    (default yes). Without a terminal (cron, CI, a pipe, ``watch`` as a service)
    a ``run`` whose rules confirm stops before planning with a config error (exit
    2), never waiting for an answer. The one-writer lock is held while asking.

    Options: ``msg`` (a template, default ``"Continue?"``), ``default``.

    ```yaml
    actions:
      - confirm: "Delete {name}?"
      - trash
    ```
    """

    action_name: ClassVar[str] = "confirm"
    shorthand_field: ClassVar[str | None] = "msg"
    msg: str = "Continue?"
    default: bool = True

    @field_validator("msg")
    @classmethod
    def _compiles(cls, v: str) -> str:
        compile_template(v)
        return v

    def templates(self) -> list[tuple[str, Template]]:
        return [("msg", compile_template(self.msg))]

    def plan(self, entry: FileEntry, ctx: PlanContext) -> FileEntry | None:
        msg = ctx.render(entry, self.msg, text=True)
        answer = ctx.ask(entry, msg, self.default)
        if answer is None:  # sim: show the question, go on with the default
            said = "yes" if self.default else "no"
            ctx.echo_text(entry, f"confirm: {msg} (run asks here; sim assumes {said}, the default)")
            answer = self.default
        if not answer:
            ctx.leave(entry, f"not confirmed: {msg}")
            return None
        return entry
