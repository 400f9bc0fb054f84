"""``history``, ``history show RUN`` and ``undo [RUN]``."""

from __future__ import annotations

import time
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from fileorganizer.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    ChunkedLines,
    DbOpt,
    FormatOpt,
    LogFileOpt,
    OutputFormat,
    QuietOpt,
    StreamFormat,
    StreamFormatOpt,
    VerboseOpt,
    WaitOpt,
    app_paths,
    complete_run_ids,
    fail,
    history_errors,
    paint,
    print_json,
    print_json_line,
    safe_text,
    stderr_console,
    stdout_console,
    wants_color,
)

if TYPE_CHECKING:
    from rich.progress import Progress

    from fileorganizer.cli.logfile import LogFile
    from fileorganizer.cli.summary import Summary
    from fileorganizer.history import RecoveryReport, UndoResult, UndoStep

# The history (SQLAlchemy) and rich's tables are imported inside the commands,
# so that starting the CLI for another command does not pay for them.

history_app = typer.Typer(
    name="history",
    help="Recent runs (id, time, mode, status, counts); `history show RUN` lists its operations.",
    invoke_without_command=True,
    no_args_is_help=False,
)


class RunMode(StrEnum):
    """``history --mode`` values."""

    run = "run"
    sim = "sim"
    watch = "watch"
    undo = "undo"


#: the undo's progress count moves every this many files
PROGRESS_EVERY = 100

LimitOpt = Annotated[int, typer.Option("--limit", "-n", help="How many runs to show.", min=1)]
SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since", help="Only runs started since a date (2026-01-31), or for an age (7d, 12h)."
    ),
]
ModeOpt = Annotated[
    list[RunMode] | None, typer.Option("--mode", help="Only runs of this mode (repeatable).")
]


RunArg = Annotated[
    int, typer.Argument(help="The run id (see `history`).", autocompletion=complete_run_ids)
]


def _p(path: str | None) -> str:
    return escape(safe_text(path)) if path else ""


def _report_recovery(report: RecoveryReport | None, fmt: OutputFormat | StreamFormat) -> None:
    if not report or fmt is not OutputFormat.text:
        return
    err = stderr_console()
    err.print(
        f"[yellow]recovered {len(report.items)} unfinished operation(s) "
        f"from interrupted run(s) {', '.join(map(str, report.runs)) or '-'}[/]"
    )
    for item in report.ambiguous:
        err.print(f"  [red]needs a look[/] run {item.op.run_id}: {escape(safe_text(item.message))}")


