"""Natural order of the names in a folder, as organize's walker sorts them.

organize sorts each folder's entries with natsort's ``os_sorted`` (what a file
manager shows: ``img2`` before ``img10``, case ignored); the same order is
used here so that the same file wins when several are aimed at one name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import PurePosixPath
from typing import Any

__all__ = ["natural_key", "sort_names"]


def natural_key(name: str) -> Any:
    """The sort key of a name in a folder: natural order, as organize's walker.

    organize sorts each folder's entries with natsort's ``os_sorted`` (what a file
    manager shows: ``img2`` before ``img10``, case ignored); the same key is used
    here so that the same file wins when several are aimed at one name.
    """
    return _os_key()(name)


def sort_names(names: list[str]) -> None:
    """Sort one folder's names in place, in :func:`natural_key` order.

    natsort's key costs ~20 us a name. For a folder of plain ASCII names (the
    common case) an equivalent key is computed here: natsort's, less the steps
    that change nothing for such names (Unicode normalization, the C locale's
    identity collation, doubling every letter, which keeps their order). A test
    checks that both sort alike.
    """
    sep = _thousands_sep()
    if all(n.isascii() for n in names) and not (sep and any(sep in n for n in names)):
        names.sort(key=_ascii_key)
    else:
        names.sort(key=natural_key)


_DIGITS = re.compile(r"(\d+)")
_DOT_DIGIT = re.compile(r"\.\d")
_HAS_DIGIT = re.compile(r"\d").search


def _ascii_key(name: str) -> tuple[tuple[str | int, ...], ...]:
    low = name.lower()
    dot = low.rfind(".")
    if 0 < dot == low.find(".") and 1 < len(low) - dot <= 5 and not _DOT_DIGIT.match(low, dot):
        # one extension (the common case): base and suffix
        return (_ascii_component(low[:dot]), _ascii_component(low[dot:]))
    # natsort's path splitting: up to two suffixes of at most five characters,
    # none starting with a digit, split off the base (all their occurrences)
    # (on the name as it is: the suffixes are removed case-sensitively)
    suffixes: list[str] = []
    for i, suffix in enumerate(reversed(PurePosixPath(name).suffixes)):
        if i > 1 or len(suffix) > 5 or _DOT_DIGIT.match(suffix):
            break
        suffixes.append(suffix)
    suffixes.reverse()
    base = name.replace("".join(suffixes), "") if suffixes else name
    comps = [base, *suffixes] if base else suffixes
    return tuple(_ascii_component(c.lower()) for c in comps)


def _ascii_component(comp: str) -> tuple[str | int, ...]:
    if _HAS_DIGIT(comp) is None:
        return (comp,)
    out: list[str | int] = []
    for i, piece in enumerate(_DIGITS.split(comp)):
        if not piece:
            continue
        if i % 2:
            if not out or not isinstance(out[-1], str):
                out.append("")
            out.append(int(piece))
        else:
            out.append(piece)
    return tuple(out)


@cache
def _os_key() -> Callable[[str], Any]:
    from natsort import os_sort_keygen

    return os_sort_keygen()


@cache
def _thousands_sep() -> str:
    _os_key()
    from natsort.compat.locale import get_thousands_sep

    return str(get_thousands_sep())
