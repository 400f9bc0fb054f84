"""Undo of what cannot be moved back: writes (put back) and commands (irreversible).

A ``write`` is undone in place, newest first, only while the file is as the
write left it: an append is cut off again (its bytes are in the journal), a
write that saved the previous contents puts them back (with the file's
modification time), a file the write created is removed. Several writes of one
run into one file are undone one after the other; the plan follows the size
each leaves, and each is checked again when applied.

``shell``, ``python`` and ``macos_tags`` operations cannot be undone, nor can an
``unwrite`` be redone: each is a planned skip marked irreversible, and the rest
of the run is undone.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from fileorganizer.history.records import OpRecord, same_file_seen_from
from fileorganizer.operations import Identity, OpKind
from fileorganizer.payloads import UnwriteSpec

if TYPE_CHECKING:
    from fileorganizer.history.undo import _UndoPlanner

#: kinds undo reports as irreversible (besides a permanent delete)
IRREVERSIBLE_ACTIONS = frozenset({OpKind.SHELL, OpKind.PYTHON, OpKind.MACOS_TAGS, OpKind.UNWRITE})


def irreversible_reason(rec: OpRecord) -> str:
    """Why ``rec`` cannot be undone, for ``undo`` to say."""
    detail = os.fsdecode(rec.detail) if rec.detail else ""
    if rec.kind is OpKind.SHELL:
        return f"cannot be undone: the shell command for {rec.src} ran ({detail})"
    if rec.kind is OpKind.PYTHON:
        return f"cannot be undone: the python action of rule {rec.rule!r} ran for {rec.src}"
    if rec.kind is OpKind.MACOS_TAGS:
        return f"cannot be undone: macOS tags were added to {rec.src} ({detail})"
    if rec.kind is OpKind.UNWRITE:
        return f"cannot be redone: a write into {rec.src} was undone"
    return f"cannot be undone: {rec.src} was permanently deleted"


class UnwritePlanner:
    """Plans the undo of a run's writes (part of the undo planner)."""

    def __init__(self, planner: _UndoPlanner) -> None:
        self.planner = planner
        #: file -> its size once the writes planned so far are undone
        self._sizes: dict[str, int] = {}
        #: the identity the last refusal check saw (what the executor checks again)
        self._seen: Identity | None = None

    def add(self, rec: OpRecord) -> None:
        """Plan the undo of the write ``rec`` (or a skip saying why not)."""
        why = self._refusal(rec)
        if why is not None:
            self.planner.refuse(rec, why)
            return
        path, after = rec.src, rec.identity_after
        assert after is not None
        # (a run of another host: its device numbers are not ours; expect what we see)
        expected = self._seen if self.planner.other_host and self._seen is not None else after
        backup = rec.trash_path
        created = rec.planned_dst is not None
        spec = UnwriteSpec(rec.detail, backup, created, exact=rec.detail is None)
        # At ``path``, where the file is once the undo's earlier operations ran (a later
        # move of the run is undone first); ``_refusal`` checked it where it is now.
        # (journaled: ``same_as`` is the backup, or the file itself when it is removed)
        same_as = backup if backup is not None else (path if created else None)
        self.planner._emit(
            rec, OpKind.UNWRITE, path, None, expected, False, same_as=same_as, payload=spec
        )
        if created:
            self.planner.vtree.remove(path)
            self._sizes.pop(path, None)
        elif backup is not None:
            self._sizes[path] = os.path.getsize(backup)
        else:
            self._sizes[path] = after.size - len(rec.detail or b"")

    def _refusal(self, rec: OpRecord) -> str | None:
        self._seen = None
        path, after = rec.src, rec.identity_after
        real = self.planner.vtree.real_path(path)
        if real is None:
            return f"{path} is gone (moved away or deleted after the run)"
        if after is None:
            return f"no identity was recorded for {path}; left alone"
        if rec.trash_path is not None and not os.path.isfile(rec.trash_path):
            return f"the saved previous contents of {path} are missing ({rec.trash_path})"
        if rec.detail is None and rec.trash_path is None and rec.planned_dst is None:
            return f"the history does not say what was written into {path}"
        planned = self._sizes.get(path)
        if planned is not None:
            return None if planned == after.size else f"{path} changed between two writes"
        try:
            now = Identity.of(real)
        except OSError:
            return f"{path} is gone (moved away or deleted after the run)"
        other = self.planner.other_host
        if rec.detail is None:  # (a late text: only the identity can tell it is unchanged)
            same = same_file_seen_from(now, after, other_host=other)
        else:  # the executor compares the bytes; the times may be an earlier undo's
            same = (now.ino if other else (now.dev, now.ino)) == (
                after.ino if other else (after.dev, after.ino)
            ) and now.size == after.size
        if not same:
            return f"{path} changed after the run; left as it is"
        self._seen = now
        return None
