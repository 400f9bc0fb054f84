"""Shared CLI pieces: exit codes, consoles, output helpers, stopping on a signal.

The option types (:mod:`.options`), config lookup (:mod:`.configs`) and history
error messages (:mod:`.dberrors`) live in their own modules and are
re-exported here.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from fileorganizer.errors import ConfigError
from fileorganizer.paths import AppPaths, resolve_paths

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CANTCREAT = 73  # one of the tool's own folders cannot be written (sysexits EX_CANTCREAT)
EXIT_LOCKED = 75


#: ANSI colours for plain (non-Rich) per-file lines
ANSI = {
    "green": "\x1b[32m",
    "cyan": "\x1b[36m",
    "dim": "\x1b[2m",
    "red": "\x1b[31m",
    "bold red": "\x1b[1;31m",
}
#: per-file lines are written in chunks of this many, and at most this many seconds late
LINE_CHUNK = 256
LINE_DELAY = 0.1


def paint(style: str, text: str, color: bool) -> str:
    """``text`` in an ANSI colour when ``color`` (a terminal that wants it)."""
    return f"{ANSI[style]}{text}\x1b[0m" if color else text


def wants_color(console: Console) -> bool:
    """Whether plain lines written to ``console``'s file should be coloured."""
    return console.is_terminal and console.color_system is not None and not console.no_color


def writer_of(stream: Any) -> Callable[[str], object]:
    """A ``write`` for ``stream`` that never loses text to a partial write.

    With ``PYTHONUNBUFFERED`` (set in many container images) stdout has no
    buffer, and a write interrupted by a signal (SIGINT, SIGTERM) can return
    having written only part of the text. This writes the bytes until all are out.
    """
    raw = getattr(stream, "buffer", None)
    if raw is None:
        return stream.write  # type: ignore[no-any-return]
    encoding = getattr(stream, "encoding", None) or "utf-8"
    errors = getattr(stream, "errors", None) or "strict"

    def write(text: str) -> None:
        stream.flush()
        view = memoryview(text.encode(encoding, errors))
        while view:
            n = raw.write(view)
            view = view[n if n else 0 :]
        raw.flush()

    return write


class ChunkedLines:
    """Plain per-file lines, written together rather than one write each.

    On a terminal stdout is line buffered, and one write per line costs more
    than the file operation it reports. Lines are held at most LINE_CHUNK
    lines or LINE_DELAY seconds; call :meth:`flush` before printing anything
    else, so the output stays in order.
    """

    def __init__(self, write: Callable[[str], object], flush: Callable[[], object]) -> None:
        self._write = write
        self._flush = flush
        self._lines: list[str] = []
        self._flushed_at = time.monotonic()

    def add(self, text: str) -> None:
        """Hold one line (written with the next chunk)."""
        lines = self._lines
        lines.append(text)
        if len(lines) >= LINE_CHUNK or time.monotonic() - self._flushed_at >= LINE_DELAY:
            self.flush()

    def flush(self) -> None:
        """Write the lines held so far."""
        if self._lines:
            self._write("\n".join(self._lines) + "\n")
            self._lines.clear()
        self._flush()
        self._flushed_at = time.monotonic()


