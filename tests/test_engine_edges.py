"""The five edges where preview, history and undo used to disagree with the disk.

Each through the CLI in real subprocesses: a file where a folder is needed, a
chained run's undo --dry-run against its undo, SIGINT during a large run, the
watcher and an undo, and a cross-device move whose source cannot be removed.
The chained undo, a signal during a run, the watcher and an undo, and a run
after an undo also run on PostgreSQL (the ``backend`` fixture).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import read_tree
from history_support import open_history

from fileorganizer.history import History

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "formats"


def _moves(ops: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    return [(o["kind"], o["src"], o["dst"]) for o in ops]


def _json(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert proc.stdout, proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def _corpus_or_make(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if CORPUS.is_dir():
        for name in ("jpeg.jpg", "png-transparent.png", "pdf.pdf"):
            shutil.copy(CORPUS / name, folder / name)
    else:  # the sdist's tests run without ../shared
        (folder / "jpeg.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\0" * 40)
        (folder / "png-transparent.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
        (folder / "pdf.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")


# -- 1. a file where a folder is needed -------------------------------------------


@pytest.mark.parametrize(
    ("content", "images_in"),
    [
        # a file of unknown kind stays put: the images go to the next free folder name
        (b"\x00\x01\x02\x03binary junk\xff\xfe", "Images 2"),
        # a text file is sorted first (natural order), so Images/ is free by then
        (b"a plain file that happens to be called Images\n", "Images"),
    ],
)
def test_a_file_named_like_a_kind_folder_is_planned_around_and_run_does_exactly_that(
    tmp_path: Path, run_cli: Any, content: bytes, images_in: str
) -> None:
    folder = tmp_path / "dl"
    _corpus_or_make(folder)
    (folder / "Images").write_bytes(content)
    sim = run_cli("sim", folder, "--format", "json")
    assert sim.returncode == 0, sim.stderr
    planned = _moves(_json(sim)["operations"])
    run = run_cli("run", folder, "--format", "json")
    assert run.returncode == 0, run.stderr
    assert _moves(_json(run)["operations"]) == planned
    assert all(o["status"] == "done" for o in _json(run)["operations"])
    assert (folder / images_in / "jpeg.jpg").is_file()
    assert (folder / images_in / "png-transparent.png").is_file()
    blocker = folder / "Images" if images_in != "Images" else folder / "Documents" / "Images"
    assert blocker.read_bytes() == content
    assert run_cli("undo").returncode == 0
    assert sorted(os.listdir(folder)) == ["Images", "jpeg.jpg", "pdf.pdf", "png-transparent.png"]


@pytest.mark.parametrize(
    ("mode", "expect"),
    [
        ("rename_new", {"Images": b"file", "Images 2": {"a.jpg": b"A"}}),
        ("rename_existing", {"Images": {"a.jpg": b"A"}, "Images 2": b"file"}),
        ("overwrite", {"Images": b"file", "Images 2": {"a.jpg": b"A"}}),
        ("skip", {"Images": b"file", "a.jpg": b"A"}),
    ],
)
def test_each_conflict_mode_resolves_a_file_in_the_way_of_a_folder(
    tmp_path: Path, run_cli: Any, write_config: Any, mode: str, expect: dict[str, Any]
) -> None:
    (tmp_path / "Images").write_bytes(b"file")
    (tmp_path / "a.jpg").write_bytes(b"A")
    cfg = write_config(
        f'rules:\n  - locations: "{tmp_path}"\n    filters: [{{extension: jpg}}]\n'
        f'    actions: [{{move: {{dest: "Images/", on_conflict: {mode}}}}}]\n'
    )
    sim = run_cli("sim", "-c", cfg, "--format", "json")
    run = run_cli("run", "-c", cfg, "--format", "json")
    assert run.returncode == 0, run.stderr
    assert _moves(_json(run)["operations"]) == _moves(_json(sim)["operations"])
    assert read_tree(tmp_path) == expect
    if mode == "skip":
        (skip,) = _json(sim)["skips"]
        assert "is a file where a folder is needed" in skip["reason"]


def test_a_destination_through_a_symlinked_folder_is_refused_in_the_plan(
    tmp_path: Path, run_cli: Any, write_config: Any
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    loc = tmp_path / "loc"
    loc.mkdir()
    (loc / "Images").symlink_to(outside)
    (loc / "a.jpg").write_bytes(b"A")
    cfg = write_config(
        f'rules:\n  - locations: "{loc}"\n    filters: [{{extension: jpg}}]\n'
        f'    actions: [{{move: "Images/"}}]\n'
    )
    sim = run_cli("sim", "-c", cfg)
    assert sim.returncode == 1
    assert "symlinked folder" in sim.stderr and "refused" in sim.stderr
    run = run_cli("run", "-c", cfg)
    assert run.returncode == 1 and "symlinked folder" in run.stderr
    assert (loc / "a.jpg").read_bytes() == b"A" and os.listdir(outside) == []


def test_a_symlink_the_user_named_in_an_absolute_destination_is_followed(
    tmp_path: Path, run_cli: Any, write_config: Any
) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "named").symlink_to(real)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jpg").write_bytes(b"A")
    cfg = write_config(
        f'rules:\n  - locations: "{tmp_path}/in"\n'
        f'    actions: [{{move: "{tmp_path}/named/{{extension}}/"}}]\n'
    )
    assert run_cli("run", "-c", cfg).returncode == 0
    assert (real / "jpg" / "a.jpg").read_bytes() == b"A"


# -- symlinks found in a location -------------------------------------------------


def test_symlinks_in_a_location_are_left_alone_unless_the_location_opts_in(
    tmp_path: Path, run_cli: Any, write_config: Any
) -> None:
    loc = tmp_path / "loc"
    loc.mkdir()
    (tmp_path / "target.txt").write_text("t")
    (loc / "link.txt").symlink_to(tmp_path / "target.txt")
    (loc / "file.txt").write_text("f")
    plain = write_config(f'rules:\n  - locations: "{loc}"\n    actions: [{{move: "out/"}}]\n')
    assert run_cli("run", "-c", plain).returncode == 0
    assert os.path.islink(loc / "link.txt") and (loc / "out" / "file.txt").exists()
    opted = write_config(
        f'rules:\n  - locations: [{{path: "{loc}", include_symlinks: true}}]\n'
        f'    actions: [{{move: "links/"}}]\n',
        name="opted.yaml",
    )
    assert run_cli("run", "-c", opted).returncode == 0
    # the link itself moved (still pointing at the same target), not what it points to
    assert os.readlink(loc / "links" / "link.txt") == str(tmp_path / "target.txt")
    assert (tmp_path / "target.txt").read_text() == "t"


def test_rename_without_counter_in_rename_template_is_a_check_error(
    tmp_path: Path, run_cli: Any, write_config: Any
) -> None:
    cfg = write_config(
        f'rules:\n  - locations: "{tmp_path}"\n'
        '    actions: [{rename: {new_name: "x.txt", rename_template: "{name}-dup"}}]\n'
    )
    proc = run_cli("check", "-c", cfg)
    assert proc.returncode == 2
    assert "rename_template" in proc.stderr and "{counter}" in proc.stderr


# -- 2. undo --dry-run equals undo --------------------------------------------------


@pytest.mark.usefixtures("backend")
def test_undo_dry_run_shows_exactly_what_undo_does_after_a_rename_then_move_chain(
    tmp_path: Path, run_cli: Any, write_config: Any
) -> None:
    names = [f"Report {i:02d}.TXT" for i in range(38)]
    (tmp_path / "in").mkdir()
    for n in names:
        (tmp_path / "in" / n).write_text(n)
    before = read_tree(tmp_path)
    cfg = write_config(
        f'rules:\n  - locations: "{tmp_path}/in"\n'
        "    actions:\n"
        '      - rename: "{name.lower()}.{extension.lower()}"\n'
        f'      - move: "{tmp_path}/out/{{extension}}/"\n'
    )
    run = run_cli("run", "-c", cfg)
    assert run.returncode == 0, run.stderr
    dry = run_cli("undo", "--dry-run", "--format", "json")
    assert dry.returncode == 0, dry.stderr
    preview = _json(dry)
    assert (preview["undone"], preview["refused"]) == (76, 0)  # 38 moves and 38 renames
    real = run_cli("undo", "--format", "json")
    assert real.returncode == 0, real.stderr
    done = _json(real)
    assert _moves(done["operations"]) == _moves(preview["operations"])
    assert all(o["status"] == "done" for o in done["operations"])
    assert (done["undone"], done["refused"]) == (preview["undone"], preview["refused"])
    assert read_tree(tmp_path) == before


# -- 3. Ctrl-C during a large run --------------------------------------------------


def _start_run(folder: Path, *args: str) -> subprocess.Popen[bytes]:
    # (unbuffered, as in many container images: no output may be lost to a signal)
    env = dict(os.environ, NO_COLOR="1", PYTHONUNBUFFERED="1")
    err = open(folder.parent / f"stderr-{time.monotonic_ns()}.txt", "w+b")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "fileorganizer", "run", str(folder), "-v", *args],
        stdout=subprocess.PIPE,
        stderr=err,
        env=env,
    )
    proc.stderr_file = err  # type: ignore[attr-defined]
    return proc


def _interrupt_after(proc: subprocess.Popen[bytes], lines: int, signum: int) -> tuple[str, str]:
    """Send ``signum`` once ``lines`` per-file lines have been printed; the output."""
    assert proc.stdout is not None
    seen: list[bytes] = []
    while len(seen) < lines:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
    proc.send_signal(signum)
    rest = proc.stdout.read()  # (the same buffered reader: nothing is skipped)
    proc.wait(timeout=120)
    err_file = proc.stderr_file  # type: ignore[attr-defined]
    err_file.seek(0)
    err = err_file.read().decode()
    err_file.close()
    return (b"".join(seen) + rest).decode(), err


def _check_interrupted(folder: Path, names: set[str], out: str, err: str, code: int) -> int:
    with open_history() as h:
        (run,) = h.runs(None)
        assert h.pending_operations() == []  # exact right away, no recovery needed
    moved = {n for n in names if not (folder / n).exists()}
    assert run.status == "interrupted", run
    assert run.done == len(moved), (run, len(moved))
    assert run.planned == len(names)
    # the per-file lines printed equal the files moved; then the summary and the undo hint
    assert len([ln for ln in out.splitlines() if ln.startswith("move ")]) == len(moved)
    shown = out + err
    assert "interrupted" in shown and f"fileorganizer undo {run.id}" in shown
    assert code in (130, 143)
    return len(moved)


@pytest.mark.parametrize(
    ("signum", "backend"),
    [
        (signal.SIGINT, "sqlite"),
        (signal.SIGTERM, "sqlite"),
        pytest.param(signal.SIGINT, "postgresql", marks=pytest.mark.postgres),
    ],
    indirect=["backend"],
)
def test_a_signal_during_a_run_stops_after_the_current_file_and_history_equals_the_disk(
    tmp_path: Path, run_cli: Any, signum: int, backend: str
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    names = {f"f{i:05d}.txt" for i in range(3000)}
    for n in names:
        (folder / n).write_text(n)
    proc = _start_run(folder)
    out, err = _interrupt_after(proc, 700, signum)
    assert proc.returncode == 128 + signum, err
    moved = _check_interrupted(folder, names, out, err, proc.returncode)
    assert 700 <= moved < len(names)
    undo = run_cli("undo")
    assert undo.returncode == 0, undo.stderr
    assert set(os.listdir(folder)) == names


@pytest.mark.slow
def test_sigint_at_20_random_points_of_a_20000_file_run(tmp_path: Path, run_cli: Any) -> None:
    import random

    rng = random.Random(20_000)
    folder = tmp_path / "big"
    folder.mkdir()
    names = {f"file-{i:05d}.txt" for i in range(20_000)}
    for n in names:
        (folder / n).write_bytes(b"x")
    for point in sorted(rng.sample(range(1, 18_000), 20)):
        proc = _start_run(folder, "--db", str(tmp_path / f"h{point}.sqlite"))
        out, err = _interrupt_after(proc, point, signal.SIGINT)
        assert proc.returncode == 130, (point, err[-2000:])
        with History(tmp_path / f"h{point}.sqlite") as h:
            (run,) = h.runs(None)
            assert h.pending_operations() == []
        moved = len(names - set(os.listdir(folder)) - {"Documents"})
        assert run.status == "interrupted" and run.done == moved >= point, (point, run)
        assert len([ln for ln in out.splitlines() if ln.startswith("move ")]) == moved
        undo = run_cli("undo", "--db", tmp_path / f"h{point}.sqlite", "-q")
        assert undo.returncode == 0, undo.stderr
        assert set(os.listdir(folder)) == names, point


# -- 4. the watcher and an undo --------------------------------------------------------


def _wait(cond: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
@pytest.mark.usefixtures("backend")
def test_the_watcher_does_not_redo_an_undo_until_the_file_changes(
    tmp_path: Path, run_cli: Any, write_config: Any
) -> None:
    src, dst = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    cfg = write_config(
        f'rules:\n  - locations: "{src}"\n    filters: [{{extension: zip}}]\n'
        f'    actions: [{{move: "{dst}/"}}]\n'
    )
    env = dict(os.environ, NO_COLOR="1")
    watcher = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fileorganizer",
            "watch",
            "-c",
            str(cfg),
            "--stable-seconds",
            "0.3",
            "--rescan-interval",
            "1",
            "--no-log-stderr",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        (src / "a.zip").write_bytes(b"zip")
        _wait(lambda: (dst / "a.zip").exists(), 20, "the watcher to move a.zip")
        undo = run_cli("undo", "--wait", "20")
        assert undo.returncode == 0, undo.stderr
        assert (src / "a.zip").exists()
        time.sleep(3.5)  # many stability windows and three periodic rescans
        assert (src / "a.zip").exists() and not (dst / "a.zip").exists()
        # a change (a new identity) makes it fair game again
        with open(src / "a.zip", "ab") as f:
            f.write(b" changed")
        _wait(lambda: (dst / "a.zip").exists(), 20, "the watcher to move the changed a.zip")
    finally:
        watcher.send_signal(signal.SIGTERM)
        watcher.communicate(timeout=30)
    assert watcher.returncode == 0
    with open_history() as h:
        modes = [r.mode.value for r in reversed(h.runs(None))]
    assert modes == ["watch", "undo", "watch"]


@pytest.mark.usefixtures("backend")
def test_a_run_after_an_undo_acts_again_and_says_so(
    tmp_path: Path, run_cli: Any, write_config: Any
) -> None:
    (tmp_path / "in").mkdir()
    for n in ("a.zip", "b.zip"):
        (tmp_path / "in" / n).write_bytes(n.encode())
    cfg = write_config(
        f'rules:\n  - locations: "{tmp_path}/in"\n    actions: [{{move: "{tmp_path}/out/"}}]\n'
    )
    assert run_cli("run", "-c", cfg).returncode == 0
    assert run_cli("undo").returncode == 0
    again = run_cli("run", "-c", cfg)
    assert again.returncode == 0
    assert "2 of these file(s) had been put back by an earlier undo" in again.stdout
    assert sorted(os.listdir(tmp_path / "out")) == ["a.zip", "b.zip"]


# -- 5. nothing exists twice -------------------------------------------------------------


def _bind_readonly(src: Path, where: Path) -> None:
    where.mkdir()
    for cmd in (
        ["mount", "--bind", str(src), str(where)],
        ["mount", "-o", "remount,bind,ro", str(where)],
    ):
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)
            pytest.skip(f"cannot make a read-only bind mount: {proc.stderr.strip()}")


@pytest.mark.root
def test_a_cross_device_move_from_a_read_only_mount_fails_before_copying(
    tmp_path: Path, tmpfs: Any, run_cli: Any, write_config: Any
) -> None:
    dest = tmpfs(size="4m", name="dest")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.txt").write_text("only copy")
    ro = tmp_path / "ro"
    _bind_readonly(tmp_path / "data", ro)
    try:
        cfg = write_config(f'rules:\n  - locations: "{ro}"\n    actions: [{{move: "{dest}/"}}]\n')
        proc = run_cli("run", "-c", cfg)
        assert proc.returncode == 1
        assert "not writable" in proc.stderr and "nothing changed" in proc.stderr
        assert os.listdir(dest) == []
        assert (ro / "a.txt").read_text() == "only copy"
    finally:
        subprocess.run(["umount", "-l", str(ro)], capture_output=True, check=False)


@pytest.mark.root
def test_a_cross_device_move_whose_source_cannot_be_removed_removes_its_own_copy(
    tmp_path: Path, tmpfs: Any, run_cli: Any, write_config: Any
) -> None:
    dest = tmpfs(size="4m", name="dest")
    (tmp_path / "in").mkdir()
    src = tmp_path / "in" / "a.txt"
    src.write_text("only copy")
    if subprocess.run(["chattr", "+i", str(src)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not supported here")
    try:
        cfg = write_config(
            f'rules:\n  - locations: "{tmp_path}/in"\n    actions: [{{move: "{dest}/"}}]\n'
        )
        proc = run_cli("run", "-c", cfg)
        assert proc.returncode == 1
        assert "could not be removed after copying" in proc.stderr
        assert "the copy at" in proc.stderr and "was removed" in proc.stderr
        assert os.listdir(dest) == []  # no second copy, no temporary file
        assert src.read_text() == "only copy"
    finally:
        subprocess.run(["chattr", "-i", str(src)], capture_output=True, check=False)
