"""Shared CLI pieces: option types, consoles, config lookup, output helpers."""

from __future__ import annotations

import errno
import json
import os
import re
import shlex
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from fileorganizer.errors import ConfigError
from fileorganizer.paths import ENV_CONFIG, AppPaths, StateDir, ensure_writable_dir, resolve_paths

if TYPE_CHECKING:
    from fileorganizer.config import Config

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CANTCREAT = 73  # one of the tool's own folders cannot be written (sysexits EX_CANTCREAT)
EXIT_LOCKED = 75


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

    def _handle(self, signum: int, _frame: object) -> None:
        if self.signum is not None:
            raise KeyboardInterrupt
        self.signum = signum
        stderr_console().print(
            "[yellow]stopping after the current file[/] (press Ctrl-C again to stop at once)"
        )

    def requested(self) -> bool:
        """Whether a signal asked to stop."""
        return self.signum is not None

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


def split_tags(values: list[str] | None) -> list[str]:
    """``--tags a,b --tags c`` -> ``["a", "b", "c"]`` (organize users write commas)."""
    return [t.strip() for v in values or () for t in v.split(",") if t.strip()]


def stdout_console() -> Console:
    """The console for results (stdout). No colour when NO_COLOR or not a terminal."""
    return Console(soft_wrap=True, highlight=False)


def stderr_console() -> Console:
    """The console for messages and progress (stderr)."""
    return Console(stderr=True, soft_wrap=True, highlight=False)


def app_paths(db: Path | None = None) -> AppPaths:
    """The tool's paths, with ``--db`` applied."""
    return resolve_paths(db_path=db)


def find_config_path(explicit: Path | None, paths: AppPaths) -> Path | None:
    """``-c``, then ``$FILEORGANIZER_CONFIG``, then the user config file; None for built-ins."""
    if explicit is not None:
        return explicit
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env).expanduser()
    if paths.config_file.exists():
        return paths.config_file
    return None


CONFIG_SUFFIXES = (".yaml", ".yml")


def named_config(name: str, paths: AppPaths) -> Path | None:
    """``<config dir>/NAME.yaml`` (or ``.yml``) if ``name`` is a bare name and it exists."""
    if not name or os.sep in name or "/" in name or name.startswith("."):
        return None
    stem = name[: -len(Path(name).suffix)] if name.endswith(CONFIG_SUFFIXES) else name
    for suffix in CONFIG_SUFFIXES:
        candidate = paths.config_dir / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def config_by_name_or_path(arg: str, paths: AppPaths) -> Path:
    """A rules file given as a path or as a name in the config dir (organize's ``run NAME``)."""
    as_path = Path(arg).expanduser()
    if as_path.is_file():
        return as_path
    found = named_config(arg, paths)
    if found is not None:
        return found
    raise ConfigError(
        f"no rules file {arg!r}: neither a file nor {paths.config_dir / (arg + '.yaml')} "
        "(see 'fileorganizer config list')"
    )


def split_folders_and_config(
    args: list[str] | None, explicit: Path | None, paths: AppPaths
) -> tuple[list[Path], Path | None]:
    """Tell folders from a rules file among ``run``/``sim`` arguments.

    An existing folder is a folder to organize; an existing file ending in
    ``.yaml``/``.yml``, or a bare NAME with a ``<config dir>/NAME.yaml``, is the rules
    file. At most one rules file, and not together with ``--config``.
    """
    folders: list[Path] = []
    config = explicit
    for arg in args or ():
        as_path = Path(arg).expanduser()
        if as_path.is_dir():
            folders.append(as_path)
            continue
        found: Path | None = None
        if as_path.is_file() and arg.endswith(CONFIG_SUFFIXES):
            found = as_path
        else:
            found = named_config(arg, paths)
        if found is None:
            raise ConfigError(_not_folder_nor_config(arg, as_path, paths))
        if config is not None:
            raise ConfigError(
                f"two rules files given ({config} and {found}): name one, with -c or as NAME"
            )
        config = found
    return folders, config


def _not_folder_nor_config(arg: str, as_path: Path, paths: AppPaths) -> str:
    """Why a command-line argument is neither a folder nor a rules file (blamed on it)."""
    if as_path.exists():
        return (
            f"folder given on the command line is not a folder: {as_path} "
            "(a rules file ends in .yaml/.yml)"
        )
    if os.sep in arg or arg.startswith(("~", ".")):
        return f"folder given on the command line does not exist: {as_path}"
    if arg.lower() in _FLAG_VALUES:
        return (
            f"folder given on the command line does not exist: {arg} "
            f"(a flag takes no value: leave out '{arg}')"
        )
    return (
        f"{arg!r} is neither a folder nor a rules file "
        f"(no folder {arg}, no {paths.config_dir / (arg + '.yaml')})"
    )


def enter_working_dir(
    working_dir: Path | None, folders: list[Path], config: Path | None
) -> tuple[list[Path], Path | None]:
    """``--working-dir``: make the given paths absolute, then change to that folder.

    Relative paths in the rules (locations, destinations) are then relative to it,
    as in organize; folders and the rules file named on the command line keep
    meaning what they meant where the command was typed.
    """
    if working_dir is None:
        return folders, config
    target = working_dir.expanduser()
    if not target.is_dir():
        raise ConfigError(f"--working-dir {working_dir}: no such folder")
    folders = [p.absolute() for p in folders]
    config = config.expanduser().absolute() if config is not None else None
    os.chdir(target)
    return folders, config


