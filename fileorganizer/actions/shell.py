"""The ``shell`` action."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from pydantic import Field, field_validator

from fileorganizer.actions.base import Action, register_action
from fileorganizer.operations import OpKind
from fileorganizer.payloads import ShellSpec, shell_values
from fileorganizer.shellquote import check_command, render_command
from fileorganizer.templates import Template, compile_template

if TYPE_CHECKING:
    from fileorganizer.actions.base import PlanContext
    from fileorganizer.scan import FileEntry

#: how long a command may run by default, in seconds
DEFAULT_TIMEOUT = 60.0


@register_action
class ShellAction(Action):
    """Run a shell command for the file (``/bin/sh -c``, in the current folder).

    Every placeholder in ``cmd`` reaches the shell as one single-quoted word, so a
    file named ``$(rm -rf ~).pdf`` is a name, never code; write ``cp {path} ~/x/``
    (quotes around a placeholder, as in organize's ``open "{path}"``, work too).
    A placeholder inside backquotes, ``${...}`` or a here-document is refused.

    ``sim`` shows the command and does not run it, unless ``run_in_simulation``
    (then ``sim`` runs it while planning). A command cannot be undone: the history
    records it, and ``undo`` says so and undoes the rest of the run. A non-zero exit
    fails the file (its later actions are skipped; the run goes on) unless
    ``ignore_errors``. A command still running after ``timeout`` seconds (default
    60) is killed and fails the file.

    Later ``echo`` and ``write`` texts of the rule can use ``{shell.output}`` (what
    the command printed, stdout and stderr) and ``{shell.returncode}``; they are
    filled in when the command has run. ``sim`` shows ``simulation_output`` (a
    template, default ``"** simulation **"``) and ``simulation_returncode``
    (default 0) there. Destinations cannot use them (``check`` says so): where a
    file goes is decided before anything runs.

    Options: ``cmd``, ``run_in_simulation`` (false), ``ignore_errors`` (false),
    ``simulation_output``, ``simulation_returncode``, ``timeout`` (seconds, 60).

    ```yaml
    actions:
      - shell: 'open "{path}"'
      - shell:
          cmd: "pdftotext {path} -"
          timeout: 20
      - echo: "{name}: {shell.output}"
    ```
    """

    action_name: ClassVar[str] = "shell"
    shorthand_field: ClassVar[str | None] = "cmd"
    publishes: ClassVar[frozenset[str]] = frozenset({"shell"})
    cmd: str
    run_in_simulation: bool = False
    ignore_errors: bool = False
    simulation_output: str = "** simulation **"
    simulation_returncode: int = 0
    timeout: float = Field(default=DEFAULT_TIMEOUT, gt=0)

    @field_validator("cmd")
    @classmethod
    def _quotable(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        compile_template(v)
        check_command(v)
        return v

    @field_validator("simulation_output")
    @classmethod
    def _compiles(cls, v: str) -> str:
        compile_template(v)
        return v

    def templates(self) -> list[tuple[str, Template]]:
        return [
            ("cmd", compile_template(self.cmd)),
            ("simulation_output", compile_template(self.simulation_output)),
        ]

    def plan(self, entry: FileEntry, ctx: PlanContext) -> FileEntry | None:
        template = compile_template(self.cmd)
        command = render_command(self.cmd, ctx.variables(entry, template.names))
        spec = ShellSpec(command, self.timeout, self.ignore_errors)
        if ctx.simulating and self.run_in_simulation:
            from fileorganizer.runners import run_shell

            ran = run_shell(command, self.timeout)
            ctx.emit(
                OpKind.SHELL,
                entry,
                self,
                payload=spec,
                message=command,
                note=f"ran by sim: {ran.summary()}",
                gate=True,
            )
            ctx.publish("shell", shell_values(ran.output, ran.returncode))
            if ran.failed(self.ignore_errors):
                ctx.leave(entry, f"the shell command failed in sim: {ran.summary()}")
                return None
            return entry
        op = ctx.emit(OpKind.SHELL, entry, self, payload=spec, message=command, gate=True)
        sim_output = ctx.render(entry, self.simulation_output, text=True)
        ctx.publish("shell", shell_values(sim_output, self.simulation_returncode), op.op_id)
        return entry
