"""The journal's fast path writes exactly the rows the plain way writes.

``RunJournal.record_intents``/``record_results`` build parameter tuples with
stand-ins for NULL and ASCII paths bound as text (see ``store.INTENT_COLUMNS``).
These tests compare every column (value and SQLite storage class) with rows
written through the generic ``insert_rows``/``update_operations`` path.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from fileorganizer.history import History
from fileorganizer.history.models import enc_list
from fileorganizer.history.store import RunJournal, missing_parents, result_values
from fileorganizer.operations import Identity, Intent, Operation, OpKind, OpResult, OpStatus


def _odd(base: Path, raw: bytes) -> str:
    """A path under ``base`` whose name is ``raw`` (possibly not UTF-8)."""
    return os.fsdecode(os.fsencode(str(base)) + raw)


def _cases(tmp: Path) -> list[tuple[Intent, OpResult]]:
    out = tmp / "out"
    ident = Identity(2049, 12345, 10, 1_700_000_000_123_456_789)
    moved = Identity(2049, 12345, 10, 1_700_000_000_123_456_789)  # a same-device rename
    cases: list[tuple[Intent, OpResult]] = []

    def add(intent: Intent, result: OpResult) -> None:
        cases.append((intent, result))

    plain = Operation(
        kind=OpKind.MOVE,
        src=str(tmp / "a.txt"),
        dst=str(out / "x" / "a.txt"),
        seq=0,
        identity=ident,
        rule="r",
        action="move",
    )
    add(
        Intent(plain, plain.dst, temp_path=str(out / "x" / ".fileorganizer-tmp-1")),
        OpResult(
            plain,
            OpStatus.DONE,
            dst=plain.dst,
            created_dirs=(str(out), str(out / "x")),
            identity_after=moved,
        ),
    )
    # non-ASCII and undecodable names, an empty note, no identity, check_inode off
    odd = Operation(
        kind=OpKind.RENAME,
        src=_odd(tmp, b"/\xff\xfe odd \xe9.txt"),
        dst=_odd(tmp, "/out/é ü.txt".encode()),
        seq=1,
        note="",
        check_inode=False,
    )
    add(
        Intent(odd, odd.dst, temp_path=_odd(tmp, b"/out/.fileorganizer-tmp-\x80")),
        OpResult(odd, OpStatus.SKIPPED, reason="", identity_after=None),
    )
    # the destination redirected at apply time; an error text
    redirected = Operation(
        kind=OpKind.COPY, src=str(tmp / "c.txt"), dst=str(out / "c.txt"), seq=2, identity=ident
    )
    add(
        Intent(redirected, redirected.dst),
        OpResult(redirected, OpStatus.FAILED, dst=str(out / "c 2.txt"), error="boom"),
    )
    # a trash: no destination, a trash path known at intent time and again in the result
    trash = Operation(kind=OpKind.TRASH, src=str(tmp / "t.txt"), seq=3, identity=ident)
    slot = str(tmp / "Trash" / "files" / "t.txt")
    add(
        Intent(trash, None, temp_path=slot + ".tmp", trash_path=slot),
        OpResult(trash, OpStatus.DONE, trash_path=slot + ".2", identity_after=moved),
    )
    # a trash that got no slot; a removal of a duplicate with same_as; a note
    no_slot = Operation(kind=OpKind.TRASH, src=str(tmp / "u.txt"), seq=4)
    add(
        Intent(no_slot, None),
        OpResult(no_slot, OpStatus.SKIPPED, reason="no trash folder available"),
    )
    dup = Operation(
        kind=OpKind.DELETE,
        src=str(tmp / "dup.txt"),
        seq=5,
        same_as=str(tmp / "orig.txt"),
        note="duplicate of orig.txt",
        identity=ident,
    )
    add(Intent(dup, None), OpResult(dup, OpStatus.DONE))
    # made room at apply time: the same seq as an earlier op (ordered before it)
    room = Operation(
        kind=OpKind.MOVE, src=str(out / "x" / "a.txt"), dst=str(out / "x" / "a 2.txt"), seq=0
    )
    add(Intent(room, room.dst), OpResult(room, OpStatus.DONE, dst=room.dst))
    # a symlink and an echo
    link = Operation(kind=OpKind.SYMLINK, src=str(tmp / "a.txt"), dst=str(tmp / "l" / "a"), seq=6)
    add(Intent(link, link.dst), OpResult(link, OpStatus.DONE, dst=link.dst))
    echo = Operation(kind=OpKind.ECHO, src=str(tmp / "a.txt"), seq=7, message="hi")
    add(Intent(echo, None), OpResult(echo, OpStatus.DONE))
    return cases


def _rows(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(operations)")]
        sel = ", ".join(f"{c}, typeof({c})" for c in cols)
        return conn.execute(f"SELECT {sel} FROM operations ORDER BY id").fetchall()


def _reference_row(journal: RunJournal, intent: Intent) -> dict[str, object]:
    row = journal.intent_row(intent)
    creates = intent.op.kind.value in ("move", "rename", "copy", "symlink")
    row["created_dirs"] = enc_list(missing_parents(intent.dst)) if creates and intent.dst else None
    return row


def _reference(h: History, run: int, cases: list[tuple[Intent, OpResult]]) -> None:
    """The plain way: column dicts, ``insert_rows`` and ``update_operations``."""
    journal = RunJournal(h, run)
    # one column set for every row, so that insert_rows keeps their order
    journal.insert_rows([_reference_row(journal, i) for i, _ in cases])
    h.update_operations("op_id", [(r.op.op_id, result_values(r)) for _, r in cases])


def test_fast_journal_rows_equal_the_plain_rows(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()  # out exists; out/x and l do not
    cases = _cases(tmp_path)
    fast_db, ref_db = tmp_path / "fast.sqlite", tmp_path / "ref.sqlite"
    with History(fast_db) as h:
        journal = h.journal(h.start_run("run"))
        journal.record_intents([i for i, _ in cases[:4]])
        journal.record_intents([i for i, _ in cases[4:]])
        intents_only = _rows(fast_db)
        journal.record_results([r for _, r in cases[:3]])
        # a result for an intent another journal instance wrote (updated by op_id)
        h.journal(journal.run_id).record_results([r for _, r in cases[3:5]])
        journal.record_results([r for _, r in cases[5:]])
        # (the two the other instance resolved are still pending in this one)
        assert set(journal._pending) == {r.op.op_id for _, r in cases[3:5]}
    with History(ref_db) as h:
        run = h.start_run("run")
        journal = RunJournal(h, run)
        journal.insert_rows([_reference_row(journal, i) for i, _ in cases])
        assert _rows(ref_db) == intents_only
    ref_db.unlink()
    with History(ref_db) as h:
        _reference(h, h.start_run("run"), cases)
    assert _rows(fast_db) == _rows(ref_db)
    with History(fast_db) as h:
        recs = h.operations(1)
    assert [r.op_id for r in recs][:2] == [cases[6][0].op.op_id, cases[0][0].op.op_id]
    # journaled with the intent (out exists, out/x does not) unless the result says
    assert recs[0].created_dirs == [str(tmp_path / "out" / "x")]
    assert recs[1].created_dirs == [str(tmp_path / "out"), str(tmp_path / "out" / "x")]


def test_a_large_batch_gets_consecutive_ids_after_existing_rows(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite") as h:
        for batch in range(3):
            journal = h.journal(h.start_run("run"))
            ops = [
                Operation(kind=OpKind.MOVE, src=f"/s/{batch}/{i}", dst=f"/d/{batch}/{i}", seq=i)
                for i in range(700)
            ]
            journal.record_intents([Intent(op, op.dst) for op in ops])
            journal.record_results(
                [
                    OpResult(op, OpStatus.DONE, identity_after=Identity(1, i, 0, 0))
                    for i, op in enumerate(ops)
                ]
            )
            recs = h.operations(journal.run_id)
            assert [r.op_id for r in recs] == [op.op_id for op in ops]
            assert [r.id for r in recs] == list(range(recs[0].id, recs[0].id + 700))
            assert all(r.state == "done" and r.identity_after is not None for r in recs)
            assert [r.identity_after.ino for r in recs if r.identity_after] == list(range(700))
