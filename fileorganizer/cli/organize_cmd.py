"""``run``, ``sim``, ``check`` and ``explain``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from fileorganizer.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    ConfigOpt,
    DbOpt,
    FormatOpt,
    OutputFormat,
    PathsArg,
    QuietOpt,
    SkipTagsOpt,
    StopOnSignal,
    TagsOpt,
    VerboseOpt,
    WaitOpt,
    WorkingDirOpt,
    app_paths,
    config_by_name_or_path,
    enter_working_dir,
    find_config_path,
    print_json,
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

if TYPE_CHECKING:
    from fileorganizer.planner import Planner
    from fileorganizer.session import SessionResult

# The engine (planner, history, rendering) is imported inside the commands, so
# that starting the CLI for another command does not pay for it.


def _organize(
    *,
    paths: list[str] | None,
    config_path: Path | None,
    working_dir: Path | None,
    fmt: OutputFormat,
    quiet: bool,
    verbose: bool,
    tags: list[str] | None,
    skip_tags: list[str] | None,
    db: Path | None,
    wait: float,
    dry_run: bool,
) -> None:
    from fileorganizer.cli.ask import TerminalAsker
    from fileorganizer.cli.render import ConsoleReporter
    from fileorganizer.session import SessionOptions, organize

    ap = app_paths(db)
    folders, config_path = split_folders_and_config(paths, config_path, ap)
    folders, config_path = enter_working_dir(working_dir, folders, config_path)
    config = resolve_config(config_path, ap)
    require_paths_for_builtin(config, folders, ap)
    if not dry_run:
        require_writable_state(ap)
    out, err = stdout_console(), stderr_console()
    text = fmt is OutputFormat.text
    reporter = ConsoleReporter(out, err, quiet=quiet or not text, verbose=verbose, show_ops=text)
    if not text:
        reporter.wants_progress = False
    stop = StopOnSignal()
    ask = None if dry_run or not sys.stdin.isatty() else TerminalAsker(err, reporter, stop)
    options = SessionOptions(
        app_paths=ap,
        paths=[str(p) for p in folders],
        tags=split_tags(tags),
        skip_tags=split_tags(skip_tags),
        dry_run=dry_run,
        mode="run",
        wait=wait,
        reporter=reporter,
        should_stop=stop.requested,
        # text output needs only counts: don't hold a result per file in memory
        keep_results=not text or verbose,
        ask=ask,
    )
    try:
        with stop:
            session = organize(config, options)
    finally:
        reporter.close()
    _render(session, fmt=fmt, quiet=quiet, dry_run=dry_run)
    if session.interrupted:
        raise typer.Exit(stop.exit_code)
    raise typer.Exit(EXIT_OK if session.ok else EXIT_FAILED)


def _render(session: SessionResult, *, fmt: OutputFormat, quiet: bool, dry_run: bool) -> None:
    from fileorganizer.cli.render import render_plan, summary_line
    from fileorganizer.operations import OpStatus

    plan, result = session.plan, session.result
    if fmt is OutputFormat.json:
        data: dict[str, Any] = {
            "mode": "sim" if dry_run else "run",
            "run_id": result.run_id if result else None,
            "operations": (
                [op.to_dict() for op in plan.operations]
                if result is None
                else [r.to_dict() for r in result.results]
            ),
            "problems": [p.to_dict() for p in plan.problems],
            "skips": [s.to_dict() for s in plan.skips],
        }
        summary: dict[str, Any] = {
            "planned": len(plan.operations),
            "problems": len(plan.problems),
            "irreversible": len(plan.irreversible),
            "put_back": plan.put_back,
            "interrupted": session.interrupted,
        }
        if result is not None:
            summary.update(result.to_dict())
        data["summary"] = summary
        print_json(data)
        return
    out = stdout_console()
    if dry_run:
        render_plan(out, plan, quiet=quiet)
        if plan.irreversible:
            kinds = ", ".join(sorted({op.kind.value for op in plan.irreversible}))
            out.print(
                f"[bold red]{len(plan.irreversible)} operation(s) cannot be undone ({kinds})[/]"
            )
    err = stderr_console()
    if plan.interrupted:
        err.print("[yellow]interrupted while planning[/]: nothing was changed")
        return
    line = summary_line(
        planned=len(plan.operations),
        applied=result.counts[OpStatus.DONE] if result else None,
        skipped=result.counts[OpStatus.SKIPPED] if result else 0,
        failed=result.counts[OpStatus.FAILED] if result else 0,
        problems=len(plan.problems),
        dry_run=dry_run,
    )
    if result is not None and result.interrupted:
        line += f", [yellow]interrupted: {result.not_started} not started[/]"
    err.print(line)
    if plan.put_back:
        err.print(
            f"[yellow]note:[/] {plan.put_back} of these file(s) had been put back by an "
            "earlier undo; this run organized them again"
        )
    if result is not None and result.run_id is not None and result.counts[OpStatus.DONE]:
        err.print(f"[dim]run {result.run_id}; undo with 'fileorganizer undo {result.run_id}'[/]")


def run(
    paths: PathsArg = None,
    config: ConfigOpt = None,
    fmt: FormatOpt = OutputFormat.text,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    tags: TagsOpt = None,
    skip_tags: SkipTagsOpt = None,
    db: DbOpt = None,
    wait: WaitOpt = 0.0,
    working_dir: WorkingDirOpt = None,
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
        wait=wait,
        dry_run=False,
    )


def sim(
    paths: PathsArg = None,
    config: ConfigOpt = None,
    fmt: FormatOpt = OutputFormat.text,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    tags: TagsOpt = None,
    skip_tags: SkipTagsOpt = None,
    db: DbOpt = None,
    working_dir: WorkingDirOpt = None,
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
        wait=0.0,
        dry_run=True,
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


def explain(
    file: Annotated[Path, typer.Argument(help="The file to explain.")],
    paths: Annotated[
        list[Path] | None, typer.Option("--path", help="Locations to use (like run's PATHS).")
    ] = None,
    config: ConfigOpt = None,
    fmt: FormatOpt = OutputFormat.text,
    tags: TagsOpt = None,
    skip_tags: SkipTagsOpt = None,
) -> None:
    """Show, rule by rule, which filters pass or fail for FILE and what would happen to it."""
    from fileorganizer.cli.render import describe
    from fileorganizer.session import SessionOptions, make_planner

    ap = app_paths()
    cfg = resolve_config(config, ap)
    folders = paths
    if cfg.builtin and not folders:
        folders = [file.resolve().parent]
    if not file.exists() and not file.is_symlink():
        from fileorganizer.errors import LocationError

        raise LocationError(f"no such file: {file}", path=file)
    options = SessionOptions(
        app_paths=ap,
        paths=[str(p) for p in folders or ()],
        tags=split_tags(tags),
        skip_tags=split_tags(skip_tags),
        dry_run=True,  # (explain plans as sim does: it never asks, never applies)
    )
    planner: Planner = make_planner(cfg, options)
    traces = planner.explain(file)
    if fmt is OutputFormat.json:
        print_json(
            [
                {
                    "rule": t.rule,
                    "in_location": t.in_location,
                    "matched": t.matched,
                    "filters": [
                        {
                            "filter": ("not " if f.negate else "") + f.name,
                            "passed": f.matched,
                            "value": safe_text(f.value),
                        }
                        for f in t.filters
                    ],
                    "operations": [op.to_dict() for op in t.operations],
                    "problems": t.problems,
                }
                for t in traces
            ]
        )
        return
    out = stdout_console()
    out.print(f"[bold]{escape(safe_text(file))}[/]")
    for t in traces:
        if not t.in_location:
            out.print(f"  rule [bold]{escape(t.rule)}[/]: [dim]not in its locations[/]")
            continue
        verdict = "[green]matches[/]" if t.matched else "[yellow]does not match[/]"
        out.print(f"  rule [bold]{escape(t.rule)}[/]: {verdict}")
        for f in t.filters:
            mark = "[green]pass[/]" if f.matched else "[red]fail[/]"
            neg = "not " if f.negate else ""
            out.print(f"    {mark} {neg}{f.name} = {escape(safe_text(f.value))}")
        for op in t.operations:
            out.print(f"    -> {describe(op)}")
        for p in t.problems:
            out.print(f"    [red]problem[/] {escape(p)}")
    if not traces:
        out.print("  no enabled rules")


def register(app: typer.Typer) -> None:
    """Add these commands to ``app``."""
    app.command()(run)
    app.command()(sim)
    app.command()(check)
    app.command()(explain)
