"""Starter rules files written by ``fileorganizer init``."""

from __future__ import annotations

from importlib import resources


def starter_names() -> list[str]:
    """Names of the starter templates (``default``, ``photos``, ...)."""
    root = resources.files("fileorganizer.config").joinpath("starters")
    return sorted(p.name.removesuffix(".yaml") for p in root.iterdir() if p.name.endswith(".yaml"))


def starter_text(name: str = "default") -> str:
    """The text of a starter template; ``KeyError`` for an unknown name."""
    if name not in starter_names():
        raise KeyError(name)
    root = resources.files("fileorganizer.config").joinpath("starters")
    return root.joinpath(f"{name}.yaml").read_text(encoding="utf-8")
