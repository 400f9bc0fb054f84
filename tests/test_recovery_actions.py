"""Recovery of interrupted shell commands and writes (real processes killed at crash points)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Any

import pytest
from history_support import app_paths

from fileorganizer.actions.macos_tags import parse_tag, tags_plist
from fileorganizer.crash import ENV_CRASH_AT
from fileorganizer.history import History
from fileorganizer.session import recover_now, undo


def _rules(loc: Path, *actions: str) -> str:
    body = "".join(f"      - {a}\n" for a in actions)
    return f"rules:\n  - locations: {str(loc)!r}\n    actions:\n{body}"


@pytest.mark.parametrize("point", ["after_intent_commit", "before_done_commit"])
def test_an_interrupted_command_is_reported_and_never_run_again(
    point: str, tmp_path: Path, tree: Any, write_config: Any, run_cli: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "1"})
    marks = tmp_path / "marks"
    rules = write_config(
        _rules(tmp_path / "in", f"shell: 'echo ran >> {marks}'", f"move: '{tmp_path}/out/'")
    )
    proc = run_cli("run", "-c", rules, env={ENV_CRASH_AT: point})
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    ran = marks.read_text() if marks.exists() else ""
    with History(app_paths().db_path) as h:
        report = recover_now(app_paths(), h)
        assert report is not None
        (shell,) = [i for i in report.items if i.op.kind == "shell"]
        assert shell.outcome == "ambiguous"
        assert shell.message == (
            f"interrupted: whether the shell command for {tmp_path}/in/a.txt ran is not known "
            f"(echo ran >> {marks}); it is not run again"
        )
        states = {r.kind.value: r.state.value for r in h.operations(1)}
    assert (marks.read_text() if marks.exists() else "") == ran  # not run again
    # the move is decided from the disk as usual; undo says what it cannot undo
    moved = point == "before_done_commit"
    assert states == {"shell": "failed", "move": "done" if moved else "skipped"}
    if moved:
        result = undo(app_paths(), 1).result
        assert result.n_done == 1 and not result.refused
        assert (tmp_path / "in" / "a.txt").exists()


def test_an_interrupted_batch_of_appends_is_followed_through_and_undone(
    tmp_path: Path, tree: Any, write_config: Any, run_cli: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "1", "b.txt": "2", "c.txt": "3"})
    index = tmp_path / "index.txt"
    index.write_text("old\n")
    rules = write_config(
        _rules(tmp_path / "in", f"write: {{outfile: '{index}', text: '{{name}}'}}")
    )
    proc = run_cli("run", "-c", rules, env={ENV_CRASH_AT: "before_done_commit"})
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert index.read_text() == "old\na\nb\nc\n"
    with History(app_paths().db_path) as h:
        report = recover_now(app_paths(), h)
        assert report is not None and not report.ambiguous, report.to_dict()
        assert [i.outcome for i in report.items] == ["done", "done", "done"]
        sizes = [r.identity_after.size for r in h.operations(1) if r.identity_after]
        assert sizes == [6, 8, 10]
    result = undo(app_paths(), 1).result
    assert result.ok, result.to_dict()
    assert index.read_text() == "old\n"


def test_a_rewrite_caught_half_way_gets_its_saved_contents_back(
    tmp_path: Path, tree: Any, write_config: Any, run_cli: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "1"})
    index = tmp_path / "index.txt"
    index.write_text("the previous contents\n")
    rules = write_config(
        _rules(
            tmp_path / "in",
            f"write: {{outfile: '{index}', text: 'a much longer first line', mode: overwrite}}",
        )
    )
    proc = run_cli("run", "-c", rules, env={ENV_CRASH_AT: "mid_write"})
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert index.read_text() not in ("the previous contents\n", "a much longer first line\n")
    with History(app_paths().db_path) as h:
        report = recover_now(app_paths(), h)
        assert report is not None and not report.ambiguous, report.to_dict()
        (item,) = [i for i in report.items if i.op.kind == "write"]
        assert item.outcome == "not_done"
        assert "has its previous contents back" in item.message
    assert index.read_text() == "the previous contents\n"


def test_macos_tags_parse_and_encode_as_finder_stores_them() -> None:
    import plistlib

    assert parse_tag("Invoices (red)") == ("Invoices", "red")
    assert parse_tag("Work (Blue)") == ("Work", "blue")
    assert parse_tag("plain") == ("plain", "none")
    with pytest.raises(ValueError, match="unknown tag colour 'pink'"):
        parse_tag("x (pink)")
    assert plistlib.loads(tags_plist([("Invoices", "red"), ("plain", "none")])) == [
        "Invoices\n6",
        "plain",
    ]


@pytest.mark.skipif(sys.platform == "darwin", reason="the error is for other systems")
def test_macos_tags_is_a_clear_check_error_elsewhere(
    tmp_path: Path, run_cli: Any, write_config: Any
) -> None:
    rules = write_config(_rules(tmp_path, "macos_tags: 'Invoices (red)'"))
    proc = run_cli("check", "-c", rules)
    assert proc.returncode == 2
    assert (
        f"key 'actions[0].macos_tags': the macos_tags action is only available on macOS "
        f"(this is {sys.platform})"
    ) in proc.stderr
