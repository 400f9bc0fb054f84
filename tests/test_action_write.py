"""The ``write`` action: text into a file in place, journaled so that ``undo`` puts it back."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from history_support import app_paths, run_rules

from fileorganizer import load_config_text
from fileorganizer.errors import ConfigError, UndoError
from fileorganizer.history import History
from fileorganizer.session import SessionOptions, organize, undo


def _rules(loc: Path, *actions: str) -> str:
    body = "".join(f"      - {a}\n" for a in actions)
    return f"rules:\n  - name: idx\n    locations: {str(loc)!r}\n    actions:\n{body}"


def _write(outfile: Path, text: str = "{name}", **opts: Any) -> str:
    extra = "".join(f", {k}: {v}" for k, v in opts.items())
    return f"write: {{outfile: '{outfile}', text: '{text}'{extra}}}"


def _backups() -> list[str]:
    folder = app_paths().data_dir / "write-backups"
    return sorted(os.listdir(folder)) if folder.is_dir() else []


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("append", b"old\na\nb\n"),
        ("prepend", b"b\na\nold\n"),
        ("overwrite", b"b\n"),
    ],
)
def test_each_mode_writes_in_place_and_undo_puts_the_old_contents_back(
    mode: str, expected: bytes, tmp_path: Path, tree: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "1", "b.txt": "2"})
    index = tmp_path / "index.txt"
    index.write_bytes(b"old\n")
    os.utime(index, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    inode = index.stat().st_ino
    session = run_rules(_rules(tmp_path / "in", _write(index, mode=mode)))
    assert session.ok, session.result and session.result.to_dict()
    assert index.read_bytes() == expected
    assert index.stat().st_ino == inode  # written into, never replaced
    # an append is cut off again; the other modes saved the old contents first
    assert len(_backups()) == (0 if mode == "append" else 2)
    result = undo(app_paths(), session.run_id).result
    assert result.ok, result.to_dict()
    assert index.read_bytes() == b"old\n"
    assert index.stat().st_ino == inode
    if mode != "append":  # the saved contents come back with their modification time
        assert index.stat().st_mtime_ns == 1_600_000_000_000_000_000
    assert _backups() == []  # a saved copy is removed once it is back


def test_a_file_the_write_created_is_removed_by_undo_with_its_folder(
    tmp_path: Path, tree: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "1", "b.txt": "2"})
    index = tmp_path / "made" / "here" / "index.txt"
    session = run_rules(_rules(tmp_path / "in", _write(index, "{name} {size.bytes}")))
    assert session.ok
    assert index.read_text() == "a 1\nb 1\n"
    assert undo(app_paths(), session.run_id).result.ok
    assert not (tmp_path / "made").exists()


def test_runs_that_appended_to_one_file_are_undone_newest_first_one_by_one(
    tmp_path: Path, tree: Any
) -> None:
    """An undo's cut changes the file's times: the older run's undo still recognises it."""
    index = tmp_path / "index.txt"
    tree.make(tmp_path / "in", {"a.txt": "1"})
    first = run_rules(_rules(tmp_path / "in", f"move: '{tmp_path}/out/'", _write(index)))
    tree.make(tmp_path / "in", {"b.txt": "2"})
    second = run_rules(_rules(tmp_path / "in", f"move: '{tmp_path}/out/'", _write(index)))
    assert first.ok and second.ok and index.read_text() == "a\nb\n"
    assert undo(app_paths(), second.run_id).result.ok
    assert index.read_text() == "a\n"
    older = undo(app_paths(), first.run_id).result
    assert older.ok and not older.plan.skips, [s.reason for s in older.plan.skips]
    assert not index.exists()
    assert sorted(p.name for p in (tmp_path / "in").iterdir()) == ["a.txt", "b.txt"]


