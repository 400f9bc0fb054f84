"""Actions: one small module per family, registered by name in :data:`ACTIONS`."""

from fileorganizer.actions.base import ACTIONS, Action, register_action

__all__ = ["ACTIONS", "Action", "register_action"]
