"""Help shows flags as flags; each user-fixable problem is one line with its exit code."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest


def all_command_paths() -> list[str]:
    """Every command as ``main`` runs it: ``""`` (the app), ``run``, ``config path``, ..."""
    from fileorganizer.cli import build_command

    found = [""]

    def walk(group: Any, prefix: str) -> None:
        for name, cmd in group.commands.items():
            path = f"{prefix} {name}".strip()
            found.append(path)
            if isinstance(getattr(cmd, "commands", None), dict):
                walk(cmd, path)

    walk(build_command(), "")
    return found


@pytest.mark.parametrize("command", all_command_paths())
def test_help_shows_boolean_flags_without_a_type(
    command: str, cli_main: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    r = cli_main(*command.split(), "--help")
    assert r.code == 0, r.err
    assert "<bool>" not in r.out
    flag_lines = [line for line in r.out.splitlines() if "--help" in line]
    assert flag_lines and "Show this message" in flag_lines[0]


def test_a_value_after_a_flag_is_blamed_on_the_command_line(tmp_path: Path, cli_main: Any) -> None:
    (tmp_path / "Downloads").mkdir()
    r = cli_main("sim", "--quiet", "true", str(tmp_path / "Downloads"))
    assert r.code == 2
    assert r.err.strip() == (
        "error: folder given on the command line does not exist: true "
        "(a flag takes no value: leave out 'true')"
    )
    assert "rule" not in r.err


@pytest.mark.parametrize("command", ["run", "sim", "watch"])
def test_a_missing_folder_is_blamed_on_the_command_line(
    command: str, tmp_path: Path, cli_main: Any
) -> None:
    r = cli_main(command, str(tmp_path / "nope"))
    assert r.code == 2
    assert (
        r.err.strip() == f"error: folder given on the command line does not exist: {tmp_path}/nope"
    )
    (tmp_path / "file.txt").write_text("x")
    r = cli_main(command, str(tmp_path / "file.txt"))
    assert r.code == 2 and "folder given on the command line is not a folder" in r.err


@pytest.mark.parametrize("command", ["run", "sim"])
def test_a_missing_rules_file_is_called_a_rules_file(
    command: str, tmp_path: Path, cli_main: Any
) -> None:
    r = cli_main(command, str(tmp_path / "nope.yaml"))
    assert r.code == 2
    assert r.err.strip() == (
        f"error: rules file given on the command line does not exist: {tmp_path}/nope.yaml"
    )


def test_explain_blames_the_command_line_for_a_missing_file(tmp_path: Path, cli_main: Any) -> None:
    r = cli_main("explain", str(tmp_path / "ghost.txt"))
    assert r.code == 2
    assert (
        r.err.strip()
        == f"error: file given on the command line does not exist: {tmp_path}/ghost.txt"
    )


def test_a_missing_editor_is_one_line_and_exit_2(cli_main: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", "nonexistent-editor")
    for args in (("config", "edit"), ("--debug", "config", "edit")):
        r = cli_main(*args)
        assert r.code == 2
        [line] = r.err.splitlines()
        assert line.startswith("error: cannot start the editor $EDITOR='nonexistent-editor'")
        assert "set $VISUAL or $EDITOR" in line and "internal error" not in line


@pytest.fixture
def corrupt_history(isolated_env: Any) -> Path:
    db = isolated_env.data_dir / "history.sqlite"
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(b"this is not a database, it is a text file that someone put here\n" * 20)
    return db


@pytest.mark.parametrize(
    "args", [("run", "IN"), ("history",), ("history", "show", "1"), ("undo",), ("undo", "3")]
)
def test_a_corrupt_history_is_one_line_naming_the_file_and_the_way_out(
    args: tuple[str, ...], corrupt_history: Path, tmp_path: Path, run_cli: Any
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("a")
    argv = [str(tmp_path / "in") if a == "IN" else a for a in args]
    r = run_cli(*argv)
    assert r.returncode == 2
    [line] = r.stderr.splitlines()
    assert line == (
        f"error: the history database {corrupt_history} cannot be read (file is not a "
        f"database); move it aside with 'mv {corrupt_history} {corrupt_history}.broken' and "
        "run again (a new, empty history is started)"
    )
    assert "sqlalche.me" not in r.stderr and "--debug" not in r.stderr
    assert (tmp_path / "in" / "a.txt").exists()  # nothing was touched


def test_moving_the_corrupt_history_aside_as_told_works(
    corrupt_history: Path, tmp_path: Path, run_cli: Any
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("a")
    os.rename(corrupt_history, f"{corrupt_history}.broken")
    r = run_cli("run", tmp_path / "in")
    assert r.returncode == 0, r.stderr


@pytest.mark.root
def test_a_full_disk_for_the_history_is_one_line_and_exit_74(
    tmpfs: Any, tmp_path: Path, run_cli: Any, tree: Any
) -> None:
    data = tmpfs(size="120k", name="data")
    tree.make(tmp_path / "in", {f"f{i:04d}.txt": "" for i in range(3000)})
    before = tree.read(tmp_path / "in")
    r = run_cli("run", tmp_path / "in", env={"FILEORGANIZER_DATA_DIR": str(data)})
    assert r.returncode == 74, r.stderr
    [line] = r.stderr.splitlines()
    assert line.startswith(f"error: no space left for the history database {data}/history.sqlite")
    assert "free some space" in line and "Traceback" not in r.stderr
    # journal first: what the history could not record was not done
    assert tree.read(tmp_path / "in") == before


def test_debug_shows_the_traceback_and_does_not_suggest_debug(
    cli_main: Any, monkeypatch: Any, capsys: Any
) -> None:
    from fileorganizer.cli import config_cmd

    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(config_cmd, "find_config_path", broken)
    r = cli_main("config", "path")
    assert r.code == 70
    assert r.err.strip() == "internal error: RuntimeError: a bug (run with --debug for a traceback)"
    r = cli_main("--debug", "config", "path")
    assert r.code == 70
    assert "Traceback (most recent call last)" in r.err and "RuntimeError: a bug" in r.err
    assert "--debug" not in r.err


def test_sim_and_check_work_with_a_corrupt_history(
    corrupt_history: Path, tmp_path: Path, run_cli: Any
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("a")
    sim = run_cli("sim", tmp_path / "in")
    assert sim.returncode == 0, sim.stderr
    assert "sim: 1 operation(s) planned" in sim.stdout
    assert run_cli("check").returncode == 0
    assert (tmp_path / "in" / "a.txt").exists()


def test_status_takes_db_url_like_every_command_and_masks_it(cli_main: Any) -> None:
    r = cli_main(
        "status", "--format", "json", "--db-url", "postgresql+psycopg://fo:secret@db.example/fo"
    )
    assert r.code == 1  # no watcher running here
    assert json.loads(r.out)["history"] == "postgresql+psycopg://fo:***@db.example/fo"


@pytest.mark.parametrize(
    "args",
    [("history",), ("history", "show", "1"), ("undo",), ("history", "prune", "--older-than", "1")],
)
def test_a_mistyped_db_path_is_an_error_for_commands_that_only_read_or_undo(
    args: tuple[str, ...], tmp_path: Path, cli_main: Any
) -> None:
    missing = tmp_path / "typo" / "history.sqlite"
    r = cli_main(*args, "--db", str(missing))
    assert r.code == 2
    assert f"no history at {missing}" in r.err
    assert not missing.parent.exists()  # nothing created
