"""``history``, ``history show RUN`` and ``undo [RUN]``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from fileorganizer.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    DbOpt,
    FormatOpt,
    OutputFormat,
    StopOnSignal,
    WaitOpt,
    app_paths,
    print_json,
    require_writable_state,
    safe_text,
    stderr_console,
    stdout_console,
)
from fileorganizer.operations import OpKind

if TYPE_CHECKING:
    from fileorganizer.history import RecoveryReport, RunInfo, UndoResult

# The history (SQLAlchemy) and rich's tables are imported inside the commands,
# so that starting the CLI for another command does not pay for them.

history_app = typer.Typer(
    name="history",
    help="Recent runs (id, time, mode, counts, status); `history show RUN` lists its operations.",
    invoke_without_command=True,
    no_args_is_help=False,
)

LimitOpt = Annotated[int, typer.Option("--limit", "-n", help="How many runs to show.", min=1)]


def _p(path: str | None) -> str:
    return escape(safe_text(path)) if path else ""


def _report_recovery(report: RecoveryReport | None, fmt: OutputFormat) -> None:
    if not report or fmt is not OutputFormat.text:
        return
    err = stderr_console()
    err.print(
        f"[yellow]recovered {len(report.items)} unfinished operation(s) "
        f"from interrupted run(s) {', '.join(map(str, report.runs)) or '-'}[/]"
    )
    for item in report.ambiguous:
        err.print(f"  [red]needs a look[/] run {item.op.run_id}: {escape(safe_text(item.message))}")


def _when(run: RunInfo) -> str:
    return run.started_at.strftime("%Y-%m-%d %H:%M:%S")


@history_app.callback()
def history(
    ctx: typer.Context,
    fmt: FormatOpt = OutputFormat.text,
    db: DbOpt = None,
    limit: LimitOpt = 20,
) -> None:
    """Show recent runs: id, time, mode, counts and status."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"fmt": fmt, "db": db}
        return
    from rich.table import Table

    from fileorganizer.session import open_history, recover_now

    ap = app_paths(db)
    with open_history(ap) as hist:
        report = recover_now(ap, hist)
        runs = hist.runs(limit)
    _report_recovery(report, fmt)
    if fmt is OutputFormat.json:
        print_json({"runs": [r.to_dict() for r in runs]})
        return
    out = stdout_console()
    if not runs:
        out.print("no runs yet")
        return
    table = Table(box=None, pad_edge=False)
    for col in (
        "id",
        "started",
        "mode",
        "status",
        "planned",
        "done",
        "skipped",
        "failed",
        "undone",
    ):
        right = col in ("id", "planned", "done")
        table.add_column(col, justify="right" if right else "left", no_wrap=True)
    for r in runs:
        status = r.status + (f" (undo of {r.undo_of})" if r.undo_of else "")
        table.add_row(
            str(r.id),
            _when(r),
            r.mode,
            status,
            str(r.planned),
            str(r.done),
            str(r.skipped),
            str(r.failed),
            str(r.undone),
        )
    out.print(table)


@history_app.command("show")
def show(
    ctx: typer.Context,
    run: Annotated[int, typer.Argument(help="The run id (see `history`).")],
    fmt: FormatOpt = OutputFormat.text,
    db: DbOpt = None,
) -> None:
    """List the operations of RUN, in the order they were carried out."""
    from fileorganizer.session import open_history, recover_now

    parent = ctx.obj or {}
    if fmt is OutputFormat.text and parent.get("fmt") is OutputFormat.json:
        fmt = OutputFormat.json
    db = db or parent.get("db")
    ap = app_paths(db)
    with open_history(ap) as hist:
        report = recover_now(ap, hist)
        info = hist.run(run)
        ops = hist.operations(run)
    _report_recovery(report, fmt)
    if fmt is OutputFormat.json:
        print_json({"run": info.to_dict(), "operations": [o.to_dict() for o in ops]})
        return
    out = stdout_console()
    out.print(
        f"[bold]run {info.id}[/] {info.mode} {_when(info)} {info.status}: "
        f"{info.done} done, {info.skipped} skipped, {info.failed} failed"
    )
    if info.mode == "sim":
        out.print(f"[dim]a sim: {info.planned} operation(s) planned, none recorded[/]")
    for o in ops:
        colour = "green" if o.state == "done" else "yellow"
        line = f"  {o.seq:>4} [{colour}]{o.state:<8}[/] {o.kind} {_p(o.src)}"
        if o.target and o.target != o.src:
            line += f" [dim]->[/] {_p(o.target)}"
        if o.detail and o.kind in (OpKind.SHELL, OpKind.WRITE, OpKind.MACOS_TAGS):
            shown = o.detail.decode("utf-8", "backslashreplace")
            line += f" [dim]{'$ ' if o.kind is OpKind.SHELL else ''}{escape(safe_text(shown))}[/]"
        if not o.kind.reversible:
            line += " [red](irreversible)[/]"
        why = o.error or o.reason
        if why:
            line += f" [dim]({escape(safe_text(why))})[/]"
        out.print(line)


