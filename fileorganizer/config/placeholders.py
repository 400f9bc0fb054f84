"""What each placeholder holds, so that ``check`` can validate ``{a.b.c}`` statically.

Each placeholder's value has a :class:`ValueType`: the attributes it has and,
for some, the type of what they give (``{lastmodified.year}`` is a number,
``{path.parent.name}`` text). Values read from files (EXIF sections, the data
a ``python`` filter returns, environment variables) are open: any attribute.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import get_close_matches
from pathlib import PurePosixPath
from typing import Any


@dataclass(frozen=True)
class ValueType:
    """A placeholder value's kind: its label, its attributes, and typed ones."""

    label: str
    #: attribute names it has; None when any name may be there (data from files)
    attrs: frozenset[str] | None = None
    #: the type of some attributes (the others are not checked further)
    children: Mapping[str, ValueType] = field(default_factory=dict)
    #: what its attributes are called in messages
    member: str = ""

    def child(self, attr: str) -> ValueType | None:
        """The type of ``attr``'s value, when known."""
        return self.children.get(attr)


def _public(cls: type) -> frozenset[str]:
    return frozenset(n for n in dir(cls) if not n.startswith("_"))


ANY = ValueType("any value")
INT = ValueType("a number", _public(int))
STR = ValueType("text", _public(str))
_DATE_PARTS = ("year", "month", "day")
_TIME_PARTS = ("hour", "minute", "second", "microsecond")
DATE = ValueType("a date", _public(date), {n: INT for n in _DATE_PARTS})
DATETIME = ValueType(
    "a date-time", _public(datetime), {n: INT for n in (*_DATE_PARTS, *_TIME_PARTS)}
)


def _path_type() -> ValueType:
    children: dict[str, ValueType] = {n: STR for n in ("name", "stem", "suffix", "anchor")}
    t = ValueType("a path", _public(PurePosixPath), children)
    children["parent"] = t
    return t


PATH = _path_type()
_DICT = _public(dict)
SIZE = ValueType(
    "a size",
    frozenset({"bytes", "decimal", "binary", "traditional"}),
    {"bytes": INT, "decimal": STR, "binary": STR, "traditional": STR},
)
MIMETYPE = ValueType(
    "a MIME type", _public(str) | {"type", "subtype"}, {"type": STR, "subtype": STR}
)
DUPLICATE = ValueType(
    "a duplicate",
    frozenset({"original", "digest", "count", "size"}),
    {"original": PATH, "digest": STR, "count": INT, "size": INT},
)
_EXIF_SECTIONS = ("image", "exif", "gps", "interoperability", "thumbnail", "makernote")
EXIF = ValueType(
    "EXIF data",
    frozenset(
        {*_EXIF_SECTIONS, "make", "model", "datetimeoriginal", "datetimedigitized", "lat", "lon"}
    )
    | _DICT,
    {
        "make": STR,
        "model": STR,
        "datetimeoriginal": DATETIME,
        "datetimedigitized": DATETIME,
        **{s: ANY for s in _EXIF_SECTIONS},
    },
)
SHELL = ValueType(
    "a command's result", frozenset({"output", "returncode"}), {"output": STR, "returncode": INT}
)


def groups_type(expr: str, label: str) -> ValueType:
    """The named groups of a regular expression, each text."""
    try:
        names = tuple(re.compile(expr).groupindex)
    except re.error:
        return ANY
    return ValueType(label, frozenset(names) | _DICT, {n: STR for n in names}, "group")


#: Placeholders every template has, and the filter values, by name.
NAMED: dict[str, ValueType] = {
    "name": STR,
    "extension": STR,
    "path": PATH,
    "relative_path": PATH,
    "location": PATH,
    "env": ANY,
    "created": DATETIME,
    "lastmodified": DATETIME,
    "lastaccessed": DATETIME,
    "date_added": DATETIME,
    "date_lastused": DATETIME,
    "photo_date": DATETIME,
    "size": SIZE,
    "hash": STR,
    "mimetype": MIMETYPE,
    "exif": EXIF,
    "duplicate": DUPLICATE,
    "shell": SHELL,
    "empty": ANY,
    "python": ANY,
    "macos_tags": ANY,
}

#: What a call of these gives (``{now().year}`` is not checked, ``{now.year}`` is).
CALLABLE = frozenset({"now", "today", "utcnow"})


def filter_value_type(name: str, flt: Any) -> ValueType:
    """The type of the value filter ``name`` publishes (regex groups from its expression)."""
    expr = getattr(flt, "expr", None)
    if name in ("regex", "filecontent") and isinstance(expr, str):
        return groups_type(expr, f"the {name} expression")
    return NAMED.get(name, ANY)


def check_chain(root: str, attrs: tuple[str, ...], called: bool, vtype: ValueType) -> str | None:
    """Why ``{root.a.b}`` cannot work with ``vtype`` (None if it can, as far as is known)."""
    if root in CALLABLE:
        if attrs:
            return f"{{{root}}} is a function: write {{{root}().{attrs[0]}}}"
        return None
    current: ValueType | None = vtype
    path = root
    for i, attr in enumerate(attrs):
        if current is None or current.attrs is None:
            return None
        if attr not in current.attrs:
            close = get_close_matches(attr, sorted(current.attrs), n=1)
            hint = f" (did you mean {{{path}.{close[0]}}}?)" if close else ""
            member = f"{current.member} " if current.member else ""
            return f"{current.label} has no {member}{attr!r}{hint}"
        if called and i == len(attrs) - 1:
            return None
        current = current.child(attr)
        path += "." + attr
    return None
