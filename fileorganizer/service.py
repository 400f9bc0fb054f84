"""Installing the watcher as a user service: a systemd user unit or a launchd agent.

Rendering the unit (or plist) is pure; :func:`install_service`,
:func:`uninstall_service` and :func:`service_status` write or remove that one
file (the tool's own state, never a user's file) and run ``systemctl --user``
or ``launchctl`` through a runner that tests replace.
"""

from __future__ import annotations

import os
import plistlib
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fileorganizer.errors import FileOrganizerError

UNIT_NAME = "fileorganizer-watch.service"
LAUNCHD_LABEL = "io.github.fileorganizer.watch"
MARKER = "Written by fileorganizer"

#: Runs one command and returns (exit code, combined output).
Runner = Callable[[Sequence[str]], tuple[int, str]]


class ServiceError(FileOrganizerError):
    """The service could not be installed, removed or queried."""


def run_command(argv: Sequence[str]) -> tuple[int, str]:
    """Run ``argv``; (exit code, stdout+stderr). A missing program is a ServiceError."""
    try:
        proc = subprocess.run(list(argv), capture_output=True, text=True, check=False, timeout=60)
    except FileNotFoundError:
        raise ServiceError(f"{argv[0]} not found") from None
    except subprocess.TimeoutExpired:
        raise ServiceError(f"{' '.join(argv)} did not finish within 60 s") from None
    return proc.returncode, (proc.stdout + proc.stderr).strip()


@dataclass(frozen=True)
class ServiceSpec:
    """What installing the service means on this platform."""

    kind: str  # "systemd" or "launchd"
    path: Path
    content: str
    argv: tuple[str, ...]
    install_cmds: tuple[tuple[str, ...], ...]
    uninstall_cmds: tuple[tuple[str, ...], ...]
    status_cmds: tuple[tuple[str, ...], ...]
    after_remove_cmds: tuple[tuple[str, ...], ...] = ()


@dataclass
class ServiceStatus:
    """Whether the service file is there, and what the service manager says."""

    kind: str
    path: Path
    installed: bool
    ours: bool
    active: bool
    details: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {
            "kind": self.kind,
            "path": str(self.path),
            "installed": self.installed,
            "written_by_fileorganizer": self.ours,
            "active": self.active,
            "details": self.details,
        }


def watch_argv(
    *,
    config: Path | None = None,
    polling: bool = False,
    stable_seconds: float | None = None,
    rescan_interval: float | None = None,
    log_stderr: bool = True,
    python: str | None = None,
) -> list[str]:
    """The command line the service runs: this Python, ``-m fileorganizer watch ...``."""
    argv = [python or sys.executable, "-m", "fileorganizer", "watch"]
    if config is not None:
        argv += ["--config", str(Path(config).expanduser().resolve())]
    if polling:
        argv.append("--polling")
    if stable_seconds is not None:
        argv += ["--stable-seconds", f"{stable_seconds:g}"]
    if rescan_interval is not None:
        argv += ["--rescan-interval", f"{rescan_interval:g}"]
    if not log_stderr:
        argv.append("--no-log-stderr")
    return argv