@history_app.callback()
def history(
    ctx: typer.Context,
    fmt: FormatOpt = OutputFormat.text,
    db: DbOpt = None,
    limit: LimitOpt = 20,
    since: SinceOpt = None,
    mode: ModeOpt = None,
) -> None:
    """Show recent runs, newest first: id, start time, mode, status and counts."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"fmt": fmt, "db": db}
        return
    from fileorganizer.cli.history_table import history_table, parse_since
    from fileorganizer.session import open_history, recover_now

    started: datetime | None = None
    if since is not None:
        try:
            started = parse_since(since)
        except ValueError as exc:
            fail(str(exc))
    ap = app_paths(db)
    with history_errors(ap), open_history(ap) as hist:
        report = recover_now(ap, hist)
        runs = hist.runs(limit, modes=[m.value for m in mode or ()], since=started)
    _report_recovery(report, fmt)
    if fmt is OutputFormat.json:
        print_json({"runs": [r.to_dict() for r in runs]})
        return
    out = stdout_console()
    if not runs:
        out.print("no runs yet" if since is None and not mode else "no runs match")
        return
    out.print(history_table(runs, out.width))


@history_app.command("show")
def show(
    ctx: typer.Context,
    run: RunArg,
    fmt: FormatOpt = OutputFormat.text,
    db: DbOpt = None,
) -> None:
    """List the operations of RUN, in the order they were carried out."""
    from fileorganizer.cli.history_table import mode_text, when
    from fileorganizer.session import open_history, recover_now

    parent = ctx.obj or {}
    if fmt is OutputFormat.text and parent.get("fmt") is OutputFormat.json:
        fmt = OutputFormat.json
    db = db or parent.get("db")
    ap = app_paths(db)
    with history_errors(ap), open_history(ap) as hist:
        report = recover_now(ap, hist)
        info = hist.run(run)
        ops = hist.operations(run)
    _report_recovery(report, fmt)
    if fmt is OutputFormat.json:
        print_json({"run": info.to_dict(), "operations": [o.to_dict() for o in ops]})
        return
    out = stdout_console()
    out.print(
        f"[bold]run {info.id}[/] {mode_text(info)} {when(info)} {info.status}: "
        f"{info.done} done, {info.skipped} skipped, {info.failed} failed"
    )
    if info.mode == "sim":
        out.print(f"[dim]a sim: {info.planned} operation(s) planned, none recorded[/]")
    for o in ops:
        colour = "green" if o.state == "done" else "yellow"
        line = f"  {o.seq:>4} [{colour}]{o.state:<8}[/] {o.kind} {_p(o.src)}"
        if o.target:
            line += f" [dim]->[/] {_p(o.target)}"
        if o.kind == "delete":
            line += " [red](irreversible)[/]"
        why = o.error or o.reason
        if why:
            line += f" [dim]({escape(safe_text(why))})[/]"
        out.print(line)


class _UndoPrinter:
    """Counts an undo's steps as they finish; prints them with ``-v``, streams, logs.

    The same summary as ``run``'s closes the undo (see :mod:`.summary_view`).
    """

    def __init__(
        self,
        summary: Summary,
        *,
        verbose: bool,
        jsonl: bool,
        log: LogFile | None,
        progress: bool = True,
    ) -> None:
        self.summary = summary
        self.out, self.err = stdout_console(), stderr_console()
        self.verb = "would undo" if summary.dry_run else "undone"
        self.verbose = verbose
        self.jsonl = jsonl
        self.log = log
        self.color = wants_color(self.out)
        self._lines = ChunkedLines(self.out.file.write, self.out.file.flush)
        # a count on a terminal's stderr while it works (not under lines on the same terminal)
        streams_to_tty = (verbose or jsonl) and self.out.is_terminal
        self.show_progress = progress and self.err.is_terminal and not streams_to_tty
        self._progress: Progress | None = None
        self._task: Any = None
        self._steps = 0

    def flush(self) -> None:
        """Write the lines held so far."""
        self._lines.flush()

    def stop_progress(self) -> None:
        """Erase the progress display (before the summary)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def _count_step(self) -> None:
        self._steps += 1
        if not self.show_progress or self._steps % PROGRESS_EVERY:
            return
        if self._progress is None:
            from fileorganizer.cli.render import progress_display

            self._progress = progress_display(self.err, known_total=False, unit="files")
            self._progress.start()
            verb = "checking" if self.summary.dry_run else "undoing"
            self._task = self._progress.add_task(verb, total=None)
        self._progress.update(self._task, completed=self._steps)

    def _c(self, style: str, text: str) -> str:
        return paint(style, text, self.color)

    def step(self, step: UndoStep) -> None:
        from fileorganizer.cli.logfile import Level
        from fileorganizer.cli.summary import Outcome, reason_key

        self._count_step()
        if self.jsonl:
            self._lines.add(_json({"type": "operation", **step.to_dict()}))
        status = step.status
        if status in ("done", "would_undo"):
            dst = step.final_dst or step.dst
            folder = None if dst else f"({step.kind.replace('_', ' ')})"
            size = step.expected.size if step.expected is not None else 0
            self.summary.add_done(step.kind, dst, step.op.rule, size, folder=folder)
            arrow = f" -> {safe_text(dst)}" if dst else ""
            text = f"{step.op.kind}: {step.kind} {safe_text(step.src) if step.src else ''}"
            if self.log is not None:
                self.log.write(f"{self.verb} {text}{arrow}")
            if self.verbose:
                arrow = f" {self._c('dim', '->')} {safe_text(dst)}" if dst else ""
                self._lines.add(f"{self._c('green', self.verb)} {text}{arrow}")
            return
        reason = safe_text(step.reason or "")
        outcome = {"irreversible": Outcome.IRREVERSIBLE, "failed": Outcome.FAILED}.get(
            status, Outcome.LEFT_ALONE
        )
        key = reason_key(reason, step.src, step.dst, step.op.src, step.op.dst)
        self.summary.add_outcome(outcome, key, step.src or step.op.src)
        if self.log is not None:
            level = Level.ERROR if outcome is Outcome.FAILED else Level.WARNING
            self.log.write(f"{outcome.value} {step.src}: {reason}", level)
        if self.verbose:
            self.flush()
            self.stop_progress()
            if status == "irreversible":
                self.err.print(f"[red]cannot undo[/] {escape(reason)}")
            else:
                self.err.print(f"[yellow]{outcome.value}[/] {_p(step.src)}: {escape(reason)}")

    def finish(self, result: UndoResult, *, quiet: bool, seconds: float) -> None:
        from fileorganizer.cli.summary_view import Totals, render_summary, summary_text

        self.stop_progress()
        if self.verbose:
            for d in result.removed_dirs:
                self._lines.add(f"{self._c('green', 'removed empty folder')} {safe_text(d)}")
        self.flush()
        verb = f"undo of run {result.target_run}"
        if result.run_id is not None:
            verb += f" (recorded as run {result.run_id})"
        if self.summary.dry_run:
            verb += " (dry run)"
        totals = Totals(
            verb=verb,
            noun="would be undone" if self.summary.dry_run else "undone",
            run_id=result.run_id,
            seconds=seconds,
        )
        if self.log is not None:
            self.log.write(summary_text(self.summary, totals, undo=True))
            self.log.close()
        if self.jsonl:
            data: dict[str, Any] = {k: v for k, v in result.to_dict().items() if k != "steps"}
            print_json_line({"type": "summary", "mode": "undo", **data, **self.summary.to_dict()})
            return
        notes: tuple[str, ...] = ()
        if result.removed_dirs:
            n = len(result.removed_dirs)
            verb = "would remove" if self.summary.dry_run else "removed"
            notes = (f"{verb} {n} empty folder(s) the run had created",)
        render_summary(
            self.out, self.err, self.summary, totals, quiet=quiet, undo=True, notes=notes
        )


