"""The syntax of path templates: organize's single braces, format specs, the plain fast path.

:func:`preprocess` turns a template into Jinja2 source (``{a.b:02}`` becomes
``{{ a.b | _format('02') }}``); :func:`fast_parts` recognises templates made
only of text and ``{name}``/``{a.b}`` placeholders, which render without Jinja2.
"""

from __future__ import annotations

import keyword
import re

_FORMAT_SPEC = re.compile(r"^[^{}]?[<>=^]?[+\- ]?z?#?0?\d*[,_]?(?:\.\d+)?[bcdeEfFgGnosxX%]?$")


def split_format_spec(expr: str) -> tuple[str, str | None]:
    """Split ``a.b:02`` into (``a.b``, ``02``) when the colon is at top level."""
    depth = 0
    quote: str | None = None
    for i, ch in enumerate(expr):
        if quote:
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == ":" and depth == 0:
            spec = expr[i + 1 :].strip()
            if _FORMAT_SPEC.match(spec):
                return expr[:i], spec
    return expr, None


def preprocess(source: str) -> str:
    """Rewrite ``{expr:spec}`` as ``{(expr)|fmt('spec')}``; leave the rest alone."""
    out: list[str] = []
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch == "{" and i + 1 < n and source[i + 1] not in "%#":
            j = closing_brace(source, i + 1)
            if j < 0:
                out.append(source[i:])
                break
            inner = source[i + 1 : j]
            expr, spec = split_format_spec(inner)
            if spec is not None:
                out.append("{(" + expr + ")|fmt(" + repr(spec) + ")}")
            else:
                out.append("{" + inner + "}")
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def closing_brace(source: str, start: int) -> int:
    depth = 0
    quote: str | None = None
    for j in range(start, len(source)):
        ch = source[j]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "}":
            if depth == 0:
                return j
            depth -= 1
    return -1


_SIMPLE_EXPR = re.compile(r"^\s*([A-Za-z_]\w*)((?:\.[A-Za-z][\w]*)*)\s*$")


_SIMPLE_SPLIT = re.compile(r"\{([^{}]*)\}")


FastPart = str | tuple[str, tuple[str, ...]]


def fast_parts(source: str) -> list[FastPart] | None:
    """Split a template made only of ``{name}``/``{a.b.c}`` into parts; None if not that simple."""
    if "{%" in source or "{#" in source:
        return None
    pieces = _SIMPLE_SPLIT.split(source)
    parts: list[FastPart] = []
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            if "{" in piece or "}" in piece:
                return None
            if piece:
                parts.append(piece)
            continue
        m = _SIMPLE_EXPR.match(piece)
        if m is None:
            return None
        attrs = tuple(a for a in m.group(2).split(".") if a)
        parts.append((m.group(1), attrs))
    return parts


#: Names Jinja2 does not read as a plain variable (constants, operators, its
#: globals, ``self``), plus Python keywords to be safe: a template using one of
#: them as a placeholder's root or attribute is compiled by Jinja2 to learn its names.
_NOT_PLAIN = frozenset(
    {
        *keyword.kwlist,
        *keyword.softkwlist,
        "true",
        "false",
        "none",
        "not",
        "self",
        "range",
        "dict",
        "lipsum",
        "cycler",
        "joiner",
        "namespace",
    }
)


def plain_names(parts: list[FastPart]) -> frozenset[str] | None:
    """The root names of a fast-path template, when Jinja2 would find exactly these.

    None when a name is not a plain ASCII identifier that Jinja2 reads as a
    variable; the caller then asks Jinja2 (which also reports syntax errors).
    """
    names: set[str] = set()
    for part in parts:
        if isinstance(part, str):
            continue
        root, attrs = part
        for word in (root, *attrs):
            if not word.isascii() or word in _NOT_PLAIN:
                return None
        names.add(root)
    return frozenset(names)
