"""``fileorganizer dupes``: duplicate groups reported, nothing changed, cache reused."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def test_dupes_reports_groups_and_changes_nothing(cli_main: Any, tree: Any, tmp_path: Path) -> None:
    same = b"same content" * 800_000  # over 8 MiB: its hash is kept in the history
    tree.make(
        tmp_path,
        {
            "a": {"x.bin": same, "u.bin": b"unique 1"},
            "b": {"y.bin": same, "z.bin": same[:-1] + b"T"},
            "c": {"e1": b"", "e2": b""},
        },
    )
    os.link(tmp_path / "a" / "x.bin", tmp_path / "b" / "hard.bin")
    before = tree.read(tmp_path)
    r = cli_main("dupes", str(tmp_path), "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert tree.read(tmp_path) == before
    groups = data["groups"]
    assert len(groups) == 1
    g = groups[0]
    assert g["original"] == str(tmp_path / "a" / "x.bin")
    assert g["duplicates"] == [str(tmp_path / "b" / "y.bin")]
    assert g["wasted_bytes"] == len(same)
    assert data["summary"]["bytes_read"] > 0
    # second run: full hashes come from the history's cache
    again = json.loads(cli_main("dupes", str(tmp_path), "--format", "json").out)
    assert again["groups"] == groups
    assert again["summary"]["bytes_read"] < data["summary"]["bytes_read"]


def test_dupes_text_output_and_missing_path(cli_main: Any, tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text("dup")
    (tmp_path / "q.txt").write_text("dup")
    r = cli_main("dupes", str(tmp_path))
    assert r.code == 0 and "duplicate" in r.out and "1 group(s)" in r.err
    r = cli_main("dupes", str(tmp_path / "nope"))
    assert r.code == 2 and "no such file or folder" in r.err
