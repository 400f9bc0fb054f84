"""Why a file is not picked: ``explain`` and ``sim -v`` give the scan's own reasons."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fileorganizer.scan import ScanSpec, scan
from fileorganizer.skips import unseen, why_skipped

NAMES = st.sampled_from(
    ["a.txt", "b.pdf", ".hidden", "movie.mp4.part", "movie.mp4", "x.tmp", ".DS_Store", "keep.log"]
)
DIRS = st.sampled_from(["sub", ".git", ".cache", "old stuff", "node_modules"])


@st.composite
def trees(draw: Any) -> list[str]:
    paths = []
    for _ in range(draw(st.integers(1, 12))):
        depth = draw(st.integers(0, 2))
        parts = [draw(DIRS) for _ in range(depth)]
        paths.append("/".join([*parts, draw(NAMES)]))
    return paths


SPECS = st.fixed_dictionaries(
    {
        "subfolders": st.booleans(),
        "min_depth": st.integers(0, 1),
        "max_depth": st.one_of(st.none(), st.integers(0, 2)),
        "exclude_files": st.sampled_from([(), ("*.log",)]),
        "exclude_dirs": st.sampled_from([(), ("node_modules",)]),
        "include": st.sampled_from([(), ("*.txt", "*.mp4")]),
        "include_hidden": st.booleans(),
        "include_symlinks": st.booleans(),
    }
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paths=trees(), options=SPECS, link=st.booleans())
def test_every_path_is_either_scanned_or_has_a_reason(
    paths: list[str], options: dict[str, Any], link: bool
) -> None:
    root = Path(tempfile.mkdtemp(prefix="skips-"))
    try:
        for rel in paths:
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(rel)
        if link:
            (root / "link.txt").symlink_to(root / paths[0])
        spec = ScanSpec(str(root), **options)
        yielded = {e.path for e in scan(spec)}
        files = {os.path.join(d, f) for d, _dirs, names in os.walk(root) for f in names}
        for path in files:
            reason = why_skipped(spec, path)
            assert (path in yielded) == (reason is None), (path, reason, spec)
        # sim -v's list covers every file left out: itself or a folder above it
        listed = dict(unseen(spec))
        for path in files - yielded:
            assert any(path == p or path.startswith(p + os.sep) for p in listed), (path, listed)
        assert not set(listed) & yielded
    finally:
        shutil.rmtree(root)


def test_explain_says_why_a_file_is_left_out_and_lists_disabled_rules(
    tmp_path: Path, run_cli: Any, write_config: Any
) -> None:
    dl = tmp_path / "dl"
    (dl / "old stuff").mkdir(parents=True)
    (dl / "old stuff" / "gif.gif").write_bytes(b"GIF89a")
    (dl / "big_movie.mp4.part").write_bytes(b"partial")
    (dl / "notes.txt").write_text("n")
    cfg = write_config(
        f'rules:\n  - name: movies\n    locations: "{dl}"\n    filters: [{{extension: mp4}}]\n'
        '    actions: [{move: "Video/"}]\n'
        f'  - name: paused\n    enabled: false\n    locations: "{dl}"\n    actions: [trash]\n'
        f'  - name: texts\n    locations: "{dl}"\n    filters: [{{extension: txt}}]\n'
        '    actions: [{move: "Text/"}]\n'
    )
    part = run_cli("explain", dl / "big_movie.mp4.part", "-c", cfg)
    assert part.returncode == 0, part.stderr
    assert "rule movies: left out: an unfinished download or temporary file (*.part)" in part.stdout
    assert "rule paused: disabled (enabled: false)" in part.stdout
    deep = run_cli("explain", dl / "old stuff" / "gif.gif", "-c", cfg)
    assert "deeper than the rule looks (subfolders: false)" in deep.stdout
    txt = run_cli("explain", dl / "notes.txt", "-c", cfg)
    assert "rule movies: does not match" in txt.stdout and "fail extension = txt" in txt.stdout
    assert "rule texts: matches" in txt.stdout


def test_sim_verbose_lists_what_the_scans_leave_out(tmp_path: Path, run_cli: Any) -> None:
    dl = tmp_path / "dl"
    (dl / ".git").mkdir(parents=True)
    (dl / "a.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (dl / ".hidden_note.txt").write_text("h")
    (dl / "x.crdownload").write_bytes(b"x")
    proc = run_cli("sim", dl, "-v")
    assert proc.returncode == 0, proc.stderr
    assert f"left out {dl}/.hidden_note.txt (rule Sort by kind): a hidden file" in proc.stdout
    assert f"left out {dl}/x.crdownload (rule Sort by kind): an unfinished download" in proc.stdout
    assert f"left out {dl}/.git (rule Sort by kind)" in proc.stdout
    quiet = run_cli("sim", dl)
    assert "left out" not in quiet.stdout
