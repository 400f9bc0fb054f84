"""Shared CLI pieces: option types, consoles, config lookup, output helpers."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
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
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors and the summary.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Show each decision.")]
TagsOpt = Annotated[
    list[str] | None, typer.Option("--tags", help="Only rules with one of these tags.")
]
SkipTagsOpt = Annotated[
    list[str] | None, typer.Option("--skip-tags", help="Skip rules with one of these tags.")
]
PathsArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Folders to organize (replace the rules' locations), and/or one rules file: "
        "an existing folder is a folder; a NAME is <config dir>/NAME.yaml; a path ending "
        "in .yaml/.yml is a rules file.",
        show_default=False,
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
            if as_path.exists():
                why = f"{arg!r} is a file, not a folder or a rules file (.yaml/.yml)"
            else:
                why = (
                    f"{arg!r} is neither a folder nor a rules file "
                    f"(no folder {arg}, no {paths.config_dir / (arg + '.yaml')})"
                )
            raise ConfigError(why)
        if config is not None:
            raise ConfigError(
                f"two rules files given ({config} and {found}): name one, with -c or as NAME"
            )
        config = found
    return folders, config


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


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print one line to stderr and exit with ``code``."""
    stderr_console().print(f"[bold red]error:[/] {escape(safe_text(message))}", markup=True)
    raise typer.Exit(code)
