"""``history prune --older-than AGE``: forget old runs (kept: what a newer run refers to)."""

from __future__ import annotations

from typing import Annotated

import typer

from fileorganizer.cli.common import (
    DbOpt,
    DbUrlOpt,
    FormatOpt,
    OutputFormat,
    WaitOpt,
    app_paths,
    fail,
    history_errors,
    print_json,
    require_existing_history,
    stdout_console,
)


def prune_cmd(
    ctx: typer.Context,
    older_than: Annotated[
        str,
        typer.Option(
            "--older-than",
            help="Forget runs started more than AGE ago: days (30), or 12h, 7d, 2w "
            "(as --since). They can no longer be undone.",
            metavar="AGE",
        ),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would go.")] = False,
    fmt: FormatOpt = OutputFormat.text,
    db: DbOpt = None,
    db_url: DbUrlOpt = None,
    wait: WaitOpt = 0.0,
) -> None:
    """Forget old runs. A run a newer run still refers to (an undo of it) is kept.

    Files old runs moved to the trash stay in the trash; only the record of how to
    undo those runs goes.
    """
    from datetime import timedelta

    from fileorganizer.cli.history_table import parse_age
    from fileorganizer.history.prune import prune
    from fileorganizer.pass_lock import locked_history

    age = parse_age(older_than)
    if age is None:
        try:
            age = timedelta(days=float(older_than))
        except (ValueError, OverflowError):
            age = None
        if age is None or age < timedelta(0):
            fail(f"--older-than {older_than!r}: give days (30) or an age (12h, 7d, 2w)")

    parent = ctx.obj or {}
    if fmt is OutputFormat.text and parent.get("fmt") is OutputFormat.json:
        fmt = OutputFormat.json
    require_existing_history(db or parent.get("db"))
    ap = app_paths(db or parent.get("db"), db_url or parent.get("db_url"))
    # (a shared history's prune touches no folder: it takes no folder lock)
    with history_errors(ap), locked_history(ap, wait, lambda _h: ()) as (hist, _lock):
        result = prune(hist, age, dry_run=dry_run)
    if fmt is OutputFormat.json:
        print_json(result.to_dict())
        return
    verb = "would remove" if dry_run else "removed"
    when = result.cutoff.strftime("%Y-%m-%d %H:%M")
    line = (
        f"{verb} {len(result.runs)} run(s) started before {when} "
        f"({result.operations} operation record(s))"
    )
    if result.runs:
        line += f": {', '.join(map(str, result.runs))}"
    stdout_console().print(line)
    if result.kept:
        stdout_console().print(
            f"kept {len(result.kept)} older run(s) that newer ones still refer to: "
            f"{', '.join(map(str, result.kept))}"
        )
