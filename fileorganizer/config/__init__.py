"""Rules files: the schema, loading, and the built-in defaults.

The schema and the loader (pydantic, every filter and action) are imported on
first use of one of their names (PEP 562), so that e.g. ``fileorganizer init``
does not load them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fileorganizer._lazy import lazy_names
from fileorganizer.config.defaults import default_rules_yaml

if TYPE_CHECKING:
    from fileorganizer.config.loader import load_config, load_config_text, parse_config
    from fileorganizer.config.schema import ActionSpec, Config, FilterSpec, LocationModel, Rule

#: Public name -> the submodule that defines it (imported on first access).
_LAZY: dict[str, str] = {
    "ActionSpec": "fileorganizer.config.schema",
    "Config": "fileorganizer.config.schema",
    "FilterSpec": "fileorganizer.config.schema",
    "LocationModel": "fileorganizer.config.schema",
    "Rule": "fileorganizer.config.schema",
    "load_config": "fileorganizer.config.loader",
    "load_config_text": "fileorganizer.config.loader",
    "parse_config": "fileorganizer.config.loader",
}

__all__ = [
    "ActionSpec",
    "Config",
    "FilterSpec",
    "LocationModel",
    "Rule",
    "default_config",
    "default_rules_yaml",
    "load_config",
    "load_config_text",
    "parse_config",
]


__getattr__, __dir__ = lazy_names(globals(), _LAZY, __all__)


def default_config() -> Config:
    """The built-in default rules, validated."""
    from fileorganizer.config.loader import load_config_text

    return load_config_text(default_rules_yaml(), file="<built-in defaults>", builtin=True)
