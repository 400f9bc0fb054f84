"""fileorganizer: organize files by rules, safely.

The library API::

    from fileorganizer import load_config, plan, apply_plan

    config = load_config("rules.yaml")
    p = plan(config)              # touches nothing
    result = apply_plan(p)        # applies exactly p
    print(len(result.applied), len(result.failed))
"""

from fileorganizer._version import __version__
from fileorganizer.config import Config, default_config, load_config, load_config_text
from fileorganizer.errors import (
    ConfigError,
    FileOrganizerError,
    LocationError,
    LockHeldError,
    OperationError,
)
from fileorganizer.executor import RunResult, apply_plan
from fileorganizer.history import History, undo_run
from fileorganizer.operations import Operation, OpKind, OpResult, OpStatus
from fileorganizer.planner import Plan, plan
from fileorganizer.report import Reporter

__all__ = [
    "Config",
    "ConfigError",
    "FileOrganizerError",
    "History",
    "LocationError",
    "LockHeldError",
    "OpKind",
    "OpResult",
    "OpStatus",
    "Operation",
    "OperationError",
    "Plan",
    "Reporter",
    "RunResult",
    "__version__",
    "apply_plan",
    "default_config",
    "load_config",
    "load_config_text",
    "plan",
    "undo_run",
]
