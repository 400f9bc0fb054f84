"""``undo --dry-run`` shows exactly what ``undo`` does, as ``sim`` shows what ``run`` does.

For each scenario: run the rules, take the undo's plan (``--dry-run --format json``),
then undo for real and compare operation by operation (kind, source, destination)
with what was applied; the tree must then be the original one. The same for an
undo of that undo.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import read_tree

SCENARIOS: dict[str, tuple[dict[str, Any], str]] = {
    "move_then_rename": (
        {"in": {"Photo.JPG": "p1", "other.JPG": "p2"}},
        "actions: [{{move: '{root}/pics/'}}, {{rename: '{{name}}.{{extension.lower()}}'}}]",
    ),
    "rename_then_move": (
        {"in": {"A.TXT": "a", "B.TXT": "b"}},
        "actions: [{{rename: '{{name.lower()}}.txt'}}, {{move: '{root}/out/'}}]",
    ),
    "copy_then_rename": (
        {"in": {"a.txt": "a", "b.txt": "b"}},
        "actions: [{{copy: '{root}/backup/'}}, {{rename: '{{name}}-copy.{{extension}}'}}]",
    ),
    "overwrite_to_trash": (
        {"in": {"a.txt": "new"}, "out": {"a.txt": "old"}},
        "actions: [{{move: {{dest: '{root}/out/', on_conflict: overwrite}}}}]",
    ),
    "deduplicate": (
        {"in": {"a.txt": "same", "b.txt": "different"}, "out": {"a.txt": "same", "b.txt": "x"}},
        "actions: [{{move: {{dest: '{root}/out/', on_conflict: deduplicate}}}}]",
    ),
    "symlink_then_move": (
        {"in": {"a.log": "l", "b.txt": "t"}},
        "actions: [{{symlink: '{root}/links/'}}, {{move: '{root}/moved/'}}]",
    ),
    "hardlink_then_trash": (
        {"in": {"a.log": "l", "b.txt": "t"}},
        "actions: [{{hardlink: '{root}/links/'}}, trash]",
    ),
    # writes are undone in place: an append cut off, previous contents restored, a
    # created file removed (an undone write cannot be redone: see _NO_REDO)
    "move_then_append": (
        {"in": {"a.txt": "a", "b.txt": "b"}, "index.txt": "old line\n"},
        "actions: [{{move: '{root}/out/'}}, "
        "{{write: {{outfile: '{root}/index.txt', text: '{{name}}'}}}}]",
    ),
    "overwrite_restores_contents": (
        {"in": {"a.txt": "a", "b.txt": "b"}, "last.txt": "previous\n"},
        "actions: [{{write: {{outfile: '{root}/last.txt', text: '{{name}}', mode: overwrite}}}}]",
    ),
    "write_creates_then_move": (
        {"in": {"a.txt": "a"}},
        "actions: [{{write: {{outfile: '{root}/made/list.txt', text: '{{path}}'}}}}, "
        "{{move: '{root}/out/'}}]",
    ),
}

#: scenarios whose undo cannot itself be undone (an undone write is not written again)
_NO_REDO = frozenset({"move_then_append", "overwrite_restores_contents", "write_creates_then_move"})


def _ops(data: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(o["kind"], o["src"], o["dst"]) for o in data["operations"]]


def _dry_then_real(run_cli: Any, *args: str) -> tuple[dict[str, Any], dict[str, Any]]:
    dry = run_cli("undo", *args, "--dry-run", "--format", "json")
    assert dry.returncode == 0, dry.stderr
    real = run_cli("undo", *args, "--format", "json")
    assert real.returncode == 0, real.stderr
    return json.loads(dry.stdout), json.loads(real.stdout)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_undo_dry_run_is_the_plan_undo_applies(
    name: str, tmp_path: Path, tree: Any, run_cli: Any, write_config: Any
) -> None:
    spec, actions = SCENARIOS[name]
    tree.make(tmp_path, spec)
    before = read_tree(tmp_path)
    cfg = write_config(
        f"rules:\n  - locations: '{tmp_path}/in'\n    " + actions.format(root=tmp_path) + "\n"
    )
    run = run_cli("run", "-c", cfg)
    assert run.returncode == 0, run.stderr
    after_run = read_tree(tmp_path)
    assert after_run != before
    planned, done = _dry_then_real(run_cli)
    assert _ops(done) == _ops(planned) and _ops(planned)
    assert all(o["status"] == "done" for o in done["operations"])
    assert (done["undone"], done["refused"]) == (planned["undone"], planned["refused"])
    assert read_tree(tmp_path) == before
    if name in _NO_REDO:
        planned2 = json.loads(
            run_cli("undo", str(done["run_id"]), "--dry-run", "--format", "json").stdout
        )
        assert planned2["irreversible"] >= 1
        return
    # the undo is a run too: its own undo (a redo) agrees with its preview as well
    planned2, done2 = _dry_then_real(run_cli, str(done["run_id"]))
    assert _ops(done2) == _ops(planned2) and _ops(planned2)
    assert read_tree(tmp_path) == after_run
