"""Faults on real filesystems: a full destination, moves across devices.

Needs root to mount small tmpfs filesystems (skipped with a reason otherwise).
Every test asserts the whole tree before and after: no file is lost, no
partial or temporary file (``.fileorganizer-tmp-*``) is left behind.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

from fileorganizer import OpStatus, apply_plan, load_config_text, plan

pytestmark = pytest.mark.root

MIB = 1024 * 1024
OLD_MTIME_NS = 1_500_000_000_123_456_789  # 2017-07-14, with sub-second precision


def _blob(size: int, seed: int = 7) -> bytes:
    return bytes((i * seed + i // 251) % 256 for i in range(size))


def _has_temp(tree: dict) -> bool:
    for name, value in tree.items():
        if name.startswith(".fileorganizer-tmp-"):
            return True
        if isinstance(value, dict) and _has_temp(value):
            return True
    return False


def _move_rule(src, dest, yaml_str, *, extra: str = "") -> str:
    return (
        "rules:\n  - name: to-other-disk\n"
        f"    locations: {yaml_str(src)}\n"
        f"    actions:\n      - move:\n          dest: {yaml_str(str(dest) + '/')}\n{extra}"
    )


# -- a full destination ---------------------------------------------------------------


@pytest.fixture
def full_disk_setup(tmp_path, tmpfs, tree):
    """A 2 MiB source on the main disk, a 1 MiB tmpfs as destination, one small file too."""
    dest_fs = tmpfs("1m", "full")
    src = tmp_path / "src"
    tree.make(src, {"a-big.bin": _blob(2 * MIB), "b-small.txt": "fits easily"})
    assert os.stat(src).st_dev != os.stat(dest_fs).st_dev
    return src, dest_fs / "sorted"


def test_full_disk_leaves_source_intact_and_no_partial_file(full_disk_setup, tree, yaml_str):
    src, dest = full_disk_setup
    before = tree.read(src)
    config = load_config_text(_move_rule(src, dest, yaml_str))

    p = plan(config)
    result = apply_plan(p)

    assert len(p.operations) == 2
    [failed] = result.failed
    assert failed.op.src == str(src / "a-big.bin")
    assert "no space" in (failed.error or "").lower()
    assert [r.op.src for r in result.applied] == [str(src / "b-small.txt")]
    assert not result.ok
    # the big file is intact, byte for byte; the small one moved
    assert tree.read(src) == {"a-big.bin": before["a-big.bin"]}
    after = tree.read(dest.parent)
    assert after == {"sorted": {"b-small.txt": b"fits easily"}}
    assert not _has_temp(after)


def test_cli_full_disk_exits_1_and_names_no_space(
    full_disk_setup, tree, yaml_str, write_config, run_cli
):
    src, dest = full_disk_setup
    before = tree.read(src)
    config = write_config(_move_rule(src, dest, yaml_str))

    proc = run_cli("run", "-c", config)

    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "no space" in proc.stderr.lower()
    assert "a-big.bin" in proc.stderr  # the failure, grouped by reason, with its path
    assert "1 failed" in proc.stdout  # the totals line
    assert tree.read(src) == {"a-big.bin": before["a-big.bin"]}
    after = tree.read(dest.parent)
    assert after == {"sorted": {"b-small.txt": b"fits easily"}}


def test_cli_full_disk_json_reports_failed_operation(
    full_disk_setup, tree, yaml_str, write_config, cli_main
):
    src, dest = full_disk_setup
    before = tree.read(src)
    config = write_config(_move_rule(src, dest, yaml_str))

    res = cli_main("run", "-c", config, "--format", "json")

    assert res.code == 1
    data = json.loads(res.out)
    by_src = {op["src"]: op for op in data["operations"]}
    big = by_src[str(src / "a-big.bin")]
    assert big["status"] == "failed" and "no space" in big["error"].lower()
    assert by_src[str(src / "b-small.txt")]["status"] == "done"
    assert data["summary"]["failed"] == 1 and data["summary"]["applied"] == 1
    assert tree.read(src) == {"a-big.bin": before["a-big.bin"]}
    assert not _has_temp(tree.read(dest.parent))


def test_full_disk_copy_leaves_no_partial_copy(full_disk_setup, tree, yaml_str):
    src, dest = full_disk_setup
    before = tree.read(src)
    config = load_config_text(
        f"rules:\n  - name: backup\n    locations: {yaml_str(src)}\n"
        f"    filters: [extension: bin]\n    actions: [copy: {yaml_str(str(dest) + '/')}]\n"
    )

    result = apply_plan(plan(config))

    [failed] = result.failed
    assert "no space" in (failed.error or "").lower()
    assert tree.read(src) == before
    after = tree.read(dest.parent)
    assert after in ({}, {"sorted": {}})  # at most the folder it made; no partial copy


def test_full_disk_trash_of_existing_is_not_undone_by_failed_copy(tmp_path, tmpfs, tree, yaml_str):
    """on_conflict: overwrite on a full disk: the old file goes to the trash only
    as the tool's own recorded step, and the new one stays at its source."""
    dest_fs = tmpfs("1m", "full")
    src = tmp_path / "src"
    tree.make(src, {"same.bin": _blob(2 * MIB)})
    tree.make(dest_fs, {"sorted": {"same.bin": "old and small"}})
    before_src = tree.read(src)
    config = load_config_text(
        _move_rule(src, dest_fs / "sorted", yaml_str, extra="          on_conflict: overwrite\n")
    )

    result = apply_plan(plan(config))

    assert not result.ok
    assert tree.read(src) == before_src  # the new file never left
    # the old file is either still there or in a trash (recorded), never gone
    trashed = [r for r in result.applied if r.op.kind.value == "trash"]
    dest_now = tree.read(dest_fs / "sorted")
    if "same.bin" in dest_now:
        assert dest_now["same.bin"] == b"old and small"
    else:
        [t] = trashed
        assert t.trash_path is not None and os.path.exists(t.trash_path)
        with open(t.trash_path, "rb") as f:
            assert f.read() == b"old and small"
    assert not _has_temp(tree.read(dest_fs))


