"""Rendering engine events with Rich (the engine never prints).

:class:`CliReporter` receives the engine's :class:`~fileorganizer.report.Reporter`
events and does, for each, the few things the command line asked for: count it
in a :class:`~fileorganizer.cli.summary.Summary` (always), print its line
(``-v``), stream it as JSON (``--format jsonl``), log it with a timestamp
(``--log-file``), and move a progress display on a terminal's stderr.
"""

from __future__ import annotations

import json
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
from fileorganizer.cli.logfile import Level, LogFile
from fileorganizer.cli.summary import Outcome, Summary, reason_key
from fileorganizer.operations import Operation, OpKind, OpResult
from fileorganizer.plans import Plan
from fileorganizer.report import Problem, Reporter
from fileorganizer.states import OpState

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

#: what the progress display calls each phase the engine reports
PHASES = {"scan": "scanning", "plan": "scanning and planning", "apply": "applying"}


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


def progress_display(err: Console, *, known_total: bool, unit: str = "checks") -> Progress:
    """A transient progress display on ``err``: a bar when the total is known, else a count.

    While planning, the count is of (file, rule) checks, not of files: each rule
    looks at the files of its locations.
    """
    # imported here: only a terminal shows a progress display
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    if known_total:
        columns: tuple[Any, ...] = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
    else:
        columns = (
            SpinnerColumn(),
            TextColumn(f"{{task.description}}: {{task.completed:,.0f}} {unit}"),
            TimeElapsedColumn(),
        )
    return Progress(*columns, console=err, transient=True)


def size_of(op: Operation) -> int:
    """The bytes an operation organizes (none for a command, a write or tags)."""
    ident = op.identity
    return ident.size if ident is not None and op.kind not in _ACTION_KINDS else 0


class JsonLines:
    """``--format jsonl``: one JSON object per line on stdout, written in chunks."""

    def __init__(self, out: Console) -> None:
        self._lines = ChunkedLines(out.file.write, out.file.flush)

    def emit(self, obj: dict[str, Any]) -> None:
        """Write one object (paths with undecodable bytes are escaped)."""
        self._lines.add(json.dumps(obj, default=str, ensure_ascii=True))

    def flush(self) -> None:
        """Write what is held."""
        self._lines.flush()


