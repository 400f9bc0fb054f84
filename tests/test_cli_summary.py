"""What ``run``/``sim``/``undo`` print: a summary by folder and rule, reasons, streams, logs."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from fileorganizer.cli.common import history_flags
from fileorganizer.cli.summary import (
    MAX_PATHS,
    MAX_REASONS,
    OTHER_REASONS,
    Outcome,
    Summary,
    reason_key,
)
from fileorganizer.operations import OpKind

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (INFO|WARNING|ERROR) ")


def _rules(tmp_path: Path) -> str:
    return (
        "rules:\n"
        f"  - name: texts\n    locations: {tmp_path}/in\n"
        "    filters: [extension: txt]\n"
        f"    actions: [move: {tmp_path}/out/texts/]\n"
        f"  - name: pictures\n    locations: {tmp_path}/in\n"
        "    filters: [extension: jpg]\n"
        f"    actions: [move: {tmp_path}/out/pictures/]\n"
    )


def _inbox(tmp_path: Path, tree: Any) -> None:
    tree.make(
        tmp_path / "in",
        {
            "a.txt": "x" * 1000,
            "b.txt": "x" * 1000,
            "c.txt": "x" * 500,
            "p.jpg": b"\xff" * 2000,
        },
    )


def test_run_prints_a_summary_by_folder_and_rule_not_a_line_per_file(
    tmp_path: Path, tree: Any, cli_main: Any, write_config: Any
) -> None:
    _inbox(tmp_path, tree)
    r = cli_main("run", "-c", write_config(_rules(tmp_path)))
    assert r.code == 0, r.err
    assert "move " not in r.out  # no per-file lines without -v
    assert r.out.splitlines()[0] == f"folders in {tmp_path}/out/"
    table = r.out.split("\n\n")[0].splitlines()[1:]  # the destination table
    assert [line.split() for line in table] == [
        ["destination", "files", "size"],
        ["texts", "3", "2.5", "kB"],
        ["pictures", "1", "2.0", "kB"],
    ]
    rule_table = r.out.split("\n\n")[1].splitlines()
    assert [line.split() for line in rule_table] == [
        ["rule", "files", "size"],
        ["texts", "3", "2.5", "kB"],
        ["pictures", "1", "2.0", "kB"],
    ]
    *_, totals, hint = r.out.splitlines()
    assert totals.startswith("done: 4 applied (4.5 kB) in ")
    assert re.fullmatch(r"run (\d+): undo with 'fileorganizer undo \1'", hint)


def test_run_verbose_prints_each_file_then_the_summary(
    tmp_path: Path, tree: Any, cli_main: Any, write_config: Any
) -> None:
    _inbox(tmp_path, tree)
    r = cli_main("run", "-v", "-c", write_config(_rules(tmp_path)))
    lines = [line for line in r.out.splitlines() if line.startswith("move ")]
    assert len(lines) == 4
    assert f"move {tmp_path}/in/p.jpg -> {tmp_path}/out/pictures/p.jpg" in lines
    assert r.out.splitlines()[-2].startswith("done: 4 applied")


def test_quiet_prints_only_the_totals_line_and_the_undo_hint(
    tmp_path: Path, tree: Any, cli_main: Any, write_config: Any
) -> None:
    _inbox(tmp_path, tree)
    r = cli_main("run", "-q", "-c", write_config(_rules(tmp_path)))
    assert r.code == 0
    totals, hint = r.out.splitlines()
    assert totals.startswith("done: 4 applied") and hint.startswith("run 1: undo with")
    assert r.err == ""


def test_no_undo_hint_when_nothing_changed(
    tmp_path: Path, tree: Any, cli_main: Any, write_config: Any
) -> None:
    (tmp_path / "in").mkdir()
    r = cli_main("run", "-c", write_config(_rules(tmp_path)))
    assert r.code == 0
    assert r.out.startswith("done: 0 applied") and "undo" not in r.out + r.err


def test_sim_summarises_the_plan_and_lists_it_with_verbose(
    tmp_path: Path, tree: Any, cli_main: Any, write_config: Any
) -> None:
    _inbox(tmp_path, tree)
    cfg = write_config(_rules(tmp_path))
    r = cli_main("sim", "-c", cfg)
    assert r.code == 0
    assert "move " not in r.out and f"folders in {tmp_path}/out/" in r.out
    assert r.out.splitlines()[-1].startswith(
        "sim: 4 operation(s) planned (4.5 kB), nothing changed"
    )
    assert "undo" not in r.out
    v = cli_main("sim", "-v", "-c", cfg)
    assert len([line for line in v.out.splitlines() if line.startswith("move ")]) == 4
    assert (tmp_path / "in" / "a.txt").exists()  # a sim changes nothing


@pytest.mark.root
def test_failures_are_grouped_by_reason_with_the_first_paths(
    tmp_path: Path, tree: Any, cli_main: Any, write_config: Any, tmpfs: Any
) -> None:
    names = [f"f{i}.txt" for i in range(MAX_PATHS + 3)]
    tree.make(tmp_path / "in", dict.fromkeys(names, "x"))
    other_disk = tmpfs(size="1m", name="links")  # a hard link cannot cross devices
    cfg = write_config(
        f"rules:\n  - name: r\n    locations: {tmp_path}/in\n"
        f"    actions: [hardlink: {other_disk}/links/]\n"
    )
    r = cli_main("run", "-c", cfg)
    assert r.code == 1
    assert r.err.splitlines()[0] == f"failed: {len(names)} files"
    group = r.err.splitlines()[1]
    assert group.startswith("  ") and group.endswith(f"({len(names)})")
    assert "cross-device" in group and str(tmp_path) not in group  # one reason for all
    listed = [line.strip() for line in r.err.splitlines() if line.startswith("    /")]
    assert listed == [f"{tmp_path}/in/{n}" for n in sorted(names)[:MAX_PATHS]]
    assert "… and 3 more" in r.err
    assert f"{len(names)} failed" in r.out.splitlines()[-1]
    assert "undo with" not in r.out  # nothing was changed
    v = cli_main("run", "-v", "-c", cfg)  # -v: one line per failure
    assert len([line for line in v.err.splitlines() if line.startswith("failed /")]) == len(names)


def test_jsonl_streams_one_object_per_operation_then_a_summary(
    tmp_path: Path, tree: Any, cli_main: Any, write_config: Any
) -> None:
    _inbox(tmp_path, tree)
    cfg = write_config(_rules(tmp_path))
    for command in ("sim", "run"):
        r = cli_main(command, "-c", cfg, "--format", "jsonl")
        assert r.code == 0, r.err
        objects = [json.loads(line) for line in r.out.splitlines()]
        ops, final = objects[:-1], objects[-1]
        assert [o["type"] for o in ops] == ["operation"] * 4
        assert {Path(o["src"]).name for o in ops} == {"a.txt", "b.txt", "c.txt", "p.jpg"}
        assert {o["status"] for o in ops} == {"planned" if command == "sim" else "done"}
        assert final["type"] == "summary" and final["mode"] == command
        assert final["files"] == 4 and final["bytes"] == 4500
        by_rule = {t["name"]: (t["files"], t["bytes"]) for t in final["by_rule"]}
        assert by_rule == {"texts": (3, 2500), "pictures": (1, 2000)}


def test_json_keeps_its_shape_and_gains_the_summary_counts(
    tmp_path: Path, tree: Any, cli_main: Any, write_config: Any
) -> None:
    _inbox(tmp_path, tree)
    r = cli_main("run", "-c", write_config(_rules(tmp_path)), "--format", "json")
    data = json.loads(r.out)
    assert len(data["operations"]) == 4 and data["summary"]["applied"] == 4
    assert data["summary"]["by_destination"][0] == {
        "name": f"{tmp_path}/out/texts",
        "files": 3,
        "bytes": 2500,
    }


def test_log_file_gets_every_line_with_a_timestamp(
    tmp_path: Path, tree: Any, cli_main: Any, write_config: Any
) -> None:
    _inbox(tmp_path, tree)
    log = tmp_path / "logs" / "organize.log"
    r = cli_main("run", "-q", "-c", write_config(_rules(tmp_path)), "--log-file", log)
    assert r.code == 0
    lines = log.read_text().splitlines()
    assert all(TIMESTAMP.match(line) for line in lines), lines
    assert len([line for line in lines if " INFO move " in line]) == 4  # whatever -q says
    assert "done: 4 applied" in lines[-2] and "undo with 'fileorganizer undo 1'" in lines[-1]
    u = cli_main("undo", "-q", "--log-file", log)
    assert u.code == 0 and u.out.startswith("undo of run")
    more = log.read_text().splitlines()[len(lines) :]
    back = [line for line in more if " INFO move " in line and f"-> {tmp_path}/in/" in line]
    assert len(back) == 4
    assert all(TIMESTAMP.match(line) for line in more)


def test_an_unwritable_log_file_is_blamed_on_the_command_line(
    tmp_path: Path, cli_main: Any, write_config: Any
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "file").write_text("not a folder")
    bad = tmp_path / "file" / "x.log"
    r = cli_main("run", "-c", write_config(_rules(tmp_path)), "--log-file", bad)
    assert r.code == 2 and "log file given on the command line" in r.err


def test_undo_prints_the_same_summary_and_quiet_only_the_totals(
    tmp_path: Path, tree: Any, cli_main: Any, write_config: Any
) -> None:
    _inbox(tmp_path, tree)
    cfg = write_config(_rules(tmp_path))
    assert cli_main("run", "-c", cfg).code == 0
    r = cli_main("undo")
    assert r.code == 0
    assert r.out.startswith(f"folders in {tmp_path}/\nback to  files    size\nin  ")
    assert "texts" in r.out and "pictures" in r.out  # by rule of the run undone
    assert re.search(r"undo of run \d+ \(recorded as run \d+\): 4 undone \(4.5 kB\)", r.out)
    assert cli_main("run", "-c", cfg).code == 0
    q = cli_main("undo", "-q")
    assert q.code == 0 and "4 undone" in q.out.splitlines()[0]
    assert len(q.out.splitlines()) == 2  # the totals and the hint (an undo can be undone)


# -- the summary itself ---------------------------------------------------------------------


def test_summary_memory_is_bounded_whatever_the_number_of_files() -> None:
    s = Summary()
    for i in range(20_000):
        s.add_outcome(Outcome.FAILED, "Permission denied", f"/in/{i}")
        s.add_outcome(Outcome.SKIPPED, f"reason {i}", f"/in/{i}")
        s.add_done(OpKind.MOVE, f"/out/{i % 7}/f{i}", "r", 10)
    assert s.count(Outcome.FAILED) == 20_000
    [(reason, group)] = s.ranked(Outcome.FAILED)
    assert reason == "Permission denied" and group.paths == ["/in/0", "/in/1", "/in/2"]
    assert len(s.groups[Outcome.SKIPPED]) == MAX_REASONS + 1  # the rest: "other reasons"
    assert s.groups[Outcome.SKIPPED][OTHER_REASONS].count == 20_000 - MAX_REASONS
    assert s.count(Outcome.SKIPPED) == 20_000
    assert len(s.by_folder) == 7 and s.done.files == 20_000 and s.done.bytes == 200_000


def test_reason_key_drops_the_files_own_paths_only() -> None:
    assert (
        reason_key("/d/a.txt exists (on_conflict: skip)", "/s/a.txt", "/d/a.txt")
        == "destination exists (on_conflict: skip)"
    )
    assert reason_key("Permission denied: /s/a.txt", "/s/a.txt") == "Permission denied"
    assert reason_key("not a folder: /shared", "/s/a.txt") == "not a folder: /shared"


def test_undo_jsonl_streams_its_steps_then_a_summary(
    tmp_path: Path, tree: Any, cli_main: Any, write_config: Any
) -> None:
    _inbox(tmp_path, tree)
    assert cli_main("run", "-c", write_config(_rules(tmp_path))).code == 0
    r = cli_main("undo", "--format", "jsonl")
    assert r.code == 0, r.err
    *steps, final = [json.loads(line) for line in r.out.splitlines()]
    files = [s for s in steps if s["kind"] != "rmdir"]  # (and the folders the run made)
    assert [(s["type"], s["status"], s["kind"]) for s in files] == [
        ("operation", "done", "move")
    ] * 4
    assert {Path(s["dst"]).parent for s in files} == {tmp_path / "in"}
    assert final["type"] == "summary" and final["mode"] == "undo"
    assert final["undone"] == 4 and final["files"] == 4 and final["bytes"] == 4500


def test_watch_log_file_lines_carry_timestamps(tmp_path: Path, write_config: Any) -> None:
    src, dst = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    cfg = write_config(f"rules:\n  - name: z\n    locations: {src}\n    actions: [move: {dst}/]\n")
    log = tmp_path / "watch.log"
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "fileorganizer", "watch", "-c", cfg),
            *("--log-file", log, "--stable-seconds", "0.2", "--no-log-stderr"),
        ],
        env=dict(os.environ, NO_COLOR="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while "watch started" not in (log.read_text() if log.exists() else ""):
            assert time.monotonic() < deadline, "the watcher did not start"
            time.sleep(0.05)
        (src / "a.txt").write_text("a")
        while not (dst / "a.txt").exists():
            assert time.monotonic() < deadline, "the watcher did not move the file"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    lines = log.read_text().splitlines()
    assert lines and all(
        re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ ", ln) for ln in lines
    )
    assert any(f"move {src / 'a.txt'} -> {dst / 'a.txt'}" in ln for ln in lines)


def test_the_undo_hint_names_the_history_the_run_used(
    tmp_path: Path, tree: Any, run_cli: Any
) -> None:
    """Following the hint undoes this run, not the run of that number elsewhere."""
    tree.make(tmp_path / "a", {"one.pdf": "1"})
    tree.make(tmp_path / "b", {"two.pdf": "2"})
    assert run_cli("run", tmp_path / "a").returncode == 0  # run 1 of the default history
    other = tmp_path / "my history.sqlite"
    proc = run_cli("run", tmp_path / "b", "--db", other)
    assert proc.returncode == 0, proc.stderr
    hint = proc.stdout.splitlines()[-1]
    assert hint == f"run 1: undo with 'fileorganizer undo 1 --db '{other}''"
    command = shlex.split(hint.split("undo with '", 1)[1][:-1])
    assert run_cli(*command[1:]).returncode == 0
    assert (tmp_path / "b" / "two.pdf").exists()  # b's run was undone
    assert not (tmp_path / "a" / "one.pdf").exists()  # a's stays organized
    masked = history_flags(None, "postgresql+psycopg://fo:secret@db/fo")
    assert masked == " --db-url 'postgresql+psycopg://fo:***@db/fo'"


def test_sim_prints_the_rules_echo_messages_as_run_does(
    tmp_path: Path, tree: Any, cli_main: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "1", "b.txt": "22"})
    cfg = write_config(
        f"rules:\n  - locations: {tmp_path}/in\n"
        "    actions: [{echo: 'found {name} of {size.bytes} bytes'}]\n"
    )
    sim = cli_main("sim", "-c", cfg)
    assert sim.code == 0
    lines = sim.out.splitlines()
    assert lines[:2] == ["found a of 1 bytes", "found b of 2 bytes"]
    assert "2 message(s)" in lines[-1]
    run = cli_main("run", "-c", cfg)
    assert run.out.splitlines()[:2] == lines[:2]
    assert cli_main("sim", "-q", "-c", cfg).out.count("found") == 0


def test_a_copy_moved_on_is_counted_where_it_ends(
    tmp_path: Path, tree: Any, cli_main: Any, write_config: Any
) -> None:
    """copy then move (organize's default: the move acts on the copy): no folder is
    listed that the run left empty."""
    tree.make(tmp_path / "in", {"a.txt": "1", "b.txt": "2"})
    cfg = write_config(
        f"rules:\n  - locations: {tmp_path}/in\n"
        f"    actions: [{{copy: '{tmp_path}/out/backup/'}}, {{move: '{tmp_path}/out/filed/'}}]\n"
    )
    for command in ("sim", "run"):
        r = cli_main(command, "-c", cfg)
        assert r.code == 0, r.err
        table = r.out.split("\n\n")[0].splitlines()[1:]
        assert [line.split()[:2] for line in table] == [["destination", "files"], ["filed", "2"]]
    assert list((tmp_path / "out" / "backup").iterdir()) == []  # (made, then left empty)
    assert sorted(p.name for p in (tmp_path / "out" / "filed").iterdir()) == ["a.txt", "b.txt"]
