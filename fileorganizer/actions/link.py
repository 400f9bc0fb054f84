"""Actions that add a name for a file: ``symlink`` and ``hardlink``."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from fileorganizer.actions.base import register_action
from fileorganizer.actions.transfer import _Destination
from fileorganizer.operations import OpKind

if TYPE_CHECKING:
    from fileorganizer.actions.base import PlanContext
    from fileorganizer.scan import FileEntry


@register_action
class SymlinkAction(_Destination):
    """Create a symbolic link at ``dest`` pointing to the file (absolute
    target). ``dest`` ending in ``/`` is a folder. Options as for ``move``.

    ```yaml
    actions:
      - symlink: "~/Desktop/Current/"
    ```
    """

    action_name: ClassVar[str] = "symlink"

    def plan(self, entry: FileEntry, ctx: PlanContext) -> FileEntry | None:
        dst = ctx.destination(entry, self.dest, self)
        if dst is not None:
            ctx.link(OpKind.SYMLINK, entry, dst, self)
        return entry


@register_action
class HardlinkAction(_Destination):
    """Create a hard link at ``dest`` (same filesystem only). Options as for
    ``move``.

    ```yaml
    actions:
      - hardlink: "~/Library/All/"
    ```
    """

    action_name: ClassVar[str] = "hardlink"
    supports_dirs: ClassVar[bool] = False

    def plan(self, entry: FileEntry, ctx: PlanContext) -> FileEntry | None:
        dst = ctx.destination(entry, self.dest, self)
        if dst is not None:
            ctx.link(OpKind.HARDLINK, entry, dst, self)
        return entry