def _render_undo(result: UndoResult, *, quiet: bool) -> None:
    """What an undo left alone (the plan's skips) and its closing lines."""
    err = stderr_console()
    for skip in result.plan.skips:
        if skip.irreversible:
            err.print(f"[red]cannot undo[/] {escape(safe_text(skip.reason))}")
        elif not quiet:
            err.print(f"[yellow]left alone[/] {_p(skip.path)}: {escape(safe_text(skip.reason))}")
    verb = "would undo" if result.dry_run else "undone"
    head = f"undo of run {result.target_run}"
    if result.run_id is not None:
        head += f" (recorded as run {result.run_id})"
    line = (
        f"{head}: {result.n_done} {verb}, {result.n_refused} left alone, "
        f"{result.n_irreversible} irreversible"
    )
    if result.result is not None and result.result.interrupted:
        line += f", [yellow]interrupted: {result.result.not_started} not started[/]"
    err.print(line)
    if result.run_id is not None and any(op.kind.reversible for op in result.done):
        err.print(f"[dim]undo this undo with 'fileorganizer undo {result.run_id}'[/]")


def undo_cmd(
    run: Annotated[
        int | None,
        typer.Argument(help="The run to undo (default: the last run that changed something)."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what undo would do.")] = False,
    fmt: FormatOpt = OutputFormat.text,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only errors and the summary.")
    ] = False,
    db: DbOpt = None,
    wait: WaitOpt = 0.0,
) -> None:
    """Undo a run, newest operation first. Files changed since are left alone, with a reason.

    `--dry-run` shows the plan that `undo` applies: the two always agree.
    """
    from fileorganizer.cli.render import ConsoleReporter, render_plan
    from fileorganizer.session import undo

    def recovered(report: RecoveryReport | None) -> None:
        _report_recovery(report, fmt)

    text = fmt is OutputFormat.text
    out, err = stdout_console(), stderr_console()
    reporter = ConsoleReporter(out, err, quiet=quiet or not text, verbose=False, show_ops=text)
    reporter.wants_progress = False
    ap = app_paths(db)
    if not dry_run:
        require_writable_state(ap)
    stop = StopOnSignal()
    try:
        with stop:
            session = undo(
                ap,
                run,
                dry_run=dry_run,
                wait=wait,
                reporter=reporter,
                should_stop=stop.requested,
                on_recovery=recovered,
            )
    finally:
        reporter.close()
    result = session.result
    if text:
        if dry_run:
            plan = result.plan
            skips, plan.skips = plan.skips, []  # (shown by _render_undo)
            render_plan(out, plan, quiet=quiet)
            plan.skips = skips
        _render_undo(result, quiet=quiet)
    else:
        print_json(result.to_dict())
    if result.result is not None and result.result.interrupted:
        raise typer.Exit(stop.exit_code)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FAILED)


def register(app: typer.Typer) -> None:
    """Add ``history`` (with ``show``) and ``undo`` to ``app``."""
    app.add_typer(history_app, name="history")
    app.command("undo")(undo_cmd)
