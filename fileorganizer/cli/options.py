"""The CLI's shared option types (``Annotated`` Typer options) and their completions."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class OutputFormat(StrEnum):
    """``--format`` values."""

    text = "text"
    json = "json"


class StreamFormat(StrEnum):
    """``--format`` values of the commands that change files (``run``, ``sim``, ``undo``)."""

    text = "text"
    json = "json"
    jsonl = "jsonl"


ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Rules file (default: $FILEORGANIZER_CONFIG, then the user config dir, "
        "then the built-in rules).",
    ),
]


FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]


StreamFormatOpt = Annotated[
    StreamFormat,
    typer.Option(
        "--format",
        "-f",
        help="Output format: text, json (one document at the end) or jsonl "
        "(one object per operation as it happens, then a summary object).",
    ),
]


QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors and the totals line.")]


VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="A line per file, then the summary.")
]


LogFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--log-file",
        help="Also append every per-file line and the summary, with timestamps, to this file.",
    ),
]


def complete_tags(ctx: typer.Context, incomplete: str) -> list[str]:
    """<TAB> for ``--tags``/``--skip-tags``: the tags of the rules file in use."""
    from fileorganizer.cli.complete import tags

    return tags(dict(ctx.params), incomplete)


def complete_config_names(incomplete: str) -> list[tuple[str, str]]:
    """<TAB> for a config name: the ``*.yaml`` files of the config dir (else files)."""
    from fileorganizer.cli.complete import config_names

    return config_names(incomplete)


def complete_run_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """<TAB> for a run id: recent runs from the history (read-only; never creates it)."""
    from fileorganizer.cli.complete import run_ids

    db = ctx.params.get("db") or (ctx.parent.params.get("db") if ctx.parent else None)
    return run_ids(incomplete, db, undoable=ctx.command.name == "undo")


TagsOpt = Annotated[
    list[str] | None,
    typer.Option("--tags", help="Only rules with one of these tags.", autocompletion=complete_tags),
]


SkipTagsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--skip-tags", help="Skip rules with one of these tags.", autocompletion=complete_tags
    ),
]


PathsArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Folders to organize (replace the rules' locations), and/or one rules file: "
        "an existing folder is a folder; a NAME is <config dir>/NAME.yaml; a path ending "
        "in .yaml/.yml is a rules file.",
        show_default=False,
        autocompletion=complete_config_names,
    ),
]


WorkingDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--working-dir",
        "-W",
        help="Work from this folder: relative paths in the rules are relative to it.",
    ),
]


DbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db", help="History database (default: $FILEORGANIZER_DB or the user data dir)."
    ),
]


DbUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--db-url",
        help="A shared history database (postgresql+psycopg://USER:PASSWORD@HOST/DB) for "
        "several hosts; default: $FILEORGANIZER_DATABASE_URL, else the SQLite file of --db.",
        show_default=False,
    ),
]


HiddenOpt = Annotated[
    bool,
    typer.Option(
        "--hidden",
        help="Also organize hidden files and folders (names starting with '.'), "
        "which the built-in rules leave alone.",
    ),
]


WaitOpt = Annotated[
    float, typer.Option("--wait", help="Seconds to wait for another instance's lock.", min=0)
]
