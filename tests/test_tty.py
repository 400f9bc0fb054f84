"""What a person sees in a real 80-column terminal (a pseudo-terminal): run, history, progress."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pyte
import pytest

WIDTH = 80
#: CSI sequences (colours, cursor moves, erase) and OSC sequences
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>]")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env.update(
        FILEORGANIZER_DATA_DIR=str(tmp_path / "data"),
        FILEORGANIZER_CONFIG_DIR=str(tmp_path / "cfg"),
        XDG_DATA_HOME=str(tmp_path / "xdg"),
        TERM="xterm-256color",
    )
    return env


def on_tty(args: list[str], env: dict[str, str], width: int = WIDTH) -> str:
    """Run the CLI with stdout and stderr on a ``width``-column pseudo-terminal."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, width, 0, 0))
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
        except OSError:  # EIO: the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(main)
    assert proc.returncode == 0, b"".join(chunks).decode("utf-8", "replace")
    return b"".join(chunks).decode("utf-8", "replace")


def screen_lines(raw: str, width: int = WIDTH) -> list[str]:
    """The screen a person is left with (a VT100 emulator replays the output), non-blank lines."""
    screen = pyte.Screen(width, 200)
    stream = pyte.Stream(screen)
    stream.feed(raw)
    return [line.rstrip() for line in screen.display if line.strip()]


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """Enough files for the executor to report progress (after each batch)."""
    folder = tmp_path / "Downloads"
    folder.mkdir()
    for i in range(300):
        (folder / f"note {i:04d}.txt").write_text("x" * (i % 7))
    for i in range(30):
        (folder / f"photo {i:02d}.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 100)
    return folder


def test_run_on_a_terminal_shows_progress_then_the_summary(tmp_path: Path, inbox: Path) -> None:
    raw = on_tty(["run", str(inbox)], _env(tmp_path))
    # the live progress display was drawn (and, being transient, erased again)
    assert re.search(r"(scanning and planning|applying) .*━", ANSI.sub("", raw))
    assert "\x1b[2K" in raw or "\x1b[1A" in raw  # it redrew or erased its lines
    lines = screen_lines(raw)
    assert not any("applying" in line or "scanning" in line for line in lines)  # erased
    at = next(i for i, line in enumerate(lines) if line.startswith("destination"))
    assert "".join(lines[:at]) == f"folders in {inbox}/"  # a long path wraps, uncut
    rows = {line.split()[0]: line.split()[1] for line in lines[at : at + 3]}
    assert rows == {"destination": "files", "Documents": "300", "Images": "30"}
    assert re.fullmatch(r"done: 330 applied \([\d.]+ kB\) in [\d.]+ s", lines[-2])
    assert lines[-1] == "run 1: undo with 'fileorganizer undo 1'"
    assert not any(line.startswith("move ") for line in lines)  # no line per file


def test_no_progress_display_when_piped(tmp_path: Path, inbox: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "fileorganizer", "run", str(inbox)],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout + proc.stderr
    assert "scanning" not in proc.stderr and "applying" not in proc.stderr
    assert proc.stdout.splitlines()[-2].startswith("done: 330 applied")


@pytest.mark.slow  # four CLI processes
def test_history_fits_80_columns_on_a_terminal(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "a.txt").write_text("a")
    env = _env(tmp_path)
    on_tty(["run", str(inbox)], env)
    on_tty(["sim", str(inbox)], env)  # (not recorded)
    on_tty(["undo"], env)
    raw = on_tty(["history"], env)
    lines = screen_lines(raw)
    # no line was wider than the terminal: the emulator's lines are the printed ones
    printed = [ln for ln in ANSI.sub("", raw).splitlines() if ln.strip()]
    assert max(len(ln) for ln in printed) <= WIDTH and len(lines) == len(printed)
    assert "…" not in raw
    assert lines[0].split()[:4] == ["id", "started", "mode", "status"]
    by_id = {line.split()[0]: line for line in lines[1:]}
    assert set(by_id) == {"1", "2"}
    assert " undo of 1 " in by_id["2"] and " ok " in by_id["2"]
    assert re.search(r" \d{4}-\d\d-\d\d \d\d:\d\d:\d\d  run ", by_id["1"])
