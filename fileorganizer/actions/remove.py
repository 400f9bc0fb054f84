"""Actions that take a file away: ``trash`` and ``delete``."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from fileorganizer.actions.base import Action, register_action
from fileorganizer.operations import OpKind

if TYPE_CHECKING:
    from fileorganizer.actions.base import PlanContext
    from fileorganizer.scan import FileEntry


@register_action
class TrashAction(Action):
    """Move the file to the trash (freedesktop.org trash on Linux: the home
    trash, or ``.Trash-UID`` at the top of another filesystem). The history
    records where it went, so ``undo`` brings it back. Never falls back to
    deleting.

    ```yaml
    actions:
      - trash
    ```
    """

    action_name: ClassVar[str] = "trash"

    def plan(self, entry: FileEntry, ctx: PlanContext) -> FileEntry | None:
        ctx.remove(OpKind.TRASH, entry, self)
        return None


@register_action
class DeleteAction(Action):
    """Delete the file permanently. This cannot be undone: ``sim`` marks it
    irreversible. Prefer ``trash``.

    ```yaml
    actions:
      - delete
    ```
    """

    action_name: ClassVar[str] = "delete"

    def plan(self, entry: FileEntry, ctx: PlanContext) -> FileEntry | None:
        ctx.remove(OpKind.DELETE, entry, self)
        return None
