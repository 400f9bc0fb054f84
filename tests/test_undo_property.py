"""Property: for random trees and random rule sets, ``sim`` predicts exactly what
``run`` does (also when the run is interrupted at a random operation), and undo
then gives back the identical tree (names, contents, no extra files or folders).

The trees include files named like the destination folders and files in the
way of deeper destinations; the rules include chains (rename then move, copy
then move), collisions and every conflict mode that keeps files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from conftest import make_tree, read_tree
from history_support import app_paths
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from fileorganizer import load_config_text
from fileorganizer.history import History
from fileorganizer.operations import OpStatus
from fileorganizer.session import SessionOptions, organize, undo

NAMES = st.sampled_from(["a", "b", "c", "Report", "photo", "x y", "caf\u00e9", "txt", "out"])
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
    # a file named like a destination folder, in the place of that folder
    if draw(st.booleans()):
        spec[draw(st.sampled_from(["txt", "pdf", "renamed"]))] = b"I am a file"
    return spec


ACTIONS = st.sampled_from(
    [
        '{{move: "{root}/out/{{extension}}/"}}',
        '{{move: "{root}/in/{{extension}}/"}}',
        '{{move: {{dest: "{root}/out/", on_conflict: overwrite}}}}',
        '{{move: {{dest: "{root}/out/", on_conflict: rename_existing}}}}',
        '{{move: {{dest: "{root}/out/deep/{{extension}}/", on_conflict: skip}}}}',
        '{{copy: "{root}/copies/"}}',
        '{{copy: {{dest: "{root}/copies/", continue_with: original}}}}',
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
        actions = draw(st.lists(ACTIONS, min_size=1, max_size=3))
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
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(
    # a file moved out and back and out again: the folder it left must still be removed
    spec={"a.txt": b""},
    rules=[
        (
            "txt",
            False,
            ['{{move: "{root}/out/{{extension}}/"}}', '{{move: "{root}/in/{{extension}}/"}}'],
        ),
        ("txt", False, ['{{move: "{root}/out/{{extension}}/"}}']),
        ("txt", True, ['{{move: "{root}/out/{{extension}}/"}}']),
    ],
    preexisting=False,
    stop_after=None,
)
@given(
    spec=trees(),
    rules=rule_sets(),
    preexisting=st.booleans(),
    stop_after=st.one_of(st.none(), st.integers(0, 12)),
)
def test_sim_predicts_the_run_and_undo_restores_the_identical_tree(
    spec: dict[str, Any],
    rules: list[tuple[str, bool, list[str]]],
    preexisting: bool,
    stop_after: int | None,
    isolated_env: Any,
) -> None:
    root = Path(tempfile.mkdtemp(prefix="prop-"))
    db = Path(tempfile.mkdtemp(prefix="prop-db-"))
    os.environ["FILEORGANIZER_DB"] = str(db / "h.sqlite")
    try:
        make_tree(root / "in", spec)
        if preexisting:  # give conflict policies something to do, and files in the way
            make_tree(
                root / "out",
                {"a.txt": b"already here", "txt": {"b.txt": b"and here"}, "deep": b"a file"},
            )
        before = read_tree(root)
        config = load_config_text(_yaml(str(root), rules))
        ap = app_paths()
        sim = organize(config, SessionOptions(app_paths=ap, dry_run=True))
        predicted = [(op.kind, op.src, op.dst) for op in sim.plan.operations]
        assert read_tree(root) == before  # sim changes nothing

        asked = 0

        def stop() -> bool:
            nonlocal asked
            asked += 1
            return stop_after is not None and asked > stop_after

        session = organize(config, SessionOptions(app_paths=ap, should_stop=stop))
        assert session.result is not None
        ran = [(r.op.kind, r.op.src, r.op.dst) for r in session.result.results]
        # exactly the plan sim showed, in order, up to where the stop came
        assert ran == predicted[: len(ran)]
        assert all(r.status is OpStatus.DONE for r in session.result.results), [
            r.to_dict() for r in session.result.results if r.status is not OpStatus.DONE
        ]
        assert len(ran) == len(predicted) or session.result.interrupted
        event(f"interrupted: {session.result.interrupted}")
        with History(ap.db_path) as h:
            runs = h.runs(None)
            if session.run_id is not None:
                assert h.run(session.run_id).done == len(ran)  # history == what ran
                assert h.pending_operations() == []
        if session.run_id is not None and ran:
            res = undo(ap, session.run_id).result
            assert res.ok, res.to_dict()
        assert read_tree(root) == before
        assert _trash_empty(isolated_env.trash_dir)
        expected_modes = ["run"] if session.run_id is not None else []
        if session.run_id is not None and ran:
            expected_modes.insert(0, "undo")
        with History(ap.db_path) as h:
            runs = h.runs(None)
        assert [r.mode for r in runs] == expected_modes
    finally:
        os.environ.pop("FILEORGANIZER_DB", None)
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(db, ignore_errors=True)
