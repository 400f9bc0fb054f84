"""``history``, ``history show RUN`` and ``undo [RUN]``."""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from fileorganizer.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    DbOpt,
    DbUrlOpt,
    FormatOpt,
    LogFileOpt,
    OutputFormat,
    QuietOpt,
    StopOnSignal,
    StreamFormat,
    StreamFormatOpt,
    VerboseOpt,
    WaitOpt,
    app_paths,
    complete_run_ids,
    fail,
    history_errors,
    history_flags,
    print_json,
    print_json_line,
    require_existing_history,
    require_writable_state,
    safe_text,
    stderr_console,
    stdout_console,
)
from fileorganizer.operations import OpKind
from fileorganizer.states import OpState, RunMode

if TYPE_CHECKING:
    from fileorganizer.cli.summary import Summary
    from fileorganizer.history import RecoveryReport, UndoResult

# The history (SQLAlchemy) and rich's tables are imported inside the commands,
# so that starting the CLI for another command does not pay for them.

history_app = typer.Typer(
    name="history",
    help="Recent runs (id, time, mode, status, counts); `history show RUN` lists its operations.",
    invoke_without_command=True,
    no_args_is_help=False,
)


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
    db_url: DbUrlOpt = None,
    limit: LimitOpt = 20,
    since: SinceOpt = None,
    mode: ModeOpt = None,
) -> None:
    """Show recent runs, newest first: id, start time, mode, status and counts."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"fmt": fmt, "db": db, "db_url": db_url}
        return
    from fileorganizer.cli.history_table import history_table, parse_since
    from fileorganizer.session import open_history, recover_now

    started: datetime | None = None
    if since is not None:
        try:
            started = parse_since(since)
        except ValueError as exc:
            fail(str(exc))
    require_existing_history(db)
    ap = app_paths(db, db_url)
    with history_errors(ap), open_history(ap) as hist:
        report = recover_now(ap, hist)
        runs = hist.runs(limit, modes=list(mode or ()), since=started)
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
    db_url: DbUrlOpt = None,
) -> None:
    """List the operations of RUN, in the order they were carried out."""
    from fileorganizer.cli.history_table import mode_text, when
    from fileorganizer.session import open_history, recover_now

    parent = ctx.obj or {}
    if fmt is OutputFormat.text and parent.get("fmt") is OutputFormat.json:
        fmt = OutputFormat.json
    db = db or parent.get("db")
    db_url = db_url or parent.get("db_url")
    require_existing_history(db)
    ap = app_paths(db, db_url)
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
    if info.host or info.note:
        pid = f" (pid {info.pid})" if info.pid else ""
        where = f"on host {info.host}{pid}" if info.host else ""
        note = " ".join(x for x in (where, info.note or "") if x)
        out.print(f"[dim]{escape(safe_text(note))}[/]")
    for o in ops:
        colour = "green" if o.state is OpState.DONE else "yellow"
        line = f"  {o.seq:>4} [{colour}]{o.state.value:<8}[/] {o.kind.value} {_p(o.src)}"
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


def _undo_summary(summary: Summary, result: UndoResult) -> None:
    """What only the undo's plan knows: files left alone, what cannot be undone.

    In a dry run nothing is applied, so the plan's reversals are counted here
    (an applied undo's are counted from the executor's events as they happen).
    """
    from fileorganizer.cli.render import size_of
    from fileorganizer.cli.summary import Outcome, reason_key

    if result.dry_run:
        for op in result.plan.operations:  # (counted as the applied ones are: see render)
            summary.add_planned()
            summary.add_done(op.kind, op.dst, op.rule, size_of(op))
    for skip in result.plan.skips:
        outcome = Outcome.IRREVERSIBLE if skip.irreversible else Outcome.LEFT_ALONE
        summary.add_outcome(outcome, reason_key(skip.reason, skip.path), skip.path)


def undo_cmd(
    run: Annotated[
        int | None,
        typer.Argument(
            help="The run to undo (default: the newest run, not an undo, with changes in place).",
            autocompletion=complete_run_ids,
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what undo would do.")] = False,
    fmt: StreamFormatOpt = StreamFormat.text,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    db: DbOpt = None,
    db_url: DbUrlOpt = None,
    wait: WaitOpt = 0.0,
    log_file: LogFileOpt = None,
    whole_session: Annotated[
        bool,
        typer.Option(
            "--session",
            help="Undo the whole watch session of RUN (default: the newest watch batch's): "
            "every batch it recorded, newest first, as one undo.",
        ),
    ] = False,
) -> None:
    """Undo a run, newest operation first. Files changed since are left alone, with a reason.

    `--dry-run` shows the plan that `undo` applies: the two always agree. Each batch of
    `watch` is a run of its own; `--session` undoes a whole watch session at once.
    """
    from fileorganizer.cli.logfile import Level, open_log
    from fileorganizer.cli.render import CliReporter, JsonLines, plain_line, render_plan
    from fileorganizer.cli.summary import Summary
    from fileorganizer.cli.summary_view import Totals, render_summary, summary_text
    from fileorganizer.session import undo

    def recovered(report: RecoveryReport | None) -> None:
        _report_recovery(report, fmt)

    require_existing_history(db)
    ap = app_paths(db, db_url)
    if not dry_run:
        require_writable_state(ap)
    out, err = stdout_console(), stderr_console()
    text = fmt is StreamFormat.text
    log = open_log(log_file)
    summary = Summary(dry_run=dry_run)
    # an undo is an ordinary executor run: the same reporter, summary and streams as `run`
    reporter = CliReporter(
        out,
        err,
        summary,
        verbose=verbose and text and not dry_run,
        quiet=quiet or not text,
        progress=not quiet and (fmt is not StreamFormat.jsonl or not out.is_terminal),
        jsonl=JsonLines(out) if fmt is StreamFormat.jsonl else None,
        log=log,
    )
    stop = StopOnSignal()
    started = time.monotonic()
    try:
        with history_errors(ap), stop:
            session = undo(
                ap,
                run,
                dry_run=dry_run,
                wait=wait,
                reporter=reporter,
                should_stop=stop.requested,
                on_recovery=recovered,
                session=whole_session,
            )
    except BaseException as exc:
        reporter.close()
        if log is not None:
            log.write(f"stopped: {type(exc).__name__}: {exc}", Level.ERROR)
            log.close()
        raise
    reporter.close()
    result = session.result
    _undo_summary(summary, result)
    applied = result.result
    verb = f"undo of run {result.target_run}"
    if result.run_id is not None:
        verb += f" (recorded as run {result.run_id})"
    if dry_run:
        verb += " (dry run)"
    totals = Totals(
        verb=verb,
        noun="would be undone" if dry_run else "undone",
        run_id=result.run_id,
        interrupted=bool(applied and applied.interrupted),
        not_started=applied.not_started if applied else 0,
        seconds=time.monotonic() - started,
        history_flags=history_flags(db, db_url),
    )
    if log is not None:
        if dry_run:
            for op in result.plan.operations:
                log.write("would undo: " + plain_line(op))
        log.write(summary_text(summary, totals, undo=True))
        log.close()
    if fmt is StreamFormat.json:
        print_json(result.to_dict())
    elif fmt is StreamFormat.jsonl:
        if dry_run:
            for op in result.plan.operations:
                print_json_line(
                    {"type": "operation", "status": OpState.PLANNED.value, **op.to_dict()}
                )
        data = {
            "undo_of": result.target_run,
            "run_id": result.run_id,
            "dry_run": dry_run,
            # (counted from the stream: an applied undo keeps no result per file here)
            "undone": summary.done.files,
            "refused": result.n_refused,
            "irreversible": result.n_irreversible,
            "interrupted": totals.interrupted,
        }
        print_json_line(
            {"type": "summary", "mode": RunMode.UNDO.value, **data, **summary.to_dict()}
        )
    else:
        if dry_run and verbose and not quiet:
            plan = result.plan
            skips, plan.skips = plan.skips, []  # (grouped by reason in the summary)
            render_plan(out, plan)
            plan.skips = skips
        notes: tuple[str, ...] = ()
        made, removed = summary.folders_made, summary.folder_ops - summary.folders_made
        if removed:
            verb = "would remove" if dry_run else "removed"
            notes += (f"{verb} {removed} empty folder(s) the run had made",)
        if made:
            verb = "would make" if dry_run else "made"
            notes += (f"{verb} {made} folder(s) again (the run undone had removed them)",)
        render_summary(out, err, summary, totals, quiet=quiet, undo=True, notes=notes)
    if applied is not None and applied.interrupted:
        raise typer.Exit(stop.exit_code)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FAILED)


def register(app: typer.Typer) -> None:
    """Add ``history`` (with ``show`` and ``prune``) and ``undo`` to ``app``."""
    from fileorganizer.cli.prune_cmd import prune_cmd

    history_app.command("prune")(prune_cmd)
    app.add_typer(history_app, name="history")
    app.command("undo")(undo_cmd)
