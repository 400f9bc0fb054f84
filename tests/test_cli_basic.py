"""The CLI verbs of the core: check, init, config, explain, --version, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fileorganizer import __version__


def test_version(cli_main: Any) -> None:
    r = cli_main("--version")
    assert r.code == 0 and __version__ in r.out


def test_check_valid_and_invalid(cli_main: Any, write_config: Any, tmp_path: Path) -> None:
    good = write_config(
        f"rules:\n  - name: r\n    locations: {tmp_path}\n    actions: [echo: hi]\n"
    )
    r = cli_main("check", "-c", str(good))
    assert r.code == 0 and "1 rule(s)" in r.out
    r = cli_main("check", "-c", str(good), "--format", "json")
    assert r.code == 0 and json.loads(r.out)["rules"][0]["actions"] == ["echo"]
    bad = write_config(
        "rules:\n  - name: r\n    locations: x\n    actions: [{move: {dst: a/}}]\n", name="bad.yaml"
    )
    r = cli_main("check", "-c", str(bad))
    assert r.code == 2
    assert "bad.yaml" in r.err and "rule 'r'" in r.err and "actions[0].move" in r.err


def test_init_writes_a_starter_once_and_never_overwrites(cli_main: Any, isolated_env: Any) -> None:
    target = isolated_env.config_dir / "config.yaml"
    r = cli_main("init")
    assert r.code == 0 and target.exists()
    target.write_text(target.read_text() + "\n# my edit\n")
    r = cli_main("init")
    assert r.code == 2 and "not overwriting" in r.err
    assert target.read_text().endswith("# my edit\n")
    assert cli_main("check").code == 0  # the starter is valid
    r = cli_main("config", "path")
    assert r.out.strip() == str(target)


def test_config_show_prints_builtin_rules_without_a_config(cli_main: Any) -> None:
    r = cli_main("config", "show")
    assert r.code == 0 and "rules:" in r.out and "Images/" in r.out


def test_config_from_env_var(
    cli_main: Any, write_config: Any, monkeypatch: Any, tmp_path: Path
) -> None:
    cfg = write_config(f"rules:\n  - locations: {tmp_path}\n    actions: [echo: hi]\n")
    monkeypatch.setenv("FILEORGANIZER_CONFIG", str(cfg))
    assert cli_main("config", "path").out.strip() == str(cfg)


def test_run_without_config_or_folder_is_a_usage_error(cli_main: Any) -> None:
    r = cli_main("run")
    assert r.code == 2 and "no rules file" in r.err


def test_explain_shows_filters_and_the_planned_operation(
    cli_main: Any, write_config: Any, tmp_path: Path
) -> None:
    (tmp_path / "in").mkdir()
    f = tmp_path / "in" / "Scan_2023.pdf"
    f.write_bytes(b"%PDF-1.4 tiny")
    cfg = write_config(
        f"""
rules:
  - name: pdfs
    locations: {tmp_path}/in
    filters:
      - extension: pdf
      - size: "< 1 kB"
    actions:
      - move: {tmp_path}/docs/
  - name: images
    locations: {tmp_path}/in
    filters:
      - extension: jpg
    actions:
      - trash
"""
    )
    r = cli_main("explain", str(f), "-c", str(cfg))
    assert r.code == 0, r.err
    assert "pdfs" in r.out and "matches" in r.out and "docs/Scan_2023.pdf" in r.out
    data = json.loads(cli_main("explain", str(f), "-c", str(cfg), "--format", "json").out)
    assert data[0]["matched"] is True
    assert [x["passed"] for x in data[0]["filters"]] == [True, True]
    assert data[0]["operations"][0]["dst"] == f"{tmp_path}/docs/Scan_2023.pdf"
    assert data[1]["matched"] is False
    assert f.exists(), "explain changes nothing"


def test_tags_select_rules(cli_main: Any, write_config: Any, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    cfg = write_config(
        f"""
rules:
  - name: tagged
    tags: [daily]
    locations: {tmp_path}
    actions: [echo: "tagged {{name}}"]
  - name: untagged
    locations: {tmp_path}
    actions: [echo: "untagged {{name}}"]
"""
    )
    out = cli_main("sim", "-c", str(cfg), "--tags", "daily", "--format", "json").out
    assert [o["rule"] for o in json.loads(out)["operations"]] == ["tagged"]
    out = cli_main("sim", "-c", str(cfg), "--tags", "weekly,daily", "--format", "json").out
    assert [o["rule"] for o in json.loads(out)["operations"]] == ["tagged"]
    out = cli_main("sim", "-c", str(cfg), "--skip-tags", "daily", "--format", "json").out
    assert [o["rule"] for o in json.loads(out)["operations"]] == ["untagged"]


def test_sim_marks_delete_irreversible(cli_main: Any, write_config: Any, tmp_path: Path) -> None:
    (tmp_path / "junk.tmp1").write_text("j")
    cfg = write_config(
        f"rules:\n  - locations: {tmp_path}\n"
        "    filters: [extension: tmp1]\n    actions: [delete]\n"
    )
    r = cli_main("sim", "-c", str(cfg))
    assert r.code == 0 and "cannot be undone" in r.out
    data = json.loads(cli_main("sim", "-c", str(cfg), "--format", "json").out)
    assert data["operations"][0]["reversible"] is False
    assert data["summary"]["irreversible"] == 1
    assert (tmp_path / "junk.tmp1").exists()
