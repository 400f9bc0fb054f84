"""The closing summary of ``run``, ``sim`` and ``undo`` as text.

Tables by destination folder and by rule on stdout (unless ``-q``), the files
that were not done grouped by reason on stderr (the first few paths of each),
then one totals line on stdout, and a line with the undo hint only when there
is something to undo.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from rich.console import Console
from rich.filesize import decimal
from rich.markup import escape
from rich.table import Table

from fileorganizer.cli.common import safe_text
from fileorganizer.cli.summary import Outcome, Summary, Tally

#: rows of the destination table before the rest are added up in one row
TOP_FOLDERS = 10
#: reasons listed per outcome before the rest are added up in one line
TOP_REASONS = 5

_OUTCOME_STYLE = {
    Outcome.FAILED: "red",
    Outcome.SKIPPED: "yellow",
    Outcome.NOT_PLANNED: "yellow",
    Outcome.LEFT_ALONE: "dim",
    Outcome.IRREVERSIBLE: "red",
}


@dataclass(frozen=True)
class Totals:
    """What the totals line says besides the summary's own counts."""

    verb: str  # "done", "sim", "undo of run 3", ...
    noun: str = "applied"
    run_id: int | None = None
    interrupted: bool = False
    #: operations never started because a stop request ended the run
    not_started: int = 0
    seconds: float | None = None
    #: the options naming the history used (``--db FILE``), repeated in the undo hint
    history_flags: str = ""


def short_path(path: str) -> str:
    """``~/...`` for a path under the home folder."""
    home = os.path.expanduser("~")
    if home not in ("", "/") and (path == home or path.startswith(home + os.sep)):
        return "~" + path[len(home) :]
    return path


def size_text(n: int) -> str:
    """Bytes for people: ``3.4 MB``."""
    return decimal(n)


def common_folder(names: list[str]) -> str | None:
    """The folder all real destination folders are in (None: only ``/`` or labels)."""
    real = [n for n in names if os.path.isabs(n)]
    if not real:
        return None
    try:
        common = os.path.commonpath(real)
    except ValueError:
        return None
    if len(set(real)) == 1:
        common = os.path.dirname(common)
    return common if common not in ("", os.sep) else None


def _relative(name: str, common: str) -> str:
    if not os.path.isabs(name):
        return name
    rel = os.path.relpath(name, common)
    return "." if rel == "." else rel


def _table(title: str, rows: list[tuple[str, Tally]], *, paths: bool) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column(title, overflow="fold", ratio=1)
    table.add_column("files", justify="right", no_wrap=True)
    table.add_column("size", justify="right", no_wrap=True)
    for name, tally in rows:
        label = short_path(name) if paths else name
        table.add_row(escape(safe_text(label)), str(tally.files), size_text(tally.bytes))
    return table


def _ranked(d: dict[str, Tally]) -> list[tuple[str, Tally]]:
    return sorted(d.items(), key=lambda kv: (-kv[1].files, kv[0]))


def render_tables(out: Console, summary: Summary, *, undo: bool = False) -> None:
    """The by-destination and by-rule tables (nothing when nothing was done)."""
    if not summary.done.files:
        return
    folders = _ranked(summary.by_folder)
    if len(folders) > TOP_FOLDERS:
        rest = Tally()
        for _name, t in folders[TOP_FOLDERS - 1 :]:
            rest.files += t.files
            rest.bytes += t.bytes
        more = len(folders) - TOP_FOLDERS + 1
        folders = [*folders[: TOP_FOLDERS - 1], (f"… {more} more folders", rest)]
    if folders:  # (none when only commands ran, or text was written)
        common = common_folder([name for name, _t in folders])
        title = "back to" if undo else "destination"
        if common is not None:
            out.print(f"[dim]folders in {escape(safe_text(short_path(common)))}{os.sep}[/]")
            folders = [(_relative(name, common), t) for name, t in folders]
        out.print(_table(title, folders, paths=True))
    if summary.by_rule:
        if folders:
            out.print()
        title = "rule (of the run undone)" if undo else "rule"
        out.print(_table(title, _ranked(summary.by_rule), paths=False))


