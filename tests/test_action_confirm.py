"""The ``confirm`` action: ``run`` asks on a terminal while it plans; ``sim`` never asks;
without a terminal a run that confirms is refused before anything happens."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from history_support import app_paths

from fileorganizer import load_config_text
from fileorganizer.chains import Question
from fileorganizer.errors import ConfigError
from fileorganizer.session import SessionOptions, organize


def _rules(loc: Path, out: Path, confirm: str = "confirm: 'Move {name}?'") -> str:
    return (
        f"rules:\n  - name: careful\n    locations: {str(loc)!r}\n    actions:\n"
        f"      - {confirm}\n      - move: '{out}/'\n"
    )


def _run_on_a_terminal(args: list[str], answers: bytes, cwd: Path) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as stdin (and stderr, where it asks)."""
    master, slave = os.openpty()
    try:
        os.write(master, answers)
        proc = subprocess.Popen(
            [sys.executable, "-m", "fileorganizer", *args],
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=slave,
            cwd=cwd,
            env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
        )
        os.close(slave)
        slave = -1
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # (EIO: the other side is closed)
                break
            if not data:
                break
            chunks.append(data)
        out, _ = proc.communicate(timeout=120)
        text = out.decode() + b"".join(chunks).decode(errors="replace")
        return proc.returncode, re.sub(r"\x1b\[[0-9;]*m", "", text).replace("\r", "")
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)


def test_run_asks_on_the_terminal_and_acts_on_the_answers(
    tmp_path: Path, tree: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "1", "b.txt": "2"})
    rules = write_config(_rules(tmp_path / "in", tmp_path / "out"))
    code, output = _run_on_a_terminal(["run", "-c", str(rules)], b"y\nn\n", tmp_path)
    assert code == 0, output
    assert f"{tmp_path}/in/a.txt (rule careful): Move a?" in output
    assert f"{tmp_path}/in/b.txt (rule careful): Move b?" in output
    assert (tmp_path / "out" / "a.txt").exists()
    assert (tmp_path / "in" / "b.txt").exists()


def test_end_of_input_at_a_prompt_answers_no_and_changes_nothing(
    tmp_path: Path, tree: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "1", "b.txt": "2"})
    rules = write_config(_rules(tmp_path / "in", tmp_path / "out"))
    code, output = _run_on_a_terminal(["run", "-c", str(rules)], b"\x04", tmp_path)
    assert code == 130, output  # stopped, as after Ctrl-C
    assert "stopped at a question: nothing was changed" in output
    assert not (tmp_path / "out").exists()
    assert tree.flat(tmp_path / "in") == {"a.txt": b"1", "b.txt": b"2"}


def test_without_a_terminal_a_run_that_confirms_is_refused_before_anything(
    tmp_path: Path, tree: Any, run_cli: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "1"})
    rules = write_config(_rules(tmp_path / "in", tmp_path / "out"))
    proc = run_cli("run", "-c", rules)  # (stdin is not a terminal here)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "error: rule 'careful' asks before acting (confirm), but there is no terminal to ask "
        "on (cron, CI, a pipe): run it from a terminal, or remove the confirm action"
    )
    assert (tmp_path / "in" / "a.txt").exists() and not (tmp_path / "out").exists()
    proc = run_cli("watch", "-c", rules)
    assert proc.returncode == 2
    assert "which watch cannot do (it runs unattended)" in proc.stderr


@pytest.mark.parametrize("default", [True, False])
def test_sim_never_asks_and_shows_where_run_will(
    default: bool, tmp_path: Path, tree: Any, run_cli: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "1"})
    confirm = f"confirm: {{msg: 'Move {{name}}?', default: {str(default).lower()}}}"
    rules = write_config(_rules(tmp_path / "in", tmp_path / "out", confirm))
    proc = run_cli("sim", "-v", "-c", rules)
    assert proc.returncode == 0, proc.stderr
    said = "yes" if default else "no"
    assert f"echo confirm: Move a? (run asks here; sim assumes {said}, the default)" in proc.stdout
    if default:
        assert f"move {tmp_path}/in/a.txt -> {tmp_path}/out/a.txt" in proc.stdout
    else:
        assert f"leave {tmp_path}/in/a.txt: not confirmed: Move a?" in proc.stdout
        assert "move " not in proc.stdout


def test_the_library_asks_through_its_callable_and_refuses_without_one(
    tmp_path: Path, tree: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "1", "b.txt": "2"})
    config = load_config_text(_rules(tmp_path / "in", tmp_path / "out"))
    with pytest.raises(ConfigError, match="no terminal to ask on"):
        organize(config, SessionOptions(app_paths=app_paths()))
    asked: list[Question] = []

    def ask(q: Question) -> bool:
        asked.append(q)
        return q.path.endswith("b.txt")

    session = organize(config, SessionOptions(app_paths=app_paths(), ask=ask))
    assert session.ok
    assert [(os.path.basename(q.path), q.message, q.default, q.rule) for q in asked] == [
        ("a.txt", "Move a?", True, "careful"),
        ("b.txt", "Move b?", True, "careful"),
    ]
    assert tree.flat(tmp_path) == {"in/a.txt": b"1", "out/b.txt": b"2"}
