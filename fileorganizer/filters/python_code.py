"""The ``python`` filter: a few lines of Python decide, per file."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from functools import cached_property
from typing import Any, ClassVar

from pydantic import field_validator

from fileorganizer.errors import UserCodeError
from fileorganizer.filters.base import (
    Filter,
    FilterContext,
    FilterResult,
    register_filter,
)
from fileorganizer.runners import CodeValues, user_line
from fileorganizer.scan import FileEntry


class _Values(CodeValues):
    """The code's globals (as the ``python`` action's), and the values the rule's earlier
    filters published (``{regex}``, ``{exif}``...)."""

    def __init__(self, entry: FileEntry, ctx: FilterContext, out: list[str]) -> None:
        super().__init__({}, entry, ctx, out)

    def __missing__(self, key: str) -> Any:
        earlier = self._fctx.values
        if key in earlier:  # a value an earlier filter of the rule published
            value = self[key] = earlier[key]
            return value
        return super().__missing__(key)


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
                f"python filter, line {user_line(exc, _FILENAME)}: {type(exc).__name__}: {exc}",
                line=user_line(exc, _FILENAME),
            ) from None
        value = _attr_values(got)
        detail = "\n".join(out) if out else None
        return FilterResult(got is not None and got is not False, value, detail=detail)


_FILENAME = "<python filter>"


def _wrap(code: str) -> str:
    return "def __fileorganizer_filter__():\n" + textwrap.indent(code, "    ") + "\n"


__all__ = ["PythonFilter"]
