"""Faults on real filesystems: a full destination, moves across devices.

Needs root to mount small tmpfs filesystems (skipped with a reason otherwise).
Every test asserts the whole tree before and after: no file is lost, no
partial or temporary file (``.fileorganizer-tmp-*``) is left behind.
"""

from __future__ import annotations

import json
import os

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
    assert "a-big.bin" in proc.stderr
    assert "1 failed" in proc.stderr
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
    assert "done: 2 applied" in proc.stderr
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
    assert "2 failed" in res.err
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
