"""The Typer app: the only package that prints, uses typer/rich, or exits.

Each command loads what it needs from the library, calls one function, and
renders the result; typed errors become one line on stderr and an exit code.
"""

from __future__ import annotations

import sys
import traceback
from typing import Annotated

import typer
from rich.markup import escape

from fileorganizer._version import __version__
from fileorganizer.cli import config_cmd, organize_cmd
from fileorganizer.cli.common import EXIT_USAGE, safe_text, stderr_console
from fileorganizer.errors import FileOrganizerError

app = typer.Typer(
    name="fileorganizer",
    help="Organize files by rules. `sim` shows exactly what `run` does; `undo` reverses a run.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
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


def main() -> None:
    """Entry point: run the app inside the one error boundary."""
    debug = "--debug" in sys.argv[1:]
    try:
        # with standalone_mode=False, click returns the code of a typer.Exit
        rc = app(standalone_mode=False)
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except FileOrganizerError as exc:
        if debug:
            traceback.print_exc()
        stderr_console().print(f"[bold red]error:[/] {escape(safe_text(exc))}", markup=True)
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
        if debug:
            traceback.print_exc()
        stderr_console().print(
            f"[bold red]internal error:[/] {type(exc).__name__}: {escape(safe_text(exc))} "
            "(run with --debug for a traceback)"
        )
        sys.exit(70)
    sys.exit(0)
