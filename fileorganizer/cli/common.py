"""Shared CLI pieces: option types, consoles, config lookup, output helpers."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from fileorganizer.errors import ConfigError
from fileorganizer.paths import ENV_CONFIG, AppPaths, resolve_paths

if TYPE_CHECKING:
    from fileorganizer.config import Config

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
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
    list[Path] | None,
    typer.Argument(help="Folders to organize (replace the rules' locations)."),
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


def resolve_config(explicit: Path | None, paths: AppPaths) -> Config:
    """Load the config the lookup order finds, or the built-in default rules."""
    from fileorganizer.config import default_config, load_config

    path = find_config_path(explicit, paths)
    if path is None:
        return default_config()
    return load_config(path)


def require_paths_for_builtin(config: Config, folders: list[Path] | None) -> None:
    """The built-in rules need folders on the command line."""
    if config.builtin and not folders:
        raise ConfigError(
            "no rules file found and no folder given: try 'fileorganizer run ~/Downloads' "
            "(built-in rules) or 'fileorganizer init' to write a rules file"
        )


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
