"""No operation ever replaces an existing file, in every on_conflict mode."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from fileorganizer import OpStatus, apply_plan, load_config_text, plan
from fileorganizer.operations import ConflictMode

MODES = [m.value for m in ConflictMode]


def contents(root: Path) -> list[bytes]:
    out = []
    for dirpath, _d, files in os.walk(root):
        if Path(dirpath).name == "info" and Path(dirpath).parent.name == "trash":
            continue  # .trashinfo metadata, not user content
        out += [(Path(dirpath) / f).read_bytes() for f in files]
    return sorted(out)


def rules(root: Path, mode: str) -> str:
    return f"""
rules:
  - name: collect
    locations: {root}/in
    subfolders: true
    actions:
      - move:
          dest: {root}/out/same.txt
          on_conflict: {mode}
"""


@pytest.mark.parametrize("mode", MODES)
def test_hundred_files_aimed_at_one_name_lose_nothing(tmp_path: Path, mode: str) -> None:
    for i in range(100):
        d = tmp_path / "in" / f"d{i:03}"
        d.mkdir(parents=True)
        (d / "f.txt").write_text(f"content {i % 97}")  # a few identical contents
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "same.txt").write_text("the original")
    before = contents(tmp_path)
    p = plan(load_config_text(rules(tmp_path, mode)))
    result = apply_plan(p, trash_dir=tmp_path / "trash")
    assert not result.failed
    assert contents(tmp_path) == before, "every byte is somewhere (trash included)"
    if mode == "skip":
        assert (tmp_path / "out" / "same.txt").read_text() == "the original"
        assert len(result.skipped) == 0 and len(p.skips) == 100
    if mode in ("rename_new", "deduplicate"):
        assert (tmp_path / "out" / "same.txt").read_text() == "the original"
    if mode in ("overwrite", "trash"):
        trashed = os.listdir(tmp_path / "trash" / "files")
        assert len(trashed) == 100  # the original and 99 newcomers, all recoverable


@pytest.mark.parametrize("mode", MODES)
def test_destination_created_between_plan_and_apply_is_not_replaced(
    tmp_path: Path, mode: str
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("mine")
    p = plan(load_config_text(rules(tmp_path, mode)))
    assert [op.dst for op in p.operations] == [str(tmp_path / "out" / "same.txt")]
    # the world changes between the two library calls
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "same.txt").write_text("appeared meanwhile")
    before = contents(tmp_path)
    result = apply_plan(p, trash_dir=tmp_path / "trash")
    assert contents(tmp_path) == before
    assert not result.failed
    if mode == "skip":
        assert [r.status for r in result.results] == [OpStatus.SKIPPED]
        assert (tmp_path / "in" / "a.txt").read_text() == "mine"
    elif mode in ("overwrite", "trash"):
        assert (tmp_path / "out" / "same.txt").read_text() == "mine"
        assert (tmp_path / "trash" / "files" / "same.txt").read_text() == "appeared meanwhile"
    elif mode == "rename_existing":
        assert (tmp_path / "out" / "same.txt").read_text() == "mine"
        assert (tmp_path / "out" / "same 2.txt").read_text() == "appeared meanwhile"
    else:
        assert (tmp_path / "out" / "same.txt").read_text() == "appeared meanwhile"
        assert (tmp_path / "out" / "same 2.txt").read_text() == "mine"


def test_deduplicate_skips_identical_file_that_appeared(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("same bytes")
    p = plan(load_config_text(rules(tmp_path, "deduplicate")))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "same.txt").write_text("same bytes")
    result = apply_plan(p, trash_dir=tmp_path / "trash")
    assert [r.status for r in result.results] == [OpStatus.SKIPPED]
    assert (tmp_path / "in" / "a.txt").exists()


def test_source_changed_between_plan_and_apply_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    src = tmp_path / "in" / "a.txt"
    src.write_text("v1")
    p = plan(load_config_text(rules(tmp_path, "rename_new")))
    src.write_text("version two")
    result = apply_plan(p, trash_dir=tmp_path / "trash")
    assert [r.status for r in result.results] == [OpStatus.SKIPPED]
    assert "changed" in (result.results[0].reason or "")
    assert src.read_text() == "version two"


def test_source_vanished_between_plan_and_apply_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    src = tmp_path / "in" / "a.txt"
    src.write_text("v1")
    p = plan(load_config_text(rules(tmp_path, "rename_new")))
    src.rename(tmp_path / "elsewhere.txt")
    result = apply_plan(p, trash_dir=tmp_path / "trash")
    assert [r.status for r in result.results] == [OpStatus.SKIPPED]
    assert "gone" in (result.results[0].reason or "")
    assert hashlib.sha256((tmp_path / "elsewhere.txt").read_bytes()).hexdigest()


def test_chained_action_follows_a_file_redirected_at_apply_time(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("mine")
    config = load_config_text(
        f"""
rules:
  - name: move then rename
    locations: {tmp_path}/in
    actions:
      - move: {tmp_path}/out/
      - rename: "renamed-{{name}}.{{extension}}"
"""
    )
    p = plan(config)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.txt").write_text("appeared meanwhile")  # same size and mtime
    os.utime(tmp_path / "out" / "a.txt", ns=(0, os.stat(tmp_path / "in" / "a.txt").st_mtime_ns))
    result = apply_plan(p, trash_dir=tmp_path / "trash")
    assert not result.failed and not result.skipped
    assert (tmp_path / "out" / "a.txt").read_text() == "appeared meanwhile"
    assert (tmp_path / "out" / "renamed-a.txt").read_text() == "mine"


def test_trash_after_move_in_one_chain_is_recoverable(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("bye")
    config = load_config_text(
        f"rules:\n  - locations: {tmp_path}/in\n    actions: [move: {tmp_path}/out/, trash]\n"
    )
    result = apply_plan(plan(config), trash_dir=tmp_path / "trash")
    assert not result.failed, [r.error for r in result.failed]
    assert (tmp_path / "trash" / "files" / "a.txt").read_text() == "bye"
    assert [r.trash_path for r in result.results if r.trash_path] == [
        str(tmp_path / "trash" / "files" / "a.txt")
    ]


@pytest.mark.parametrize("mode", ["overwrite", "trash", "rename_existing"])
def test_making_room_for_a_newcomer_records_the_moved_file_and_undo_puts_both_back(
    tmp_path: Path, mode: str
) -> None:
    """The destination appears between plan and apply: the newcomer is moved aside
    (its own operation), and the move's recorded identity is the moved file's, so
    undo puts the file back and the newcomer where it was."""
    from fileorganizer import History, undo_run

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("mine")
    p = plan(load_config_text(rules(tmp_path, mode)))
    (tmp_path / "out").mkdir()
    newcomer = tmp_path / "out" / "same.txt"
    newcomer.write_text("appeared meanwhile")
    with History() as history:
        result = apply_plan(p, history=history)
        (moved,) = [r for r in result.results if r.op.src == str(tmp_path / "in" / "a.txt")]
        assert moved.status is OpStatus.DONE
        st = os.stat(tmp_path / "out" / "same.txt")
        assert moved.identity_after is not None
        assert (moved.identity_after.ino, moved.identity_after.size) == (st.st_ino, st.st_size)
        undone = undo_run(history, result.run_id)
    assert undone.ok, [s.reason for s in undone.plan.skips]
    assert (tmp_path / "in" / "a.txt").read_text() == "mine"
    assert newcomer.read_text() == "appeared meanwhile"
    assert sorted(os.listdir(tmp_path / "out")) == ["same.txt"]
