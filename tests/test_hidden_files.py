"""Hidden files and folders: left alone by the built-in rules, walked by user rules
(as organize does) unless a location says ``include_hidden: false``; ``--hidden``
includes them for every location."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fileorganizer import default_config, load_config_text, plan
from fileorganizer.scan import ScanSpec, scan

TREE: dict[str, Any] = {
    "report.txt": "visible\n",
    ".hidden_note.txt": "hidden\n",
    ".config": {"settings.txt": "in a hidden folder\n"},
    "photos": {"a.txt": "x\n", ".b.txt": "y\n"},
}


def moved(p: Any) -> list[str]:
    return sorted(os.path.basename(op.src) for op in p.operations)


def test_built_in_rules_leave_hidden_files_and_folders_alone(tmp_path: Path, tree: Any) -> None:
    tree.make(tmp_path, TREE)
    p = plan(default_config(), paths=[tmp_path])
    assert moved(p) == ["report.txt"]


def test_run_hidden_includes_them_and_run_does_what_sim_showed(
    tmp_path: Path, tree: Any, cli_main: Any
) -> None:
    tree.make(tmp_path, TREE)
    r = cli_main("sim", str(tmp_path), "--format", "json")
    assert [os.path.basename(o["src"]) for o in json.loads(r.out)["operations"]] == ["report.txt"]
    r = cli_main("sim", str(tmp_path), "--hidden", "--format", "json")
    planned = [(o["src"], o["dst"]) for o in json.loads(r.out)["operations"]]
    assert sorted(os.path.basename(s) for s, _ in planned) == [".hidden_note.txt", "report.txt"]
    r = cli_main("run", str(tmp_path), "--hidden", "--format", "json")
    assert r.code == 0, r.err
    assert [(o["src"], o["dst"]) for o in json.loads(r.out)["operations"]] == planned
    assert (tmp_path / "Documents" / ".hidden_note.txt").read_text() == "hidden\n"
    assert (tmp_path / ".config" / "settings.txt").exists()  # folders are not files to move


def _rules(folder: Path, *, hidden: bool | None, subfolders: bool = True) -> str:
    loc = {"path": str(folder)} | ({} if hidden is None else {"include_hidden": hidden})
    return (
        "rules:\n"
        f"  - locations: [{json.dumps(loc)}]\n"
        f"    subfolders: {json.dumps(subfolders)}\n"
        "    filters: [{extension: txt}]\n"
        "    actions: [{echo: '{relative_path}'}]\n"
    )


def test_user_rules_walk_hidden_files_and_folders_as_organize_does(
    tmp_path: Path, tree: Any
) -> None:
    tree.make(tmp_path, TREE)
    p = plan(load_config_text(_rules(tmp_path, hidden=None)))
    assert sorted(op.message or "" for op in p.operations) == [
        ".config/settings.txt",
        ".hidden_note.txt",
        "photos/.b.txt",
        "photos/a.txt",
        "report.txt",
    ]


def test_include_hidden_false_skips_hidden_names_at_every_depth(tmp_path: Path, tree: Any) -> None:
    tree.make(tmp_path, TREE)
    p = plan(load_config_text(_rules(tmp_path, hidden=False)))
    assert sorted(op.message or "" for op in p.operations) == ["photos/a.txt", "report.txt"]


def test_hidden_folders_are_not_targets_either(tmp_path: Path, tree: Any) -> None:
    tree.make(tmp_path, TREE)
    spec = ScanSpec(str(tmp_path), targets="dirs", include_hidden=False)
    assert [e.name for e in scan(spec)] == ["photos"]
    spec = ScanSpec(str(tmp_path), targets="dirs")
    assert [e.name for e in scan(spec)] == [".config", "photos"]


def test_hidden_option_turns_every_location_on(tmp_path: Path, tree: Any) -> None:
    tree.make(tmp_path, TREE)
    config = load_config_text(_rules(tmp_path, hidden=False)).including_hidden()
    assert [loc.include_hidden for r in config.rules for loc in r.locations] == [True]
    assert len(plan(config).operations) == 5
