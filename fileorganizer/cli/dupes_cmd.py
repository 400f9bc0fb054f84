"""``dupes PATH...``: a report of duplicate files; nothing is changed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from fileorganizer.cli.common import (
    DbOpt,
    FormatOpt,
    OutputFormat,
    app_paths,
    fail,
    print_json,
    safe_text,
    stderr_console,
    stdout_console,
)
from fileorganizer.errors import LocationError

if TYPE_CHECKING:
    from fileorganizer.history import History
    from fileorganizer.scan import FileEntry

# The content, history and scanning modules are imported inside the command,
# so that starting the CLI for another command does not pay for them.


class _HistoryHashCache:
    """The history's hash cache, opened on the first look-up.

    Only files of ``CACHE_MIN_SIZE`` or more are looked up, so a tree of small
    files never pays for opening the database.
    """

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.history: History | None = None

    def _open(self) -> History:
        if self.history is None:
            from fileorganizer.history import History

            self.history = History(self.db_path)
        return self.history

    def get_hash(self, dev: int, ino: int, size: int, mtime_ns: int, algo: str) -> str | None:
        """A cached digest, or None."""
        return self._open().get_hash(dev, ino, size, mtime_ns, algo)

    def put_hash(
        self, dev: int, ino: int, size: int, mtime_ns: int, algo: str, digest: str
    ) -> None:
        """Remember a digest."""
        self._open().put_hash(dev, ino, size, mtime_ns, algo, digest)

    def close(self) -> None:
        """Close the history if it was opened."""
        if self.history is not None:
            self.history.close()


def dupes(
    paths: Annotated[list[Path], typer.Argument(help="Folders (searched recursively) or files.")],
    detect_original_by: Annotated[
        str,
        typer.Option(
            "--detect-original-by",
            help="auto (the oldest modification time, then a name without 'copy', "
            "'Kopie', '(1)'... markers, then the shortest path), first_seen, name, "
            "created or lastmodified (prefix '-' to reverse).",
        ),
    ] = "auto",
    include_empty: Annotated[
        bool, typer.Option("--include-empty", help="Report empty files as duplicates too.")
    ] = False,
    fmt: FormatOpt = OutputFormat.text,
    db: DbOpt = None,
) -> None:
    """Report groups of files with identical content (count, wasted bytes, paths)."""
    from rich.table import Table

    from fileorganizer.content.counting import ByteCounter
    from fileorganizer.content.duplicates import find_duplicates, parse_detect_original_by
    from fileorganizer.scan import FileEntry, ScanSpec, scan
    from fileorganizer.units import SizeValue

    try:
        parse_detect_original_by(detect_original_by)
    except ValueError as exc:
        fail(f"--detect-original-by: {exc}")
    entries: list[FileEntry] = []
    unreadable: list[str] = []
    ap = app_paths(db)
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
    cache = _HistoryHashCache(ap.db_path)
    try:
        groups = find_duplicates(
            entries,
            detect_original_by=detect_original_by,
            include_empty=include_empty,
            cache=cache,
            counter=counter,
        )
    finally:
        cache.close()
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