def service_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The ``FILEORGANIZER_*`` variables set now, which the service must see too."""
    env = os.environ if env is None else env
    return {k: v for k, v in sorted(env.items()) if k.startswith("FILEORGANIZER_")}


def _systemd_quote(arg: str) -> str:
    arg = arg.replace("%", "%%").replace("$", "$$")
    if arg and not any(c in arg for c in " \t\"'\\;"):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_unit(argv: Sequence[str], env: Mapping[str, str]) -> str:
    """The text of the systemd user unit."""
    lines = [
        f"# {MARKER} ('fileorganizer service install').",
        "# Remove it with 'fileorganizer service uninstall'.",
        "[Unit]",
        "Description=fileorganizer watcher: organize files as they arrive",
        "Documentation=https://github.com/fileorganizer/fileorganizer/blob/main/docs/cli.md",
        "",
        "[Service]",
        "Type=simple",
        "ExecStart=" + " ".join(_systemd_quote(a) for a in argv),
        "Restart=on-failure",
        "RestartSec=10",
        "# exit code 2: a usage or config error; restarting would not help",
        "RestartPreventExitStatus=2",
        "# SIGTERM: the watcher finishes the current operation and exits 0, or 143",
        "# when that cut a batch short (the batch is recorded as interrupted)",
        "KillSignal=SIGTERM",
        "SuccessExitStatus=143",
        "TimeoutStopSec=90",
        "Nice=10",
    ]
    lines += [f"Environment={_systemd_quote(f'{k}={v}')}" for k, v in env.items()]
    lines += ["", "[Install]", "WantedBy=default.target", ""]
    return "\n".join(lines)


def launchd_plist(argv: Sequence[str], env: Mapping[str, str], log_dir: Path) -> str:
    """The text of the launchd agent plist."""
    data: dict[str, object] = {
        "Label": LAUNCHD_LABEL,
        "Comment": f"{MARKER} ('fileorganizer service install')",
        "ProgramArguments": list(argv),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "ThrottleInterval": 10,
        "ProcessType": "Background",
        "StandardErrorPath": str(log_dir / "launchd-stderr.log"),
    }
    if env:
        data["EnvironmentVariables"] = dict(env)
    return plistlib.dumps(data).decode("utf-8")


def service_spec(
    argv: Sequence[str],
    *,
    platform: str | None = None,
    home: Path | None = None,
    env: Mapping[str, str] | None = None,
    log_dir: Path | None = None,
    uid: int | None = None,
) -> ServiceSpec:
    """Where the service file goes, what it says and which commands (un)load it."""
    platform = platform or sys.platform
    environ = os.environ if env is None else env
    home = home or Path(environ.get("HOME") or Path.home())
    extra = service_env(environ)
    if platform == "darwin":
        uid = os.getuid() if uid is None else uid
        path = home / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"
        domain = f"gui/{uid}"
        logs = log_dir or home / "Library" / "Logs" / "fileorganizer"
        return ServiceSpec(
            kind="launchd",
            path=path,
            content=launchd_plist(argv, extra, logs),
            argv=tuple(argv),
            install_cmds=(("launchctl", "bootstrap", domain, str(path)),),
            uninstall_cmds=(("launchctl", "bootout", f"{domain}/{LAUNCHD_LABEL}"),),
            status_cmds=(("launchctl", "print", f"{domain}/{LAUNCHD_LABEL}"),),
        )
    if not platform.startswith("linux"):
        raise ServiceError(f"service: not supported on {platform} (Linux systemd or macOS only)")
    config_home = Path(environ.get("XDG_CONFIG_HOME") or home / ".config")
    path = config_home / "systemd" / "user" / UNIT_NAME
    ctl = ("systemctl", "--user")
    return ServiceSpec(
        kind="systemd",
        path=path,
        content=systemd_unit(argv, extra),
        argv=tuple(argv),
        install_cmds=((*ctl, "daemon-reload"), (*ctl, "enable", "--now", UNIT_NAME)),
        uninstall_cmds=((*ctl, "disable", "--now", UNIT_NAME),),
        status_cmds=((*ctl, "is-enabled", UNIT_NAME), (*ctl, "is-active", UNIT_NAME)),
        after_remove_cmds=((*ctl, "daemon-reload"),),
    )


def _is_ours(path: Path) -> bool:
    try:
        return MARKER in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def install_service(spec: ServiceSpec, runner: Runner = run_command) -> list[str]:
    """Write the service file and load it; return what was done, one line each.

    A file at that place that fileorganizer did not write is never replaced.
    """
    if spec.path.exists() and not _is_ours(spec.path):
        raise ServiceError(
            f"{spec.path} exists and was not written by fileorganizer; not replacing it"
        )
    if spec.kind == "launchd" and spec.path.exists():
        runner(spec.uninstall_cmds[0])  # reload a changed agent; "not loaded" is fine
    spec.path.parent.mkdir(parents=True, exist_ok=True)
    spec.path.write_text(spec.content, encoding="utf-8")
    done = [f"wrote {spec.path}"]
    for cmd in spec.install_cmds:
        code, out = runner(cmd)
        if code != 0:
            raise ServiceError(f"{' '.join(cmd)} failed ({code}): {out}")
        done.append("ran " + " ".join(cmd))
    return done


def uninstall_service(spec: ServiceSpec, runner: Runner = run_command) -> list[str]:
    """Stop and unload the service, then remove its file (only if fileorganizer wrote it)."""
    from fileorganizer import fsops
    from fileorganizer.operations import Identity

    if not spec.path.exists():
        return []
    if not _is_ours(spec.path):
        raise ServiceError(f"{spec.path} was not written by fileorganizer; not removing it")
    done = []
    for cmd in spec.uninstall_cmds:
        runner(cmd)  # "not loaded" / "not enabled" is not an error here
        done.append("ran " + " ".join(cmd))
    fsops.remove_if_unchanged(str(spec.path), Identity.of(spec.path))
    done.append(f"removed {spec.path}")
    for cmd in spec.after_remove_cmds:
        runner(cmd)
        done.append("ran " + " ".join(cmd))
    return done


def service_status(spec: ServiceSpec, runner: Runner = run_command) -> ServiceStatus:
    """Whether the service is installed and running."""
    installed = spec.path.exists()
    status = ServiceStatus(
        spec.kind, spec.path, installed, installed and _is_ours(spec.path), False
    )
    if not installed:
        return status
    results = []
    for cmd in spec.status_cmds:
        try:
            code, out = runner(cmd)
        except ServiceError as exc:
            status.details.append(str(exc))
            return status
        results.append(code)
        status.details.append(f"{' '.join(cmd)}: {out.splitlines()[0] if out else code}")
    status.active = bool(results) and results[-1] == 0
    return status
