"""Actions: one small module per family, registered by name in :data:`ACTIONS`."""

from fileorganizer.actions import (  # noqa: F401  (registers)
    confirm,
    echo,
    link,
    macos_tags,
    python_code,
    remove,
    shell,
    transfer,
    write,
)
from fileorganizer.actions.base import ACTIONS, Action, register_action

__all__ = ["ACTIONS", "Action", "register_action"]
