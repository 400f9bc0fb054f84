"""``dupes PATH...``: a report of duplicate files; ``--trash``/``--link`` act on them.

Acting is a plan (:func:`fileorganizer.dedupe.plan_dedupe`) applied by the one
executor as a recorded run, so it is re-checked byte for byte right before each
file, journaled, and undone with ``fileorganizer undo``.
"""

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
    StopOnSignal,
    WaitOpt,
    app_paths,
    fail,
    history_flags,
    print_json,
    require_writable_state,
    safe_text,
    stderr_console,
    stdout_console,
)
from fileorganizer.errors import LocationError

if TYPE_CHECKING:
    from fileorganizer.content.duplicates import DuplicateGroup
    from fileorganizer.paths import AppPaths
    from fileorganizer.scan import FileEntry

# The content, history and scanning modules are imported inside the command,
# so that starting the CLI for another command does not pay for them.


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
    trash: Annotated[
        bool,
        typer.Option("--trash", help="Move every duplicate to the trash (undo brings it back)."),
    ] = False,
    link: Annotated[
        bool,
        typer.Option(
            "--link",
            help="Replace every duplicate by a hard link to its original (same filesystem; "
            "the duplicate goes to the trash first, so undo brings it back).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="With --trash/--link: show the plan, change nothing.")
    ] = False,
    fmt: FormatOpt = OutputFormat.text,
    db: DbOpt = None,
    db_url: DbUrlOpt = None,
    wait: WaitOpt = 0.0,
) -> None:
    """Report groups of files with identical content (count, wasted bytes, paths).

    With --trash or --link, act on the duplicates: the original of each group (see
    --detect-original-by) stays; every other copy is re-checked byte for byte against it
    right before it is touched. The change is a run in the history: `fileorganizer undo`.
    """
    if trash and link:
        fail("--trash and --link: choose one")
    if dry_run and not (trash or link):
        fail("--dry-run needs --trash or --link")
    from rich.table import Table

    from fileorganizer.applying import LazyHashCache
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
    cache = LazyHashCache(ap)
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
    if trash or link:
        _act(
            groups,
            link=link,
            dry_run=dry_run,
            fmt=fmt,
            ap=ap,
            wait=wait,
            unreadable=unreadable,
            flags=history_flags(db, db_url),
        )
        return
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


def _act(
    groups: list[DuplicateGroup],
    *,
    link: bool,
    dry_run: bool,
    fmt: OutputFormat,
    ap: AppPaths,
    wait: float,
    unreadable: list[str],
    flags: str = "",
) -> None:
    """Plan the removal (or linking) of the duplicates, and unless ``dry_run`` apply it."""
    from fileorganizer.cli.render import plain_line
    from fileorganizer.dedupe import DedupeMode, plan_dedupe
    from fileorganizer.operations import OpKind, OpStatus
    from fileorganizer.session import apply_recorded, open_history
    from fileorganizer.units import SizeValue

    mode = DedupeMode.LINK if link else DedupeMode.TRASH
    plan = plan_dedupe(groups, mode)
    out, err = stdout_console(), stderr_console()
    if dry_run:
        if fmt is OutputFormat.json:
            print_json({"dry_run": True, **plan.to_dict()})
        else:
            for op in plan.operations:
                out.print(plain_line(op), markup=False, highlight=False)
            for skip in plan.skips:
                err.print(f"[yellow]leave[/] {escape(safe_text(skip.path))}: {escape(skip.reason)}")
            err.print(f"dupes --{mode.value} --dry-run: {len(plan)} operation(s), nothing changed")
        raise typer.Exit(1 if unreadable else 0)
    require_writable_state(ap)
    stop = StopOnSignal()
    with stop, open_history(ap) as history:
        result = apply_recorded(
            plan,
            history,
            app_paths=ap,
            should_stop=stop.requested,
            wait=wait,
            note=f"dupes --{mode.value}",
        )
    done = [r for r in result.results if r.status is OpStatus.DONE and r.op.kind is OpKind.TRASH]
    freed = sum(r.op.identity.size for r in done if r.op.identity is not None)
    if fmt is OutputFormat.json:
        print_json(
            {
                "run_id": result.run_id,
                "operations": [r.to_dict() for r in result.results],
                "skips": [s.to_dict() for s in plan.skips],
                "summary": {**result.to_dict(), "duplicates_removed": len(done), "freed": freed},
            }
        )
    else:
        for r in result.results:
            if r.status is OpStatus.DONE:
                out.print(plain_line(r.op, r.dst), markup=False, highlight=False)
            else:
                err.print(
                    f"[yellow]{r.status.value}[/] {escape(safe_text(r.op.src))}: "
                    f"{escape(safe_text(r.reason or r.error or ''))}"
                )
        for skip in plan.skips:
            err.print(f"[yellow]leave[/] {escape(safe_text(skip.path))}: {escape(skip.reason)}")
        verb = "replaced by hard links" if link else "moved to the trash"
        line = f"{len(done)} duplicate(s) {verb}, {SizeValue(freed).decimal} freed"
        if result.run_id is not None and done:
            line += f"; undo with 'fileorganizer undo {result.run_id}{flags}'"
        err.print(line)
    if result.interrupted:
        raise typer.Exit(stop.exit_code)
    raise typer.Exit(0 if result.ok and not unreadable else 1)


def register(app: typer.Typer) -> None:
    """Add ``dupes`` to ``app``."""
    app.command()(dupes)
