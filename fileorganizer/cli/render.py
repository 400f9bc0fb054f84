"""Rendering engine events and results with Rich (the engine never prints)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from fileorganizer.cli.common import (
    LINE_CHUNK,
    ChunkedLines,
    paint,
    safe_text,
    wants_color,
    writer_of,
)
from fileorganizer.operations import Operation, OpKind, OpResult
from fileorganizer.plans import Plan
from fileorganizer.report import Problem, Reporter

if TYPE_CHECKING:
    from rich.progress import Progress

_VERB = {
    OpKind.MOVE: "move",
    OpKind.COPY: "copy",
    OpKind.RENAME: "rename",
    OpKind.TRASH: "trash",
    OpKind.DELETE: "DELETE",
    OpKind.SYMLINK: "symlink",
    OpKind.HARDLINK: "hardlink",
    OpKind.ECHO: "echo",
    OpKind.RESTORE: "restore",
    OpKind.REMOVE_COPY: "remove copy",
    OpKind.REMOVE_SYMLINK: "remove symlink",
    OpKind.REMOVE_HARDLINK: "remove hardlink",
    OpKind.RMDIR: "remove folder",
    OpKind.MKDIR: "make folder",
    OpKind.CLEANUP: "clean up",
    OpKind.SHELL: "shell",
    OpKind.PYTHON: "python",
    OpKind.WRITE: "write",
    OpKind.UNWRITE: "put back",
    OpKind.MACOS_TAGS: "tag",
}


def _action_line(op: Operation, c: Any) -> str | None:
    """The line of a shell, python, write or tagging operation (None: another kind)."""
    kind = op.kind
    if kind is OpKind.SHELL:
        line = f"{c('green', 'shell')} $ {safe_text(op.message or '')}"
    elif kind is OpKind.PYTHON:
        if op.message:  # what the code printed, shown like echo (line by line)
            return "\n".join(safe_text(line) for line in op.message.split("\n"))
        line = f"{c('green', 'python')} {safe_text(op.src)}"
    elif kind is OpKind.WRITE:
        text = safe_text(op.message or "")
        line = f"{c('green', 'write')} {safe_text(op.src)} ({op.note}): {text!r}"
        return line
    elif kind is OpKind.MACOS_TAGS:
        line = f"{c('green', 'tag')} {safe_text(op.src)}: {safe_text(op.message or '')}"
    elif kind is OpKind.UNWRITE:
        return f"{c('green', 'put back')} {safe_text(op.src)} (undo of a write)"
    else:
        return None
    if op.note:
        line += f" {c('dim', '(' + op.note + ')')}"
    return line + f" {c('red', '(irreversible)')}"


_ACTION_KINDS = frozenset(
    {OpKind.SHELL, OpKind.PYTHON, OpKind.WRITE, OpKind.UNWRITE, OpKind.MACOS_TAGS}
)


def _p(path: str | None) -> str:
    return escape(safe_text(path)) if path is not None else ""


def plain_line(op: Operation, dst: str | None = None, *, color: bool = False) -> str:
    """One line for an operation, without Rich markup (fast: one per file).

    ``color`` adds ANSI colours (a terminal that wants them).
    """

    def c(style: str, text: str) -> str:
        return paint(style, text, color)

    if op.kind is OpKind.ECHO:
        return f"{c('cyan', 'echo')} {safe_text(op.message or '')}"
    if op.kind is OpKind.DELETE:
        return f"{c('bold red', _VERB[op.kind])} {safe_text(op.src)} {c('red', '(irreversible)')}"
    if op.kind in _ACTION_KINDS:
        got = _action_line(op, c)
        assert got is not None
        return got
    target = dst if dst is not None else op.dst
    line = f"{c('green', _VERB[op.kind])} {safe_text(op.src)}"
    if target:
        line += f" {c('dim', '->')} {safe_text(target)}"
    if op.note and op.reverses is None:  # (an undo's notes are for the history)
        line += f" {c('dim', '(' + op.note + ')')}"
    return line


def describe(op: Operation, dst: str | None = None) -> str:
    """One line for an operation, e.g. ``move a.pdf -> Documents/a.pdf``."""
    verb = _VERB[op.kind]
    if op.kind is OpKind.ECHO:
        return f"[cyan]echo[/] {escape(safe_text(op.message or ''))}"
    if op.kind in _ACTION_KINDS:
        return escape(plain_line(op, dst))
    target = dst if dst is not None else op.dst
    line = f"[green]{verb}[/] {_p(op.src)}"
    if target:
        line += f" [dim]->[/] {_p(target)}"
    if op.kind is OpKind.DELETE:
        line = f"[bold red]{verb}[/] {_p(op.src)} [red](irreversible)[/]"
    if op.note and op.reverses is None:
        line += f" [dim]({escape(op.note)})[/]"
    return line


class ConsoleReporter(Reporter):
    """Prints per-file lines (unless quiet) and a progress bar on a terminal's stderr."""

    def __init__(
        self, out: Console, err: Console, *, quiet: bool, verbose: bool, show_ops: bool
    ) -> None:
        self.out = out
        self.err = err
        self.quiet = quiet
        self.verbose = verbose
        self.show_ops = show_ops and not quiet
        # a bar while planning; while applying, per-file lines are the progress
        # (a bar under a stream of lines would be redrawn for every line)
        self.wants_progress = err.is_terminal and not quiet
        self._color = wants_color(out)
        self._progress: Progress | None = None
        self._task: Any = None
        self._lines = ChunkedLines(writer_of(out.file), out.file.flush)

    # progress ---------------------------------------------------------------
    def progress(self, done: int, total: int | None, phase: str) -> None:
        if phase == "apply" and self.show_ops:
            self.close()
            return
        if self._progress is None:
            # imported here: only a terminal shows a bar
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.err,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(phase, total=total)
        self._progress.update(self._task, completed=done, total=total, description=phase)

    def close(self) -> None:
        """Stop the progress bar and flush the per-file lines."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        self.flush_lines()

    def flush_lines(self) -> None:
        """Write the per-file lines held so far."""
        self._lines.flush()

    # events -----------------------------------------------------------------
    def problem(self, problem: Problem) -> None:
        self.flush_lines()  # keep stdout and stderr lines in order on a terminal
        self.err.print(
            f"[yellow]skipped[/] {_p(problem.path)}: {escape(safe_text(problem.message))}"
        )

    def line(self, text: str) -> None:
        """Write one plain line to stdout (the per-file fast path).

        Lines are held briefly and written together (see :class:`ChunkedLines`),
        and flushed before anything else is printed.
        """
        self._lines.add(text)

    def applied(self, result: OpResult) -> None:
        if self.show_ops:
            self.line(plain_line(result.op, result.dst, color=self._color))

    def skipped(self, result: OpResult) -> None:
        if not self.quiet:
            self.flush_lines()
            self.err.print(
                f"[yellow]skipped[/] {_p(result.op.src)}: {escape(safe_text(result.reason or ''))}"
            )

    def failed(self, result: OpResult) -> None:
        if result.op.kind is OpKind.PYTHON and result.op.message:
            self.line(plain_line(result.op))  # what the code printed before it failed
        self.flush_lines()
        self.err.print(
            f"[red]failed[/] {_p(result.op.src)}: {escape(safe_text(result.error or ''))}"
        )

    def echo(self, op: Operation) -> None:
        if not self.quiet:
            self.line(safe_text(op.message or ""))

    def log(self, level: str, message: str) -> None:
        if self.verbose:
            self.flush_lines()
            self.err.print(f"[dim]{escape(level)}:[/] {escape(safe_text(message))}")


def render_plan(out: Console, plan: Plan, *, quiet: bool) -> None:
    """Print a plan (``sim``): one plain line per operation, then what is left alone."""
    if not quiet:
        color = wants_color(out)
        write = writer_of(out.file)
        ops = plan.operations
        for start in range(0, len(ops), LINE_CHUNK):  # one write per chunk, not per line
            write(
                "".join(
                    plain_line(op, color=color) + "\n" for op in ops[start : start + LINE_CHUNK]
                )
            )
        out.file.flush()
        for skip in plan.skips:
            out.print(f"[yellow]leave[/] {_p(skip.path)}: {escape(safe_text(skip.reason))}")


def summary_line(
    *, planned: int, applied: int | None, skipped: int, failed: int, problems: int, dry_run: bool
) -> str:
    """The closing line of ``run``/``sim``."""
    if dry_run:
        text = f"sim: {planned} operation(s) planned, nothing changed"
    else:
        text = f"done: {applied} applied"
    if skipped:
        text += f", {skipped} skipped"
    if failed:
        text += f", [red]{failed} failed[/]"
    if problems:
        text += f", [yellow]{problems} file(s) could not be planned[/]"
    return text


def plan_ops_json(plan: Plan) -> list[dict[str, object]]:
    """The plan's operations as JSON objects."""
    return [op.to_dict() for op in plan.operations]


def relpath_or_abs(path: str) -> str:
    """A shorter path for display when under the current folder."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel
