"""Undo through the library and the CLI: reversal, refusals with reasons, redo.

Every test runs on SQLite and on PostgreSQL (the ``backend`` fixture).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from history_support import app_paths, open_history, run_rules

from fileorganizer import load_config_text, plan
from fileorganizer.errors import UndoError
from fileorganizer.session import undo

pytestmark = pytest.mark.usefixtures("backend")


def _move_rules(src: Path, dst: str, extra: str = "") -> str:
    return f'rules:\n  - locations: "{src}"\n    actions: [{{move: {{dest: "{dst}"{extra}}}}}]\n'


def test_undo_moves_back_and_removes_created_folders(tmp_path: Path, tree: Any) -> None:
    tree.make(tmp_path / "in", {"a.txt": "A", "b.txt": "B"})
    before = tree.read(tmp_path)
    s = run_rules(_move_rules(tmp_path / "in", f"{tmp_path}/out/deep/"))
    assert len(s.result.applied) == 2
    res = undo(app_paths()).result
    assert res.ok and len(res.done) == 2
    assert tree.read(tmp_path) == before  # out/deep and out are gone
    assert sorted(res.removed_dirs) == [f"{tmp_path}/out", f"{tmp_path}/out/deep"]


def test_undo_refuses_changed_moved_and_occupied_files_per_file(tmp_path: Path, tree: Any) -> None:
    tree.make(
        tmp_path / "in", {"changed.txt": "1", "gone.txt": "2", "occupied.txt": "3", "ok.txt": "4"}
    )
    s = run_rules(_move_rules(tmp_path / "in", f"{tmp_path}/out/"))
    out = tmp_path / "out"
    (out / "changed.txt").write_text("changed after the run, longer")
    os.rename(out / "gone.txt", tmp_path / "elsewhere.txt")
    (tmp_path / "in" / "occupied.txt").write_text("someone else")
    res = undo(app_paths(), s.run_id).result
    reasons = {Path(st.path).name: st.reason for st in res.refused}
    assert set(reasons) == {"changed.txt", "gone.txt", "occupied.txt"}
    assert "changed after the run" in reasons["changed.txt"]
    assert "gone" in reasons["gone.txt"] or "moved away" in reasons["gone.txt"]
    assert "occupied" in reasons["occupied.txt"]
    assert (tmp_path / "in" / "ok.txt").read_text() == "4"
    # refused files are left exactly where they are
    assert (out / "changed.txt").exists() and (out / "occupied.txt").read_text() == "3"
    assert (tmp_path / "in" / "occupied.txt").read_text() == "someone else"
    assert not res.ok
    with open_history() as h:
        states = {Path(o.src).name: o.state for o in h.operations(s.run_id)}
    assert states == {
        "changed.txt": "done",
        "gone.txt": "done",
        "occupied.txt": "done",
        "ok.txt": "undone",
    }


def test_undo_recreates_missing_parent_folders(tmp_path: Path, tree: Any) -> None:
    tree.make(tmp_path / "in" / "sub", {"a.txt": "A"})
    rules = (
        f'rules:\n  - locations: "{tmp_path}/in"\n    subfolders: true\n'
        f'    actions: [{{move: "{tmp_path}/out/"}}]\n'
    )
    run_rules(rules)
    os.rmdir(tmp_path / "in" / "sub")
    os.rmdir(tmp_path / "in")
    res = undo(app_paths()).result
    assert res.ok
    assert (tmp_path / "in" / "sub" / "a.txt").read_text() == "A"


def test_undo_deletes_a_copy_only_if_unchanged(tmp_path: Path, tree: Any) -> None:
    tree.make(tmp_path / "in", {"a.txt": "A", "b.txt": "B"})
    rules = f'rules:\n  - locations: "{tmp_path}/in"\n    actions: [{{copy: "{tmp_path}/out/"}}]\n'
    run_rules(rules)
    (tmp_path / "out" / "b.txt").write_text("edited copy")
    res = undo(app_paths()).result
    assert not (tmp_path / "out" / "a.txt").exists()
    assert (tmp_path / "out" / "b.txt").read_text() == "edited copy"
    assert [Path(s.path).name for s in res.refused] == ["b.txt"]
    assert (tmp_path / "in" / "a.txt").read_text() == "A"


def test_undo_restores_trashed_and_overwritten_files(
    tmp_path: Path, tree: Any, isolated_env: Any
) -> None:
    tree.make(tmp_path, {"in": {"a.txt": "new", "junk.log": "j"}, "out": {"a.txt": "old"}})
    before = tree.read(tmp_path)
    rules = (
        f'rules:\n  - locations: "{tmp_path}/in"\n    filters: [{{extension: log}}]\n'
        f"    actions: [trash]\n"
        f'  - locations: "{tmp_path}/in"\n    filters: [{{extension: txt}}]\n'
        f'    actions: [{{move: {{dest: "{tmp_path}/out/", on_conflict: overwrite}}}}]\n'
    )
    s = run_rules(rules)
    assert (tmp_path / "out" / "a.txt").read_text() == "new"
    assert sorted(os.listdir(isolated_env.trash_dir / "files")) == ["a.txt", "junk.log"]
    res = undo(app_paths(), s.run_id).result
    assert res.ok, res.to_dict()
    assert tree.read(tmp_path) == before
    assert os.listdir(isolated_env.trash_dir / "files") == []
    assert os.listdir(isolated_env.trash_dir / "info") == []


def test_an_undo_is_a_run_that_can_be_undone(tmp_path: Path, tree: Any) -> None:
    tree.make(tmp_path / "in", {"a.txt": "A", "b.log": "B"})
    rules = (
        f'rules:\n  - locations: "{tmp_path}/in"\n    filters: [{{extension: txt}}]\n'
        f'    actions: [{{copy: {{dest: "{tmp_path}/c/", continue_with: original}}}},'
        f' {{move: "{tmp_path}/m/"}}]\n'
        f'  - locations: "{tmp_path}/in"\n    filters: [{{extension: log}}]\n    actions: [trash]\n'
    )
    s = run_rules(rules)
    after_run = tree.read(tmp_path)
    u1 = undo(app_paths(), s.run_id).result
    assert u1.ok
    # a plain `undo` now would not redo: it undoes runs, not undos (nothing is left here)
    with pytest.raises(UndoError, match="nothing to undo"):
        undo(app_paths())
    u2 = undo(app_paths(), u1.run_id).result  # an undo is undone by naming it
    assert u2.ok and u2.target_run == u1.run_id
    assert tree.read(tmp_path) == after_run
    with open_history() as h:
        modes = [r.mode for r in h.runs()]
    assert modes == ["undo", "undo", "run"]


def test_delete_is_irreversible_sim_marks_it_and_undo_reports_it(
    tmp_path: Path, tree: Any, run_cli: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {"x.old": "x", "a.txt": "a"})
    text = (
        f'rules:\n  - locations: "{tmp_path}/in"\n    filters: [{{extension: old}}]\n'
        f"    actions: [delete]\n"
        f'  - locations: "{tmp_path}/in"\n    filters: [{{extension: txt}}]\n'
        f'    actions: [{{move: "{tmp_path}/out/"}}]\n'
    )
    p = plan(load_config_text(text))
    assert [op.kind.value for op in p.irreversible] == ["delete"]
    cfg = write_config(text)
    sim = run_cli("sim", "-c", cfg)
    assert sim.returncode == 0 and "cannot be undone" in sim.stdout + sim.stderr
    assert run_cli("run", "-c", cfg).returncode == 0
    proc = run_cli("undo")
    assert proc.returncode == 1
    assert "cannot be undone" in proc.stderr and "permanently deleted" in proc.stderr
    assert (tmp_path / "in" / "a.txt").exists() and not (tmp_path / "in" / "x.old").exists()


def test_undo_round_trips_names_that_are_not_utf8(tmp_path: Path, tree: Any) -> None:
    name = b"caf\xe9 \xff.txt"
    tree.make(tmp_path / "in", {name: b"latin-1 name"})
    before = tree.read(tmp_path)
    s = run_rules(_move_rules(tmp_path / "in", f"{tmp_path}/out/"))
    with open_history() as h:
        (op,) = h.operations(s.run_id)
    assert os.fsencode(op.src) == os.fsencode(str(tmp_path / "in")) + b"/" + name
    assert undo(app_paths()).result.ok
    assert tree.read(tmp_path) == before


def test_undo_dry_run_changes_nothing_and_unknown_run_is_an_error(
    tmp_path: Path, tree: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "A"})
    run_rules(_move_rules(tmp_path / "in", f"{tmp_path}/out/"))
    after = tree.read(tmp_path)
    res = undo(app_paths(), dry_run=True).result
    assert res.dry_run and res.run_id is None and len(res.done) == 1
    assert tree.read(tmp_path) == after
    with pytest.raises(UndoError):
        undo(app_paths(), 99)


# -- CLI ---------------------------------------------------------------------------


def test_cli_history_show_and_undo(
    tmp_path: Path, tree: Any, run_cli: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "A"})
    cfg = write_config(_move_rules(tmp_path / "in", f"{tmp_path}/out/"))
    assert run_cli("sim", "-c", cfg).returncode == 0
    assert run_cli("run", "-c", cfg, env={"FILEORGANIZER_HOST_ID": "nas-2"}).returncode == 0
    hist = run_cli("history", "--format", "json")
    assert hist.returncode == 0, hist.stderr
    runs = json.loads(hist.stdout)["runs"]
    # a sim changes nothing and is not recorded
    assert [(r["id"], r["mode"], r["status"]) for r in runs] == [(1, "run", "ok")]
    assert runs[0]["host"] == "nas-2" and runs[0]["pid"]  # who ran it
    text = run_cli("history")
    assert "run" in text.stdout
    shown = run_cli("history", "show", "1")
    assert f"on host nas-2 (pid {runs[0]['pid']})" in shown.stdout, shown.stdout
    show = run_cli("history", "show", "1", "--format", "json")
    ops = json.loads(show.stdout)["operations"]
    assert [(o["kind"], o["state"]) for o in ops] == [("move", "done")]
    dry = run_cli("undo", "--dry-run")
    assert dry.returncode == 0 and "1 would be undone" in dry.stdout
    dry = run_cli("undo", "--dry-run", "-v")
    assert dry.returncode == 0
    assert f"move {tmp_path}/out/a.txt -> {tmp_path}/in/a.txt" in dry.stdout
    assert (tmp_path / "out" / "a.txt").exists()
    proc = run_cli("undo", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["undone"] == 1
    assert (tmp_path / "in" / "a.txt").read_text() == "A"
    missing = run_cli("history", "show", "42")
    assert missing.returncode == 2 and "no run 42" in missing.stderr
    again = run_cli("undo", "1")
    assert again.returncode == 2 and "nothing left to undo" in again.stderr


def test_cli_undo_exit_code_1_when_a_file_is_left_alone(
    tmp_path: Path, tree: Any, run_cli: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "A"})
    cfg = write_config(_move_rules(tmp_path / "in", f"{tmp_path}/out/"))
    assert run_cli("run", "-c", cfg).returncode == 0
    (tmp_path / "in" / "a.txt").write_text("occupied")
    proc = run_cli("undo")
    assert proc.returncode == 1
    assert "left alone" in proc.stderr and "occupied" in proc.stderr


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_undo_larger_than_a_batch_agrees_with_the_disk(
    tmp_path: Path, tree: Any, cli_main: Any, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """Several executor batches (newest first), one refusal in the middle, history == disk."""
    from fileorganizer import executor

    monkeypatch.setattr(executor, "FIRST_BATCH", 7)
    monkeypatch.setattr(executor, "MAX_BATCH", 7)
    names = [f"f{i:02d}.txt" for i in range(30)]
    tree.make(tmp_path / "in", {n: n for n in names})
    s = run_rules(_move_rules(tmp_path / "in", f"{tmp_path}/out/sub/"))
    assert len(s.result.applied) == 30
    out = tmp_path / "out" / "sub"
    (out / "f13.txt").write_text("changed after the run")
    args = ["undo", str(s.run_id)] + (["--format", "json"] if fmt == "json" else ["-v"])
    r = cli_main(*args)
    assert r.code == 1
    with open_history() as h:
        ops = h.operations(s.run_id)
        undo_run_id = h.runs()[0].id  # the newest run: the undo
        assert h.run(undo_run_id).mode == "undo" and undo_run_id != s.run_id
        mine = h.operations(undo_run_id)
        info = h.run(undo_run_id)
    # the originals: every file back except the changed one, which is left where it is
    states = {Path(o.src).name: o.state for o in ops}
    assert states == {n: ("done" if n == "f13.txt" else "undone") for n in names}
    assert sorted(os.listdir(tmp_path / "in")) == sorted(n for n in names if n != "f13.txt")
    assert os.listdir(out) == ["f13.txt"]
    # the undo's own journal: one row per file moved back, newest first, seq continuous
    back = sorted((n for n in names if n != "f13.txt"), reverse=True)
    assert [o.seq for o in mine] == list(range(29))
    assert [Path(o.final_dst or "").name for o in mine] == back
    assert {o.reverses for o in mine} == {o.id for o in ops if Path(o.src).name != "f13.txt"}
    for o in mine:
        assert o.state == "done" and o.final_dst is not None and os.path.exists(o.final_dst)
        assert o.identity_after is not None
        assert o.identity_after.same_file(o.identity_after.of(o.final_dst))
        assert o.created_dirs == []  # "in" still existed
    # the refusal is a planned skip, counted in the undo's row
    assert (info.planned, info.done, info.skipped, info.failed) == (29, 29, 1, 0)
    # out/sub still holds the refused file, so no folder was removed
    if fmt == "json":
        data = json.loads(r.out)
        assert (data["undone"], data["refused"], data["irreversible"]) == (29, 1, 0)
        assert [Path(st["dst"]).name for st in data["operations"]] == back
        (skip,) = data["skips"]
        assert Path(skip["path"]).name == "f13.txt" and "changed after the run" in skip["reason"]
        assert data["removed_dirs"] == []
    else:
        lines = [line for line in r.out.splitlines() if line.startswith("move ")]
        assert len(lines) == 29
        assert lines[0].endswith(f"-> {tmp_path}/in/f29.txt")
        assert "left alone" in r.err and "f13.txt" in r.err
        assert "29 undone (" in r.out and "1 left alone" in r.out
    # the undo itself can be undone: everything goes back to out/sub
    r2 = cli_main("undo", str(undo_run_id))
    assert r2.code == 0
    assert sorted(os.listdir(out)) == names


def test_undo_twice_undoes_the_two_newest_runs_and_never_redoes(
    tmp_path: Path, tree: Any, cli_main: Any
) -> None:
    tree.make(tmp_path / "a", {"one.pdf": "1"})
    tree.make(tmp_path / "b", {"two.pdf": "2"})
    before = tree.read(tmp_path)
    assert cli_main("run", tmp_path / "a").code == 0
    assert cli_main("run", tmp_path / "b").code == 0
    first = cli_main("undo")
    assert first.code == 0 and "undo of run 2" in first.out
    second = cli_main("undo")
    assert second.code == 0 and "undo of run 1" in second.out
    assert tree.read(tmp_path) == before
    third = cli_main("undo")
    assert third.code != 0 and "nothing to undo" in third.err
    assert tree.read(tmp_path) == before
