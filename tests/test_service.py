"""``service install|uninstall|status``: the unit/plist written, and the commands run."""

from __future__ import annotations

import os
import plistlib
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from fileorganizer.service import (
    LAUNCHD_LABEL,
    UNIT_NAME,
    ServiceError,
    install_service,
    service_spec,
    service_status,
    uninstall_service,
    watch_argv,
)


class FakeRunner:
    def __init__(self, code: int = 0) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.code = code

    def __call__(self, argv: Sequence[str]) -> tuple[int, str]:
        self.calls.append(tuple(argv))
        return self.code, "active"


def test_systemd_unit_runs_the_watcher_and_restarts_it_on_failure(tmp_path: Path) -> None:
    argv = watch_argv(config=tmp_path / "my rules.yaml", polling=True, python="/opt/py/bin/python")
    spec = service_spec(
        argv, platform="linux", home=tmp_path, env={"FILEORGANIZER_DATA_DIR": "/d 1"}
    )
    assert spec.path == tmp_path / ".config" / "systemd" / "user" / UNIT_NAME
    assert (
        f'ExecStart=/opt/py/bin/python -m fileorganizer watch --config "{tmp_path}/my rules.yaml"'
        " --polling" in spec.content
    )
    assert 'Environment="FILEORGANIZER_DATA_DIR=/d 1"' in spec.content
    assert "Restart=on-failure" in spec.content and "WantedBy=default.target" in spec.content
    assert spec.install_cmds[-1] == ("systemctl", "--user", "enable", "--now", UNIT_NAME)


def test_launchd_plist_is_valid_and_starts_at_login(tmp_path: Path) -> None:
    argv = watch_argv(python="/usr/bin/python3", log_stderr=False)
    spec = service_spec(argv, platform="darwin", home=tmp_path, env={}, uid=501)
    assert spec.path == tmp_path / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"
    data = plistlib.loads(spec.content.encode())
    assert data["Label"] == LAUNCHD_LABEL and data["RunAtLoad"] is True
    assert data["ProgramArguments"][-2:] == ["watch", "--no-log-stderr"]
    assert spec.install_cmds == (("launchctl", "bootstrap", "gui/501", str(spec.path)),)


def test_install_writes_the_unit_and_enables_it_then_uninstall_removes_it(
    tmp_path: Path,
) -> None:
    spec = service_spec(watch_argv(), platform="linux", home=tmp_path, env={})
    runner = FakeRunner()
    done = install_service(spec, runner)
    assert spec.path.read_text() == spec.content
    assert runner.calls == list(spec.install_cmds)
    assert done[0] == f"wrote {spec.path}"
    st = service_status(spec, runner)
    assert st.installed and st.ours and st.active
    runner.calls.clear()
    uninstall_service(spec, runner)
    assert not spec.path.exists()
    assert runner.calls[0] == ("systemctl", "--user", "disable", "--now", UNIT_NAME)
    assert not service_status(spec, runner).installed
    assert uninstall_service(spec, runner) == []


def test_a_unit_file_fileorganizer_did_not_write_is_never_replaced_or_removed(
    tmp_path: Path,
) -> None:
    spec = service_spec(watch_argv(), platform="linux", home=tmp_path, env={})
    spec.path.parent.mkdir(parents=True)
    spec.path.write_text("[Service]\nExecStart=/bin/mine\n")
    with pytest.raises(ServiceError, match="not written by fileorganizer"):
        install_service(spec, FakeRunner())
    with pytest.raises(ServiceError, match="not written by fileorganizer"):
        uninstall_service(spec, FakeRunner())
    assert spec.path.read_text() == "[Service]\nExecStart=/bin/mine\n"


def test_a_failing_systemctl_is_an_error(tmp_path: Path) -> None:
    spec = service_spec(watch_argv(), platform="linux", home=tmp_path, env={})
    with pytest.raises(ServiceError, match="failed"):
        install_service(spec, FakeRunner(code=1))


def test_unsupported_platform_is_an_error() -> None:
    with pytest.raises(ServiceError, match="not supported"):
        service_spec(watch_argv(), platform="win32", home=Path("/h"), env={})


def _fake_systemctl(bin_dir: Path, log: Path) -> None:
    bin_dir.mkdir()
    script = bin_dir / "systemctl"
    script.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\necho active\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


@pytest.mark.skipif(os.uname().sysname != "Linux", reason="systemd unit on Linux")
def test_cli_service_install_dry_run_prints_the_unit_and_writes_nothing(
    tmp_path: Path, run_cli: Callable[..., Any], write_config: Callable[..., Path]
) -> None:
    cfg = write_config("rules:\n  - locations: /tmp\n    actions:\n      - echo: hi\n")
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    proc = run_cli("service", "install", "--dry-run", "-c", cfg, env=env)
    assert proc.returncode == 0, proc.stderr
    unit = tmp_path / "cfg" / "systemd" / "user" / UNIT_NAME
    assert f"would write {unit}" in proc.stdout
    assert f"watch --config {cfg}" in proc.stdout
    assert "would run: systemctl --user enable --now" in proc.stdout
    assert not unit.exists()


@pytest.mark.skipif(os.uname().sysname != "Linux", reason="systemd unit on Linux")
def test_cli_service_install_status_uninstall_with_systemctl(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    log = tmp_path / "systemctl.log"
    _fake_systemctl(tmp_path / "bin", log)
    env = {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}",
    }
    unit = tmp_path / "cfg" / "systemd" / "user" / UNIT_NAME
    proc = run_cli("service", "install", env=env)
    assert proc.returncode == 0, proc.stderr
    assert unit.exists() and "fileorganizer watch" in unit.read_text()
    assert "--user enable --now fileorganizer-watch.service" in log.read_text()
    proc = run_cli("service", "status", env=env)
    assert proc.returncode == 0 and "running" in proc.stdout
    proc = run_cli("service", "uninstall", "--dry-run", env=env)
    assert proc.returncode == 0 and f"would remove {unit}" in proc.stdout and unit.exists()
    proc = run_cli("service", "uninstall", env=env)
    assert proc.returncode == 0, proc.stderr
    assert not unit.exists()
    proc = run_cli("service", "status", env=env)
    assert proc.returncode == 1 and "not installed" in proc.stdout
