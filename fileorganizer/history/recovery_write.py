"""Recovery of interrupted writes, unwrites and commands (part of :mod:`.recovery`).

**Writes.** The writes of one crashed batch into one file are decided together,
in order, from what the disk shows: a write that saves the previous contents
does so completely (under a temporary name, then its name) before it touches the
file, so a write whose saved copy exists started, and every write before it was
finished. From the newest saved copy (or, with none, from the file's size when
the batch began, journaled with each intent) the file's contents after each
write are known; the file says how many were done. A file caught in the middle
of a rewrite (a prepend or an overwrite) is put back from its saved copy, and
that write counts as not done. A write whose text was rendered when applied
(``{shell.output}``) cannot be checked: it is left for a person (both the file
and its saved copy are kept).

**Unwrites** (an undo's writes) are decided from the file and the saved copy
(an unwrite deletes the copy once the file has its contents back).

**Commands** (``shell``, ``python``, ``macos_tags``): the disk cannot tell
whether one ran. It is reported for a person to look at and never run again.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fileorganizer.fsops import inplace
from fileorganizer.history.records import OpRecord, OpState, Outcome
from fileorganizer.operations import Identity, OpKind
from fileorganizer.payloads import UnwriteSpec, WriteMode, mode_of_note

if TYPE_CHECKING:
    from fileorganizer.history.recovery import _Planner

#: kinds whose effect the disk cannot show
COMMAND_KINDS = frozenset({OpKind.SHELL, OpKind.PYTHON, OpKind.MACOS_TAGS})
WRITE_KINDS = frozenset({OpKind.WRITE, OpKind.UNWRITE})

Decide = Callable[..., Any]


def _read(path: str) -> bytes | None:
    try:
        return inplace.read_all(path)
    except OSError:
        return None


def _ident(path: str) -> Identity | None:
    try:
        return Identity.of(path)
    except OSError:
        return None


def _after(mode: WriteMode | None, before: bytes, data: bytes) -> bytes:
    if mode is WriteMode.PREPEND:
        return data + before
    if mode is WriteMode.OVERWRITE:
        return data
    return before + data


def _states(chain: list[OpRecord], base: bytes | None) -> list[bytes]:
    """The file's contents after each write of ``chain`` from ``base`` (as far as known)."""
    out: list[bytes] = []
    cur = base
    for rec in chain:
        if cur is None or rec.detail is None:
            break
        if rec.trash_path and not os.path.isfile(rec.trash_path):
            break  # it had not started (its saved copy comes first): nor had the rest
        cur = _after(mode_of_note(rec.note), cur, rec.detail)
        out.append(cur)
    return out


def _sizes_before(done: list[OpRecord], size_after_last: int) -> list[int]:
    """The file's size after each of ``done`` (all finished), back from the last one."""
    sizes = [0] * len(done)
    size = size_after_last
    for k in range(len(done) - 1, -1, -1):
        sizes[k] = size
        rec = done[k]
        if rec.trash_path and os.path.isfile(rec.trash_path):
            size = os.path.getsize(rec.trash_path)
        else:
            size = max(size - len(rec.detail or b""), 0)
    return sizes


