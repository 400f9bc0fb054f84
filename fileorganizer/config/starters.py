"""Starter rules files written by ``fileorganizer init``.

``default`` is written from the built-in rules (the same rule, for ~/Downloads);
the others are files in ``starters/``.
"""

from __future__ import annotations

from importlib import resources

from fileorganizer.config.defaults import default_starter_yaml


def starter_names() -> list[str]:
    """Names of the starter templates (``default``, ``photos``, ...)."""
    root = resources.files("fileorganizer.config").joinpath("starters")
    files = {p.name.removesuffix(".yaml") for p in root.iterdir() if p.name.endswith(".yaml")}
    return sorted(files | {"default"})


def starter_text(name: str = "default") -> str:
    """The text of a starter template; ``KeyError`` for an unknown name."""
    if name == "default":
        return default_starter_yaml()
    if name not in starter_names():
        raise KeyError(name)
    root = resources.files("fileorganizer.config").joinpath("starters")
    return root.joinpath(f"{name}.yaml").read_text(encoding="utf-8")