def _json(obj: dict[str, Any]) -> str:
    import json

    return json.dumps(obj, default=str, ensure_ascii=True)


def undo_cmd(
    run: Annotated[
        int | None,
        typer.Argument(
            help="The run to undo (default: the last run that changed something).",
            autocompletion=complete_run_ids,
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what undo would do.")] = False,
    fmt: StreamFormatOpt = StreamFormat.text,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    db: DbOpt = None,
    wait: WaitOpt = 0.0,
    log_file: LogFileOpt = None,
) -> None:
    """Undo a run, newest operation first. Files changed since are left alone, with a reason."""
    from fileorganizer.cli.logfile import open_log
    from fileorganizer.cli.summary import Summary
    from fileorganizer.session import undo

    def recovered(report: RecoveryReport | None) -> None:
        _report_recovery(report, fmt)

    ap = app_paths(db)
    log = open_log(log_file)
    steps: list[dict[str, object]] = []  # only for --format json
    printer = None
    if fmt is not StreamFormat.json:
        printer = _UndoPrinter(
            Summary(dry_run=dry_run),
            verbose=verbose and not quiet and fmt is StreamFormat.text,
            jsonl=fmt is StreamFormat.jsonl,
            log=log,
            progress=not quiet,
        )
    started = time.monotonic()
    try:
        with history_errors(ap):
            session = undo(
                ap,
                run,
                dry_run=dry_run,
                wait=wait,
                on_recovery=recovered,
                on_step=printer.step if printer else lambda step: steps.append(step.to_dict()),
                keep_steps=False,
            )
    except BaseException:
        if printer is not None:
            printer.stop_progress()
            printer.flush()
        if log is not None:
            log.close()
        raise
    if printer is not None:
        printer.finish(session.result, quiet=quiet, seconds=time.monotonic() - started)
    else:
        if log is not None:
            log.write(f"undo of run {session.result.target_run}: {session.result.n_done} undone")
            log.close()
        data = session.result.to_dict()
        data["steps"] = steps
        print_json(data)
    raise typer.Exit(EXIT_OK if session.result.ok else EXIT_FAILED)


def register(app: typer.Typer) -> None:
    """Add ``history`` (with ``show``) and ``undo`` to ``app``."""
    app.add_typer(history_app, name="history")
    app.command("undo")(undo_cmd)
