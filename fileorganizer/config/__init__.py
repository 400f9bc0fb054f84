"""Rules files: the schema, loading, and the built-in defaults."""

from fileorganizer.config.defaults import default_rules_yaml
from fileorganizer.config.loader import load_config, load_config_text, parse_config
from fileorganizer.config.schema import ActionSpec, Config, FilterSpec, LocationModel, Rule

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


def default_config() -> Config:
    """The built-in default rules, validated."""
    return load_config_text(default_rules_yaml(), file="<built-in defaults>", builtin=True)
