"""The ``python`` action: code run per file when the plan is applied."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from history_support import app_paths, run_rules

from fileorganizer import load_config_text
from fileorganizer.errors import ConfigError
from fileorganizer.history import History
from fileorganizer.session import SessionOptions, organize


def _rules(loc: Path, *actions: str, filters: str = "") -> str:
    body = "".join(f"      - {a}\n" for a in actions)
    return f"rules:\n  - name: scripts\n    locations: {str(loc)!r}\n{filters}    actions:\n{body}"


def test_code_reads_placeholders_and_filter_values_and_prints_like_echo(
    tmp_path: Path, tree: Any, run_cli: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {"invoice-2023.pdf": "12345"})
    rules = write_config(
        _rules(
            tmp_path / "in",
            "python: |\n"
            "          print(name, extension, size.bytes, regex['year'])\n"
            "          print('at', path.parent.name)",
            filters="    filters:\n      - regex: 'invoice-(?P<year>\\d+)'\n",
        )
    )
    sim = run_cli("sim", "-v", "-c", rules)
    assert sim.returncode == 0, sim.stderr
    assert f"python {tmp_path}/in/invoice-2023.pdf (irreversible)" in sim.stdout
    assert "invoice-2023 pdf" not in sim.stdout  # sim does not run the code
    run = run_cli("run", "-c", rules)
    assert run.returncode == 0, run.stderr
    assert "invoice-2023 pdf 5 2023\nat in\n" in run.stdout


def test_an_exception_fails_the_file_with_the_rule_and_the_line(
    tmp_path: Path, tree: Any, run_cli: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "x", "b.txt": "y"})
    rules = write_config(
        _rules(
            tmp_path / "in",
            "python: |\n"
            "          n = 1\n"
            "          if name == 'a':\n"
            "              raise ValueError('not this one')\n",
            f"move: '{tmp_path}/out/'",
        )
    )
    proc = run_cli("run", "-c", rules)
    assert proc.returncode == 1
    # (the summary groups failures by reason, each with its files)
    assert "rule 'scripts': python action, line 3: ValueError: not this one (1)" in proc.stderr
    assert f"{tmp_path}/in/a.txt" in proc.stderr
    assert (tmp_path / "in" / "a.txt").exists()  # its later actions were skipped
    assert (tmp_path / "out" / "b.txt").read_text() == "y"  # the run went on


@pytest.mark.parametrize("call", ["exit(0)", "sys.exit(3)", "quit()"])
def test_exit_in_the_code_fails_that_file_and_the_run_goes_on(
    call: str, tmp_path: Path, tree: Any, run_cli: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {"f1.txt": "1", "f2.txt": "2", "f3.txt": "3"})
    rules = write_config(
        _rules(
            tmp_path / "in",
            f"python: |\n          import sys\n          if name == 'f2':\n              {call}\n",
            f"move: '{tmp_path}/out/'",
        )
    )
    proc = run_cli("run", "-c", rules)
    assert proc.returncode == 1, proc.stderr
    assert "SystemExit" in proc.stderr and "done: 4 applied" in proc.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["f1.txt", "f3.txt"]
    assert (tmp_path / "in" / "f2.txt").exists()
    shown = run_cli("history")
    assert shown.returncode == 0 and " ok " not in shown.stdout.splitlines()[-1]


def test_the_code_sees_the_shell_output_and_a_returned_non_dict_fails(
    tmp_path: Path, tree: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "x"})
    out = tmp_path / "seen"
    session = run_rules(
        _rules(
            tmp_path / "in",
            "shell: 'echo from-shell'",
            f"python: \"open({str(out)!r}, 'w').write(shell['output'] + str(shell.returncode))\"",
            "python: 'return 42'",
        )
    )
    assert out.read_text() == "from-shell\n0"
    assert session.result is not None
    (failed,) = session.result.failed
    assert "must return nothing or a dict (it returned int)" in (failed.error or "")


def test_run_in_simulation_runs_while_sim_plans(tmp_path: Path, tree: Any) -> None:
    tree.make(tmp_path / "in", {"a.txt": "x"})
    text = _rules(
        tmp_path / "in", "python: {code: 'print(\"hello\", name)', run_in_simulation: true}"
    )
    plan = organize(
        load_config_text(text), SessionOptions(app_paths=app_paths(), dry_run=True)
    ).plan
    (op,) = plan.operations
    assert (op.kind.value, op.message, op.note) == ("python", "hello a", "ran by sim")


def test_the_history_records_the_code_as_irreversible(tmp_path: Path, tree: Any) -> None:
    tree.make(tmp_path / "in", {"a.txt": "x"})
    session = run_rules(_rules(tmp_path / "in", "python: 'pass'"))
    assert session.ok and session.run_id is not None
    with History(app_paths().db_path) as h:
        (rec,) = h.operations(session.run_id)
    assert (rec.kind, rec.state, rec.to_dict()["reversible"]) == ("python", "done", False)


def test_a_syntax_error_is_a_config_error_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"actions\[0\].python.code': line 2: invalid syntax"):
        load_config_text(_rules(tmp_path, "python: |\n          x = 1\n          x = = 2"))