def test_clear_before_first_write_empties_the_file_once_per_run(tmp_path: Path, tree: Any) -> None:
    tree.make(tmp_path / "in", {"a.txt": "1", "b.txt": "2"})
    index = tmp_path / "index.txt"
    index.write_text("from last time\n")
    text = _rules(tmp_path / "in", _write(index, clear_before_first_write="true"))
    first = run_rules(text)
    assert first.ok
    assert index.read_text() == "a\nb\n"
    second = run_rules(text)
    assert index.read_text() == "a\nb\n"
    assert undo(app_paths(), second.run_id).result.ok
    assert index.read_text() == "a\nb\n"
    assert undo(app_paths(), first.run_id).result.ok
    assert index.read_text() == "from last time\n"


def test_sim_shows_each_write_and_writes_nothing(
    tmp_path: Path, tree: Any, run_cli: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "1"})
    index = tmp_path / "index.txt"
    rules = write_config(_rules(tmp_path / "in", _write(index, "{name}: {size.bytes}")))
    proc = run_cli("sim", "-v", "-c", rules)
    assert proc.returncode == 0, proc.stderr
    assert f"write {index} (append, new file): 'a: 1'" in proc.stdout
    assert not index.exists()
    proc = run_cli("run", "-v", "-c", rules)
    assert proc.returncode == 0, proc.stderr
    assert f"write {index} (append, new file): 'a: 1'" in proc.stdout
    assert index.read_text() == "a: 1\n"


def test_undo_leaves_a_file_that_changed_after_the_write(tmp_path: Path, tree: Any) -> None:
    tree.make(tmp_path / "in", {"a.txt": "1"})
    index = tmp_path / "index.txt"
    index.write_text("old\n")
    session = run_rules(
        _rules(tmp_path / "in", _write(index, mode="prepend"), f"move: '{tmp_path}/out/'")
    )
    assert session.ok
    with index.open("a") as f:
        f.write("added by hand\n")
    result = undo(app_paths(), session.run_id).result
    assert not result.ok
    assert [s.reason for s in result.refused] == [f"{index} changed after the run; left as it is"]
    assert index.read_text() == "a\nold\nadded by hand\n"
    assert (tmp_path / "in" / "a.txt").exists()  # the rest of the run is undone


def test_a_relative_outfile_is_relative_to_the_current_folder(
    tmp_path: Path, tree: Any, run_cli: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "1"})
    work = tmp_path / "work"
    work.mkdir()
    rules = write_config(_rules(tmp_path / "in", "write: {outfile: './sizes.txt', text: '{name}'}"))
    proc = run_cli("run", "-c", rules, cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert (work / "sizes.txt").read_text() == "a\n"


def test_encoding_and_newline(tmp_path: Path, tree: Any) -> None:
    tree.make(tmp_path / "in", {"é.txt": "1"})
    index = tmp_path / "index.txt"
    assert run_rules(
        _rules(tmp_path / "in", _write(index, "{name}|", encoding="latin-1", newline="false"))
    ).ok
    assert index.read_bytes() == "é|".encode("latin-1")
    with pytest.raises(ConfigError, match="unknown encoding 'klingon'"):
        load_config_text(_rules(tmp_path / "in", _write(index, encoding="klingon")))


def test_the_output_of_a_command_is_written_and_undone_from_the_saved_copy(
    tmp_path: Path, tree: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "hello"})
    index = tmp_path / "index.txt"
    index.write_text("old\n")
    session = run_rules(
        _rules(tmp_path / "in", "shell: 'cat {path}'", _write(index, "{name}={shell.output}"))
    )
    assert session.ok
    assert index.read_text() == "old\na=hello\n"
    with History(app_paths().db_path) as h:
        (write,) = [r for r in h.operations(session.run_id) if r.kind == "write"]
    assert write.detail is None and write.trash_path  # the text was known only when written
    result = undo(app_paths(), session.run_id).result
    assert index.read_text() == "old\n"
    assert result.n_irreversible == 1  # the shell command


