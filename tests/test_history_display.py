"""``history`` at 80 and 60 columns, its filters, and ``History()``'s default database."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, update

from fileorganizer.cli.history_table import parse_since
from fileorganizer.history import History
from fileorganizer.history.models import runs
from fileorganizer.paths import resolve_paths


def _history_with_wide_rows() -> list[tuple[str, str, str, str]]:
    """Runs with long ids, big counts, an undo and every status; returns what must show."""
    start = datetime(2026, 3, 4, 5, 6, 7)
    rows = [
        (1041, "run", "interrupted", None, (123456, 120000, 3000, 456)),
        (1042, "undo", "ok", 1041, (120000, 119999, 1, 0)),
        (1043, "sim", "planned", None, (77, 0, 0, 0)),
        (1044, "watch", "failed", None, (12, 10, 0, 2)),
        (100045, "run", "ok", None, (5, 5, 0, 0)),
    ]
    with History() as h, h.transaction() as conn:
        for i, (run_id, mode, status, undo_of, (planned, done, skipped, failed)) in enumerate(rows):
            conn.execute(
                insert(runs).values(
                    id=run_id,
                    mode=mode,
                    status=status,
                    started_at=start + timedelta(minutes=i),
                    undo_of=undo_of,
                )
            )
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(planned=planned, done=done, skipped=skipped, failed=failed)
            )
    return [
        (
            str(run_id),
            (start + timedelta(minutes=i)).strftime("%Y-%m-%d %H:%M:%S"),
            f"{mode} of {undo_of}" if undo_of else mode,
            status,
        )
        for i, (run_id, mode, status, undo_of, _counts) in enumerate(rows)
    ]


@pytest.mark.parametrize("width", [80, 60])
def test_history_never_cuts_ids_dates_or_modes(
    width: int, cli_main: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _history_with_wide_rows()
    monkeypatch.setenv("COLUMNS", str(width))
    r = cli_main("history")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert all(len(line) <= width for line in lines), "\n".join(lines)
    assert "…" not in r.out
    for run_id, started, mode, status in expected:
        [line] = [ln for ln in lines if ln.split()[:1] == [run_id]]
        padded = line + " "
        assert f" {started} " in padded and f" {mode} " in padded and f" {status} " in padded
    if width == 80:  # the counts fit as columns once the low-value ones are dropped
        assert lines[0].split() == ["id", "started", "mode", "status", "done", "skipped", "failed"]
        assert lines[1].split()[-3:] == ["5", "0", "0"]
    else:  # each run's counts on a line of their own below it
        assert lines[0].split() == ["id", "started", "mode", "status"]
        [at] = [i for i, ln in enumerate(lines) if ln.split()[:1] == ["1041"]]
        assert lines[at + 1].strip() == "120000 done, 456 failed, 3000 skipped"


def test_history_limit_since_and_mode_filter_the_runs(
    cli_main: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _history_with_wide_rows()

    def ids(*args: str) -> list[int]:
        r = cli_main("history", "--format", "json", *args)
        assert r.code == 0, r.err
        return [run["id"] for run in json.loads(r.out)["runs"]]

    assert ids() == [100045, 1044, 1043, 1042, 1041]
    assert ids("--limit", "2") == [100045, 1044]
    assert ids("--mode", "run") == [100045, 1041]
    assert ids("--mode", "undo", "--mode", "watch") == [1044, 1042]
    assert ids("--since", "2026-03-04 05:08") == [100045, 1044, 1043]
    assert ids("--since", "2030-01-01") == []
    assert ids("--since", "7d") == []  # all of them are older than a week (2026-03)
    r = cli_main("history", "--since", "2030-01-01")
    assert r.code == 0 and r.out.strip() == "no runs match"
    bad = cli_main("history", "--since", "last tuesday")
    assert bad.code == 2 and "--since 'last tuesday'" in bad.err and "7d" in bad.err
    wrong = cli_main("history", "--mode", "nonsense")
    assert wrong.code == 2


def test_parse_since_accepts_dates_and_ages() -> None:
    now = datetime(2026, 5, 1, 12, 0, 0)
    assert parse_since("2026-01-31") == datetime(2026, 1, 31)
    assert parse_since("2026-01-31 14:00") == datetime(2026, 1, 31, 14, 0)
    assert parse_since("30m", now) == now - timedelta(minutes=30)
    assert parse_since("12h", now) == now - timedelta(hours=12)
    assert parse_since("7d", now) == now - timedelta(days=7)
    assert parse_since("2w", now) == now - timedelta(weeks=2)
    with pytest.raises(ValueError, match="give a date"):
        parse_since("soon")


def test_history_opens_the_default_database_without_arguments(isolated_env: Any) -> None:
    with History() as h:
        assert h.db_path == resolve_paths().db_path
        assert str(h.db_path).startswith(str(isolated_env.data_dir))
        run_id = h.start_run("run")
    with History(resolve_paths().db_path) as h:
        assert [r.id for r in h.runs()] == [run_id]


def test_history_runs_filters_by_start_time() -> None:
    with History() as h:
        old = h.start_run("run")
        with h.transaction() as conn:
            conn.execute(
                update(runs).where(runs.c.id == old).values(started_at=datetime(2020, 1, 1))
            )
        new = h.start_run("run")
        assert [r.id for r in h.runs(since=datetime(2021, 1, 1))] == [new]
        assert [r.id for r in h.runs(since=datetime(2019, 1, 1))] == [new, old]


def test_undo_of_a_run_that_changed_nothing_has_no_hint(
    tmp_path: Path, cli_main: Any, write_config: Any
) -> None:
    (tmp_path / "in").mkdir()
    cfg = write_config(f"rules:\n  - locations: {tmp_path}/in\n    actions: [trash]\n")
    r = cli_main("run", "-c", cfg)
    assert r.code == 0 and "undo" not in r.out
    u = cli_main("undo")
    assert u.code == 2 and "nothing to undo" in u.err
