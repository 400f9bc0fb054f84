"""``dupes --trash`` / ``--link``: a plan through the executor, the history and undo."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from conftest import read_tree


def _tree(root: Path) -> None:
    (root / "photos").mkdir(parents=True)
    (root / "photos" / "beach.jpg").write_bytes(b"JPEG" * 1000)
    (root / "photos" / "Kopie von beach.jpg").write_bytes(b"JPEG" * 1000)
    (root / "photos" / "beach (1).jpg").write_bytes(b"JPEG" * 1000)
    (root / "photos" / "other.jpg").write_bytes(b"other")
    old = 1_600_000_000
    os.utime(root / "photos" / "beach.jpg", (old, old))  # the oldest: the original


def test_dupes_trash_moves_the_copies_to_the_trash_and_undo_brings_them_back(
    tmp_path: Path, run_cli: Any, isolated_env: Any
) -> None:
    _tree(tmp_path)
    before = read_tree(tmp_path)
    dry = run_cli("dupes", tmp_path, "--trash", "--dry-run", "--format", "json")
    assert dry.returncode == 0, dry.stderr
    planned = sorted(o["src"] for o in json.loads(dry.stdout)["operations"])
    assert [Path(p).name for p in planned] == ["Kopie von beach.jpg", "beach (1).jpg"]
    assert read_tree(tmp_path) == before
    proc = run_cli("dupes", tmp_path, "--trash")
    assert proc.returncode == 0, proc.stderr
    assert (
        "2 duplicate(s) moved to the trash" in proc.stderr and "fileorganizer undo" in proc.stderr
    )
    assert sorted(os.listdir(tmp_path / "photos")) == ["beach.jpg", "other.jpg"]
    assert sorted(os.listdir(isolated_env.trash_dir / "files")) == [
        "Kopie von beach.jpg",
        "beach (1).jpg",
    ]
    undo = run_cli("undo")
    assert undo.returncode == 0, undo.stderr
    assert read_tree(tmp_path) == before


def test_dupes_link_replaces_copies_by_hard_links_and_undo_restores_them(
    tmp_path: Path, run_cli: Any
) -> None:
    _tree(tmp_path)
    before = read_tree(tmp_path)
    proc = run_cli("dupes", tmp_path, "--link", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["duplicates_removed"] == 2
    original = os.stat(tmp_path / "photos" / "beach.jpg")
    for name in ("Kopie von beach.jpg", "beach (1).jpg"):
        st = os.stat(tmp_path / "photos" / name)
        assert (st.st_dev, st.st_ino) == (original.st_dev, original.st_ino)
    assert read_tree(tmp_path) == before  # the same names and bytes, one inode
    assert run_cli("undo").returncode == 0
    inodes = {os.stat(tmp_path / "photos" / n).st_ino for n in os.listdir(tmp_path / "photos")}
    assert len(inodes) == 4  # separate files again
    assert read_tree(tmp_path) == before


def test_a_copy_changed_after_it_was_found_is_left_alone(
    tmp_path: Path, run_cli: Any, write_config: Any
) -> None:
    """The executor compares each copy with its original right before acting."""
    from fileorganizer.content.duplicates import find_duplicates
    from fileorganizer.dedupe import DedupeMode, plan_dedupe
    from fileorganizer.paths import resolve_paths
    from fileorganizer.scan import ScanSpec, scan
    from fileorganizer.session import apply_recorded, open_history

    _tree(tmp_path)
    groups = find_duplicates(list(scan(ScanSpec(str(tmp_path), subfolders=True))))
    plan = plan_dedupe(groups, DedupeMode.TRASH)
    changed = tmp_path / "photos" / "beach (1).jpg"
    changed.write_bytes(b"EDITED" * 1000)  # after planning, before applying
    ap = resolve_paths()
    with open_history(ap) as history:
        result = apply_recorded(plan, history, app_paths=ap)
    assert changed.read_bytes().startswith(b"EDITED")
    statuses = {Path(r.op.src).name: r.status.value for r in result.results}
    assert statuses == {"Kopie von beach.jpg": "done", "beach (1).jpg": "skipped"}


def test_dupes_flags_that_do_not_go_together_are_usage_errors(tmp_path: Path, run_cli: Any) -> None:
    _tree(tmp_path)
    both = run_cli("dupes", tmp_path, "--trash", "--link")
    assert both.returncode == 2 and "choose one" in both.stderr
    dry = run_cli("dupes", tmp_path, "--dry-run")
    assert dry.returncode == 2 and "--dry-run needs --trash or --link" in dry.stderr
