"""The crash matrix: kill the process at every named crash point, for every
operation kind, in a run and in an undo, then start again and check that
nothing was lost.

For each (phase, point, kind) a real ``python -m fileorganizer run`` (or
``undo``, whose plan goes through the same executor) subprocess is killed by
SIGKILL at the point (``FILEORGANIZER_CRASH_AT``).
Then recovery runs (as on the next start-up) and we check:

- the multiset of content hashes of user files, trash included, is what it
  was (plus the copies the history says were made);
- no temporary or partial file is left under the user folders or the trash;
- the history agrees with the disk (no unresolved intent; done means there);
- undo then restores the original tree exactly, and empties the trash.

Every case runs on SQLite and on PostgreSQL (the ``backend`` fixture).

Points a kind never passes (e.g. ``mid_copy`` for a same-device move) are
listed in ``NOT_ON_PATH`` (the run) and ``UNDO_NOT_ON_PATH`` (its undo) and
not run.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from history_support import (
    app_paths,
    assert_history_matches_disk,
    content_multiset,
    open_history,
    run_rules,
    temp_files,
    trash_files,
)

from fileorganizer.crash import ENV_CRASH_AT, POINTS
from fileorganizer.errors import UndoError
from fileorganizer.history import History
from fileorganizer.session import recover_now, undo

KINDS = ("move_same", "move_cross", "copy", "rename", "trash", "overwrite", "write")
#: the crash points only a write passes (it saves the previous contents, then rewrites)
WRITE_POINTS = ("write_after_backup", "mid_write")
#: the crash points only transfers pass
TRANSFER_POINTS = (
    "mid_copy",
    "after_final_rename",
    "before_source_unlink",
    "trash_after_info",
    "trash_after_rename",
)
PHASES = ("run", "undo")

#: (point, kind) pairs whose code path does not pass the point.
NOT_ON_PATH = {
    ("mid_copy", "move_same"),
    ("mid_copy", "rename"),
    ("mid_copy", "trash"),
    ("mid_copy", "overwrite"),
    ("before_source_unlink", "move_same"),
    ("before_source_unlink", "copy"),
    ("before_source_unlink", "rename"),
    ("before_source_unlink", "trash"),
    ("before_source_unlink", "overwrite"),
    ("trash_after_info", "move_same"),
    ("trash_after_info", "move_cross"),
    ("trash_after_info", "copy"),
    ("trash_after_info", "rename"),
    ("trash_after_rename", "move_same"),
    ("trash_after_rename", "move_cross"),
    ("trash_after_rename", "copy"),
    ("trash_after_rename", "rename"),
    *((p, k) for p in WRITE_POINTS for k in KINDS if k != "write"),
    *((p, "write") for p in TRANSFER_POINTS),
}

#: (point, kind) pairs that the undo of a run of that kind does not pass: an
#: undo moves back (a same-device rename, or the verified cross-device copy),
#: restores from the trash (a rename) and removes copies (an unlink); it never
#: puts anything into the trash.
UNDO_NOT_ON_PATH = (
    {(p, k) for p in ("mid_copy", "before_source_unlink") for k in KINDS if k != "move_cross"}
    | {("after_final_rename", "copy"), ("after_final_rename", "write")}
    | {(p, k) for p in ("trash_after_info", "trash_after_rename") for k in KINDS}
    | {(p, k) for p in WRITE_POINTS for k in KINDS if k != "write"}
    # (an undo of a write puts the saved contents back: it saves nothing itself)
    | {("write_after_backup", "write")}
)

CONTENT = {"a.txt": b"alpha " * 300_000, "b.txt": b"bravo\n"}  # a.txt spans chunks
#: the index a write scenario prepends to, and what it may hold after a crash
INDEX = b"the old index\n"
INDEX_STATES = (INDEX, b"a\n" + INDEX, b"b\na\n" + INDEX)


@dataclass
class Scenario:
    roots: list[Path]
    rules: str
    trash_dirs: list[Path]
    #: a file the rules write into (its contents are checked on their own)
    outfile: Path | None = None

    def user_roots(self) -> list[Path]:
        return self.roots + self.trash_dirs


def _scenario(kind: str, tmp_path: Path, tmpfs: Any, tree: Any, trash_home: Path) -> Scenario:
    if kind == "move_cross":
        a, b = tmpfs(size="16m", name="srcfs"), tmpfs(size="16m", name="dstfs")
        tree.make(a / "in", CONTENT)
        (b / "out").mkdir()
        rules = f'rules:\n  - locations: "{a}/in"\n    actions: [{{move: "{b}/out/"}}]\n'
        return Scenario([a, b], rules, [trash_home])
    root = tmp_path / "t"
    spec: dict[str, Any] = {"in": dict(CONTENT)}
    loc = f'"{root}/in"'
    if kind == "move_same":
        action = f'{{move: "{root}/out/"}}'
    elif kind == "copy":
        action = f'{{copy: "{root}/out/"}}'
    elif kind == "rename":
        action = '{rename: "{name}-renamed.{extension}"}'
    elif kind == "trash":
        action = "trash"
    elif kind == "write":  # a prepend into an existing index: saved first, then rewritten
        spec["index.txt"] = INDEX
        action = f'{{write: {{outfile: "{root}/index.txt", text: "{{name}}", mode: prepend}}}}'
    else:  # overwrite: out/a.txt exists and goes to the trash first
        spec["out"] = {"a.txt": b"the old a"}
        action = f'{{move: {{dest: "{root}/out/", on_conflict: overwrite}}}}'
    tree.make(root, spec)
    rules = f"rules:\n  - locations: {loc}\n    actions: [{action}]\n"
    outfile = root / "index.txt" if kind == "write" else None
    return Scenario([root], rules, [trash_home], outfile)


def _snapshot(sc: Scenario, tree: Any) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in tree.read(r).items() if not k.startswith(".Trash-")} for r in sc.roots
    ]


def _all_trash_dirs(sc: Scenario) -> list[Path]:
    dirs = list(sc.trash_dirs)
    for r in sc.roots:
        dirs.extend(p for p in r.glob(".Trash-*"))
    return dirs


def _expected_multiset(before: Counter[str], history: History, run_id: int) -> Counter[str]:
    import hashlib

    expected = Counter(before)
    for o in history.operations(run_id, states=["done"]):
        if o.kind == "copy" and o.final_dst:
            expected[hashlib.sha256(Path(o.final_dst).read_bytes()).hexdigest()] += 1
    return expected


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _check_after_recovery(sc: Scenario, before: Counter[str], run_id: int) -> None:
    roots = sc.roots + sc.trash_dirs
    with open_history() as h:
        assert_history_matches_disk(h, [r.id for r in h.runs(None)])
        expected = _expected_multiset(before, h, run_id)
        writes_done = sum(1 for o in h.operations(run_id, states=["done"]) if o.kind == "write")
    now = content_multiset(roots)
    if sc.outfile is not None:
        # the index is as the writes the history says were done left it, never in between
        written = sc.outfile.read_bytes()
        assert written == INDEX_STATES[writes_done]
        now[_sha(written)] -= 1
        expected[_sha(INDEX)] -= 1
    assert +now == +expected
    assert temp_files(roots) == []


def _check_undone(sc: Scenario, tree: Any, original: list[dict[str, Any]], before: Counter[str]):
    assert _snapshot(sc, tree) == original
    assert content_multiset(sc.roots + sc.trash_dirs) == before
    for t in _all_trash_dirs(sc):
        assert trash_files(t) == []


def _cases() -> list[Any]:
    out = []
    for phase, off_path in (("run", NOT_ON_PATH), ("undo", UNDO_NOT_ON_PATH)):
        for point in POINTS:
            for kind in KINDS:
                if (point, kind) in off_path:
                    continue
                out.append(pytest.param(phase, point, kind, id=f"{phase}-{point}-{kind}"))
    return out


@pytest.mark.slow
@pytest.mark.usefixtures("backend")
@pytest.mark.parametrize(("phase", "point", "kind"), _cases())
def test_crash_then_recover_then_undo(
    phase: str,
    point: str,
    kind: str,
    tmp_path: Path,
    tmpfs: Any,
    tree: Any,
    isolated_env: Any,
    write_config: Any,
    run_cli: Any,
) -> None:
    sc = _scenario(kind, tmp_path, tmpfs, tree, isolated_env.trash_dir)
    original = _snapshot(sc, tree)
    before = content_multiset(sc.user_roots())
    rules = write_config(sc.rules)
    env = {ENV_CRASH_AT: point}
    if phase == "run":
        proc = run_cli("run", "-c", rules, "--quiet", env=env)
        assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stderr)
        run_id = 1
    else:
        session = run_rules(sc.rules)
        assert session.ok and session.run_id is not None
        run_id = session.run_id
        proc = run_cli("undo", str(run_id), env=env)
        assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stderr)

    # start again: recovery on start-up
    ap = app_paths()
    with open_history() as h:
        assert any(r.status == "running" for r in h.runs(None))
        report = recover_now(ap, h)
        assert report is not None and not report.ambiguous, report.to_dict()
        assert all(r.status != "running" for r in h.runs(None))
    _check_after_recovery(sc, before, run_id)

    # undo the (partly) applied run: the original tree comes back
    try:
        result = undo(ap, run_id).result
    except UndoError as exc:
        # the crashed undo had reversed everything (recovery found it done)
        assert phase == "undo" and "nothing left to undo" in str(exc)
    else:
        assert result.ok, result.to_dict()
    _check_undone(sc, tree, original, before)


def test_every_crash_point_is_in_the_matrix() -> None:
    cases = {(p, k) for p in POINTS for k in KINDS}
    for phase, off_path in (("run", NOT_ON_PATH), ("undo", UNDO_NOT_ON_PATH)):
        run = {(c.values[1], c.values[2]) for c in _cases() if c.values[0] == phase}
        assert cases == run | off_path
        assert not run & off_path
    # every point is exercised by at least one kind in a run
    assert {c.values[1] for c in _cases() if c.values[0] == "run"} == set(POINTS)


def test_a_point_off_the_path_does_not_fire(
    tmp_path: Path, tree: Any, write_config: Any, run_cli: Any
) -> None:
    """A same-device move never passes ``mid_copy``: the run completes."""
    tree.make(tmp_path / "in", {"a.txt": "x"})
    rules = write_config(
        f'rules:\n  - locations: "{tmp_path}/in"\n    actions: [{{move: "{tmp_path}/out/"}}]\n'
    )
    proc = run_cli("run", "-c", rules, env={ENV_CRASH_AT: "mid_copy"})
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "a.txt").read_text() == "x"
    assert not os.path.exists(tmp_path / "in" / "a.txt")
