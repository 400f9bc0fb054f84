"""``init`` and ``config path|show|edit``."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from fileorganizer.cli.common import (
    CONFIG_SUFFIXES,
    EXIT_OK,
    EXIT_USAGE,
    ConfigOpt,
    app_paths,
    fail,
    find_config_path,
    named_config,
    safe_text,
    stderr_console,
    stdout_console,
)
from fileorganizer.config.defaults import default_rules_yaml
from fileorganizer.config.starters import starter_names, starter_text

config_app = typer.Typer(help="Show, locate or edit the rules file.", no_args_is_help=True)


def init(
    template: Annotated[
        str, typer.Option("--template", "-t", help="Starter to write (default, photos, ...).")
    ] = "default",
    path: Annotated[
        Path | None, typer.Option("--path", help="Where to write (default: the user config file).")
    ] = None,
) -> None:
    """Write a commented starter rules file. Never overwrites an existing file."""
    try:
        text = starter_text(template)
    except KeyError:
        fail(f"unknown template {template!r} (known: {', '.join(starter_names())})")
    target = path or app_paths().config_file
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "x", encoding="utf-8") as f:
            f.write(text)
    except FileExistsError:
        fail(f"{target} exists; not overwriting it (edit it with 'fileorganizer config edit')")
    stdout_console().print(f"wrote {escape(safe_text(target))}")


def new(
    name: Annotated[
        str | None,
        typer.Argument(
            help="Name of the rules file in the config folder (NAME.yaml), or a path.",
            show_default=False,
        ),
    ] = None,
    template: Annotated[
        str, typer.Option("--template", "-t", help="Starter to write (default, photos, ...).")
    ] = "default",
) -> None:
    """Write a starter rules file, as organize's `new NAME`: run it with `run NAME`."""
    init(template=template, path=_new_path(name))


def _new_path(name: str | None) -> Path | None:
    if name is None:
        return None
    if "/" in name or os.sep in name:
        return Path(name).expanduser()
    stem = name[: -len(Path(name).suffix)] if name.endswith(CONFIG_SUFFIXES) else name
    if not stem:
        fail(f"{name!r} is not a name for a rules file")
    suffix = Path(name).suffix if name.endswith(CONFIG_SUFFIXES) else ".yaml"
    return app_paths().config_dir / f"{stem}{suffix}"


def edit(
    name: Annotated[
        str | None,
        typer.Argument(
            help="A rules file: NAME in the config folder, or a path.", show_default=False
        ),
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Open a rules file in $VISUAL or $EDITOR (as `config edit`; `edit NAME` as organize)."""
    if name is not None:
        if config is not None:
            fail("give the rules file once: as NAME or with -c, not both")
        ap = app_paths()
        found = named_config(name, ap)
        config = found if found is not None else _new_path(name)
    config_edit(config=config)


@config_app.command("list")
def config_list() -> None:
    """List the rules files in the config folder (run one with `run NAME`)."""
    ap = app_paths()
    files = sorted(p for s in CONFIG_SUFFIXES for p in ap.config_dir.glob(f"*{s}") if p.is_file())
    out = stdout_console()
    for p in files:
        out.print(f"{escape(p.stem)}\t{escape(safe_text(p))}", highlight=False)
    if not files:
        stderr_console().print(
            f"[dim](no rules files in {escape(safe_text(ap.config_dir))}; "
            "write one with 'fileorganizer new NAME')[/]"
        )


@config_app.command("path")
def config_path(config: ConfigOpt = None) -> None:
    """Print the path of the rules file in use (or where `init` writes one)."""
    ap = app_paths()
    found = find_config_path(config, ap)
    stdout_console().print(escape(safe_text(found or ap.config_file)), highlight=False)
    if found is None:
        stderr_console().print("[dim](no rules file yet: the built-in default rules are used)[/]")


@config_app.command("show")
def config_show(config: ConfigOpt = None) -> None:
    """Print the rules in use (the built-in defaults when there is no rules file)."""
    ap = app_paths()
    found = find_config_path(config, ap)
    if found is None:
        typer.echo(default_rules_yaml(), nl=False)
        return
    from fileorganizer.config import load_config

    load_config(found)
    typer.echo(found.read_text(encoding="utf-8"), nl=False)


@config_app.command("edit")
def config_edit(config: ConfigOpt = None) -> None:
    """Open the rules file in $VISUAL or $EDITOR (a starter is written first if none exists)."""
    ap = app_paths()
    target = find_config_path(config, ap) or ap.config_file
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8") as f:
            f.write(starter_text("default"))
    var = "VISUAL" if os.environ.get("VISUAL") else "EDITOR" if os.environ.get("EDITOR") else None
    editor = os.environ[var] if var else "vi"
    try:
        argv = shlex.split(editor)
    except ValueError as exc:
        fail(f"cannot read the editor command ${var}={editor!r}: {exc}")
    try:
        rc = subprocess.call([*argv, str(target)])
    except OSError as exc:
        where = (
            f"${var}={editor!r}" if var else "the default editor 'vi' ($VISUAL and $EDITOR unset)"
        )
        what = "not found" if isinstance(exc, FileNotFoundError) else exc.strerror
        fail(
            f"cannot start the editor {where}: {what}; set $VISUAL or $EDITOR to an "
            f"installed editor (the rules file is {target})",
            EXIT_USAGE,
        )
    if rc != 0:
        fail(f"editor exited with code {rc}")
    from fileorganizer.config import load_config

    load_config(target)
    stdout_console().print(f"[green]ok[/] {escape(safe_text(target))} is valid")
    raise typer.Exit(EXIT_OK)


def register(app: typer.Typer) -> None:
    """Add these commands to ``app``."""
    app.command()(init)
    app.command()(new)
    app.command()(edit)
    app.add_typer(config_app, name="config")
