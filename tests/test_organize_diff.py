"""Differential tests: the same config on two identical trees, one run by organize 3.3
itself and one by fileorganizer, must leave identical trees (names and bytes).

Each case is one YAML file under ``tests/organize_diff/``: a rules file both tools
read (``$TREE`` is the tree's folder), whose top-level ``test:`` key (ignored by
both) holds ``description``, optional ``args`` for ``run`` and, for a known
difference in the engine, ``xfail`` (the reason). Add a case by adding a file.

Where fileorganizer differs on purpose, a test below pins the difference (see
docs/migrating.md). organize is installed once per machine (see organize_support).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from organize_support import diff_trees, install_organize, make_base_tree, read_tree, run_both

CASES_DIR = Path(__file__).parent / "organize_diff"
CASES = sorted(CASES_DIR.glob("*.yaml"))

pytestmark = pytest.mark.slow


def _meta(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    meta = data.get("test") or {}
    assert isinstance(meta, dict)
    return meta


def _params() -> list[Any]:
    out = []
    for path in CASES:
        meta = _meta(path)
        marks = []
        if meta.get("xfail"):
            marks.append(pytest.mark.xfail(strict=True, reason=str(meta["xfail"])))
        out.append(pytest.param(path, id=path.stem, marks=marks))
    return out


@pytest.fixture(scope="session")
def organize_exe() -> Path:
    return install_organize()


def test_there_are_at_least_30_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", _params())
def test_same_tree_as_organize(case: Path, tmp_path: Path, organize_exe: Path) -> None:
    meta = _meta(case)
    org, fo, p_org, p_fo = run_both(
        tmp_path, case.read_text(encoding="utf-8"), organize_exe, tuple(meta.get("args", ()))
    )
    assert p_org.returncode == 0, f"organize failed:\n{p_org.stdout}\n{p_org.stderr}"
    assert p_fo.returncode == 0, f"fileorganizer failed:\n{p_fo.stdout}\n{p_fo.stderr}"
    base = tmp_path / "base"
    make_base_tree(base)
    assert org != read_tree(base) or meta.get("unchanged"), "the case changes nothing"
    assert diff_trees(org, fo) == [], f"organize:\n{p_org.stdout}\nfileorganizer:\n{p_fo.stdout}"


# -- differences on purpose ------------------------------------------------------


def _rule(body: str) -> str:
    return f"rules:\n  - locations: $TREE/inbox\n{body}"


def test_overwrite_trashes_the_old_file_where_organize_deletes_it(tmp_path, organize_exe):
    config = _rule(
        "    filters: [{name: notes}]\n"
        "    actions: [{move: {dest: $TREE/docs/, on_conflict: overwrite}}]\n"
    )
    org, fo, p_org, p_fo = run_both(tmp_path, config, organize_exe)
    assert p_org.returncode == 0 and p_fo.returncode == 0
    assert diff_trees(org, fo) == []  # the trees agree: docs/notes.txt is the new one
    assert fo["docs/notes.txt"] == b"Invoice 12345\nTotal: 99 EUR\n"
    trashed = [
        p.read_bytes()
        for p in (tmp_path / "fileorganizer" / "home" / "share" / "Trash" / "files").iterdir()
    ]
    assert trashed == [b"older notes\n"]  # fileorganizer kept the old one, in the trash
    org_trash = tmp_path / "organize" / "home" / "share" / "Trash" / "files"
    assert not org_trash.exists() or not any(org_trash.iterdir())  # organize deleted it


def test_deduplicate_compares_bytes_where_organize_compares_size_and_mtime(tmp_path, organize_exe):
    # notes.txt and todo.TXT differ in bytes; made the same size and mtime below
    config = (
        "rules:\n  - locations: $TREE/inbox\n    filters: [{name: todo}]\n"
        "    actions: [{rename: {new_name: notes.txt, on_conflict: deduplicate}}]\n"
    )
    trees = {}
    import os
    import subprocess
    import sys

    from organize_support import tool_env

    for tool in ("organize", "fileorganizer"):
        tree = tmp_path / tool / "tree"
        make_base_tree(tree)
        (tree / "inbox" / "todo.TXT").write_bytes(b"x" * 28)
        os.utime(tree / "inbox" / "todo.TXT", (1_684_324_800, 1_684_324_800))
        cfg = tmp_path / tool / "c.yaml"
        cfg.write_text(config)
        (tmp_path / tool / "home").mkdir()
        cmd = (
            [str(organize_exe), "run", str(cfg)]
            if tool == "organize"
            else [sys.executable, "-m", "fileorganizer", "run", "-c", str(cfg)]
        )
        proc = subprocess.run(
            cmd, cwd=tree, env=tool_env(tmp_path / tool, tree), capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
        trees[tool] = read_tree(tree)
    # organize took the different file for a duplicate and left it; fileorganizer renamed it
    assert "inbox/todo.TXT" in trees["organize"]
    assert "inbox/todo.TXT" not in trees["fileorganizer"]
    assert trees["fileorganizer"]["inbox/notes 2.txt"] == b"x" * 28


def test_organize_sim_disagrees_with_its_run_and_fileorganizer_sim_does_not(tmp_path, organize_exe):
    import subprocess
    import sys

    from organize_support import tool_env

    config = _rule(
        "    filters: [{extension: pdf}]\n"
        "    actions: [{move: {dest: $TREE/one.pdf, on_conflict: skip}}]\n"
    )
    tree = tmp_path / "t"
    make_base_tree(tree)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(config)
    (tmp_path / "home").mkdir()
    env = tool_env(tmp_path, tree)
    org_sim = subprocess.run(
        [str(organize_exe), "sim", str(cfg)], cwd=tree, env=env, capture_output=True, text=True
    ).stdout
    fo_sim = subprocess.run(
        [sys.executable, "-m", "fileorganizer", "sim", "-c", str(cfg), "--format", "json"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    # organize's simulation moves all three PDFs to one.pdf; its run moves one
    assert org_sim.count("Move to") == 3
    import json

    ops = json.loads(fo_sim)["operations"]
    assert len(ops) == 1 and ops[0]["src"].endswith("Report10.pdf")  # natural order


def test_a_relative_destination_is_relative_to_the_location_not_the_working_dir(
    tmp_path, organize_exe
):
    """On purpose: a scheduled run's working directory is wherever cron starts it."""
    config = (
        "rules:\n  - locations: inbox\n    filters: [{extension: json}]\n"
        '    actions: [{move: "sorted/"}]\n'
    )
    org, fo, p_org, p_fo = run_both(tmp_path, config, organize_exe)
    assert p_org.returncode == 0 and p_fo.returncode == 0
    moved_org = {k for k in org if k.startswith("sorted/")}
    moved_fo = {k for k in fo if k.startswith("inbox/sorted/")}
    assert moved_org and {k.removeprefix("inbox/") for k in moved_fo} == moved_org


def test_shell_placeholders_are_one_word_here_and_split_by_organize(tmp_path, organize_exe):
    # organize puts {path} into the command as it is: a name with a space becomes two
    # words (and a name like $(cmd) would run). Here each value is one quoted word.
    config = _rule(
        "    filters: [{name: {startswith: report}}]\n"
        "    actions: [{shell: \"printf '%s\\\\n' {path.name} >> args.txt\"}]\n"
    )
    org, fo, p_org, p_fo = run_both(tmp_path, config, organize_exe)
    assert p_org.returncode == 0 and p_fo.returncode == 0, p_org.stderr + p_fo.stderr
    assert fo["args.txt"] == b"report 1.pdf\nreport 2.pdf\n"
    assert org["args.txt"] == b"report\n1.pdf\nreport\n2.pdf\n"