def test_an_undo_of_writes_cannot_itself_be_undone(tmp_path: Path, tree: Any) -> None:
    tree.make(tmp_path / "in", {"a.txt": "1"})
    index = tmp_path / "index.txt"
    session = run_rules(_rules(tmp_path / "in", _write(index)))
    done = undo(app_paths(), session.run_id).result
    assert done.ok and done.run_id is not None
    assert not index.exists()
    try:
        again = undo(app_paths(), done.run_id).result
    except UndoError:  # nothing reversible: also acceptable, but it must not rewrite
        pass
    else:
        assert again.n_irreversible == 1 and not again.ok
    assert not index.exists()


def test_a_write_never_replaces_a_file_that_appeared_after_planning(
    tmp_path: Path, tree: Any
) -> None:
    from fileorganizer.planner import Planner
    from fileorganizer.session import apply_recorded, open_history

    tree.make(tmp_path / "in", {"a.txt": "1"})
    index = tmp_path / "index.txt"
    config = load_config_text(_rules(tmp_path / "in", _write(index)))
    plan = Planner(config).run()
    index.write_text("someone else's\n")
    with open_history(app_paths()) as h:
        result = apply_recorded(plan, h, app_paths=app_paths())
    (skip,) = result.skipped
    assert skip.reason == f"{index} appeared since it was planned; not replaced"
    assert index.read_text() == "someone else's\n"


@pytest.mark.parametrize("mode", ["append", "overwrite", "prepend"])
def test_the_later_writes_into_a_file_that_appeared_are_not_done_either(
    mode: str, tmp_path: Path, tree: Any
) -> None:
    """The first write was to create the file; the next ones of the run write into it."""
    from fileorganizer.planner import Planner
    from fileorganizer.session import apply_recorded, open_history

    tree.make(tmp_path / "in", {"a.txt": "1", "b.txt": "2", "c.txt": "3"})
    index = tmp_path / "index.txt"
    config = load_config_text(_rules(tmp_path / "in", _write(index, mode=mode)))
    plan = Planner(config).run()
    index.write_text("precious\n")
    with open_history(app_paths()) as h:
        result = apply_recorded(plan, h, app_paths=app_paths())
    assert len(result.skipped) == 3 and not result.applied
    assert "not written into" in (result.skipped[1].reason or "")
    assert index.read_text() == "precious\n"
    assert _backups() == []


def test_a_symlinked_outfile_is_not_written_through(tmp_path: Path, tree: Any) -> None:
    tree.make(tmp_path / "in", {"a.txt": "1"})
    target = tmp_path / "target.txt"
    target.write_text("keep\n")
    link = tmp_path / "index.txt"
    link.symlink_to(target)
    session = run_rules(_rules(tmp_path / "in", _write(link)))
    assert session.result is not None
    (failed,) = session.result.failed
    assert "is a symlink: not written through" in (failed.error or "")
    assert target.read_text() == "keep\n"


def test_sim_and_run_plan_the_same_writes(tmp_path: Path, tree: Any) -> None:
    tree.make(tmp_path / "in", {"a.txt": "1", "b.txt": "22"})
    text = _rules(tmp_path / "in", _write(tmp_path / "i.txt", "{name} {size.bytes}"))
    sim = organize(load_config_text(text), SessionOptions(app_paths=app_paths(), dry_run=True))
    run = run_rules(text)
    assert run.result is not None
    planned = [(o.kind, o.src, o.message, o.note) for o in sim.plan.operations]
    applied = [(r.op.kind, r.op.src, r.op.message, r.op.note) for r in run.result.results]
    assert planned == applied