# -- moves across devices ----------------------------------------------------------


@pytest.fixture
def two_disks(tmpfs, tree):
    """Two tmpfs mounts: a source with files of known mtime, and a destination."""
    a = tmpfs("8m", "disk-a")
    b = tmpfs("8m", "disk-b")
    assert os.stat(a).st_dev != os.stat(b).st_dev
    src = a / "inbox"
    tree.make(src, {"report.pdf": b"%PDF-1.4 " + _blob(300_000), "notes.txt": "plain notes\n"})
    for name in ("report.pdf", "notes.txt"):
        os.utime(src / name, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    return src, b / "archive"


def _assert_moved_across(src, dest, before, tree, *, names=("notes.txt", "report.pdf")):
    after_src = tree.read(src)
    for name in names:
        assert name not in after_src
        assert tree.read(dest)[name] == before[name]
        st = os.stat(dest / name)
        assert st.st_mtime_ns == OLD_MTIME_NS
        assert st.st_dev != os.stat(src).st_dev
    assert not _has_temp(tree.read(dest.parent))
    assert not _has_temp(tree.read(src.parent))


def test_cross_device_move_keeps_content_and_mtime_and_removes_source(two_disks, tree, yaml_str):
    src, dest = two_disks
    before = tree.read(src)

    result = apply_plan(plan(load_config_text(_move_rule(src, dest, yaml_str))))

    assert result.ok and len(result.applied) == 2
    _assert_moved_across(src, dest, before, tree)
    assert tree.read(src) == {}


def test_cli_cross_device_move(two_disks, tree, yaml_str, write_config, run_cli):
    src, dest = two_disks
    before = tree.read(src)
    config = write_config(_move_rule(src, dest, yaml_str))

    proc = run_cli("run", "-c", config)

    assert proc.returncode == 0, proc.stderr
    assert "done: 2 applied" in proc.stdout
    _assert_moved_across(src, dest, before, tree)


def test_cross_device_move_never_replaces_existing_destination(
    two_disks, tree, yaml_str, cli_main, write_config
):
    src, dest = two_disks
    tree.make(dest, {"notes.txt": "already here", "report.pdf": "also here"})
    before = tree.read(src)
    config = write_config(_move_rule(src, dest, yaml_str))

    res = cli_main("run", "-c", config)

    assert res.code == 0, res.err
    after = tree.read(dest)
    assert after["notes.txt"] == b"already here"
    assert after["report.pdf"] == b"also here"
    assert after["notes 2.txt"] == before["notes.txt"]
    assert after["report 2.pdf"] == before["report.pdf"]
    assert os.stat(dest / "notes 2.txt").st_mtime_ns == OLD_MTIME_NS
    assert set(after) == {"notes.txt", "report.pdf", "notes 2.txt", "report 2.pdf"}
    assert tree.read(src) == {}


def test_cross_device_destination_created_after_planning_is_not_replaced(two_disks, tree, yaml_str):
    src, dest = two_disks
    before = tree.read(src)
    p = plan(load_config_text(_move_rule(src, dest, yaml_str)))
    assert {op.dst for op in p.operations} == {str(dest / "notes.txt"), str(dest / "report.pdf")}
    tree.make(dest, {"notes.txt": "sneaked in"})  # between plan and apply

    result = apply_plan(p)

    assert result.ok
    after = tree.read(dest)
    assert after["notes.txt"] == b"sneaked in"
    assert after["notes 2.txt"] == before["notes.txt"]
    assert after["report.pdf"] == before["report.pdf"]
    assert tree.read(src) == {}
    assert not _has_temp(after)


def test_cross_device_copy_then_source_kept(two_disks, tree, yaml_str):
    src, dest = two_disks
    before = tree.read(src)
    config = load_config_text(
        f"rules:\n  - name: backup\n    locations: {yaml_str(src)}\n"
        f"    actions: [copy: {yaml_str(str(dest) + '/')}]\n"
    )

    result = apply_plan(plan(config))

    assert result.ok and len(result.applied) == 2
    assert tree.read(src) == before
    assert tree.read(dest) == before
    assert os.stat(dest / "report.pdf").st_mtime_ns == OLD_MTIME_NS


def test_cross_device_hardlink_fails_per_file_and_keeps_source(
    two_disks, tree, yaml_str, cli_main, write_config
):
    src, dest = two_disks
    before = tree.read(src)
    config = write_config(
        f"rules:\n  - name: link\n    locations: {yaml_str(src)}\n"
        f"    actions: [hardlink: {yaml_str(str(dest) + '/')}]\n"
    )

    res = cli_main("run", "-c", config)

    assert res.code == 1, res.err
    assert "Traceback" not in res.err
    assert "2 failed" in res.out and "cross-device" in res.err
    assert tree.read(src) == before
    assert tree.read(dest.parent) in ({}, {"archive": {}})


def test_cross_device_trash_is_recoverable(two_disks, tree, yaml_str, isolated_env):
    src, _dest = two_disks
    before = tree.read(src)
    config = load_config_text(
        f"rules:\n  - name: bin\n    locations: {yaml_str(src)}\n"
        "    filters: [extension: txt]\n    actions: [trash]\n"
    )

    result = apply_plan(plan(config), trash_dir=isolated_env.trash_dir)

    [done] = result.applied
    assert done.status is OpStatus.DONE and done.trash_path
    assert "notes.txt" not in tree.read(src)
    with open(done.trash_path, "rb") as f:
        assert f.read() == before["notes.txt"]
    assert not _has_temp(tree.read(src.parent))


# -- unreadable files and folders (as an unprivileged user) ---------------------------

NOBODY = 65534


@pytest.fixture
def nobody_tree(tree):
    """A tree owned by ``nobody`` in a world-traversable folder (root ignores modes)."""
    if not hasattr(os, "fork") or os.geteuid() != 0:
        pytest.skip("dropping privileges to 'nobody' needs root and fork()")
    import shutil
    import tempfile

    base = tempfile.mkdtemp(prefix="fileorganizer-nobody-", dir="/tmp")
    os.chmod(base, 0o755)
    tree.make(
        base,
        {
            "inbox": {
                "a-ok.txt": "readable",
                "b-secret.txt": "no one may read this",
                "locked": {"inner.txt": "behind a locked door"},
                "open": {"c.txt": "in an open folder"},
            },
            "home": {},
        },
    )
    for dirpath, dirnames, filenames in os.walk(base):
        for name in [*dirnames, *filenames]:
            os.lchown(os.path.join(dirpath, name), NOBODY, NOBODY)
    os.chown(base, NOBODY, NOBODY)
    os.chmod(os.path.join(base, "inbox", "b-secret.txt"), 0)
    os.chmod(os.path.join(base, "inbox", "locked"), 0)
    yield base
    shutil.rmtree(base, ignore_errors=True)


def _run_as_nobody(fn, base: str) -> dict:
    """Run ``fn()`` in a forked child that has dropped to uid/gid nobody; return its JSON."""
    import io
    import traceback

    # warm imports the child would otherwise read from folders nobody cannot enter
    import fileorganizer.cli
    import fileorganizer.session  # noqa: F401

    env = {
        "FILEORGANIZER_DATA_DIR": os.path.join(base, "home", "data"),
        "FILEORGANIZER_CONFIG_DIR": os.path.join(base, "home", "config"),
        "FILEORGANIZER_LOG_DIR": os.path.join(base, "home", "log"),
        "XDG_DATA_HOME": os.path.join(base, "home", "xdg"),
        "HOME": os.path.join(base, "home"),
    }
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns into pytest
        payload: dict
        try:
            os.close(r)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            os.environ.update(env)
            os.chdir(base)
            out, err = io.StringIO(), io.StringIO()
            sys_out, sys_err = sys.stdout, sys.stderr
            sys.stdout, sys.stderr = out, err
            try:
                value = fn()
            finally:
                sys.stdout, sys.stderr = sys_out, sys_err
            payload = {"value": value, "out": out.getvalue(), "err": err.getvalue()}
        except BaseException:
            payload = {"crash": traceback.format_exc()}
        try:
            os.write(w, json.dumps(payload).encode())
        finally:
            os._exit(0)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 65536):
        chunks.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)
    result = json.loads(b"".join(chunks) or b'{"crash": "no output"}')
    assert "crash" not in result, result["crash"]
    return result


