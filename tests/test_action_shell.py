"""The ``shell`` action: through the plan, the executor and the history, with real ``/bin/sh``."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest
from history_support import app_paths, run_rules

from fileorganizer import load_config_text
from fileorganizer.errors import ConfigError
from fileorganizer.history import History
from fileorganizer.session import SessionOptions, organize

#: names a shell would run if they reached it as code
HOSTILE_NAMES = [
    "$(touch pwned1).pdf",
    "`touch pwned2`.pdf",
    "a; touch pwned3 #.pdf",
    'it\'s "quoted".pdf',
    "new\nline; touch pwned4.pdf",
    "--help.pdf",
]


def _rules(loc: Path, *actions: str, extra: str = "") -> str:
    body = "".join(f"      - {a}\n" for a in actions)
    return f"rules:\n  - name: r\n    locations: {str(loc)!r}\n{extra}    actions:\n{body}"


def _sim(text: str) -> Any:
    return organize(load_config_text(text), SessionOptions(app_paths=app_paths(), dry_run=True))


def test_hostile_file_names_reach_the_command_whole_and_nothing_runs(
    tmp_path: Path, tree: Any, run_cli: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {n: n for n in HOSTILE_NAMES})
    log = tmp_path / "argv"
    rules = write_config(
        _rules(
            tmp_path / "in",
            f"shell: \"printf '%s\\\\0' {{path}} {{name}} >> '{log}'\"",
            f'shell: \'printf "%s\\0" "{{name}}" >> "{log}"\'',
        )
    )
    proc = run_cli("run", "-c", rules, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.rglob("pwned*")) == []
    got = log.read_bytes().split(b"\0")[:-1]
    expected = []
    for n in sorted(HOSTILE_NAMES):
        expected.append(str(tmp_path / "in" / n))
        expected.append(n.removesuffix(".pdf"))
    assert sorted(got) == sorted(
        x.encode() for x in expected + [n.removesuffix(".pdf") for n in HOSTILE_NAMES]
    )
    # the history records each command line as it ran
    with History(app_paths().db_path) as h:
        recs = [r for r in h.operations(1) if r.kind == "shell"]
    assert len(recs) == 2 * len(HOSTILE_NAMES)
    assert all(r.state == "done" and r.detail for r in recs)
    assert {os.fsdecode(r.detail or b"").count(str(tmp_path / "in")) for r in recs} == {0, 1}


def test_sim_shows_the_command_and_does_not_run_it(
    tmp_path: Path, tree: Any, run_cli: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {"a b.txt": "x"})
    rules = write_config(_rules(tmp_path / "in", f"shell: 'touch {tmp_path}/ran-{{name}}'"))
    proc = run_cli("sim", "-v", "-c", rules)
    assert proc.returncode == 0, proc.stderr
    assert f"shell $ touch {tmp_path}/ran-'a b' (irreversible)" in proc.stdout
    assert "1 cannot be undone" in proc.stdout
    assert not list(tmp_path.glob("ran-*"))
    proc = run_cli("run", "-c", rules)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "ran-a b").exists()


def test_run_in_simulation_runs_while_sim_plans_and_its_output_is_used(
    tmp_path: Path, tree: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "hello"})
    text = _rules(
        tmp_path / "in",
        "shell: {cmd: 'cat {path}', run_in_simulation: true}",
        "echo: 'got {shell.output} ({shell.returncode})'",
    )
    plan = _sim(text).plan
    assert [op.kind.value for op in plan.operations] == ["shell", "echo"]
    assert plan.operations[0].note == "ran by sim: exit 0"
    assert plan.operations[1].message == "got hello (0)"


def test_sim_shows_the_simulation_output_where_later_actions_use_the_output(
    tmp_path: Path, tree: Any, run_cli: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "hello"})
    rules = write_config(
        _rules(
            tmp_path / "in",
            "shell: {cmd: 'cat {path}; exit 3', ignore_errors: true, "
            "simulation_output: 'would read {name}', simulation_returncode: 7}",
            "echo: '[{shell.output}] {shell.returncode}'",
        )
    )
    sim = run_cli("sim", "-v", "-c", rules)
    assert "echo [would read a] 7" in sim.stdout
    run = run_cli("run", "-c", rules)
    assert run.returncode == 0, run.stderr
    assert "[hello] 3" in run.stdout


def test_a_failing_command_fails_its_file_skips_its_later_actions_and_the_run_goes_on(
    tmp_path: Path, tree: Any, run_cli: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {"bad.txt": "x", "good.txt": "y"})
    rules = write_config(
        _rules(
            tmp_path / "in",
            "shell: 'if test {name} = bad; then echo refused >&2; exit 4; fi'",
            f"move: '{tmp_path}/out/'",
        )
    )
    proc = run_cli("run", "-c", rules)
    assert proc.returncode == 1, proc.stderr
    assert "failed" in proc.stderr and "shell command exit 4: refused" in proc.stderr
    assert "not done: an earlier shell or python action of this file failed" in proc.stderr
    assert (tmp_path / "in" / "bad.txt").exists()
    assert (tmp_path / "out" / "good.txt").read_text() == "y"
    with History(app_paths().db_path) as h:
        states = {(r.kind, os.path.basename(r.src)): r.state for r in h.operations(1)}
    assert states[("shell", "bad.txt")] == "failed"
    assert states[("move", "bad.txt")] == "skipped"
    assert states[("move", "good.txt")] == "done"


def test_ignore_errors_goes_on_with_the_return_code(tmp_path: Path, tree: Any) -> None:
    tree.make(tmp_path / "in", {"a.txt": "x"})
    session = run_rules(
        _rules(
            tmp_path / "in",
            "shell: {cmd: 'echo oops; exit 2', ignore_errors: true}",
            f"write: {{outfile: '{tmp_path}/log', text: '{{shell.returncode}} {{shell.output}}'}}",
        )
    )
    assert session.ok, session.result and session.result.to_dict()
    assert (tmp_path / "log").read_text() == "2 oops\n\n"


def test_a_command_that_hangs_is_killed_at_its_timeout(tmp_path: Path, tree: Any) -> None:
    tree.make(tmp_path / "in", {"a.txt": "x"})
    pidfile = tmp_path / "child.pid"
    session = run_rules(
        _rules(
            tmp_path / "in",
            f"shell: {{cmd: 'sleep 300 & echo $! > {pidfile}; wait', timeout: 1}}",
            f"move: '{tmp_path}/out/'",
        )
    )
    assert session.result is not None and not session.ok
    (failed,) = session.result.failed
    assert "timed out after 1 s" in (failed.error or "")
    # the whole process group was killed, the background child too
    child = int(pidfile.read_text())
    assert _gone_or_zombie(child)
    assert (tmp_path / "in" / "a.txt").exists()


def _gone_or_zombie(pid: int) -> bool:
    """Killed: no such process, or one waiting to be reaped by whoever adopted it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def test_a_command_that_changes_its_file_hands_the_new_file_to_the_next_action(
    tmp_path: Path, tree: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "x"})
    session = run_rules(
        _rules(tmp_path / "in", "shell: 'echo more >> {path}'", f"move: '{tmp_path}/out/'")
    )
    assert session.ok, session.result and session.result.to_dict()
    assert (tmp_path / "out" / "a.txt").read_text() == "xmore\n"