def render_outcomes(err: Console, summary: Summary, *, dry_run: bool = False) -> None:
    """Files not done, grouped by reason, with the first few paths of each."""
    for outcome in Outcome:
        n = summary.count(outcome)
        if not n:
            continue
        style = _OUTCOME_STYLE[outcome]
        label = outcome.value if not dry_run or outcome is not Outcome.FAILED else "would fail"
        err.print(f"[{style}]{label}: {n} file{'s' if n != 1 else ''}[/]")
        ranked = summary.ranked(outcome)
        for reason, group in ranked[:TOP_REASONS]:
            err.print(f"  {escape(safe_text(reason))} ({group.count})")
            for path in group.paths:
                err.print(f"    {escape(safe_text(short_path(path)))}")
            if group.count > len(group.paths):
                err.print(f"    [dim]… and {group.count - len(group.paths)} more[/]")
        if len(ranked) > TOP_REASONS:
            rest = sum(g.count for _r, g in ranked[TOP_REASONS:])
            err.print(f"  [dim]… {len(ranked) - TOP_REASONS} more reasons ({rest} files)[/]")


def totals_line(summary: Summary, totals: Totals) -> str:
    """The one closing line (Rich markup), e.g. ``done: 20 applied (4.5 MB), 2 failed``."""
    done = summary.done
    if summary.dry_run and totals.verb == "sim":
        text = f"sim: {summary.planned} operation(s) planned"
        if done.bytes:
            text += f" ({size_text(done.bytes)})"
        text += ", nothing changed"
    else:
        text = f"{totals.verb}: {done.files} {totals.noun}"
        if done.bytes:
            text += f" ({size_text(done.bytes)})"
    if summary.echoes:
        text += f", {summary.echoes} message(s)"
    for outcome, style in (
        (Outcome.SKIPPED, ""),
        (Outcome.LEFT_ALONE, ""),
        (Outcome.FAILED, "red"),
    ):
        n = summary.count(outcome)
        if n:
            part = f"{n} {outcome.value}"
            text += f", [{style}]{part}[/]" if style else f", {part}"
    n = summary.count(Outcome.NOT_PLANNED)
    if n:
        text += f", [yellow]{n} file(s) could not be planned[/]"
    n = summary.count(Outcome.IRREVERSIBLE)
    if n:
        text += f", [red]{n} cannot be undone[/]"
    if totals.seconds is not None:
        text += f" in {totals.seconds:.1f} s"
    if totals.interrupted:
        text += f", [yellow]interrupted: {totals.not_started} not started[/]"
    return text


def undo_hint(summary: Summary, totals: Totals) -> str | None:
    """``run 41: undo with 'fileorganizer undo 41'``, only when there is something to undo."""
    if totals.run_id is None or not summary.reversible or summary.dry_run:
        return None
    command = escape(f"fileorganizer undo {totals.run_id}{totals.history_flags}")
    return f"[dim]run {totals.run_id}: undo with '{command}'[/]"


def render_summary(
    out: Console,
    err: Console,
    summary: Summary,
    totals: Totals,
    *,
    quiet: bool,
    undo: bool = False,
    notes: tuple[str, ...] = (),
) -> None:
    """The whole closing summary: tables and ``notes`` (unless quiet), reasons, totals line."""
    if not quiet:
        render_tables(out, summary, undo=undo)
        for note in notes:
            out.print(f"[dim]{escape(note)}[/]")
        if summary.done.files or notes:
            out.print()
    out.file.flush()
    render_outcomes(err, summary, dry_run=summary.dry_run)
    err.file.flush()
    out.print(totals_line(summary, totals))
    hint = undo_hint(summary, totals)
    if hint is not None:
        out.print(hint)


def summary_text(summary: Summary, totals: Totals, *, undo: bool = False) -> str:
    """The summary as plain text (for a log file): tables, reasons, totals."""
    import io

    buf = io.StringIO()
    console = Console(file=buf, width=100, color_system=None, soft_wrap=False, highlight=False)
    render_tables(console, summary, undo=undo)
    render_outcomes(console, summary, dry_run=summary.dry_run)
    console.print(totals_line(summary, totals))
    hint = undo_hint(summary, totals)
    if hint is not None:
        console.print(hint)
    return buf.getvalue().rstrip("\n")
