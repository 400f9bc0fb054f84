"""Executor behaviour beyond conflicts: stopping, batches, reporting."""

from __future__ import annotations

from pathlib import Path

from fileorganizer import OpStatus, load_config_text, plan
from fileorganizer.executor import Executor
from fileorganizer.fsops import Trash
from fileorganizer.report import CollectingReporter


def _plan(tmp_path: Path, n: int) -> list:  # type: ignore[type-arg]
    src = tmp_path / "in"
    src.mkdir()
    for i in range(n):
        (src / f"f{i:03}.txt").write_text(str(i))
    cfg = load_config_text(f"rules:\n  - locations: {src}\n    actions: [move: {tmp_path}/out/]\n")
    return plan(cfg).operations


def test_stop_request_finishes_the_current_file_and_skips_the_rest(tmp_path: Path) -> None:
    ops = _plan(tmp_path, 30)
    calls = {"n": 0}

    def should_stop() -> bool:
        calls["n"] += 1
        return calls["n"] > 10

    ex = Executor(trash=Trash(tmp_path / "trash"), batch_size=8, should_stop=should_stop)
    result = ex.apply(ops)
    assert result.interrupted
    done = [r for r in result.results if r.status is OpStatus.DONE]
    assert 0 < len(done) < 30
    moved = sorted(p.name for p in (tmp_path / "out").iterdir())
    left = sorted(p.name for p in (tmp_path / "in").iterdir())
    assert len(moved) == len(done) and len(moved) + len(left) == 30
    assert all(
        r.reason == "interrupted before this file"
        for r in result.results
        if r.status is OpStatus.SKIPPED
    )


def test_reporter_sees_every_result(tmp_path: Path) -> None:
    ops = _plan(tmp_path, 5)
    rep = CollectingReporter()
    Executor(trash=Trash(tmp_path / "trash"), reporter=rep).apply(ops)
    assert [kind for kind, _ in rep.events] == ["applied"] * 5