def resolve_config(explicit: Path | None, paths: AppPaths) -> Config:
    """Load the config the lookup order finds, or the built-in default rules."""
    from fileorganizer.config import default_config, load_config

    path = find_config_path(explicit, paths)
    if path is None:
        return default_config()
    try:
        return load_config(path)
    except ConfigError as exc:
        if len(exc.problems) == 1:
            raise
        fail_problems(exc)


def fail_problems(exc: ConfigError) -> NoReturn:
    """Print each problem of a rules file as its own ``error:`` line; exit 2."""
    err = stderr_console()
    for problem in exc.problems:
        err.print(f"[bold red]error:[/] {escape(safe_text(problem))}", markup=True)
    err.print(f"{len(exc.problems)} problems; nothing was changed")
    raise typer.Exit(exc.exit_code)


def require_paths_for_builtin(
    config: Config, folders: list[Path] | list[str] | None, paths: AppPaths | None = None
) -> None:
    """The built-in rules need folders on the command line."""
    if config.builtin and not folders:
        where = f" (looked for {paths.config_file})" if paths is not None else ""
        raise ConfigError(
            f"no rules file found{where} and no folder given: put your rules there, "
            "name a file with -c or $FILEORGANIZER_CONFIG, or give the folders to organize "
            "with the built-in rules: 'fileorganizer run ~/Downloads'"
        )


def require_writable_state(paths: AppPaths) -> None:
    """Fail early (exit 73) when the data folder or the trash folder cannot be written.

    For commands that change files: the data folder (lock, history) is created
    as the lock would; the trash folder, how overwrites and undo stay
    reversible, need only be creatable (it is not created).
    """
    ensure_writable_dir(paths.data_dir, StateDir.DATA)
    ensure_writable_dir(paths.trash_dir, StateDir.TRASH, create=False)


def check_folders(folders: list[Path] | None) -> None:
    """Folders given on the command line must exist: blame the command line, not a rule."""
    for folder in folders or ():
        if folder.is_dir():
            continue
        what = "is not a folder" if folder.exists() else "does not exist"
        hint = ""
        if folder.name.lower() in _FLAG_VALUES and not folder.exists():
            hint = f" (a flag takes no value: leave out '{folder.name}')"
        fail(f"folder given on the command line {what}: {folder}{hint}")


#: words someone may write after a flag, as if it took a value
_FLAG_VALUES = {"true", "false", "yes", "no", "on", "off", "1", "0"}


EXIT_IOERR = 74  # sysexits EX_IOERR: the disk holding the history is full

_DB_NOISE = (
    re.compile(r"\s*\(Background on this error at: [^)]*\)"),
    re.compile(r"\((?:sqlite3|psycopg2?|sqlalchemy)[.\w]*\)\s*"),
)
_DISK_FULL = ("database or disk is full", "no space left on device")
_UNREADABLE = (
    "file is not a database",
    "malformed",
    "file is encrypted",
    "unable to open database file",
    "disk i/o error",
    "no such table",
)


def _db_reason(exc: BaseException) -> str:
    """The root cause of a database error, without SQLAlchemy's decoration."""
    seen: BaseException | None = exc
    reason = str(exc)
    while seen is not None:
        if isinstance(seen, sqlite3.Error | OSError):
            reason = str(seen)
            break
        orig = getattr(seen, "orig", None)
        if isinstance(orig, BaseException):
            reason = str(orig)
            break
        seen = seen.__cause__ or seen.__context__
    for noise in _DB_NOISE:
        reason = noise.sub(" ", reason)
    return " ".join(reason.split())


def history_message(exc: BaseException, db_path: Path) -> tuple[str, int]:
    """One line (and an exit code) for a history database that cannot be used."""
    reason = _db_reason(exc)
    low = reason.lower()
    if any(k in low for k in _DISK_FULL):
        return (
            f"no space left for the history database {db_path}: free some space on its disk "
            "and run again (what was done so far is recorded; an unfinished run is "
            "reconciled on the next start)",
            EXIT_IOERR,
        )
    if any(k in low for k in _UNREADABLE):
        q = shlex.quote(str(db_path))
        return (
            f"the history database {db_path} cannot be read ({reason}); move it aside with "
            f"'mv {q} {q}.broken' and run again (a new, empty history is started)",
            EXIT_USAGE,
        )
    text = str(exc)
    for noise in _DB_NOISE:
        text = noise.sub(" ", text)
    return " ".join(text.split()), EXIT_USAGE


def _is_db_error(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.Error) or type(exc).__module__.startswith("sqlalchemy")


@contextmanager
def history_errors(paths: AppPaths) -> Iterator[None]:
    """Turn an unusable history (corrupt, unreadable, disk full) into one line and a code."""
    from fileorganizer.errors import HistoryError

    try:
        yield
    except HistoryError as exc:
        message, code = history_message(exc, paths.db_path)
        fail(message, code)
    except OSError as exc:
        if exc.errno != errno.ENOSPC or not _under(exc.filename, paths):
            raise
        message, code = history_message(exc, paths.db_path)
        fail(message, code)
    except Exception as exc:
        if not _is_db_error(exc):
            raise
        message, code = history_message(exc, paths.db_path)
        fail(message, code)


def _under(filename: object, paths: AppPaths) -> bool:
    if not isinstance(filename, str | bytes | os.PathLike):
        return False
    name = os.path.abspath(os.fsdecode(filename))
    roots = (paths.data_dir, paths.db_path.parent)
    return any(name == str(r) or name.startswith(str(r.absolute()) + os.sep) for r in roots)


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
