"""`sim` shows exactly what `run` does: plan == result, through the library and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fileorganizer import OpStatus, apply_plan, load_config_text, plan


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        p.write_bytes(data)


def snapshot(root: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            p = Path(dirpath) / f
            out[str(p.relative_to(root))] = p.read_bytes()
    return out


SCENARIOS: dict[str, tuple[dict[str, str | bytes], str]] = {
    "collisions": (
        {
            "in/a/report.pdf": "A",
            "in/b/report.pdf": "B",
            "in/c/report.pdf": "C",
            "out/report.pdf": "existing",
        },
        """
rules:
  - name: pdfs
    locations: {root}/in
    subfolders: true
    filters:
      - extension: pdf
    actions:
      - move: {root}/out/
""",
    ),
    "chain_move_then_rename": (
        {"in/Photo.JPG": "p1", "in/other.JPG": "p2", "in/keep.txt": "t"},
        """
rules:
  - name: photos
    locations: {root}/in
    filters:
      - extension: jpg
    actions:
      - move: {root}/pics/
      - rename: "{{name}}.{{extension.lower()}}"
      - copy: {root}/backup/
""",
    ),
    "later_rule_acts_on_earlier_output": (
        {"in/x.txt": "x", "in/y.txt": "y", "staging/old.txt": "old"},
        """
rules:
  - name: stage
    locations: {root}/in
    filters:
      - extension: txt
    actions:
      - move: {root}/staging/
  - name: archive staged
    locations: {root}/staging
    actions:
      - move: {root}/archive/{{extension}}/
""",
    ),
    "rename_existing_and_overwrite": (
        {
            "in/a.txt": "new-a",
            "in/b.txt": "new-b",
            "out1/a.txt": "old-a",
            "out2/b.txt": "old-b",
        },
        """
rules:
  - name: keep both, old one renamed
    locations: {root}/in
    filters:
      - name: a
    actions:
      - move:
          dest: {root}/out1/
          on_conflict: rename_existing
  - name: overwrite (old one to trash)
    locations: {root}/in
    filters:
      - name: b
    actions:
      - move:
          dest: {root}/out2/
          on_conflict: overwrite
