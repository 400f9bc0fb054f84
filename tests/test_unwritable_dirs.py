"""A data, log, history or trash folder the user cannot write: one line, exit 73.

Root ignores file modes, so the CLI runs as ``nobody`` (uid 65534) through
``setpriv``. It keeps CAP_DAC_READ_SEARCH only, so that it can read the test's
interpreter and folders wherever they are (here under /root), while every
write is checked against uid 65534 like any unprivileged user's. Read-only
file systems are tested as root, on a tmpfs remounted read-only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from fileorganizer.errors import UnwritableDirError
from fileorganizer.history import History
from fileorganizer.lock import RunLock
from fileorganizer.paths import StateDir, ensure_writable_dir

NOBODY = 65534
EXIT_CANTCREAT = 73
SETPRIV = [
    "setpriv",
    f"--reuid={NOBODY}",
    f"--regid={NOBODY}",
    "--clear-groups",
    "--inh-caps=+dac_read_search",
    "--ambient-caps=+dac_read_search",
]


def _can_drop_privileges() -> str | None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root to run the CLI as another user (root ignores file modes)"
    if shutil.which("setpriv") is None:
        return "needs setpriv (util-linux) to run the CLI as nobody"
    probe = subprocess.run(
        [*SETPRIV, sys.executable, "-c", "import os; print(os.getuid())"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0 or probe.stdout.strip() != str(NOBODY):
        return f"setpriv cannot drop to uid {NOBODY} here: {probe.stderr.strip()}"
    return None


_REASON = _can_drop_privileges()
needs_nobody = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")


def as_nobody(
    *args: str | os.PathLike[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    cmd = [*SETPRIV, sys.executable, "-m", "fileorganizer", *(os.fspath(a) for a in args)]
    return subprocess.run(
        cmd, env={**os.environ, **env}, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def dirs() -> Iterator[dict[str, Path]]:
    """Folders nobody can write (data, logs, trash, inbox), each of them made 0777.

    Not under ``tmp_path``, whose parents are root's alone (0700): ``access()``,
    which Click and the tool use to check a folder, ignores capabilities.
    """
    base = Path(tempfile.mkdtemp(prefix="fileorganizer-nobody-"))
    base.chmod(0o755)
    try:
        yield _make_dirs(base)
    finally:
        shutil.rmtree(base)


def _make_dirs(base: Path) -> dict[str, Path]:
    out = {name: base / name for name in ("data", "logs", "trash", "inbox")}
    for path in out.values():
        path.mkdir()
        path.chmod(0o777)
    (out["inbox"] / "notes.txt").write_text("hello")
    (out["inbox"] / "notes.txt").chmod(0o666)
    return out


def env_for(dirs: dict[str, Path]) -> dict[str, str]:
    return {
        "FILEORGANIZER_DATA_DIR": str(dirs["data"]),
        "FILEORGANIZER_LOG_DIR": str(dirs["logs"]),
        "FILEORGANIZER_TRASH_DIR": str(dirs["trash"]),
        "HOME": str(dirs["data"]),
    }


def assert_one_line_error(proc: subprocess.CompletedProcess[str], path: Path, kind: str) -> None:
    assert proc.returncode == EXIT_CANTCREAT, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert "internal error" not in line
    assert line.startswith("error: cannot write to the " + kind)
    assert str(path) in line
    assert f"user id {NOBODY}" in line
    assert "chown" in line and "FILEORGANIZER_" in line


@needs_nobody
def test_run_with_an_unwritable_data_folder_is_exit_73_and_touches_nothing(
    dirs: dict[str, Path],
) -> None:
    dirs["data"].chmod(0o755)  # root's, not nobody's
    proc = as_nobody("run", dirs["inbox"], env=env_for(dirs))
    assert_one_line_error(proc, dirs["data"], "data folder")
    assert sorted(p.name for p in dirs["inbox"].iterdir()) == ["notes.txt"]


@needs_nobody
def test_a_data_folder_that_cannot_be_created_says_how_to_create_it(
    dirs: dict[str, Path],
) -> None:
    dirs["data"].chmod(0o755)
    target = dirs["data"] / "sub" / "dir"
    env = {**env_for(dirs), "FILEORGANIZER_DATA_DIR": str(target)}
    proc = as_nobody("run", dirs["inbox"], env=env)
    assert_one_line_error(proc, target, "data folder")
    assert f"mkdir -p {target} && chown {NOBODY} {target}, as the owner of {dirs['data']}" in (
        proc.stderr
    )
    # never a recursive change of owner of a parent (it may be / or a home folder)
    assert "chown -R" not in proc.stderr


@needs_nobody
def test_a_missing_home_never_suggests_changing_the_owner_of_root(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "a.txt").write_text("x")
    inbox.chmod(0o777)
    # (as cron gives it: the tool's folders from a home that does not exist)
    env = {k: "" for k in os.environ if k.startswith(("FILEORGANIZER_", "XDG_"))}
    env.update(PATH="/usr/bin:/bin", HOME="/nonexistent")
    proc = as_nobody("run", inbox, env=env)
    assert proc.returncode == EXIT_CANTCREAT, proc.stderr
    assert "chown -R" not in proc.stderr, proc.stderr
    assert "mkdir -p /nonexistent/" in proc.stderr


@needs_nobody
def test_an_existing_lock_file_nobody_may_open_is_exit_73(dirs: dict[str, Path]) -> None:
    lock = dirs["data"] / "fileorganizer.lock"
    lock.write_text("")
    lock.chmod(0o644)  # root's
    proc = as_nobody("run", dirs["inbox"], env=env_for(dirs))
    assert_one_line_error(proc, lock, "data folder")


@needs_nobody
def test_history_and_sim_with_an_unwritable_history_folder(dirs: dict[str, Path]) -> None:
    dirs["data"].chmod(0o755)
    proc = as_nobody("history", env=env_for(dirs))
    assert_one_line_error(proc, dirs["data"], "history folder")
    assert "FILEORGANIZER_DB" in proc.stderr
    # a preview records nothing, so it needs no history
    proc = as_nobody("sim", dirs["inbox"], env=env_for(dirs))
    assert proc.returncode == 0, proc.stderr


@needs_nobody
def test_an_unwritable_trash_folder_stops_run_and_undo_before_they_start(
    dirs: dict[str, Path],
) -> None:
    dirs["trash"].chmod(0o755)
    env = env_for(dirs)
    proc = as_nobody("run", dirs["inbox"], env=env)
    assert_one_line_error(proc, dirs["trash"], "trash folder")
    assert "FILEORGANIZER_TRASH_DIR" in proc.stderr
    assert sorted(p.name for p in dirs["inbox"].iterdir()) == ["notes.txt"]
    proc = as_nobody("undo", env=env)
    assert_one_line_error(proc, dirs["trash"], "trash folder")
    # a preview needs no trash
    proc = as_nobody("sim", dirs["inbox"], env=env)
    assert proc.returncode == 0, proc.stderr


@needs_nobody
def test_watch_with_an_unwritable_log_folder_is_exit_73(dirs: dict[str, Path]) -> None:
    dirs["logs"].chmod(0o755)
    proc = as_nobody("watch", dirs["inbox"], env=env_for(dirs))
    assert_one_line_error(proc, dirs["logs"], "log folder")
    assert "FILEORGANIZER_LOG_DIR" in proc.stderr


@needs_nobody
def test_nobody_can_run_and_undo_when_the_folders_are_writable(dirs: dict[str, Path]) -> None:
    """The same set-up with nothing taken away works: the tests above fail for their reason."""
    env = env_for(dirs)
    (dirs["inbox"] / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00")
    (dirs["inbox"] / "photo.jpg").chmod(0o666)
    proc = as_nobody("run", dirs["inbox"], env=env)
    assert proc.returncode == 0, proc.stderr
    assert (dirs["inbox"] / "Images" / "photo.jpg").exists()
    proc = as_nobody("undo", env=env)
    assert proc.returncode == 0, proc.stderr
    assert (dirs["inbox"] / "photo.jpg").exists()


# -- read-only file systems (as root: modes do not matter, EROFS does) -----------


@pytest.fixture
def read_only(tmpfs: Callable[..., Path]) -> Path:
    where = tmpfs("1m", "readonly")
    (where / "existing").mkdir()
    proc = subprocess.run(
        ["mount", "-o", "remount,ro", str(where)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot remount a tmpfs read-only: {proc.stderr.strip()}")
    return where


def test_a_lock_on_a_read_only_file_system_is_unwritable_dir_error(read_only: Path) -> None:
    for folder in (read_only / "existing", read_only / "new" / "data"):
        with pytest.raises(UnwritableDirError) as info:
            RunLock(folder / "fileorganizer.lock").acquire()
        assert info.value.exit_code == EXIT_CANTCREAT
        assert info.value.path == str(folder)
        assert "read-only file system" in str(info.value)
        assert "mount a writable volume" in str(info.value)


def test_history_on_a_read_only_file_system_is_unwritable_dir_error(read_only: Path) -> None:
    with pytest.raises(UnwritableDirError) as info:
        History(read_only / "existing" / "history.sqlite")
    assert info.value.kind == StateDir.HISTORY.value


def test_ensure_writable_dir_without_create_makes_nothing(read_only: Path, tmp_path: Path) -> None:
    with pytest.raises(UnwritableDirError):
        ensure_writable_dir(read_only / "trash", StateDir.TRASH, create=False)
    target = tmp_path / "a" / "b"
    assert ensure_writable_dir(target, StateDir.TRASH, create=False) == target
    assert not (tmp_path / "a").exists()


def test_cli_run_on_a_read_only_data_folder(
    read_only: Path, tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("a")
    proc = run_cli("run", inbox, env={"FILEORGANIZER_DATA_DIR": str(read_only / "existing")})
    assert proc.returncode == EXIT_CANTCREAT, proc.stderr
    assert proc.stderr.count("\n") == 1 and "read-only file system" in proc.stderr
    assert "user id 0" in proc.stderr and "FILEORGANIZER_DATA_DIR" in proc.stderr


def test_a_read_only_trash_fails_each_file_it_would_take_with_the_same_message(
    tmpfs: Callable[..., Path],
) -> None:
    from fileorganizer import OpStatus, apply_plan, load_config_text, plan

    where = tmpfs("1m", "trash")
    inbox, trash = where / "inbox", where / "trash"
    inbox.mkdir()
    trash.mkdir()
    (inbox / "old.log").write_text("x")
    # the trash on the files' own device (so it is the one used), read-only
    for cmd in (["mount", "--bind", trash, trash], ["mount", "-o", "remount,bind,ro", trash]):
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            pytest.skip(f"cannot make a read-only bind mount: {proc.stderr.strip()}")
    try:
        config = load_config_text(f"rules:\n  - locations: {inbox}\n    actions:\n      - trash\n")
        result = apply_plan(plan(config), trash_dir=trash)
    finally:
        subprocess.run(["umount", trash], capture_output=True, check=False)
    failed = [r for r in result.results if r.status is OpStatus.FAILED]
    assert len(failed) == 1 and (inbox / "old.log").read_text() == "x"
    assert f"cannot write to the trash folder {trash} as user id 0" in (failed[0].error or "")
    assert "read-only file system" in (failed[0].error or "")
