"""What the CLI prints on a terminal: colour only when wanted, one line per file."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path


def _run_on_tty(args: list[str], env: dict[str, str]) -> str:
    """Run the CLI with stdout and stderr on a pseudo-terminal; return what it wrote."""
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "fileorganizer", *args],
        stdout=child,
        stderr=child,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(
        FILEORGANIZER_DATA_DIR=str(tmp_path / "data"),
        FILEORGANIZER_CONFIG_DIR=str(tmp_path / "cfg"),
        XDG_DATA_HOME=str(tmp_path / "xdg"),
        TERM="xterm-256color",
    )
    env.update(extra)
    return env


def _tree(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"f{i}.txt").write_text("x")
    return src


def test_terminal_output_is_coloured_one_line_per_file(tmp_path: Path) -> None:
    src = _tree(tmp_path)
    out = _run_on_tty(["run", "-v", str(src)], _env(tmp_path))
    lines = [line for line in out.splitlines() if "->" in line]
    assert len(lines) == 3
    assert all("\x1b[32mmove\x1b[0m" in line for line in lines)
    assert "done: 3 applied" in out


def test_no_color_on_a_terminal_means_no_escape_codes_in_file_lines(tmp_path: Path) -> None:
    src = _tree(tmp_path)
    out = _run_on_tty(["run", "-v", str(src)], _env(tmp_path, NO_COLOR="1"))
    lines = [line for line in out.splitlines() if "->" in line]
    assert len(lines) == 3
    assert not any("\x1b[3" in line for line in lines)
