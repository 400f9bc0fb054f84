"""The Typer app: the only package that prints, uses typer/rich, or exits.

Each command loads what it needs from the library, calls one function, and
renders the result; typed errors become one line on stderr and an exit code.
"""

from __future__ import annotations

import os
import sys

# pydantic looks for plugins (entry points of every installed package) the first
# time a model is built; this process uses none, and the scan costs ~20 ms a start
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
import traceback
from typing import Annotated, Any

import typer
from rich.markup import escape

from fileorganizer._version import __version__
from fileorganizer.cli import config_cmd, explain_cmd, organize_cmd
from fileorganizer.cli.common import (
    EXIT_USAGE,
    app_paths,
    history_message,
    safe_text,
    stderr_console,
)
from fileorganizer.errors import FileOrganizerError, HistoryError

PROG_NAME = "fileorganizer"
HELP_OPTIONS = ["-h", "--help"]

app = typer.Typer(
    name="fileorganizer",
    help="Organize files by rules. `sim` shows exactly what `run` does; `undo` reverses a run.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    # --install-completion / --show-completion for bash, zsh, fish (and PowerShell)
    add_completion=True,
    context_settings={"help_option_names": HELP_OPTIONS},
)

_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fileorganizer {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    _state["debug"] = debug


organize_cmd.register(app)
explain_cmd.register(app)
config_cmd.register(app)


def _register_optional() -> None:
    """Commands from modules that may not exist in every build."""
    import importlib

    for name in ("history_cmd", "watch_cmd", "dupes_cmd"):
        try:
            module = importlib.import_module(f"fileorganizer.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"fileorganizer.cli.{name}":
                raise
            continue
        module.register(app)


_register_optional()


def _click_exception_class() -> type[Exception]:
    """Click's base exception (typer >= 0.26 vendors click as ``typer._click``)."""
    try:
        from typer._click.exceptions import ClickException
    except ImportError:  # older typer depends on click itself
        from click.exceptions import ClickException  # type: ignore[assignment]
    return ClickException


def _flags_as_flags(command: Any) -> None:
    """Show boolean flags as flags in help: no ``<bool>`` type after ``--quiet``.

    Recent Typer prints a type for every option in its Rich help, flags
    included, which reads as if ``--quiet`` took a value (``--quiet true``).
    An empty metavar leaves the type column empty for flags (``--help`` too).
    """
    try:
        from typer._click import Context
    except ImportError:  # older typer depends on click itself
        from click import Context  # type: ignore[assignment]

    ctx = Context(command, help_option_names=HELP_OPTIONS)
    params = [*command.params, command.get_help_option(ctx)]
    for param in params:
        if param is not None and getattr(param, "is_flag", False):
            param.metavar = ""
    for sub in getattr(command, "commands", {}).values():
        _flags_as_flags(sub)


def build_command() -> Any:
    """The click command behind ``app``, as ``main`` runs it."""
    command = typer.main.get_command(app)
    _flags_as_flags(command)
    return command


def _internal_error(exc: BaseException, debug: bool) -> None:
    err = stderr_console()
    if debug:
        traceback.print_exc()
        err.print(f"[bold red]internal error:[/] {type(exc).__name__}: {escape(safe_text(exc))}")
    else:
        err.print(
            f"[bold red]internal error:[/] {type(exc).__name__}: {escape(safe_text(exc))} "
            "(run with --debug for a traceback)"
        )


def main() -> None:
    """Entry point: run the app inside the one error boundary."""
    debug = "--debug" in sys.argv[1:]
    try:
        # with standalone_mode=False, click returns the code of a typer.Exit
        rc = build_command().main(standalone_mode=False, prog_name=PROG_NAME)
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except FileOrganizerError as exc:
        if debug:
            traceback.print_exc()
        message = safe_text(exc)
        if isinstance(exc, HistoryError):
            try:
                ap = app_paths()
            except FileOrganizerError:  # the environment's history setting is what is wrong
                pass
            else:
                message, _code = history_message(exc, ap.db_path, ap.database_url)
        stderr_console().print(f"[bold red]error:[/] {escape(message)}", markup=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        stderr_console().print("interrupted")
        sys.exit(130)
    except typer.Abort:
        sys.exit(130)
    except Exception as exc:  # click usage errors and the unexpected
        if isinstance(exc, _click_exception_class()):
            exc.show()  # type: ignore[attr-defined]
            code = int(getattr(exc, "exit_code", EXIT_USAGE))
            sys.exit(EXIT_USAGE if code == 2 else code)
        _internal_error(exc, debug)
        sys.exit(70)
    sys.exit(0)
