"""``dupes PATH...``: a report of duplicate files; nothing is changed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from fileorganizer.cli.common import (
    DbOpt,
    DbUrlOpt,
    FormatOpt,
    OutputFormat,
    app_paths,
    print_json,
    safe_text,
    stderr_console,
    stdout_console,
)
from fileorganizer.errors import LocationError

if TYPE_CHECKING:
    from fileorganizer.scan import FileEntry

# The content, history and scanning modules are imported inside the command,
# so that starting the CLI for another command does not pay for them.


def dupes(
    paths: Annotated[list[Path], typer.Argument(help="Folders (searched recursively) or files.")],
    detect_original_by: Annotated[
        str,
        typer.Option(
            "--detect-original-by",
            help="first_seen, name, created or lastmodified (prefix '-' to reverse).",
        ),
    ] = "first_seen",
    include_empty: Annotated[
        bool, typer.Option("--include-empty", help="Report empty files as duplicates too.")
    ] = False,
    fmt: FormatOpt = OutputFormat.text,
    db: DbOpt = None,
    db_url: DbUrlOpt = None,
) -> None:
    """Report groups of files with identical content (count, wasted bytes, paths)."""
    from rich.table import Table

    from fileorganizer.content.counting import ByteCounter
    from fileorganizer.content.duplicates import find_duplicates
    from fileorganizer.filters.size import SizeValue
    from fileorganizer.scan import FileEntry, ScanSpec, scan
    from fileorganizer.session import open_history

    entries: list[FileEntry] = []
    unreadable: list[str] = []
    ap = app_paths(db, db_url)
    protected = tuple(str(p) for p in ap.own_paths())
    for p in paths:
        path = p.expanduser().absolute()
        if path.is_file():
            entries.append(FileEntry(str(path), str(path.parent)))
            continue
        if not path.is_dir():
            raise LocationError(f"no such file or folder: {path}", path=path)
        spec = ScanSpec(str(path), subfolders=True, protected=protected)
        entries.extend(scan(spec, lambda where, exc: unreadable.append(where)))
    counter = ByteCounter()
    with open_history(ap) as history:
        groups = find_duplicates(
            entries,
            detect_original_by=detect_original_by,
            include_empty=include_empty,
            cache=history,
            counter=counter,
        )
    wasted = sum(g.wasted_bytes for g in groups)
    if fmt is OutputFormat.json:
        print_json(
            {
                "groups": [g.to_dict() for g in groups],
                "summary": {
                    "files": len(entries),
                    "groups": len(groups),
                    "duplicates": sum(len(g.duplicates) for g in groups),
                    "wasted_bytes": wasted,
                    "bytes_read": counter.bytes_read,
                    "unreadable": unreadable,
                },
            }
        )
    else:
        out = stdout_console()
        for g in groups:
            table = Table(
                title=f"{g.count} files x {SizeValue(g.size).decimal}", title_justify="left"
            )
            table.add_column("role")
            table.add_column("path")
            table.add_row("original", escape(safe_text(g.original.path)))
            for k in g.kept:
                table.add_row("kept", escape(safe_text(k.path)))
            for d in g.duplicates:
                table.add_row("duplicate", escape(safe_text(d.path)))
            out.print(table)
        stderr_console().print(
            f"{len(groups)} group(s), {sum(len(g.duplicates) for g in groups)} duplicate(s), "
            f"{SizeValue(wasted).decimal} wasted; {len(entries)} files scanned, "
            f"{SizeValue(counter.bytes_read).decimal} read"
        )
        for where in unreadable:
            stderr_console().print(f"[yellow]skipped[/] {escape(safe_text(where))}: unreadable")
    raise typer.Exit(1 if unreadable else 0)


def register(app: typer.Typer) -> None:
    """Add ``dupes`` to ``app``."""
    app.command()(dupes)