class WriteRecovery:
    """Decides interrupted writes (by file, in order) and unwrites for recovery's planner."""

    def __init__(self, planner: _Planner, pending: list[OpRecord]) -> None:
        self.p = planner
        self._chains: dict[tuple[int, str], list[OpRecord]] = {}
        for rec in pending:
            if rec.kind is OpKind.WRITE:
                self._chains.setdefault((rec.run_id, rec.src), []).append(rec)
        self._decided: set[int] = set()
        #: (run, file) whose unwrites stopped: the later ones had not started either
        self._unwrites_stopped: set[tuple[int, str]] = set()

    def reconcile(self, rec: OpRecord) -> None:
        """Decide ``rec`` (a write's whole chain the first time one of it comes)."""
        if rec.kind is OpKind.UNWRITE:
            self._unwrite(rec)
        elif rec.id not in self._decided:
            self._chain(self._chains[(rec.run_id, rec.src)])

    def command(self, rec: OpRecord) -> None:
        """A shell, python or macos_tags operation that never got its result."""
        what = {OpKind.SHELL: "shell command", OpKind.PYTHON: "python action"}.get(
            rec.kind, "tagging"
        )
        detail = f" ({os.fsdecode(rec.detail)})" if rec.detail else ""
        self.p._decide(
            rec,
            OpState.FAILED,
            Outcome.AMBIGUOUS,
            f"interrupted: whether the {what} for {rec.src} ran is not known{detail}; "
            "it is not run again",
        )

    # -- writes --------------------------------------------------------------------
    def _chain(self, chain: list[OpRecord]) -> None:
        for rec in chain:
            self._decided.add(rec.id)
            self.p._cleanup(rec, rec.temp_path)
        path = chain[0].src
        now, ident = _read(path), _ident(path)
        saved = [i for i, r in enumerate(chain) if r.trash_path and os.path.isfile(r.trash_path)]
        start = saved[-1] if saved else 0
        if saved:
            base = _read(chain[start].trash_path or "")
        elif chain[0].planned_dst is not None:
            base = b""  # the first write creates the file
        else:  # appends only: the file began with what it had at the batch's start
            size = chain[0].identity.size if chain[0].identity else 0
            base = now[:size] if now is not None and len(now) >= size else None
        states = _states(chain[start:], base)
        reached = next((k for k in range(len(states), 0, -1) if now == states[k - 1]), None)
        if reached is None and base is not None and now == base:
            reached = 0
        if reached is None and chain[0].planned_dst is not None and start == 0 and now is None:
            reached = 0
        if reached is None:
            self._partial(chain, start, base, now)
            return
        done = start + reached
        sizes = _sizes_before(chain[:start], len(base or b"")) + [len(x) for x in states[:reached]]
        for k, rec in enumerate(chain):
            if k < done and ident is not None:
                mtime = ident.mtime_ns if k == done - 1 else 0
                after = Identity(ident.dev, ident.ino, sizes[k], mtime)
                self.p._decide(
                    rec, OpState.DONE, Outcome.DONE, f"had been done: {path}", after=after
                )
            else:
                self.p._decide(
                    rec, OpState.SKIPPED, Outcome.NOT_DONE, "interrupted before it was done"
                )

    def _partial(
        self, chain: list[OpRecord], start: int, base: bytes | None, now: bytes | None
    ) -> None:
        """The file is none of the states the writes lead to: mid-rewrite, or unknown."""
        path = chain[0].src
        first = chain[start]
        ident = _ident(path)
        ambiguous = (OpState.FAILED, Outcome.AMBIGUOUS)
        restorable = (
            base is not None and now is not None and first.trash_path and first.detail is not None
        )
        sizes = _sizes_before(chain[:start], len(base or b""))
        for k, rec in enumerate(chain):
            if k < start and ident is not None:
                after = Identity(ident.dev, ident.ino, sizes[k], 0)
                self.p._decide(
                    rec, OpState.DONE, Outcome.DONE, f"had been done: {path}", after=after
                )
            elif k == start and restorable and ident is not None:
                # caught in the middle of a rewrite: put the saved contents back
                op = self.p._op(
                    OpKind.UNWRITE,
                    rec,
                    path,
                    identity=ident,
                    same_as=rec.trash_path,
                    payload=UnwriteSpec(None, rec.trash_path, False),
                )
                self.p._decide(
                    rec,
                    OpState.SKIPPED,
                    Outcome.NOT_DONE,
                    f"interrupted while writing; {path} has its previous contents back",
                    op=op,
                    otherwise=(
                        *ambiguous,
                        f"interrupted while writing; kept {path}, {rec.trash_path}",
                    ),
                )
            elif k > start and restorable:
                self.p._decide(
                    rec, OpState.SKIPPED, Outcome.NOT_DONE, "interrupted before it was done"
                )
            else:
                kept = f"; previous contents kept at {rec.trash_path}" if rec.trash_path else ""
                self.p._decide(rec, *ambiguous, f"interrupted and ambiguous; kept {path}{kept}")

    # -- unwrites ------------------------------------------------------------------
    def _unwrite(self, rec: OpRecord) -> None:
        """An undo's write back: unwrites of one file run in order, each after the last."""
        key = (rec.run_id, rec.src)
        not_done = (OpState.SKIPPED, Outcome.NOT_DONE, "interrupted before it was done")
        if key in self._unwrites_stopped:
            self.p._decide(rec, *not_done)
            return
        before = len(self.p.out.decisions)
        self._one_unwrite(rec)
        decided = self.p.out.decisions[before]
        if decided.outcome is not Outcome.DONE or decided.op is not None:
            # (one caught in progress: the ones after it had not started)
            self._unwrites_stopped.add(key)

    def _one_unwrite(self, rec: OpRecord) -> None:
        path, backup, data = rec.src, rec.same_as, rec.detail
        now = _read(path)
        expected = rec.identity
        done = (OpState.DONE, Outcome.DONE)
        not_done = (OpState.SKIPPED, Outcome.NOT_DONE, "interrupted before it was done")
        if backup == path:  # the file the write created is removed
            if now is None:
                self.p._decide(rec, *done, f"had been done: {path} is gone")
            else:
                self.p._decide(rec, *not_done)
            return
        if now is None:
            self.p._decide(rec, OpState.FAILED, Outcome.AMBIGUOUS, f"interrupted; {path} is gone")
            return
        if backup is not None:
            saved = _read(backup)
            if saved is None or now == saved:  # (the copy is deleted once it is back)
                self.p._decide(rec, *done, f"had been done: {path} has its contents back")
                return
            if _as_written(now, data, saved, expected, _ident(path)):
                self.p._decide(rec, *not_done)
                return
            # caught while putting the contents back: finish it
            op = self.p._op(
                OpKind.UNWRITE,
                rec,
                path,
                identity=_ident(path),
                same_as=backup,
                payload=UnwriteSpec(None, backup, False),
            )
            self.p._decide(
                rec,
                *done,
                f"finished putting back the contents of {path}",
                op=op,
                otherwise=(
                    OpState.FAILED,
                    Outcome.AMBIGUOUS,
                    f"interrupted; kept {path}, {backup}",
                ),
            )
            return
        if expected is not None and data is not None:
            if len(now) == expected.size - len(data):
                self.p._decide(rec, *done, f"had been done: {path} is cut back")
                return
            if len(now) == expected.size and now.endswith(data):
                self.p._decide(rec, *not_done)
                return
        self.p._decide(
            rec, OpState.FAILED, Outcome.AMBIGUOUS, f"interrupted and ambiguous; kept {path}"
        )


def _as_written(
    now: bytes, data: bytes | None, saved: bytes, expected: Identity | None, ident: Identity | None
) -> bool:
    """Whether the file is still as the write left it (so the unwrite had not started)."""
    if data is not None:
        return now in (saved + data, data + saved, data)
    return expected is not None and ident is not None and ident.same_file(expected)
