"""Choosing a free name when a destination is taken (shared by planner and executor)."""

from __future__ import annotations

import os
from collections.abc import Callable

from fileorganizer.errors import TemplateError
from fileorganizer.scan import split_name
from fileorganizer.templates import compile_template, sanitize_component

MAX_COUNTER = 100_000


def counter_name(dst: str, rename_template: str, counter: int, *, folder: bool = False) -> str:
    """``dst`` renamed by the template, e.g. ``a/report 2.pdf``.

    In the rename template ``{name}`` is the stem and ``{extension}`` the
    suffix *with* its dot (as in organize), ``{counter}`` the number. For a
    ``folder`` the whole name is the stem (``photos.2024`` -> ``photos.2024 2``).
    """
    folder_path, base = os.path.split(dst)
    stem, suffix = (base, "") if folder else split_name(base)
    rendered = compile_template(rename_template).render(
        {"name": stem, "extension": suffix, "counter": counter}
    )
    rendered = sanitize_component(rendered)
    if not rendered:
        raise TemplateError(f"rename template {rename_template!r} rendered an empty name")
    return os.path.join(folder_path, rendered)


def next_free_name(
    dst: str,
    rename_template: str,
    exists: Callable[[str], bool],
    start: int = 2,
    *,
    folder: bool = False,
) -> str:
    """The first ``counter_name`` (counter from ``start``) for which ``exists`` is false."""
    for counter in range(start, MAX_COUNTER):
        candidate = counter_name(dst, rename_template, counter, folder=folder)
        if not exists(candidate):
            return candidate
    raise TemplateError(f"no free name for {dst!r} after {MAX_COUNTER} tries")
