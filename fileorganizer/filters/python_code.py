"""The ``python`` filter: a few lines of Python decide, per file."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any, ClassVar

from pydantic import field_validator

from fileorganizer.errors import UserCodeError
from fileorganizer.filters.base import (
    LAZY_PLACEHOLDERS,
    Filter,
    FilterContext,
    FilterResult,
    register_filter,
)
from fileorganizer.scan import FileEntry


class _Values(dict[str, Any]):
    """The code's globals: placeholders computed when the code first reads one."""

    def __init__(self, entry: FileEntry, ctx: FilterContext, out: list[str]) -> None:
        super().__init__()
        self._entry = entry
        self._ctx = ctx

        def _print(*values: object, sep: str = " ", end: str = "") -> None:
            out.append(sep.join(str(v) for v in values) + end)

        self["print"] = _print
        self["path"] = PurePosixPath(entry.path)
        self["name"] = entry.name if entry.is_dir else entry.stem
        self["extension"] = "" if entry.is_dir else entry.extension
        self["location"] = PurePosixPath(entry.location)
        self["relative_path"] = PurePosixPath(entry.relative_path)
        self["rule"] = ctx.rule_name

    def __missing__(self, key: str) -> Any:
        earlier = self._ctx.values
        if key in earlier:  # a value an earlier filter of the rule published
            value = self[key] = earlier[key]
            return value
        fn = LAZY_PLACEHOLDERS.get(key)
        if fn is None:
            raise KeyError(key)
        value = self[key] = fn(self._entry, self._ctx)
        return value


class AttrValues(dict[str, Any]):
    """A dict the code returned: ``{python.key}`` and ``{python.nested.key}``."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None


def _attr_values(value: Any) -> Any:
    if isinstance(value, dict):
        return AttrValues({str(k): _attr_values(v) for k, v in value.items()})
    return value


@register_filter
class PythonFilter(Filter):
    """Decide with Python code (organize's ``python`` filter). The code is the body of
    a function: it must ``return``; a file passes unless it returns ``False`` or
    ``None``. The returned value is published as ``{python}``: return a dict for
    ``{python.key}`` (and ``{python.nested.key}``).

    The code can read ``path``, ``name``, ``extension``, ``location``,
    ``relative_path`` and ``rule``, the values of the rule's earlier filters
    (``regex``, ``exif``, ...), and every placeholder that needs no filter
    (``size``, ``hash``, ``mimetype``, ``exif``, ``created``, ``lastmodified``...),
    computed when the code reads it. ``print`` shows its text in ``explain``. An
    exception fails that file, with the rule and the line of the code; the run goes on.

    ```yaml
    rules:
      - locations: ~/Scans
        filters:
          - python: |
              number = int(name.split("_")[-1])
              return {"odd": number % 2 == 1, "number": number}
        actions:
          - move: "~/Scans/{python.number}/"
    ```
    """

    filter_name: ClassVar[str] = "python"
    supports_dirs: ClassVar[bool] = True
    code: str

    @classmethod
    def shorthand(cls, value: Any) -> dict[str, Any]:
        if not isinstance(value, str):
            raise ValueError("expected Python code (text)")
        return {"code": value}

    @field_validator("code")
    @classmethod
    def _compiles(cls, v: str) -> str:
        code = textwrap.dedent(v)
        if "return" not in code:
            raise ValueError("the code must 'return' a value (False or None: no match)")
        try:
            compile(_wrap(code), "<python filter>", "exec")
        except SyntaxError as exc:
            line = (exc.lineno or 1) - 1
            raise ValueError(f"line {line}: {exc.msg}") from None
        return code

    @cached_property
    def _compiled(self) -> Any:
        return compile(_wrap(self.code), _FILENAME, "exec")

    def match(self, entry: FileEntry, ctx: FilterContext) -> FilterResult:
        out: list[str] = []
        values = _Values(entry, ctx, out)
        try:
            exec(self._compiled, values)
            fn: Callable[[], Any] = values["__fileorganizer_filter__"]
            got = fn()
        except (Exception, SystemExit) as exc:  # (exit() in user code ends that file only)
            raise UserCodeError(
                f"python filter, line {_user_line(exc)}: {type(exc).__name__}: {exc}",
                line=_user_line(exc),
            ) from None
        value = _attr_values(got)
        detail = "\n".join(out) if out else None
        return FilterResult(got is not None and got is not False, value, detail=detail)


_FILENAME = "<python filter>"


def _wrap(code: str) -> str:
    return "def __fileorganizer_filter__():\n" + textwrap.indent(code, "    ") + "\n"


def _user_line(exc: BaseException) -> int:
    """The line of the user's code (1 = its first line) where ``exc`` was raised."""
    tb = exc.__traceback__
    line = 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _FILENAME:
            line = tb.tb_lineno - 1
        tb = tb.tb_next
    return line if line > 0 else 1


__all__ = ["PythonFilter"]