@pytest.mark.parametrize("where", ["history", "backups", "rules"])
def test_a_write_into_the_tools_own_files_is_refused_when_planning(
    where: str, tmp_path: Path, tree: Any, write_config: Any, run_cli: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "1"})
    ap = app_paths()
    history = ap.db_path
    target = {
        "history": str(history),
        "backups": str(ap.data_dir / "write-backups" / "x.txt"),
        "rules": "RULES",
    }[where]
    text = _rules(tmp_path / "in", _write(Path(target), mode="overwrite"))
    rules = write_config(text)
    if where == "rules":
        rules.write_text(text.replace("RULES", str(rules)))
    before = rules.read_bytes()
    assert run_cli("run", "-c", rules).returncode == 1
    proc = run_cli("run", "-c", rules)
    assert "one of fileorganizer's own files" in proc.stderr, proc.stderr
    assert rules.read_bytes() == before
    assert run_cli("history").returncode == 0  # the history is intact
    assert not (ap.data_dir / "write-backups" / "x.txt").exists()


def test_texts_keep_slashes_that_paths_make_safe(tmp_path: Path, tree: Any) -> None:
    """A value with '/' is one folder name in a destination, but is written as it is."""
    tree.make(tmp_path / "in", {"a.txt": "1"})
    index = tmp_path / "index.txt"
    session = run_rules(
        _rules(
            tmp_path / "in",
            "shell: 'echo {path.parent}'",
            "write: {outfile: '" + str(index) + "', "
            "text: \"{shell.output.strip()} {lastmodified.strftime('%Y/%m')} {'a/b'}\"}",
            f"move: \"{tmp_path}/out/{{'x/y'}}/\"",
        )
    )
    assert session.ok, session.result and session.result.to_dict()
    year_month = index.read_text().split()[1]
    assert index.read_text() == f"{tmp_path}/in {year_month} a/b\n"
    assert year_month.count("/") == 1
    assert (tmp_path / "out" / "x_y" / "a.txt").exists()  # (in a path: made safe)


def test_a_move_onto_a_file_the_same_run_writes_is_planned_as_a_conflict(
    tmp_path: Path, tree: Any
) -> None:
    """The written file is not on disk while planning, but the plan knows it: sim says
    'a 2.txt' and run does exactly that (rename_new); skip leaves the file."""
    from fileorganizer.planner import Planner
    from fileorganizer.session import apply_recorded, open_history

    tree.make(tmp_path / "in", {"a.txt": "mine"})
    out = tmp_path / "out"
    rules = _rules(tmp_path / "in", _write(out / "a.txt", "made by write"), f"move: '{out}/'")
    plan = Planner(load_config_text(rules)).run()
    planned = [(op.kind.value, op.dst) for op in plan.operations if op.kind.value == "move"]
    assert planned == [("move", str(out / "a 2.txt"))]
    with open_history(app_paths()) as h:
        result = apply_recorded(plan, h, app_paths=app_paths())
    assert [r.dst for r in result.applied if r.op.kind.value == "move"] == [str(out / "a 2.txt")]
    assert (out / "a.txt").read_text() == "made by write\n"
    assert (out / "a 2.txt").read_text() == "mine"


def test_a_write_into_the_file_itself_then_a_move_does_what_sim_showed(
    tmp_path: Path, tree: Any
) -> None:
    from fileorganizer.planner import Planner
    from fileorganizer.session import apply_recorded, open_history

    tree.make(tmp_path / "in", {"a.log": "line 1\n"})
    rules = _rules(tmp_path / "in", _write(Path("{path}"), "stamped"), f"move: '{tmp_path}/out/'")
    plan = Planner(load_config_text(rules)).run()
    assert [op.kind.value for op in plan.operations] == ["write", "move"]
    with open_history(app_paths()) as h:
        result = apply_recorded(plan, h, app_paths=app_paths())
    assert [r.op.kind.value for r in result.applied] == ["write", "move"], result.to_dict()
    assert (tmp_path / "out" / "a.log").read_text() == "line 1\nstamped\n"
    undone = undo(app_paths(), result.run_id).result
    assert undone.ok, [s.reason for s in undone.plan.skips] + [
        r.reason for r in undone.result.skipped
    ]
    assert (tmp_path / "in" / "a.log").read_text() == "line 1\n"
