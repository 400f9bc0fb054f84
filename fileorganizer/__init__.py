"""fileorganizer: organize files by rules, safely.

The library API::

    from fileorganizer import load_config, plan, apply_plan

    config = load_config("rules.yaml")
    p = plan(config)              # touches nothing
    result = apply_plan(p)        # applies exactly p
    print(len(result.applied), len(result.failed))

The names are imported on first use (PEP 562), so ``import fileorganizer``
is cheap and e.g. the history database layer is loaded only when needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fileorganizer._lazy import lazy_names
from fileorganizer._version import __version__

if TYPE_CHECKING:
    from fileorganizer.api import apply_plan, run, undo_run
    from fileorganizer.config import Config, default_config, load_config, load_config_text
    from fileorganizer.errors import (
        ConfigError,
        DestinationExistsError,
        FileOrganizerError,
        HistoryError,
        LocationError,
        LockHeldError,
        MissingExtraError,
        OperationError,
        SourceChangedError,
        TemplateError,
        UndoError,
        UnsafePathError,
        UnwritableDirError,
    )
    from fileorganizer.history import History
    from fileorganizer.operations import Operation, OpKind, OpResult, OpStatus
    from fileorganizer.planner import plan
    from fileorganizer.plans import Plan
    from fileorganizer.report import Reporter
    from fileorganizer.results import RunResult

#: Public name -> the module that defines it (imported on first access).
_LAZY: dict[str, str] = {
    "Config": "fileorganizer.config",
    "default_config": "fileorganizer.config",
    "load_config": "fileorganizer.config",
    "load_config_text": "fileorganizer.config",
    "ConfigError": "fileorganizer.errors",
    "DestinationExistsError": "fileorganizer.errors",
    "FileOrganizerError": "fileorganizer.errors",
    "HistoryError": "fileorganizer.errors",
    "LocationError": "fileorganizer.errors",
    "LockHeldError": "fileorganizer.errors",
    "MissingExtraError": "fileorganizer.errors",
    "OperationError": "fileorganizer.errors",
    "UnwritableDirError": "fileorganizer.errors",
    "SourceChangedError": "fileorganizer.errors",
    "TemplateError": "fileorganizer.errors",
    "UndoError": "fileorganizer.errors",
    "UnsafePathError": "fileorganizer.errors",
    "RunResult": "fileorganizer.results",
    "apply_plan": "fileorganizer.api",
    "run": "fileorganizer.api",
    "undo_run": "fileorganizer.api",
    "History": "fileorganizer.history",
    "Operation": "fileorganizer.operations",
    "OpKind": "fileorganizer.operations",
    "OpResult": "fileorganizer.operations",
    "OpStatus": "fileorganizer.operations",
    "Plan": "fileorganizer.plans",
    "plan": "fileorganizer.planner",
    "Reporter": "fileorganizer.report",
}

__all__ = [
    "Config",
    "ConfigError",
    "DestinationExistsError",
    "FileOrganizerError",
    "History",
    "HistoryError",
    "LocationError",
    "LockHeldError",
    "MissingExtraError",
    "OpKind",
    "OpResult",
    "OpStatus",
    "Operation",
    "OperationError",
    "Plan",
    "Reporter",
    "RunResult",
    "SourceChangedError",
    "TemplateError",
    "UndoError",
    "UnsafePathError",
    "UnwritableDirError",
    "__version__",
    "apply_plan",
    "default_config",
    "load_config",
    "load_config_text",
    "plan",
    "run",
    "undo_run",
]


__getattr__, __dir__ = lazy_names(globals(), _LAZY, __all__)