def test_undo_says_a_command_cannot_be_undone_and_undoes_the_rest(
    tmp_path: Path, tree: Any, run_cli: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "x"})
    rules = write_config(
        _rules(tmp_path / "in", f"move: '{tmp_path}/out/'", f"shell: 'cp {{path}} {tmp_path}/c'")
    )
    assert run_cli("run", "-c", rules).returncode == 0
    assert (tmp_path / "c").read_text() == "x"
    shown = run_cli("history", "show", "1")
    assert f"shell {tmp_path}/out/a.txt $ cp {tmp_path}/out/a.txt {tmp_path}/c (irreversible)" in (
        " ".join(shown.stdout.split())
    )
    dry = run_cli("undo", "--dry-run")
    assert "cannot be undone: the shell command for" in dry.stdout + dry.stderr
    proc = run_cli("undo")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "1 undone" in out and "1 cannot be undone" in out
    assert (tmp_path / "in" / "a.txt").read_text() == "x"
    assert not (tmp_path / "out").exists()
    assert (tmp_path / "c").exists()  # what the command did stays


def test_check_refuses_the_output_where_a_plan_needs_it_and_unsafe_placeholders(
    tmp_path: Path,
) -> None:
    text = _rules(tmp_path, "shell: 'echo {name}'", "move: '{shell.output}/'")
    with pytest.raises(ConfigError) as info:
        load_config_text(text, file="c.yaml")
    assert str(info.value) == (
        "c.yaml: rule 'r': key 'actions[1].move.dest': {shell.output} and {shell.returncode} "
        "are known only once the shell command has run: use them in echo or write text, not "
        "in move dest (what the plan does is decided before anything runs) (in '{shell.output}/')"
    )
    with pytest.raises(ConfigError, match=r"unknown placeholder \{shell\}.*a shell action"):
        load_config_text(_rules(tmp_path, "echo: '{shell.output}'"))
    with pytest.raises(ConfigError, match=r"has no 'outptu' \(did you mean \{shell.output\}"):
        load_config_text(_rules(tmp_path, "shell: 'true'", "echo: '{shell.outptu}'"))
    with pytest.raises(ConfigError, match=r"inside backquotes .* cannot be passed safely"):
        load_config_text(_rules(tmp_path, "shell: 'echo `cat {path}`'"))
    with pytest.raises(ConfigError, match="greater than 0"):
        load_config_text(_rules(tmp_path, "shell: {cmd: 'true', timeout: 0}"))


def test_ctrl_c_during_a_command_kills_it_and_stops_the_run(
    tmp_path: Path, tree: Any, write_config: Any
) -> None:
    import signal
    import subprocess
    import sys
    import time

    tree.make(tmp_path / "in", {"a.txt": "x", "b.txt": "y"})
    started = tmp_path / "started"
    rules = write_config(
        _rules(
            tmp_path / "in",
            f"shell: 'echo $$ > {started}; sleep 300'",
            f"move: '{tmp_path}/out/'",
        )
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "fileorganizer", "run", "-c", str(rules)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (started.exists() and started.read_text().strip()):
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "stopped by a signal before it finished (killed)" in err
    assert _gone_or_zombie(int(started.read_text()))
    assert not (tmp_path / "out").exists()  # nothing after it ran, for either file


def test_a_command_that_leaves_a_background_child_is_done_when_the_shell_exits() -> None:
    from fileorganizer.runners import run_shell

    ran = run_shell("sleep 3 & echo started", 2)
    assert (ran.returncode, ran.timed_out, ran.output) == (0, False, "started\n")


def test_a_timeout_does_not_wait_for_a_process_that_left_the_group(tmp_path: Path) -> None:
    from fileorganizer.runners import run_shell

    pidfile = tmp_path / "pid"
    ran = run_shell(f"setsid sleep 30 & echo $! > {pidfile}; sleep 20", 1)
    assert ran.timed_out and ran.returncode != 0
    child = int(pidfile.read_text())
    try:  # returned while the child that holds the output open still runs
        assert not _gone_or_zombie(child)
    finally:
        os.kill(child, signal.SIGKILL)
