"""``service install|uninstall|status``: the watcher as a user service (systemd or launchd)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from fileorganizer.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    ConfigOpt,
    FormatOpt,
    OutputFormat,
    app_paths,
    find_config_path,
    print_json,
    safe_text,
    stdout_console,
)
from fileorganizer.cli.watch_cmd import DryRunOpt, PollingOpt

if TYPE_CHECKING:
    from fileorganizer.service import ServiceSpec


service_app = typer.Typer(
    name="service",
    help="Install the watcher as a user service (systemd user unit or launchd agent).",
    no_args_is_help=True,
)


def _spec(
    config: Path | None = None,
    polling: bool = False,
    stable_seconds: float | None = None,
    rescan_interval: float | None = None,
) -> ServiceSpec:
    from fileorganizer.service import service_spec, watch_argv

    ap = app_paths()
    is_mac = sys.platform == "darwin"
    cfg = config if config is not None else find_config_path(None, ap)
    argv = watch_argv(
        config=cfg,
        polling=polling,
        stable_seconds=stable_seconds,
        rescan_interval=rescan_interval,
        log_stderr=not is_mac,
    )
    return service_spec(argv, log_dir=ap.log_dir)


@service_app.command("install")
def service_install(
    config: ConfigOpt = None,
    polling: PollingOpt = False,
    stable_seconds: Annotated[
        float | None, typer.Option("--stable-seconds", min=0, help="Passed to watch.")
    ] = None,
    rescan_interval: Annotated[
        float | None, typer.Option("--rescan-interval", min=0, help="Passed to watch.")
    ] = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Write and enable the service so the watcher starts at login."""
    from fileorganizer.service import install_service

    spec = _spec(config, polling, stable_seconds, rescan_interval)
    out = stdout_console()
    if dry_run:
        out.print(f"would write {escape(safe_text(spec.path))}:", highlight=False)
        sys.stdout.write(spec.content if spec.content.endswith("\n") else spec.content + "\n")
        for cmd in spec.install_cmds:
            out.print(f"would run: {escape(' '.join(cmd))}")
        raise typer.Exit(EXIT_OK)
    for line in install_service(spec):
        out.print(escape(safe_text(line)))
    raise typer.Exit(EXIT_OK)


@service_app.command("uninstall")
def service_uninstall(dry_run: DryRunOpt = False) -> None:
    """Stop the service and remove its file."""
    from fileorganizer.service import uninstall_service

    spec = _spec()
    out = stdout_console()
    if dry_run:
        if not spec.path.exists():
            out.print(f"not installed ({escape(safe_text(spec.path))} does not exist)")
        else:
            for cmd in spec.uninstall_cmds:
                out.print(f"would run: {escape(' '.join(cmd))}")
            out.print(f"would remove {escape(safe_text(spec.path))}")
        raise typer.Exit(EXIT_OK)
    done = uninstall_service(spec)
    if not done:
        out.print(f"not installed ({escape(safe_text(spec.path))} does not exist)")
    for line in done:
        out.print(escape(safe_text(line)))
    raise typer.Exit(EXIT_OK)


@service_app.command("status")
def service_status_cmd(fmt: FormatOpt = OutputFormat.text) -> None:
    """Is the service installed and running? Exits 0 when it runs."""
    from fileorganizer.service import service_status

    spec = _spec()
    st = service_status(spec)
    if fmt is OutputFormat.json:
        print_json(st.to_dict())
    else:
        out = stdout_console()
        where = escape(safe_text(st.path))
        if not st.installed:
            out.print(f"{st.kind}: not installed ({where} does not exist)")
        else:
            state = "[green]running[/]" if st.active else "[red]not running[/]"
            out.print(f"{st.kind}: installed at {where}, {state}")
            for d in st.details:
                out.print(f"  {escape(safe_text(d))}")
    raise typer.Exit(EXIT_OK if st.active else EXIT_FAILED)