""",
    ),
}


def _plan_view(ops: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(o["kind"], o["src"], o["dst"]) for o in ops]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_library_plan_equals_result(tmp_path: Path, name: str) -> None:
    files, rules = SCENARIOS[name]
    write(tmp_path, files)
    config = load_config_text(rules.format(root=tmp_path))
    before = snapshot(tmp_path)
    p = plan(config)
    assert snapshot(tmp_path) == before, "planning must not touch the disk"
    result = apply_plan(p, trash_dir=tmp_path / "trash")
    assert not result.failed and not result.skipped
    planned = [(op.kind, op.src, op.dst) for op in p.operations]
    done = [(r.op.kind, r.op.src, r.dst) for r in result.results]
    assert planned == done
    assert all(r.status is OpStatus.DONE for r in result.results)


def test_collisions_get_distinct_names_in_the_plan(tmp_path: Path) -> None:
    files, rules = SCENARIOS["collisions"]
    write(tmp_path, files)
    p = plan(load_config_text(rules.format(root=tmp_path)))
    dsts = [op.dst for op in p.operations]
    out = tmp_path / "out"
    assert dsts == [str(out / "report 2.pdf"), str(out / "report 3.pdf"), str(out / "report 4.pdf")]
    apply_plan(p, trash_dir=tmp_path / "trash")
    assert sorted(os.listdir(out)) == ["report 2.pdf", "report 3.pdf", "report 4.pdf", "report.pdf"]
    assert (out / "report.pdf").read_text() == "existing"
    assert {(out / n).read_text() for n in os.listdir(out)} == {"A", "B", "C", "existing"}


def test_later_rule_sees_where_earlier_rule_put_files(tmp_path: Path) -> None:
    files, rules = SCENARIOS["later_rule_acts_on_earlier_output"]
    write(tmp_path, files)
    p = plan(load_config_text(rules.format(root=tmp_path)))
    apply_plan(p, trash_dir=tmp_path / "trash")
    snap = snapshot(tmp_path)
    assert snap == {
        "archive/txt/old.txt": b"old",
        "archive/txt/x.txt": b"x",
        "archive/txt/y.txt": b"y",
    }


def test_chain_renames_the_moved_file_and_copies_the_renamed_one(tmp_path: Path) -> None:
    files, rules = SCENARIOS["chain_move_then_rename"]
    write(tmp_path, files)
    apply_plan(plan(load_config_text(rules.format(root=tmp_path))), trash_dir=tmp_path / "t")
    snap = snapshot(tmp_path)
    assert snap == {
        "in/keep.txt": b"t",
        "pics/Photo.jpg": b"p1",
        "pics/other.jpg": b"p2",
        "backup/Photo.jpg": b"p1",
        "backup/other.jpg": b"p2",
    }


def test_overwrite_sends_the_old_file_to_the_trash(tmp_path: Path) -> None:
    files, rules = SCENARIOS["rename_existing_and_overwrite"]
    write(tmp_path, files)
    apply_plan(plan(load_config_text(rules.format(root=tmp_path))), trash_dir=tmp_path / "trash")
    snap = snapshot(tmp_path)
    assert snap["out1/a.txt"] == b"new-a"
    assert snap["out1/a 2.txt"] == b"old-a"
    assert snap["out2/b.txt"] == b"new-b"
    assert snap["trash/files/b.txt"] == b"old-b"
    assert "trash/info/b.txt.trashinfo" in snap


@pytest.fixture
def corpus() -> Path:
    path = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    if not path.is_dir():
        pytest.skip("the shared sample corpus is not beside this checkout")
    return path


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fileorganizer", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_cli_sim_json_lists_exactly_what_run_performs(tmp_path: Path, name: str) -> None:
    root = tmp_path / "root"
    root.mkdir()
    files, rules = SCENARIOS[name]
    write(root, files)
    cfg = tmp_path / "rules.yaml"
    cfg.write_text(rules.format(root=root))
    env = dict(os.environ)
    env.update(
        FILEORGANIZER_DATA_DIR=str(tmp_path / "data"),
        FILEORGANIZER_CONFIG_DIR=str(tmp_path / "cfg"),
        XDG_DATA_HOME=str(tmp_path / "xdg"),
    )
    before = snapshot(root)
    sim = _cli("sim", "-c", str(cfg), "--format", "json", env=env)
    assert sim.returncode == 0, sim.stderr
    assert snapshot(root) == before
    run = _cli("run", "-c", str(cfg), "--format", "json", env=env)
    assert run.returncode == 0, run.stderr
    sim_ops = json.loads(sim.stdout)["operations"]
    run_ops = json.loads(run.stdout)["operations"]
    assert sim_ops, "scenario plans something"
    assert _plan_view(sim_ops) == _plan_view(run_ops)
    assert all(o["status"] == "done" for o in run_ops)
    assert json.loads(run.stdout)["summary"]["applied"] == len(sim_ops)


def test_zero_config_run_sorts_corpus_by_kind(tmp_path: Path, corpus: Path) -> None:
    target = tmp_path / "mixed"
    target.mkdir()
    for f in (corpus / "formats").iterdir():
        (target / f.name).write_bytes(f.read_bytes())
    env = dict(os.environ)
    env.update(
        FILEORGANIZER_DATA_DIR=str(tmp_path / "data"),
        FILEORGANIZER_CONFIG_DIR=str(tmp_path / "cfg"),
        XDG_DATA_HOME=str(tmp_path / "xdg"),
    )
    env.pop("FILEORGANIZER_CONFIG", None)
    sim = _cli("sim", str(target), "--format", "json", env=env)
    assert sim.returncode == 0, sim.stderr
    run = _cli("run", str(target), env=env)
    assert run.returncode == 0, run.stderr
    for op in json.loads(sim.stdout)["operations"]:
        assert not os.path.exists(op["src"])
        assert os.path.exists(op["dst"])
    assert (target / "Images" / "jpeg.jpg").exists()
    assert (target / "Documents" / "pdf.pdf").exists()
    assert (target / "Audio" / "mp3.mp3").exists()
    assert (target / "Video" / "Mpeg4.mp4").exists()
    assert (target / "Archives" / "zip.zip").exists()
