"""``run``, ``sim`` and ``check``."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from fileorganizer.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    ConfigOpt,
    DbOpt,
    DbUrlOpt,
    FormatOpt,
    HiddenOpt,
    LogFileOpt,
    OutputFormat,
    PathsArg,
    QuietOpt,
    SkipTagsOpt,
    StopOnSignal,
    StreamFormat,
    StreamFormatOpt,
    TagsOpt,
    VerboseOpt,
    WaitOpt,
    WorkingDirOpt,
    app_paths,
    config_by_name_or_path,
    enter_working_dir,
    find_config_path,
    history_errors,
    history_flags,
    print_json,
    print_json_line,
    require_paths_for_builtin,
    require_writable_state,
    resolve_config,
    safe_text,
    split_folders_and_config,
    split_tags,
    stderr_console,
    stdout_console,
)
from fileorganizer.errors import ConfigError
from fileorganizer.states import RunMode

if TYPE_CHECKING:
    from fileorganizer.cli.logfile import LogFile
    from fileorganizer.cli.summary import Summary
    from fileorganizer.session import SessionResult

# The engine (planner, history, rendering) is imported inside the commands, so
# that starting the CLI for another command does not pay for it.


def _organize(
    *,
    paths: list[str] | None,
    config_path: Path | None,
    working_dir: Path | None,
    fmt: StreamFormat,
    quiet: bool,
    verbose: bool,
    tags: list[str] | None,
    skip_tags: list[str] | None,
    db: Path | None,
    db_url: str | None,
    wait: float,
    dry_run: bool,
    log_file: Path | None,
    hidden: bool,
) -> None:
    from fileorganizer.cli.ask import TerminalAsker
    from fileorganizer.cli.logfile import Level, open_log
    from fileorganizer.cli.render import CliReporter, JsonLines
    from fileorganizer.cli.summary import Summary
    from fileorganizer.session import SessionOptions, organize

    ap = app_paths(db, db_url)
    folders, config_path = split_folders_and_config(paths, config_path, ap)
    folders, config_path = enter_working_dir(working_dir, folders, config_path)
    config = resolve_config(config_path, ap)
    require_paths_for_builtin(config, folders, ap)
    if not dry_run:
        require_writable_state(ap)
    if hidden:
        config = config.including_hidden()
    out, err = stdout_console(), stderr_console()
    text = fmt is StreamFormat.text
    log = open_log(log_file)
    summary = Summary(dry_run=dry_run)
    reporter = CliReporter(
        out,
        err,
        summary,
        # sim prints its plan after planning (-v); run prints each result as it happens
        verbose=verbose and text and not dry_run,
        quiet=quiet or not text,
        # no progress display under lines that stream to the same terminal
        progress=not quiet and (fmt is not StreamFormat.jsonl or not out.is_terminal),
        jsonl=JsonLines(out) if fmt is StreamFormat.jsonl else None,
        log=log,
    )
    stop = StopOnSignal()
    ask = None if dry_run or not sys.stdin.isatty() else TerminalAsker(err, reporter, stop)
    options = SessionOptions(
        app_paths=ap,
        paths=[str(p) for p in folders],
        tags=split_tags(tags),
        skip_tags=split_tags(skip_tags),
        dry_run=dry_run,
        mode=RunMode.RUN,
        wait=wait,
        reporter=reporter,
        should_stop=stop.requested,
        report_unseen=dry_run and verbose,
        # only --format json needs a result per file: the rest stream and count
        keep_results=fmt is StreamFormat.json,
        ask=ask,
    )
    started = time.monotonic()
    try:
        with history_errors(ap), stop:
            session = organize(config, options)
    except BaseException as exc:
        reporter.close()
        if log is not None:
            log.write(f"stopped: {type(exc).__name__}: {exc}", Level.ERROR)
            log.close()
        raise
    reporter.close()
    _finish_summary(summary, session)
    _render(
        session,
        summary,
        fmt=fmt,
        quiet=quiet,
        verbose=verbose,
        dry_run=dry_run,
        seconds=time.monotonic() - started,
        log=log,
        undo_flags=history_flags(db, db_url),
    )
    if session.interrupted:
        raise typer.Exit(stop.exit_code)
    raise typer.Exit(EXIT_OK if session.ok else EXIT_FAILED)


def _finish_summary(summary: Summary, session: SessionResult) -> None:
    """What only the plan knows: files left alone, operations undo cannot reverse."""
    from fileorganizer.cli.summary import Outcome, reason_key

    for skip in session.plan.skips:
        summary.add_outcome(Outcome.LEFT_ALONE, reason_key(skip.reason, skip.path), skip.path)
    if summary.dry_run:
        for op in session.plan.irreversible:
            summary.add_outcome(Outcome.IRREVERSIBLE, f"{op.kind.value} (rule {op.rule!r})", op.src)


def _render(
    session: SessionResult,
    summary: Summary,
    *,
    fmt: StreamFormat,
    quiet: bool,
    verbose: bool,
    dry_run: bool,
    seconds: float,
    log: LogFile | None,
    undo_flags: str = "",
) -> None:
    from fileorganizer.cli.render import render_plan
    from fileorganizer.cli.summary_view import Totals, render_summary, summary_text

    plan, result = session.plan, session.result
    totals = Totals(
        verb="sim" if dry_run else "done",
        run_id=result.run_id if result else None,
        interrupted=bool(result and result.interrupted),
        not_started=result.not_started if result else 0,
        seconds=seconds,
        history_flags=undo_flags,
    )
    if log is not None:
        log.write(summary_text(summary, totals))
        log.close()
    if fmt is not StreamFormat.text:
        data: dict[str, Any] = {
            "planned": len(plan.operations),
            "problems": len(plan.problems),
            "irreversible": len(plan.irreversible),
            "put_back": plan.put_back,
            "interrupted": session.interrupted,
            **(result.to_dict() if result is not None else {}),
            **summary.to_dict(),
        }
        if fmt is StreamFormat.jsonl:
            print_json_line({"type": "summary", "mode": "sim" if dry_run else "run", **data})
            return
        print_json(
            {
                "mode": "sim" if dry_run else "run",
                "run_id": result.run_id if result else None,
                "operations": (
                    [op.to_dict() for op in plan.operations]
                    if result is None
                    else [r.to_dict() for r in result.results]
                ),
                "problems": [p.to_dict() for p in plan.problems],
                "skips": [s.to_dict() for s in plan.skips],
                "summary": data,
            }
        )
        return
    out, err = stdout_console(), stderr_console()
    if plan.interrupted:
        err.print("[yellow]interrupted while planning[/]: nothing was changed")
        return
    if dry_run and verbose and not quiet:
        render_plan(out, plan)
    elif dry_run and not quiet:  # the rules' own messages, as run prints them
        from fileorganizer.operations import OpKind

        for op in plan.operations:
            if op.kind is OpKind.ECHO:
                out.print(safe_text(op.message or ""), markup=False, highlight=False)
    notes: tuple[str, ...] = ()
    if plan.put_back:
        notes = (
            f"note: {plan.put_back} of these file(s) had been put back by an earlier undo; "
            f"this {'sim' if dry_run else 'run'} organizes them again",
        )
    render_summary(out, err, summary, totals, quiet=quiet, notes=notes)


def run(
    paths: PathsArg = None,
    config: ConfigOpt = None,
    fmt: StreamFormatOpt = StreamFormat.text,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    tags: TagsOpt = None,
    skip_tags: SkipTagsOpt = None,
    db: DbOpt = None,
    db_url: DbUrlOpt = None,
    wait: WaitOpt = 0.0,
    working_dir: WorkingDirOpt = None,
    log_file: LogFileOpt = None,
    hidden: HiddenOpt = False,
) -> None:
    """Organize: apply the rules (exactly what `sim` shows). Every change is recorded for undo.

    Arguments are folders (an existing folder) and/or one rules file (a NAME in the
    config folder, as organize's `run NAME`, or a path ending in .yaml/.yml).
    """
    _organize(
        paths=paths,
        config_path=config,
        working_dir=working_dir,
        fmt=fmt,
        quiet=quiet,
        verbose=verbose,
        tags=tags,
        skip_tags=skip_tags,
        db=db,
        db_url=db_url,
        wait=wait,
        dry_run=False,
        log_file=log_file,
        hidden=hidden,
    )


def sim(
    paths: PathsArg = None,
    config: ConfigOpt = None,
    fmt: StreamFormatOpt = StreamFormat.text,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    tags: TagsOpt = None,
    skip_tags: SkipTagsOpt = None,
    db: DbOpt = None,
    db_url: DbUrlOpt = None,
    working_dir: WorkingDirOpt = None,
    log_file: LogFileOpt = None,
    hidden: HiddenOpt = False,
) -> None:
    """Dry run: show what `run` would do, and change nothing (arguments as for `run`)."""
    _organize(
        paths=paths,
        config_path=config,
        working_dir=working_dir,
        fmt=fmt,
        quiet=quiet,
        verbose=verbose,
        tags=tags,
        skip_tags=skip_tags,
        db=db,
        db_url=db_url,
        wait=0.0,
        dry_run=True,
        log_file=log_file,
        hidden=hidden,
    )


def check(
    name: Annotated[
        str | None,
        typer.Argument(
            help="A rules file: NAME in the config folder, or a path.", show_default=False
        ),
    ] = None,
    config: ConfigOpt = None,
    fmt: FormatOpt = OutputFormat.text,
    working_dir: WorkingDirOpt = None,
) -> None:
    """Validate the rules file: syntax, keys, filters, actions and placeholders.

    Every problem is listed. Warnings (a location that does not exist yet, a top-level
    key fileorganizer does not use) are shown but do not fail the check.
    """
    from fileorganizer.config.checks import location_warnings

    ap = app_paths()
    if name is not None:
        if config is not None:
            raise ConfigError("give the rules file once: as NAME or with -c, not both")
        config = config_by_name_or_path(name, ap)
    _, config = enter_working_dir(working_dir, [], config)
    path = find_config_path(config, ap)
    cfg = resolve_config(config, ap)
    rules = cfg.rules
    warnings = [*cfg.warnings, *location_warnings(cfg)] if not cfg.builtin else []
    if fmt is OutputFormat.json:
        print_json(
            {
                "config": str(path) if path else "<built-in defaults>",
                "valid": True,
                "warnings": [str(w) for w in warnings],
                "rules": [
                    {
                        "name": r.name,
                        "enabled": r.enabled,
                        "tags": list(r.tags),
                        "locations": [loc.path for loc in r.locations],
                        "filters": [("not " if f.negate else "") + f.name for f in r.filters],
                        "actions": [a.name for a in r.actions],
                    }
                    for r in rules
                ],
            }
        )
        return
    err = stderr_console()
    for w in warnings:
        err.print(f"[yellow]warning:[/] {escape(safe_text(w))}")
    where = safe_text(path) if path else "<built-in defaults>"
    enabled = sum(1 for r in rules if r.enabled)
    stdout_console().print(f"[green]ok[/] {escape(where)}: {len(rules)} rule(s), {enabled} enabled")


def register(app: typer.Typer) -> None:
    """Add these commands to ``app``."""
    app.command()(run)
    app.command()(sim)
    app.command()(check)
