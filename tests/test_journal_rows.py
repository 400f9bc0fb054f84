"""The journal's SQLite fast path writes exactly the rows its portable path writes.

On SQLite, ``RunJournal.record_intents``/``record_results`` build parameter
tuples with stand-ins for NULL and ASCII paths bound as text (see
``journal.INTENT_COLUMNS``); on other databases (PostgreSQL) the same values go
through SQLAlchemy Core. These tests run both on SQLite and compare every
column (value and storage class), then check the values themselves; and the
same calls on PostgreSQL must read back exactly as on SQLite.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from history_support import new_history
from sqlalchemy import select

from fileorganizer.history import History
from fileorganizer.history.journal import RunJournal
from fileorganizer.history.models import operations, runs
from fileorganizer.operations import Identity, Intent, Operation, OpKind, OpResult, OpStatus
from fileorganizer.payloads import ShellSpec, WriteMode, WriteSpec


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
    # a shell command line (with a name that is not UTF-8) and a failure
    cmd = "cp " + _odd(tmp, b"/\xff it's.txt") + " /backup/"
    shell = Operation(
        kind=OpKind.SHELL,
        src=_odd(tmp, b"/\xff it's.txt"),
        seq=8,
        message=cmd,
        payload=ShellSpec(cmd, 60.0, False),
        identity=ident,
    )
    add(Intent(shell, None), OpResult(shell, OpStatus.FAILED, error="exit 1: no space"))
    # a write that creates its file (the bytes added, its folder made), and one that
    # saves the previous contents first (a backup path known at intent time)
    made = str(out / "new" / "index.txt")
    write_new = Operation(
        kind=OpKind.WRITE,
        src=made,
        dst=made,
        seq=9,
        note="append, new file",
        payload=WriteSpec(WriteMode.APPEND, "é line\n".encode(), "utf-8", True, True),
    )
    add(
        Intent(write_new, made),
        OpResult(
            write_new,
            OpStatus.DONE,
            created_dirs=(str(out / "new"),),
            identity_after=Identity(2049, 99, 8, 1_700_000_000_000_000_001),
        ),
    )
    index = str(out / "index.txt")
    backup = str(tmp / "data" / "write-backups" / "op")
    write_old = Operation(
        kind=OpKind.WRITE,
        src=index,
        seq=10,
        note="prepend",
        payload=WriteSpec(WriteMode.PREPEND, b"first\n", "utf-8", True, False),
    )
    add(
        Intent(write_old, None, temp_path=backup + ".tmp", trash_path=backup),
        OpResult(write_old, OpStatus.DONE, identity_after=Identity(2049, 98, 20, 5)),
    )
    return cases


def _rows(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(operations)")]
        sel = ", ".join(f"{c}, typeof({c})" for c in cols)
        return conn.execute(f"SELECT {sel} FROM operations ORDER BY id").fetchall()


def _journal(h: History, run: int, *, portable: bool) -> RunJournal:
    journal = h.journal(run)
    if portable:  # the path another database would take: SQLAlchemy Core
        journal._sqlite = journal._copy = False
    return journal


def _write(
    db: Path, cases: list[tuple[Intent, OpResult]], *, portable: bool, url: str | None = None
) -> list[object]:
    """The same calls through one path; the rows after the intents, and at the end."""
    with History(db, url=url) as h:
        rows = (lambda: _rows(db)) if url is None else (lambda: _core_rows(h))
        journal = _journal(h, h.start_run("run"), portable=portable)
        journal.record_intents([i for i, _ in cases[:4]])
        journal.record_intents([i for i, _ in cases[4:]])
        intents_only = rows()
        journal.record_results([r for _, r in cases[:3]])
        # a result for an intent another journal instance wrote (updated by op_id)
        _journal(h, journal.run_id, portable=portable).record_results([r for _, r in cases[3:5]])
        journal.record_results([r for _, r in cases[5:]])
        # (the two the other instance resolved are still pending in this one)
        assert set(journal._pending) == {r.op.op_id for _, r in cases[3:5]}
        return [intents_only, rows()]


def _core_rows(h: History) -> list[tuple[Any, ...]]:
    """Every column of every operation, as SQLAlchemy reads it (ids left out)."""
    cols = [c for c in operations.columns if c.name != "id"]
    with h.transaction() as conn:
        return [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in conn.execute(select(*cols).order_by(operations.c.id)).all()
        ]


def test_fast_journal_rows_equal_the_portable_rows(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()  # out exists; out/x and l do not
    cases = _cases(tmp_path)
    fast = _write(tmp_path / "fast.sqlite", cases, portable=False)
    portable = _write(tmp_path / "portable.sqlite", cases, portable=True)
    assert fast == portable
    with History(tmp_path / "fast.sqlite") as h:
        recs = h.operations(1)
    by_id = {r.op_id: r for r in recs}
    # the op made room at apply time (same seq) is ordered before the op it made room for
    assert [r.op_id for r in recs][:2] == [cases[6][0].op.op_id, cases[0][0].op.op_id]
    # journaled with the intent (out exists, out/x does not) unless the result says
    assert recs[0].created_dirs == [str(tmp_path / "out" / "x")]
    assert recs[1].created_dirs == [str(tmp_path / "out"), str(tmp_path / "out" / "x")]
    plain, odd, redirected, trash, no_slot, dup, _room, link, echo, shell, new, old = (
        c[0].op for c in cases
    )
    # a result the intent foresaw: done, destination and identity as planned
    assert by_id[plain.op_id].state == "done"
    assert by_id[plain.op_id].final_dst == plain.dst
    assert by_id[plain.op_id].identity_after == plain.identity
    # paths that are not UTF-8 round-trip; an empty reason stays empty
    assert (by_id[odd.op_id].src, by_id[odd.op_id].state) == (odd.src, "skipped")
    assert by_id[odd.op_id].check_inode is False
    assert (by_id[redirected.op_id].dst, by_id[redirected.op_id].error) == (
        str(tmp_path / "out" / "c 2.txt"),
        "boom",
    )
    assert by_id[trash.op_id].trash_path == str(tmp_path / "Trash" / "files" / "t.txt") + ".2"
    assert by_id[no_slot.op_id].reason == "no trash folder available"
    assert by_id[dup.op_id].same_as == str(tmp_path / "orig.txt")
    assert by_id[dup.op_id].note == "duplicate of orig.txt"
    assert by_id[link.op_id].state == by_id[echo.op_id].state == "done"
    # what an operation ran or wrote is kept with it, as bytes (names need not be UTF-8)
    assert by_id[shell.op_id].detail == os.fsencode(shell.message or "")
    assert by_id[shell.op_id].error == "exit 1: no space"
    assert by_id[new.op_id].detail == "é line\n".encode()
    assert by_id[new.op_id].created_dirs == [str(tmp_path / "out" / "new")]
    assert by_id[new.op_id].final_dst == new.src
    assert by_id[old.op_id].detail == b"first\n"
    assert by_id[old.op_id].trash_path == str(tmp_path / "data" / "write-backups" / "op")
    assert by_id[old.op_id].identity_after == Identity(2049, 98, 20, 5)
    assert by_id[echo.op_id].detail is None


def test_postgresql_journal_rows_read_back_as_the_sqlite_rows(
    tmp_path: Path, pg_url: str, pg_server: Any
) -> None:
    """COPY and the Core path on PostgreSQL store what SQLite's fast path stores."""
    (tmp_path / "out").mkdir()
    cases = _cases(tmp_path)
    pg = _write(tmp_path / "unused.sqlite", cases, portable=False, url=pg_url)
    core_url = pg_server.create_database()
    try:
        assert _write(tmp_path / "unused.sqlite", cases, portable=True, url=core_url) == pg
    finally:
        pg_server.drop_database(core_url)
    assert not (tmp_path / "unused.sqlite").exists()
    with History(tmp_path / "fast.sqlite") as lite:
        journal = lite.journal(lite.start_run("run"))
        journal.record_intents([i for i, _ in cases[:4]])
        journal.record_intents([i for i, _ in cases[4:]])
        lite_intents = _core_rows(lite)
        journal.record_results([r for _, r in cases[:3]])
        lite.journal(journal.run_id).record_results([r for _, r in cases[3:5]])
        journal.record_results([r for _, r in cases[5:]])
        assert pg == [lite_intents, _core_rows(lite)]
        lite_recs = lite.operations(journal.run_id)
    with History(url=pg_url) as h:
        assert [r.to_dict() for r in h.operations(1)] == [r.to_dict() for r in lite_recs]
        # the run row too (host and pid recorded)
        with h.transaction() as conn:
            (host, pid) = conn.execute(select(runs.c.host, runs.c.pid)).one()
        assert host and pid == os.getpid()


@pytest.mark.usefixtures("backend")
def test_operations_never_started_are_taken_out_of_the_journal(tmp_path: Path) -> None:
    for portable in (False, True):
        ops = [Operation(kind=OpKind.MOVE, src=f"/s/{i}", dst=f"/d/{i}", seq=i) for i in range(5)]
        with new_history(tmp_path / f"h{portable}.sqlite") as h:
            journal = _journal(h, h.start_run("run"), portable=portable)
            journal.record_intents([Intent(op, op.dst) for op in ops])
            journal.record_results([OpResult(ops[0], OpStatus.DONE)], not_started=ops[1:])
            assert [(r.op_id, r.state) for r in h.operations(journal.run_id)] == [
                (ops[0].op_id, "done")
            ]


@pytest.mark.usefixtures("backend")
def test_a_large_batch_gets_consecutive_ids_after_existing_rows(tmp_path: Path) -> None:
    with new_history(tmp_path / "h.sqlite") as h:
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
