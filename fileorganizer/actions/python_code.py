"""The ``python`` action: a few lines of Python run for each file."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, ClassVar

from pydantic import field_validator

from fileorganizer.actions.base import Action, register_action
from fileorganizer.errors import UserCodeError
from fileorganizer.operations import OpKind
from fileorganizer.payloads import LATE_ROOTS, PythonSpec
from fileorganizer.runners import compile_action_code, python_values, run_python

if TYPE_CHECKING:
    from fileorganizer.actions.base import PlanContext
    from fileorganizer.scan import FileEntry


@register_action
class PythonAction(Action):
    """Run Python code for the file (organize's ``python`` action). The code is the
    body of a function, run when the plan is applied, once per file.

    It reads ``path``, ``name``, ``extension``, ``location``, ``relative_path`` and
    ``rule``, each filter's value by the filter's name (``regex["year"]``), every
    placeholder that needs no filter (``size``, ``hash``, ``exif``, ...) and, after a
    ``shell`` action, ``shell["output"]``/``shell.returncode``. What it prints is
    shown like ``echo``. An exception fails the file, naming the rule and the line
    of the code; the file's later actions are skipped and the run goes on. It may
    return nothing or a dict (organize merges a dict into ``{python}``; here it is
    not used: compute values for placeholders with the ``python`` filter).

    Code cannot be undone: the history records that it ran, and ``undo`` says so.
    ``sim`` does not run it unless ``run_in_simulation`` (then it runs while planning).

    ```yaml
    actions:
      - python: |
          print(f"{name}: {size.bytes} bytes")
      - python:
          code: "print(path)"
          run_in_simulation: true
    ```
    """

    action_name: ClassVar[str] = "python"
    shorthand_field: ClassVar[str | None] = "code"
    code: str
    run_in_simulation: bool = False

    @field_validator("code")
    @classmethod
    def _compiles(cls, v: str) -> str:
        code = textwrap.dedent(v)
        if not code.strip():
            raise ValueError("must not be empty")
        try:
            compile_action_code(code)
        except SyntaxError as exc:
            raise ValueError(f"line {(exc.lineno or 2) - 1}: {exc.msg}") from None
        return code

    def plan(self, entry: FileEntry, ctx: PlanContext) -> FileEntry | None:
        code = compile_action_code(self.code)
        variables = dict(ctx.values)
        late = ctx.late_sources(LATE_ROOTS)
        known = ctx.variables(entry, LATE_ROOTS)
        variables.update({k: v for k, v in known.items() if k not in dict(late)})
        spec = PythonSpec(code, variables, entry, ctx.filter_context, late)
        if ctx.simulating and self.run_in_simulation:
            printed: list[str] = []
            plan_time = {k: v for k, v in known.items() if k in dict(late)}
            ran = run_python(
                code,
                python_values(variables, entry, ctx.filter_context, plan_time, printed),
                ctx.rule_name,
                printed,
            )
            if ran.error is not None:
                raise UserCodeError(ran.error)
            ctx.emit(
                OpKind.PYTHON,
                entry,
                self,
                payload=spec,
                message=ran.printed or None,
                note="ran by sim",
                gate=True,
            )
            return entry
        ctx.emit(OpKind.PYTHON, entry, self, payload=spec, gate=True)
        return entry