class StopOnSignal:
    """SIGINT/SIGTERM ask the engine to stop after the file in progress.

    Use as a context manager around a run or an undo; pass :meth:`requested`
    as ``should_stop``. A second signal stops at once (``KeyboardInterrupt``;
    the next command's recovery then reconciles the journal). ``exit_code`` is
    130 after SIGINT and 143 after SIGTERM, as a shell reports them.
    """

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}
        self._prompting = False

    def _handle(self, signum: int, _frame: object) -> None:
        if self.signum is not None or self._prompting:
            raise KeyboardInterrupt
        self.signum = signum
        stderr_console().print(
            "[yellow]stopping after the current file[/] (press Ctrl-C again to stop at once)"
        )

    def requested(self) -> bool:
        """Whether a signal asked to stop."""
        return self.signum is not None

    @contextlib.contextmanager
    def prompting(self) -> Iterator[None]:
        """While waiting for an answer, Ctrl-C interrupts at once (KeyboardInterrupt)."""
        self._prompting = True
        try:
            yield
        finally:
            self._prompting = False

    @property
    def exit_code(self) -> int:
        """130 for SIGINT, 143 for SIGTERM (128 + the signal number)."""
        return 128 + (self.signum or 2)

    def __enter__(self) -> StopOnSignal:
        import signal

        for s in (signal.SIGINT, signal.SIGTERM):
            self._previous[s] = signal.signal(s, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        for s, handler in self._previous.items():
            signal.signal(s, handler)


def require_existing_history(db: Path | None) -> None:
    """A command that only reads or undoes: ``--db FILE`` must name a history that exists
    (a mistyped path would otherwise be created, empty, and show "no runs yet")."""
    if db is not None and not Path(db).expanduser().exists():
        fail(f"no history at {Path(db).expanduser()} (--db names a file that does not exist)")


def history_flags(db: Path | str | None, db_url: str | None) -> str:
    """The options that named the history of a command, to repeat in a hint (or "").

    A database URL's password is masked: the hint is shown, and may be logged.
    """
    import shlex

    from fileorganizer.paths import mask_password

    if db_url:
        return f" --db-url {shlex.quote(mask_password(db_url))}"
    if db:
        return f" --db {shlex.quote(os.path.abspath(db))}"
    return ""


def split_tags(values: list[str] | None) -> list[str]:
    """``--tags a,b --tags c`` -> ``["a", "b", "c"]`` (organize users write commas)."""
    return [t.strip() for v in values or () for t in v.split(",") if t.strip()]


def stdout_console() -> Console:
    """The console for results (stdout). No colour when NO_COLOR or not a terminal."""
    return Console(soft_wrap=True, highlight=False)


def stderr_console() -> Console:
    """The console for messages and progress (stderr)."""
    return Console(stderr=True, soft_wrap=True, highlight=False)


def app_paths(db: Path | None = None, db_url: str | None = None) -> AppPaths:
    """The tool's paths, with ``--db`` or ``--db-url`` applied (not both)."""
    if db is not None and db_url:
        raise ConfigError(
            "give the history once: --db FILE (a SQLite file) or --db-url URL (a shared "
            "database), not both"
        )
    return resolve_paths(db_path=db, database_url=db_url)


def safe_text(value: object) -> str:
    """A printable form of a path that may hold undecodable bytes or control chars."""
    s = str(value)
    if s.isprintable():  # the common case (surrogates and controls are not printable)
        return s
    s = s.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in s)


def print_json(data: Any) -> None:
    """Write JSON to stdout (paths with undecodable bytes are escaped)."""
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=True) + "\n")
    sys.stdout.flush()


def print_json_line(data: Any) -> None:
    """Write one JSON object on one line to stdout (``--format jsonl``)."""
    sys.stdout.write(json.dumps(data, default=str, ensure_ascii=True) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print one line to stderr and exit with ``code``."""
    stderr_console().print(f"[bold red]error:[/] {escape(safe_text(message))}", markup=True)
    raise typer.Exit(code)


# (re-exported; these modules use the helpers above)
from fileorganizer.cli.configs import (  # noqa: E402
    CONFIG_SUFFIXES,
    check_folders,
    config_by_name_or_path,
    enter_working_dir,
    fail_problems,
    find_config_path,
    named_config,
    require_paths_for_builtin,
    require_writable_state,
    resolve_config,
    split_folders_and_config,
)
from fileorganizer.cli.dberrors import (  # noqa: E402
    EXIT_IOERR,
    history_errors,
    history_message,
)
from fileorganizer.cli.options import (  # noqa: E402
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
    StreamFormat,
    StreamFormatOpt,
    TagsOpt,
    VerboseOpt,
    WaitOpt,
    WorkingDirOpt,
    complete_config_names,
    complete_run_ids,
    complete_tags,
)

__all__ = [
    "ANSI",
    "CONFIG_SUFFIXES",
    "EXIT_CANTCREAT",
    "EXIT_FAILED",
    "EXIT_IOERR",
    "EXIT_LOCKED",
    "EXIT_OK",
    "EXIT_USAGE",
    "LINE_CHUNK",
    "LINE_DELAY",
    "ChunkedLines",
    "ConfigOpt",
    "DbOpt",
    "DbUrlOpt",
    "FormatOpt",
    "HiddenOpt",
    "LogFileOpt",
    "OutputFormat",
    "PathsArg",
    "QuietOpt",
    "SkipTagsOpt",
    "StopOnSignal",
    "StreamFormat",
    "StreamFormatOpt",
    "TagsOpt",
    "VerboseOpt",
    "WaitOpt",
    "WorkingDirOpt",
    "app_paths",
    "check_folders",
    "complete_config_names",
    "complete_run_ids",
    "complete_tags",
    "config_by_name_or_path",
    "enter_working_dir",
    "fail",
    "fail_problems",
    "find_config_path",
    "history_errors",
    "history_message",
    "named_config",
    "paint",
    "print_json",
    "print_json_line",
    "require_paths_for_builtin",
    "require_writable_state",
    "resolve_config",
    "safe_text",
    "split_folders_and_config",
    "split_tags",
    "stderr_console",
    "stdout_console",
    "wants_color",
    "writer_of",
]
