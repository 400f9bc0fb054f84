"""Messages for a template that cannot be rendered for one file (named, with a fix).

A value read from a file may lack what a template asks of it (a photo without
the EXIF tag in ``{exif.image.model}``): the message names the template and the
value, and suggests a default, never an internal class name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import PurePath
from typing import Any


def missing_value_message(source: str, value: Any, attr: str) -> str:
    """Why ``{...attr}`` has no value for this file, and what to write instead.

    A mapping of values read from the file (EXIF, regex groups, file content)
    that lacks ``attr`` is data the file does not have: the message suggests a
    default. Anything else is a name the value does not have.
    """
    if isinstance(value, Mapping):
        expr = _expression_with(source, attr)
        hint = f" (write {{{expr}|default('unknown')}} for files without it)" if expr else ""
        return f"in {source!r}: this file has no value for {attr!r}{hint}"
    from difflib import get_close_matches

    known = [n for n in dir(value) if not n.startswith("_")]
    close = get_close_matches(attr, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"in {source!r}: {value_label(value)} has no attribute {attr!r}{hint}"


def value_label(value: Any) -> str:
    """How messages name a value's kind (never an internal class name)."""
    if isinstance(value, datetime):
        return "a date-time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, PurePath):
        return "a path"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping):
        return "a set of values"
    return "this value"


def _expression_with(source: str, attr: str) -> str | None:
    """The ``{...}`` expression of ``source`` that reads ``attr`` (without filters)."""
    for m in re.finditer(r"\{([^{}]*)\}", source):
        inner = m.group(1).strip()
        if re.search(r"(?:\.|\[['\"])" + re.escape(attr) + r"\b", inner) and "|" not in inner:
            return inner
    return None


def undefined_message(source: str, exc: Exception) -> str:
    msg = str(getattr(exc, "message", None) or exc)
    m = re.match(r"^'(?P<obj>[^']*)' (?:object )?has no attribute '(?P<attr>[^']*)'$", msg)
    if m is not None:
        attr = m.group("attr")
        expr = _expression_with(source, attr)
        hint = f" (write {{{expr}|default('unknown')}} for files without it)" if expr else ""
        return f"in {source!r}: this file has no value for {attr!r}{hint}"
    return f"in {source!r}: {msg}"
