"""The executor's journal: intents committed before acting, results after.

:class:`RunJournal` is the :class:`~fileorganizer.executor.Journal` of one run.
``record_intents`` writes one row per operation in one durable transaction
(invariant 3). ``record_results`` writes per row only what the intent could
not know — a failure or a skip, a destination that moved at apply time, a new
identity (a copy, a cross-device move), folders other than those the intent
expected — and marks every other row of the batch done with one statement.
The results of an undo also mark the operations they reverse as undone.

On SQLite the rows go through the driver's cursor with stand-in parameters;
on PostgreSQL the intents go through one ``COPY`` per batch; otherwise (and
for results on PostgreSQL) through SQLAlchemy Core, with the same values (the
writers are :mod:`fileorganizer.history.journal_sql`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from fileorganizer.history import journal_sql
from fileorganizer.history.journal_sql import INTENT_COLUMNS
from fileorganizer.history.models import FS_ENCODING, FS_ERRORS, enc_list, storable
from fileorganizer.history.records import OpState
from fileorganizer.operations import Intent, Operation, OpKind, OpResult, OpStatus

if TYPE_CHECKING:
    from fileorganizer.history.store import History

#: Whether an ASCII ``str`` encodes to the bytes ``os.fsencode`` gives.
_ASCII_FS = "/ascii-Path_0.~".encode(FS_ENCODING, FS_ERRORS) == b"/ascii-Path_0.~"
_KIND_VALUE = {k: k.value for k in OpKind}
_STATE_VALUE = {s: OpState.of(s).value for s in OpStatus}
_CREATES_DST = frozenset(
    {
        OpKind.MOVE,
        OpKind.RENAME,
        OpKind.COPY,
        OpKind.SYMLINK,
        OpKind.HARDLINK,
        OpKind.RESTORE,
        OpKind.WRITE,
    }
)


def missing_parents(path: str, cache: dict[str, bool] | None = None) -> list[str]:
    """The parent folders of ``path`` that do not exist now, outermost first."""
    cache = {} if cache is None else cache
    missing: list[str] = []
    d = os.path.dirname(os.path.normpath(path))
    while True:
        known = cache.get(d)
        exists = known if known is not None else os.path.isdir(d)
        cache[d] = exists
        if exists:
            break
        missing.append(d)
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    return list(reversed(missing))


class _Pending:
    """What the journal remembers of an intent until its result comes."""

    __slots__ = ("dirs", "dst", "row_id", "trash")

    def __init__(self, row_id: int, dst: str | None, dirs: bytes | None, trash: str | None):
        self.row_id = row_id
        self.dst = dst
        self.dirs = dirs
        self.trash = trash


class RunJournal:
    """The executor's :class:`~fileorganizer.executor.Journal`, backed by :class:`History`."""

    def __init__(
        self, history: History, run_id: int, *, guard: Callable[[], None] | None = None
    ) -> None:
        self.history = history
        self.run_id = run_id
        #: called before each batch of intents (raises when the pass lost its lock)
        self.guard = guard
        self._seen_seq: set[int] = set()
        self._pending: dict[str, _Pending] = {}
        self._sqlite = history.dialect == "sqlite"
        #: PostgreSQL: intents through COPY (else SQLAlchemy Core, the portable path)
        self._copy = history.dialect == "postgresql"
        #: whether ASCII paths may be bound as text (see above)
        self._text_paths = _ASCII_FS and history.text_encoding == "UTF-8"

    def _order(self, seq: int) -> int:
        # an intent whose seq was already journaled is one the executor added
        # at apply time to make room: it runs before the op it makes room for
        if seq in self._seen_seq:
            return 2 * seq
        self._seen_seq.add(seq)
        return 2 * seq + 1

    # -- intents ---------------------------------------------------------------
    def record_intents(self, intents: Sequence[Intent]) -> None:
        """Commit the intents (one durable transaction).

        Each row also lists the destination's parent folders missing right now:
        the folders the run may create, so that undo can remove them (once
        empty) even when a crash kept the result from being recorded.
        """
        if not intents:
            return
        if self.guard is not None:
            self.guard()
        created: dict[str, bytes | None] = {}
        exists: dict[str, bool] = {}
        planned: list[tuple[str, str | None, bytes | None, str | None]] = []
        values: list[tuple[Any, ...]] = []
        for intent in intents:
            op = intent.op
            dst = intent.dst if intent.dst is not None else op.dst
            dirs: bytes | None = None
            if dst and op.kind in _CREATES_DST:
                parent = dst.rpartition(os.sep)[0]
                if parent in created:
                    dirs = created[parent]
                else:
                    dirs = created[parent] = enc_list(missing_parents(dst, exists))
            ident = op.identity
            values.append(
                (
                    op.seq,
                    self._order(op.seq),
                    op.op_id,
                    _KIND_VALUE[op.kind],
                    op.rule,
                    op.action,
                    op.src,
                    dst,
                    intent.temp_path,
                    intent.trash_path,
                    op.same_as,
                    op.check_inode,
                    storable(op.note),
                    ident,
                    dirs,
                    op.reverses,
                    None if op.payload is None else op.payload.journal_detail(),
                )
            )
            planned.append((op.op_id, dst, dirs, intent.trash_path))
        ids: Sequence[int]
        if self._sqlite:
            ids = journal_sql.insert_sqlite(self.history, self.run_id, self._text_paths, values)
        elif self._copy:
            ids = journal_sql.insert_pg(self.history, self.run_id, values)
        else:
            ids = journal_sql.insert_core(self.history, self.run_id, values)
        pending = self._pending
        for row_id, (op_id, dst, dirs, trash) in zip(ids, planned, strict=True):
            pending[op_id] = _Pending(row_id, dst, dirs, trash)

    # -- results ---------------------------------------------------------------
    def record_results(
        self, results: Sequence[OpResult], not_started: Sequence[Operation] = ()
    ) -> None:
        """Commit what happened to each operation (one transaction).

        Intents ``not_started`` (a stop came first) are removed: nothing happened
        to those files, and the run's counts then equal the disk.
        """
        if not results and not not_started:
            return
        pending = self._pending
        forget = [k.row_id for op in not_started if (k := pending.pop(op.op_id, None)) is not None]
        exceptions: list[tuple[Any, ...]] = []  # (values..., key, by_id)
        done_ids: list[int] = []
        undone: list[int] = []
        for r in results:
            op = r.op
            known = pending.pop(op.op_id, None)
            dst = r.dst if r.dst is not None else op.dst
            after = r.identity_after
            if op.reverses is not None and r.status is OpStatus.DONE:
                undone.append(op.reverses)
            if (
                known is not None
                and r.status is OpStatus.DONE
                and (dst is known.dst or dst == known.dst)
                and (after is None or after == op.identity)
                and (r.trash_path is None or r.trash_path == known.trash)
                and (not r.created_dirs or enc_list(r.created_dirs) == known.dirs)
            ):
                done_ids.append(known.row_id)
                continue
            exceptions.append(
                (
                    _STATE_VALUE[r.status],
                    dst,
                    storable(r.error),
                    storable(r.reason),
                    after,
                    enc_list(r.created_dirs) if r.created_dirs else None,
                    r.trash_path,
                    known.row_id if known is not None else op.op_id,
                    known is not None,
                )
            )
        if self._sqlite:
            journal_sql.results_sqlite(
                self.history, self.run_id, self._text_paths, exceptions, done_ids, undone, forget
            )
        else:
            journal_sql.results_core(
                self.history, self.run_id, exceptions, done_ids, undone, forget
            )


__all__ = ["INTENT_COLUMNS", "RunJournal", "missing_parents"]