class CliReporter(Reporter):
    """Counts every event in ``summary``; prints, streams and logs what was asked for.

    ``verbose``: a line per file (applied ones on stdout, the others on
    stderr). ``progress``: a transient progress display on stderr (only when
    stderr is a terminal). ``jsonl``/``log``: streams of every event.
    """

    def __init__(
        self,
        out: Console,
        err: Console,
        summary: Summary,
        *,
        verbose: bool = False,
        quiet: bool = False,
        progress: bool = False,
        jsonl: JsonLines | None = None,
        log: LogFile | None = None,
    ) -> None:
        self.out = out
        self.err = err
        self.summary = summary
        self.dry_run = summary.dry_run
        self.quiet = quiet
        self.verbose = verbose and not quiet
        self.jsonl = jsonl
        self.log_file = log
        # while applying, per-file lines on a terminal are the progress (a bar
        # under a stream of lines would be redrawn for every line)
        self.wants_progress = progress and err.is_terminal
        self._color = wants_color(out)
        self._progress: Progress | None = None
        self._task: Any = None
        self._phase = ""
        self._lines = ChunkedLines(writer_of(out.file), out.file.flush)

    # progress ---------------------------------------------------------------
    def progress(self, done: int, total: int | None, phase: str) -> None:
        if not self.wants_progress:
            return
        if phase == "apply" and self.verbose and not self.dry_run:
            self.close()
            self.wants_progress = False
            return
        description = PHASES.get(phase, phase)
        if self._progress is not None and self._phase != phase:
            self._progress.stop()  # a new phase gets the columns that suit it
            self._progress = None
        if self._progress is None:
            self._progress = progress_display(self.err, known_total=total is not None)
            self._progress.start()
            self._task = self._progress.add_task(description, total=total)
            self._phase = phase
        self._progress.update(self._task, completed=done, total=total, description=description)

    def close(self) -> None:
        """Stop the progress display and flush what is held."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        self.flush_lines()

    def flush_lines(self) -> None:
        """Write the per-file lines (and JSON lines) held so far."""
        self._lines.flush()
        if self.jsonl is not None:
            self.jsonl.flush()

    def _err_line(self, markup: str) -> None:
        self.flush_lines()  # keep stdout and stderr lines in order on a terminal
        if self._progress is not None:
            self._progress.console.print(markup)
        else:
            self.err.print(markup)

    # events -----------------------------------------------------------------
    def planned(self, op: Operation) -> None:
        summary = self.summary
        summary.add_planned()
        if not self.dry_run:
            return
        summary.add_done(op.kind, op.dst, op.rule, size_of(op), src=op.src)
        if self.jsonl is not None:
            self.jsonl.emit({"type": "operation", "status": OpState.PLANNED.value, **op.to_dict()})
        if self.log_file is not None:
            self.log_file.write("would " + plain_line(op))

    def problem(self, problem: Problem) -> None:
        message = safe_text(problem.message)
        self.summary.add_outcome(
            Outcome.NOT_PLANNED, reason_key(message, problem.path), problem.path
        )
        if self.jsonl is not None:
            self.jsonl.emit({"type": "problem", **problem.to_dict()})
        if self.log_file is not None:
            self.log_file.write(f"not planned {problem.path}: {message}", Level.WARNING)
        if self.verbose:
            self._err_line(f"[yellow]not planned[/] {_p(problem.path)}: {escape(message)}")

    def line(self, text: str) -> None:
        """Write one plain line to stdout (the per-file fast path).

        Lines are held briefly and written together (see :class:`ChunkedLines`),
        and flushed before anything else is printed.
        """
        self._lines.add(text)

    def applied(self, result: OpResult) -> None:
        op = result.op
        dst = result.dst if result.dst is not None else op.dst
        self.summary.add_done(op.kind, result.trash_path or dst, op.rule, size_of(op), src=op.src)
        if self.jsonl is not None:
            self.jsonl.emit({"type": "operation", **result.to_dict()})
        if self.log_file is not None:
            self.log_file.write(plain_line(op, result.dst))
        if self.verbose:
            self.line(plain_line(op, result.dst, color=self._color))
        elif op.kind is OpKind.PYTHON and op.message and not self.quiet and self.jsonl is None:
            self.line(plain_line(op))  # what the code printed, shown like echo

    def _not_done(self, result: OpResult, outcome: Outcome, why: str) -> None:
        op = result.op
        why = safe_text(why)
        own = [op.src, op.dst, result.dst, result.trash_path]
        from fileorganizer.fsops import temp_path_for

        own += [temp_path_for(p, op.op_id) for p in (op.dst, result.dst) if p]
        self.summary.add_outcome(outcome, reason_key(why, *own), op.src)
        if self.jsonl is not None:
            self.jsonl.emit({"type": "operation", **result.to_dict()})
        level = Level.ERROR if outcome is Outcome.FAILED else Level.WARNING
        if self.log_file is not None:
            self.log_file.write(f"{outcome.value} {op.src}: {why}", level)
        if self.verbose:
            colour = "red" if outcome is Outcome.FAILED else "yellow"
            self._err_line(f"[{colour}]{outcome.value}[/] {_p(op.src)}: {escape(why)}")

    def skipped(self, result: OpResult) -> None:
        self._not_done(result, Outcome.SKIPPED, result.reason or "")

    def failed(self, result: OpResult) -> None:
        if result.op.kind is OpKind.PYTHON and result.op.message and not self.quiet:
            self.line(plain_line(result.op))  # what the code printed before it failed
        self._not_done(result, Outcome.FAILED, result.error or "")

    def echo(self, op: Operation) -> None:
        self.summary.add_done(op.kind, None, op.rule, 0)
        message = safe_text(op.message or "")
        if self.jsonl is not None:
            self.jsonl.emit({"type": "echo", "rule": op.rule, "message": message})
        if self.log_file is not None:
            self.log_file.write(f"echo {message}")
        if not self.quiet and self.jsonl is None:
            self.line(message)

    def log(self, level: str, message: str) -> None:
        if self.log_file is not None:
            self.log_file.write(f"{level}: {message}")
        if self.verbose:
            self._err_line(f"[dim]{escape(level)}:[/] {escape(safe_text(message))}")


def render_plan(out: Console, plan: Plan) -> None:
    """Print a plan (``sim -v``): one plain line per operation, then what is left alone."""
    color = wants_color(out)
    write = writer_of(out.file)
    ops = plan.operations
    for start in range(0, len(ops), LINE_CHUNK):  # one write per chunk, not per line
        write("".join(plain_line(op, color=color) + "\n" for op in ops[start : start + LINE_CHUNK]))
    out.file.flush()
    for skip in plan.skips:
        out.print(f"[yellow]leave[/] {_p(skip.path)}: {escape(safe_text(skip.reason))}")
    for skip in plan.unseen:
        out.print(
            f"[dim]left out[/] {_p(skip.path)} [dim](rule {escape(skip.rule)})[/]: "
            f"{escape(safe_text(skip.reason))}"
        )
