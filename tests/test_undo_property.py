"""Property: for random trees and random rule sets, run then undo gives back the
identical tree (names, contents, no extra files or folders), and the history
shows both runs."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from conftest import make_tree, read_tree
from history_support import app_paths, run_rules
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fileorganizer.history import History
from fileorganizer.operations import OpStatus
from fileorganizer.session import undo

NAMES = st.sampled_from(["a", "b", "c", "Report", "photo", "x y", "caf\u00e9"])
EXTS = st.sampled_from(["txt", "pdf", "jpg", "log"])
CONTENT = st.binary(min_size=0, max_size=64)


@st.composite
def trees(draw: Any) -> dict[str, Any]:
    files = draw(st.dictionaries(st.tuples(NAMES, EXTS), CONTENT, min_size=1, max_size=8))
    spec: dict[str, Any] = {}
    for (name, ext), data in files.items():
        sub = draw(st.sampled_from([None, "sub", "sub/deep"]))
        node = spec
        if sub:
            for part in sub.split("/"):
                node = node.setdefault(part, {})
        node[f"{name}.{ext}"] = data
    # names that are not UTF-8 must round-trip too
    if draw(st.booleans()):
        spec[b"raw-\xff.txt"] = draw(CONTENT)
    return spec


ACTIONS = st.sampled_from(
    [
        '{{move: "{root}/out/{{extension}}/"}}',
        '{{move: {{dest: "{root}/out/", on_conflict: overwrite}}}}',
        '{{move: {{dest: "{root}/out/", on_conflict: rename_existing}}}}',
        '{{copy: "{root}/copies/"}}',
        '{{rename: "{{name}}-r.{{extension}}"}}',
        "trash",
    ]
)


@st.composite
def rule_sets(draw: Any) -> list[tuple[str, bool, list[str]]]:
    rules = []
    for _ in range(draw(st.integers(1, 3))):
        ext = draw(st.sampled_from(["txt", "pdf", "jpg", "log", None]))
        sub = draw(st.booleans())
        actions = draw(st.lists(ACTIONS, min_size=1, max_size=2))
        rules.append((ext or "", sub, actions))
    return rules


def _yaml(root: str, rules: list[tuple[str, bool, list[str]]]) -> str:
    out = ["rules:"]
    for ext, sub, actions in rules:
        out.append(f'  - locations: "{root}/in"')
        out.append(f"    subfolders: {'true' if sub else 'false'}")
        if ext:
            out.append(f"    filters: [{{extension: {ext}}}]")
        out.append(f"    actions: [{', '.join(a.format(root=root) for a in actions)}]")
    return "\n".join(out) + "\n"


def _trash_empty(trash: Path) -> bool:
    return all(not (trash / d).is_dir() or not os.listdir(trash / d) for d in ("files", "info"))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=trees(), rules=rule_sets(), preexisting=st.booleans())
def test_run_then_undo_restores_the_identical_tree(
    spec: dict[str, Any],
    rules: list[tuple[str, bool, list[str]]],
    preexisting: bool,
    isolated_env: Any,
) -> None:
    root = Path(tempfile.mkdtemp(prefix="prop-"))
    db = Path(tempfile.mkdtemp(prefix="prop-db-"))
    os.environ["FILEORGANIZER_DB"] = str(db / "h.sqlite")
    try:
        make_tree(root / "in", spec)
        if preexisting:  # give conflict policies something to do
            make_tree(root / "out", {"a.txt": b"already here", "txt": {"b.txt": b"and here"}})
        before = read_tree(root)
        session = run_rules(_yaml(str(root), rules))
        assert session.run_id is not None
        assert not session.result.failed, [r.to_dict() for r in session.result.failed]
        event(f"applied>0: {bool(session.result.applied)}")
        res = undo(app_paths(), session.run_id).result
        assert res.ok, res.to_dict()
        assert read_tree(root) == before
        assert _trash_empty(isolated_env.trash_dir)
        with History(app_paths().db_path) as h:
            runs = h.runs()
        expected = [("run", None)]
        if session.result.counts[OpStatus.DONE]:
            expected.insert(0, ("undo", session.run_id))
        assert [(r.mode, r.undo_of) for r in runs] == expected
    finally:
        os.environ.pop("FILEORGANIZER_DB", None)
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(db, ignore_errors=True)
