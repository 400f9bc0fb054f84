"""``explain FILE``: how each rule judges one file, and why a rule leaves it out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from fileorganizer.cli.common import (
    ConfigOpt,
    FormatOpt,
    HiddenOpt,
    OutputFormat,
    SkipTagsOpt,
    TagsOpt,
    app_paths,
    check_folders,
    fail,
    print_json,
    resolve_config,
    safe_text,
    split_tags,
    stdout_console,
)

if TYPE_CHECKING:
    from fileorganizer.planner import Planner


def explain(
    file: Annotated[Path, typer.Argument(help="The file to explain.")],
    paths: Annotated[
        list[Path] | None, typer.Option("--path", help="Locations to use (like run's PATHS).")
    ] = None,
    config: ConfigOpt = None,
    fmt: FormatOpt = OutputFormat.text,
    tags: TagsOpt = None,
    skip_tags: SkipTagsOpt = None,
    hidden: HiddenOpt = False,
) -> None:
    """Show, rule by rule, which filters pass or fail for FILE and what would happen to it."""
    from fileorganizer.cli.render import describe
    from fileorganizer.session import SessionOptions, make_planner

    if not file.exists() and not file.is_symlink():
        fail(f"file given on the command line does not exist: {file}")
    check_folders(paths)
    ap = app_paths()
    cfg = resolve_config(config, ap)
    if hidden:
        cfg = cfg.including_hidden()
    folders = paths
    if cfg.builtin and not folders:
        folders = [file.resolve().parent]
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
                    "disabled": t.disabled,
                    "not_seen": t.not_seen,
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
        if t.disabled:
            out.print(f"  rule [bold]{escape(t.rule)}[/]: [dim]{escape(t.disabled)}[/]")
            continue
        if not t.in_location:
            out.print(f"  rule [bold]{escape(t.rule)}[/]: [dim]not in its locations[/]")
            continue
        if t.not_seen:
            out.print(
                f"  rule [bold]{escape(t.rule)}[/]: [yellow]left out[/]: "
                f"{escape(safe_text(t.not_seen))}"
            )
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
        out.print("  no rules")


def register(app: typer.Typer) -> None:
    """Add ``explain`` to ``app``."""
    app.command()(explain)
