"""``watch --default-folder``: the container image's default command, with and without rules."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fileorganizer.paths import resolve_paths

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "formats"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def wait_for(cond: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def put_photo(folder: Path, name: str = "photo.jpg") -> None:
    source = CORPUS / "jpeg.jpg"
    if source.exists():
        shutil.copyfile(source, folder / name)
    else:
        (folder / name).write_bytes(JPEG)


def start(*args: str | Path) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "fileorganizer", "watch", *map(str, args)]
    cmd += ["--stable-seconds", "0.2", "--heartbeat-interval", "0.2"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    try:
        _out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    return proc.returncode, err


def test_with_no_rules_file_the_default_folder_is_sorted_with_the_builtin_rules(
    tmp_path: Path,
) -> None:
    files = tmp_path / "files"
    files.mkdir()
    put_photo(files, "before.jpg")  # there at start: the catch-up pass
    proc = start("--default-folder", files)
    try:
        wait_for((files / "Images" / "before.jpg").exists, what="the catch-up pass")
        put_photo(files, "after.jpg")  # arrives while watching
        wait_for((files / "Images" / "after.jpg").exists, what="the new file to be moved")
    finally:
        code, err = stop(proc)
    assert code == 0, err
    assert f"no rules file at {resolve_paths().config_file}" in err
    assert f"built-in rules over {files}" in err


def test_a_rules_file_wins_over_the_default_folder(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    inbox, files, out = tmp_path / "inbox", tmp_path / "files", tmp_path / "out"
    for folder in (inbox, files, out):
        folder.mkdir()
    cfg = write_config(f"rules:\n  - locations: {inbox}\n    actions:\n      - move: {out}/\n")
    put_photo(files)
    put_photo(inbox)
    proc = start("-c", cfg, "--default-folder", files)
    try:
        wait_for((out / "photo.jpg").exists, what="the rules to run")
    finally:
        code, err = stop(proc)
    assert code == 0, err
    assert (files / "photo.jpg").exists() and not (files / "Images").exists()


def test_with_no_rules_file_and_no_folder_watch_says_what_to_mount(
    run_cli: Callable[..., Any],
) -> None:
    proc = run_cli("watch")
    assert proc.returncode == 2
    assert f"looked for {resolve_paths().config_file}" in proc.stderr
    assert "FILEORGANIZER_CONFIG" in proc.stderr
