"""The shared history through the CLI: --db-url, no local files, masked secrets, clear errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from history_support import open_history
from sqlalchemy import func, select

from fileorganizer.history.models import hash_cache
from fileorganizer.paths import resolve_paths

pytestmark = pytest.mark.postgres


def _local_state(root: Path) -> list[str]:
    """Files the tool wrote under its own folders (its history and lock would be here)."""
    return sorted(str(Path(d, f).relative_to(root)) for d, _, fs in os.walk(root) for f in fs if f)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_with_a_database_url_no_local_sqlite_history_or_lock_is_created(
    tmp_path: Path, tree: Any, run_cli: Any, write_config: Any, isolated_env: Any, backend: str
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "same", "b.txt": "same", "c.log": "other"})
    cfg = write_config(
        f'rules:\n  - locations: "{tmp_path}/in"\n    filters: [hash]\n'
        f'    actions: [{{move: "{tmp_path}/out/{{hash[:8]}}/"}}]\n'
    )
    for args in (
        ["sim", "-c", cfg],  # the hash filter reads and writes the hash cache
        ["run", "-c", cfg],
        ["history"],
        ["history", "show", "1", "--format", "json"],
        ["dupes", tmp_path / "out"],
        ["undo"],
        ["status"],
    ):
        proc = run_cli(*args)
        assert proc.returncode in (0, 1), (args, proc.stderr)
    assert (tmp_path / "in" / "a.txt").read_text() == "same"  # undone
    # a watcher too, for a moment (a new file: the ones undo put back wait until they change)
    (tmp_path / "in" / "d.txt").write_text("new")
    env = dict(os.environ, NO_COLOR="1")
    watcher = subprocess.Popen(
        [sys.executable, "-m", "fileorganizer", "watch", "-c", str(cfg), "--stable-seconds", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not (tmp_path / "out").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    watcher.send_signal(signal.SIGTERM)
    _out, err = watcher.communicate(timeout=30)
    assert watcher.returncode == 0, err
    assert (tmp_path / "out").exists()
    state = _local_state(isolated_env.root)
    assert not [f for f in state if "sqlite" in f or f.endswith(".lock")], state
    assert not resolve_paths().db_path.exists()
    with open_history() as h:
        modes = [r.mode.value for r in h.runs(None)]
        with h.transaction() as conn:
            cached = conn.execute(select(func.count()).select_from(hash_cache)).scalar_one()
    assert "run" in modes and "undo" in modes and "watch" in modes
    assert cached >= 3  # every file's digest, kept on the server


def test_db_url_option_and_db_precedence(
    tmp_path: Path, tree: Any, run_cli: Any, write_config: Any, pg_url: str
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "A"})
    cfg = write_config(
        f'rules:\n  - locations: "{tmp_path}/in"\n    actions: [{{move: "{tmp_path}/out/"}}]\n'
    )
    assert run_cli("run", "-c", cfg, "--db-url", pg_url).returncode == 0
    shown = run_cli("history", "--db-url", pg_url, "--format", "json")
    (run,) = json.loads(shown.stdout)["runs"]
    assert run["host"] and run["pid"] and run["locks"]
    # --db (a SQLite file) wins over the environment's URL
    local = tmp_path / "local.sqlite"
    env = {"FILEORGANIZER_DATABASE_URL": pg_url}
    missing = run_cli("history", "--db", local, "--format", "json", env=env)
    assert missing.returncode == 2 and "no history at" in missing.stderr  # (not created)
    from fileorganizer.history import History

    History(local).close()  # an empty local history
    empty = run_cli("history", "--db", local, "--format", "json", env=env)
    assert empty.returncode == 0 and json.loads(empty.stdout)["runs"] == []
    # a sqlite:/// URL names a file, as --db does
    as_url = run_cli("history", "--db-url", f"sqlite:///{local}", "--format", "json")
    assert as_url.returncode == 0 and json.loads(as_url.stdout)["runs"] == []
    both = run_cli("history", "--db", local, "--db-url", pg_url)
    assert both.returncode == 2 and "not both" in both.stderr
    assert run_cli("undo", "--db-url", pg_url).returncode == 0
    assert (tmp_path / "in" / "a.txt").exists()


def _one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error:") and "internal error" not in lines[0], lines
    return lines[0]


def test_unreachable_server_bad_url_and_wrong_scheme_are_one_line_errors(
    tmp_path: Path, run_cli: Any
) -> None:
    secret = "s3cr3t-pw"
    nowhere = f"postgresql+psycopg://fo:{secret}@/fo?host={tmp_path}/no-server"
    for url, expect in (
        (nowhere, "cannot use the history database postgresql+psycopg://fo:***@/fo"),
        ("postgresql+psycopg://fo:pw@localhost:99999999/x", "invalid port number"),
        ("not a url at all", "bad database URL"),
        (f"mysql://root:{secret}@db/x", "'mysql' is not supported"),
        ("postgresql+psycopg2://u@h/x", "use postgresql+psycopg://"),
        ("sqlite://", "names no SQLite file"),
    ):
        forms: list[list[Any]] = [["history"]]
        if url in (nowhere, "not a url at all"):
            forms.append(["run", tmp_path, "--db-url", url])
        for args in forms:
            env = {"FILEORGANIZER_DATABASE_URL": url} if args == ["history"] else None
            proc = run_cli(*args, env=env)
            assert proc.returncode == 2, (url, proc.stderr)
            line = _one_line_error(proc)
            assert expect in line, (url, line)
            assert secret not in proc.stderr + proc.stdout


def test_a_password_is_masked_in_status_and_in_the_watch_log(
    tmp_path: Path, run_cli: Any, pg_url: str, isolated_env: Any
) -> None:
    secret = "hunter2-secret"
    # the test server trusts local connections, so any password gets in
    url = pg_url.replace("postgres@", f"postgres:{secret}@", 1)
    assert secret in url
    status = run_cli("status", "--format", "json", env={"FILEORGANIZER_DATABASE_URL": url})
    assert secret not in status.stdout + status.stderr
    assert json.loads(status.stdout)["history"] == url.replace(secret, "***")
    (tmp_path / "w").mkdir()
    env = dict(os.environ, NO_COLOR="1", FILEORGANIZER_DATABASE_URL=url)
    watcher = subprocess.Popen(
        [sys.executable, "-m", "fileorganizer", "watch", str(tmp_path / "w")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    log = isolated_env.log_dir / "fileorganizer.log"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "started" not in (
        log.read_text() if log.exists() else ""
    ):
        time.sleep(0.1)
    watcher.send_signal(signal.SIGTERM)
    out, err = watcher.communicate(timeout=30)
    assert watcher.returncode == 0, err
    text = log.read_text()
    assert "history postgresql+psycopg://postgres:***@" in text
    assert secret not in text + out + err


def test_a_missing_driver_says_which_extra_to_install(
    cli_main: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it were not installed
    r = cli_main("history", "--db-url", f"postgresql+psycopg://u@/db?host={tmp_path}")
    assert r.code == 2
    assert "pip install 'fileorganizer[postgres]'" in r.err and "internal error" not in r.err