def _backup_rule(base: str, yaml_str) -> str:
    return (
        "rules:\n  - name: backup\n"
        f"    locations: {yaml_str(os.path.join(base, 'inbox'))}\n"
        "    subfolders: true\n"
        f"    actions: [copy: {yaml_str(os.path.join(base, 'backup') + '/')}]\n"
    )


def _assert_unreadable_left_alone(base: str, tree) -> None:
    os.chmod(os.path.join(base, "inbox", "locked"), 0o755)
    assert tree.read(os.path.join(base, "inbox")) == {
        "a-ok.txt": b"readable",
        "b-secret.txt": b"no one may read this",
        "locked": {"inner.txt": b"behind a locked door"},
        "open": {"c.txt": b"in an open folder"},
    }
    assert tree.read(os.path.join(base, "backup")) == {
        "a-ok.txt": b"readable",
        "c.txt": b"in an open folder",
    }


def test_unreadable_file_and_folder_are_reported_and_the_run_goes_on(nobody_tree, tree, yaml_str):
    base = nobody_tree
    text = _backup_rule(base, yaml_str)

    def job() -> dict:
        p = plan(load_config_text(text))
        result = apply_plan(p, trash_dir=os.path.join(base, "home", "trash"))
        return {
            "applied": sorted(r.op.src for r in result.applied),
            "failed": [[r.op.src, r.error] for r in result.failed],
            "problems": [[pr.path, pr.message] for pr in p.problems],
            "ok": result.ok,
        }

    got = _run_as_nobody(job, base)["value"]

    inbox = os.path.join(base, "inbox")
    assert got["applied"] == [os.path.join(inbox, "a-ok.txt"), os.path.join(inbox, "open", "c.txt")]
    [[src, error]] = got["failed"]
    assert src == os.path.join(inbox, "b-secret.txt") and "Permission denied" in error
    [[path, message]] = got["problems"]
    assert path == os.path.join(inbox, "locked") and "cannot read folder" in message
    assert got["ok"] is False
    _assert_unreadable_left_alone(base, tree)


def test_cli_unreadable_file_and_folder_exit_1_with_messages(nobody_tree, tree, yaml_str):
    base = nobody_tree
    config = os.path.join(base, "home", "rules.yaml")
    with open(config, "w", encoding="utf-8") as f:
        f.write(_backup_rule(base, yaml_str))
    os.chown(config, NOBODY, NOBODY)

    def job() -> int:
        from fileorganizer.cli import main

        sys.argv = ["fileorganizer", "run", "-c", config]
        try:
            main()
        except SystemExit as exc:
            return int(exc.code or 0)
        return 0

    res = _run_as_nobody(job, base)

    assert res["value"] == 1, res["err"]
    err = res["err"]
    assert "Traceback" not in err
    assert "b-secret.txt" in err and "Permission denied" in err
    assert os.path.join(base, "inbox", "locked") in err and "cannot read folder" in err
    assert "2 applied" in res["out"] and "1 failed" in res["out"]
    _assert_unreadable_left_alone(base, tree)
