"""``history prune`` keeps what undo needs; ``undo --session`` undoes a whole watch session."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import read_tree
from history_support import app_paths, run_rules

from fileorganizer import load_config_text
from fileorganizer.errors import UndoError
from fileorganizer.history import History
from fileorganizer.history.prune import prune
from fileorganizer.session import SessionOptions, organize, undo
from fileorganizer.states import RunMode


def _rules(src: Path, dst: Path) -> str:
    return f'rules:\n  - locations: "{src}"\n    actions: [{{move: "{dst}/"}}]\n'


def _age(db: Path, run_id: int, days: float) -> None:
    """Make run ``run_id`` look ``days`` old."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        when = (datetime.now() - timedelta(days=days)).isoformat(sep=" ")
        conn.execute("UPDATE runs SET started_at = ? WHERE id = ?", (when, run_id))


def test_prune_forgets_old_runs_but_keeps_what_a_newer_undo_refers_to(
    tmp_path: Path, tree: Any
) -> None:
    tree.make(tmp_path / "a", {"1.txt": "1"})
    tree.make(tmp_path / "b", {"2.txt": "2"})
    old = run_rules(_rules(tmp_path / "a", tmp_path / "a-out"))
    kept_by_undo = run_rules(_rules(tmp_path / "b", tmp_path / "b-out"))
    db = app_paths().db_path
    for run_id in (old.run_id, kept_by_undo.run_id):
        assert run_id is not None
        _age(db, run_id, 30)
    u = undo(app_paths(), kept_by_undo.run_id).result  # recent: refers to the old run
    with History(db) as h:
        dry = prune(h, timedelta(days=7), dry_run=True)
        assert (dry.runs, dry.kept) == ([old.run_id], [kept_by_undo.run_id])
        assert len(h.runs(None)) == 3  # a dry run removes nothing
        done = prune(h, timedelta(days=7))
        assert done.runs == [old.run_id] and done.operations == 1
        assert [r.id for r in h.runs(None)] == [u.run_id, kept_by_undo.run_id]
    # the kept undo can itself still be undone
    assert undo(app_paths(), u.run_id).result.ok
    assert (tmp_path / "b-out" / "2.txt").exists()


def test_history_prune_cli_says_what_it_removed(tmp_path: Path, tree: Any, run_cli: Any) -> None:
    tree.make(tmp_path / "a", {"1.txt": "1"})
    s = run_rules(_rules(tmp_path / "a", tmp_path / "out"))
    assert s.run_id is not None
    _age(app_paths().db_path, s.run_id, 10)
    dry = run_cli("history", "prune", "--older-than", "7", "--dry-run")
    assert dry.returncode == 0 and "would remove 1 run(s)" in dry.stdout
    proc = run_cli("history", "--format", "json", "prune", "--older-than", "7")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["runs"] == [s.run_id]
    assert json.loads(run_cli("history", "--format", "json").stdout)["runs"] == []


@pytest.mark.parametrize(("age", "removed"), [("7d", 1), ("1w", 1), ("2w", 0), ("300h", 0)])
def test_prune_takes_an_age_as_history_since_does(
    age: str, removed: int, tmp_path: Path, tree: Any, run_cli: Any
) -> None:
    tree.make(tmp_path / "a", {"1.txt": "1"})
    s = run_rules(_rules(tmp_path / "a", tmp_path / "out"))
    assert s.run_id is not None
    _age(app_paths().db_path, s.run_id, 10)  # started 10 days ago
    dry = run_cli("history", "prune", "--older-than", age, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"would remove {removed} run(s)" in dry.stdout
    bad = run_cli("history", "prune", "--older-than", "soon")
    assert bad.returncode == 2 and "give days (30) or an age (12h, 7d, 2w)" in bad.stderr


def _batch(config: str, only: list[Path], session: str) -> int:
    opts = SessionOptions(
        app_paths=app_paths(), mode=RunMode.WATCH, only=[str(p) for p in only], session_id=session
    )
    result = organize(load_config_text(config), opts)
    assert result.run_id is not None
    return result.run_id


def test_undo_session_reverses_every_batch_of_a_watch_session_as_one_plan(
    tmp_path: Path, tree: Any, run_cli: Any
) -> None:
    src, dst = tmp_path / "in", tmp_path / "out"
    tree.make(src, {"a.zip": "a", "b.zip": "b", "c.zip": "c"})
    before = read_tree(tmp_path)
    config = _rules(src, dst)
    other = _batch(config, [src / "c.zip"], "other-session")
    first = _batch(config, [src / "a.zip"], "s1")
    second = _batch(config, [src / "b.zip"], "s1")
    dry = run_cli("undo", "--session", "--dry-run", "--format", "json")
    assert dry.returncode == 0, dry.stderr
    assert sorted(Path(o["src"]).name for o in json.loads(dry.stdout)["operations"]) == [
        "a.zip",
        "b.zip",
    ]
    proc = run_cli("undo", str(first), "--session", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["undone"] == 2
    assert sorted(os.listdir(src)) == ["a.zip", "b.zip"]  # c.zip was another session's
    with History(app_paths().db_path) as h:
        undo_run = h.runs(1)[0]
        assert undo_run.note is not None and f"runs {first}, {second}" in undo_run.note
    assert run_cli("undo", str(other)).returncode == 0
    assert read_tree(tmp_path) == before  # out/, which the other run made, is gone too


def test_undo_session_of_a_run_that_is_not_a_watch_batch_is_an_error(
    tmp_path: Path, tree: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "a"})
    s = run_rules(_rules(tmp_path / "in", tmp_path / "out"))
    with pytest.raises(UndoError, match="not a batch of a watch session"):
        undo(app_paths(), s.run_id, session=True)
