"""Helpers shared by the history, undo and crash tests (not a test module)."""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from fileorganizer import load_config_text
from fileorganizer.history import History, OpRecord
from fileorganizer.operations import OpKind
from fileorganizer.paths import AppPaths, resolve_paths
from fileorganizer.session import SessionOptions, SessionResult, organize

TEMP_PREFIX = ".fileorganizer-tmp-"

#: kinds that remove the entry at their ``src``
REMOVALS = frozenset(
    {
        OpKind.REMOVE_COPY,
        OpKind.REMOVE_SYMLINK,
        OpKind.REMOVE_HARDLINK,
        OpKind.DELETE,
        OpKind.CLEANUP,
        OpKind.RMDIR,
    }
)


def app_paths() -> AppPaths:
    """The (isolated, env-driven) tool paths."""
    return resolve_paths()


def open_history() -> History:
    """The history the tool uses in this test (SQLite file, or the ``backend``'s database)."""
    from fileorganizer.session import open_history as open_for

    return open_for(app_paths())


def new_history(db: str | os.PathLike[str]) -> History:
    """A history at the SQLite file ``db``, or in the ``backend``'s database if one is set."""
    url = os.environ.get("FILEORGANIZER_DATABASE_URL")
    return History(url=url) if url else History(db)


def run_rules(yaml_text: str, *, wait: float = 0.0) -> SessionResult:
    """Plan and apply ``yaml_text`` through the session (lock + history)."""
    config = load_config_text(yaml_text)
    return organize(config, SessionOptions(app_paths=app_paths(), wait=wait))


def content_multiset(roots: Iterable[str | os.PathLike[str]]) -> Counter[str]:
    """sha256 of every regular file under ``roots`` (``.trashinfo`` files excluded)."""
    out: Counter[str] = Counter()
    for root in roots:
        for dirpath, _dirs, files in os.walk(os.fsencode(root)):
            for f in files:
                if f.endswith(b".trashinfo"):
                    continue
                p = os.path.join(dirpath, f)
                if os.path.islink(p):
                    continue
                with open(p, "rb") as fh:
                    out[hashlib.sha256(fh.read()).hexdigest()] += 1
    return out


def temp_files(roots: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Temporary files the tool may have left under ``roots``."""
    found = []
    for root in roots:
        for dirpath, dirs, files in os.walk(root):
            for name in list(files) + list(dirs):
                if name.startswith(TEMP_PREFIX):
                    found.append(os.path.join(dirpath, name))
    return found


def trash_files(trash_dir: str | os.PathLike[str]) -> list[str]:
    """Names in a freedesktop trash (files/ and info/)."""
    names = []
    for sub in ("files", "info"):
        d = Path(trash_dir) / sub
        if d.is_dir():
            names.extend(f"{sub}/{n}" for n in os.listdir(d))
    return names


#: kinds that act on their ``src`` in place (or run a command for it)
IN_PLACE = frozenset({OpKind.WRITE, OpKind.UNWRITE, OpKind.SHELL, OpKind.PYTHON, OpKind.MACOS_TAGS})


def _target(rec: OpRecord) -> str | None:
    if rec.kind == "trash":
        return rec.trash_path
    if rec.kind in IN_PLACE:
        return rec.src
    return rec.dst or rec.planned_dst


def assert_history_matches_disk(history: History, run_ids: Iterable[int]) -> None:
    """Every journaled operation is resolved and agrees with what is on disk."""
    for run_id in run_ids:
        ops = history.operations(run_id)
        assert all(o.state != "planned" for o in ops), [o.to_dict() for o in ops]
        assert history.run(run_id).status != "running"
        targets_done = {_target(o) for o in ops if o.state in ("done", "undone")}
        targets_not_done = {_target(o) for o in ops if o.state == "skipped"}
        moved_on = {o.src for o in ops if o.state in ("done", "undone")}
        for o in ops:
            if o.kind == "echo":
                continue
            target = _target(o)
            if o.state == "done":
                if o.kind in REMOVALS:
                    # (a removal acts on its src: a copy, a link, a leftover, a folder)
                    assert not os.path.lexists(o.src) or o.src in targets_done, o.to_dict()
                    continue
                if o.kind is OpKind.MKDIR or o.kind in IN_PLACE:
                    continue
                assert target is not None, o.to_dict()
                assert os.path.lexists(target) or target in moved_on, o.to_dict()
                if o.kind in ("move", "rename", "trash", "restore") and o.src not in targets_done:
                    assert not os.path.lexists(o.src), o.to_dict()
            elif o.state == "skipped":
                chained = o.src in targets_not_done  # its earlier step was not done either
                assert os.path.lexists(o.src) or chained or o.kind in REMOVALS, o.to_dict()
            elif o.state == "failed":
                raise AssertionError(f"unexpected failed op: {o.to_dict()}")
