"""SQLAlchemy Core tables of the history database.

The tables are plain :class:`~sqlalchemy.Table` objects on :data:`metadata`
(no ORM: importing ``sqlalchemy.orm`` and building mapped classes cost start-up
time, and every query here is a statement on a connection).

Paths are stored as bytes (``os.fsencode``), so names that are not valid UTF-8
round-trip exactly; :func:`enc`/:func:`dec` convert. A list of paths (the
folders an operation created) is stored NUL-separated, since no path holds NUL.
"""

from __future__ import annotations

import os
import sys

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)

from fileorganizer.history.records import OpState

#: The schema version this code writes. Bump it and add a step to
#: ``fileorganizer.history.migrations.MIGRATIONS`` when the schema changes.
SCHEMA_VERSION = 4

#: Partial indexes: only the rows a query looks for are indexed, so the index
#: stays small and a run's inserts and updates do not pay for a full index.
#: ``planned`` rows are the unfinished intents recovery reconciles at start-up;
#: ``undone`` rows are counted per run by ``history``.
PLANNED_WHERE = f"state = '{OpState.PLANNED.value}'"
UNDONE_WHERE = f"state = '{OpState.UNDONE.value}'"

#: The history's tables (``metadata.create_all`` creates a new database).
metadata = MetaData()

#: One row: the schema version of this database file.
schema_info = Table(
    "schema_info",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
)

#: One pass of the tool: a run, a sim, a watch batch or an undo.
runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mode", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("config_path", LargeBinary),
    Column("config_hash", String(128)),
    Column("pid", Integer),
    # for an undo run: the run it reverses
    Column("undo_of", Integer, ForeignKey("runs.id")),
    Column("planned", Integer, default=0, nullable=False),
    Column("done", Integer, default=0, nullable=False),
    Column("skipped", Integer, default=0, nullable=False),
    Column("failed", Integer, default=0, nullable=False),
    Column("problems", Integer, default=0, nullable=False),
    Column("note", Text),
    # (schema 3) who ran it: the host id and, for a watch batch, the watch session
    Column("host", String(255)),
    Column("session", String(64)),
    # (schema 3) the one-writer lock keys the run held (space-separated)
    Column("locks", Text),
)

#: One operation of a run, journaled as an intent and updated with its result.
operations = Table(
    "operations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    # execution order inside the run (operations the executor adds at apply
    # time to make room run before the operation they make room for)
    Column("ord", Integer, nullable=False),
    Column("op_id", String(32), nullable=False, unique=True),
    Column("kind", String(24), nullable=False),
    Column("rule", Text, default="", nullable=False),
    Column("action", String(64), default="", nullable=False),
    Column("state", String(16), nullable=False),
    Column("src", LargeBinary, nullable=False),
    Column("planned_dst", LargeBinary),
    Column("dst", LargeBinary),
    Column("temp_path", LargeBinary),
    Column("trash_path", LargeBinary),
    # for removals of duplicates / copies: the file it must still equal
    Column("same_as", LargeBinary),
    Column("src_dev", BigInteger),
    Column("src_ino", BigInteger),
    Column("src_size", BigInteger),
    Column("src_mtime_ns", BigInteger),
    Column("check_inode", Boolean, default=True, nullable=False),
    Column("after_dev", BigInteger),
    Column("after_ino", BigInteger),
    Column("after_size", BigInteger),
    Column("after_mtime_ns", BigInteger),
    Column("created_dirs", LargeBinary),
    Column("error", Text),
    Column("reason", Text),
    Column("note", Text),
    # for an operation reversed by an undo run: that run's id
    Column("undone_by", Integer, ForeignKey("runs.id")),
    # for an operation of an undo run: the operation it reverses
    Column("reverses", Integer, ForeignKey("operations.id")),
    # (schema 4) what a shell/write/macos_tags operation ran or wrote: the command
    # line, the bytes a write added (stored as bytes: a command holds file names)
    Column("detail", LargeBinary),
    Index("ix_operations_run_order", "run_id", "ord", "id"),
    Index(
        "ix_operations_planned",
        "state",
        sqlite_where=text(PLANNED_WHERE),
        postgresql_where=text(PLANNED_WHERE),
    ),
    Index(
        "ix_operations_undone",
        "run_id",
        sqlite_where=text(UNDONE_WHERE),
        postgresql_where=text(UNDONE_WHERE),
    ),
)

#: A full-content digest keyed by file identity (survives between runs).
hash_cache = Table(
    "hash_cache",
    metadata,
    Column("dev", BigInteger, nullable=False),
    Column("ino", BigInteger, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("algo", String(32), nullable=False),
    Column("digest", String(256), nullable=False),
    PrimaryKeyConstraint("dev", "ino", "size", "mtime_ns", "algo"),
)


#: What ``os.fsencode`` uses; calling ``str.encode`` directly skips its checks
#: (the journal encodes several paths per file).
FS_ENCODING = sys.getfilesystemencoding()
FS_ERRORS = sys.getfilesystemencodeerrors()


def storable(text: str | None) -> str | None:
    """``text`` as a text column can hold it: a path's undecodable bytes (surrogate
    escapes) become ``\\xNN``, so a message naming such a path is stored, not refused."""
    if text is None or text.isascii():
        return text
    try:  # (text without surrogates round-trips unchanged)
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that is no escape of a byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def enc(path: str | None) -> bytes | None:
    """A path as stored (bytes; surrogate escapes become the original bytes)."""
    if path is None:
        return None
    if type(path) is str:
        return path.encode(FS_ENCODING, FS_ERRORS)
    return os.fsencode(path)


def dec(raw: bytes | None) -> str | None:
    """A stored path as a ``str`` (undecodable bytes become surrogate escapes)."""
    return None if raw is None else os.fsdecode(raw)


def enc_list(paths: tuple[str, ...] | list[str]) -> bytes | None:
    """A list of paths as one NUL-separated blob (None when empty)."""
    return b"\0".join(os.fsencode(p) for p in paths) if paths else None


def dec_list(raw: bytes | None) -> list[str]:
    """The inverse of :func:`enc_list`."""
    return [os.fsdecode(p) for p in raw.split(b"\0")] if raw else []


def identity_values(prefix: str, ident: object) -> dict[str, int | None]:
    """Column values for an identity (``src_`` or ``after_`` prefix); all None for None."""
    names = ("dev", "ino", "size", "mtime_ns")
    if ident is None:
        return {f"{prefix}{n}": None for n in names}
    return {f"{prefix}{n}": int(getattr(ident, n)) for n in names}
