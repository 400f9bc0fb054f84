"""SQLAlchemy 2.x models of the history database.

Paths are stored as bytes (``os.fsencode``), so names that are not valid UTF-8
round-trip exactly; :func:`enc`/:func:`dec` convert. A list of paths (the
folders an operation created) is stored NUL-separated, since no path holds NUL.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: The schema version this code writes. Bump it and add a step to
#: ``fileorganizer.history.store.MIGRATIONS`` when the schema changes.
SCHEMA_VERSION = 2

#: Partial indexes: only the rows a query looks for are indexed, so the index
#: stays small and a run's inserts and updates do not pay for a full index.
#: ``planned`` rows are the unfinished intents recovery reconciles at start-up;
#: ``undone`` rows are counted per run by ``history``.
PLANNED_WHERE = "state = 'planned'"
UNDONE_WHERE = "state = 'undone'"


class Base(DeclarativeBase):
    """Declarative base of the history models."""


class SchemaInfo(Base):
    """One row: the schema version of this database file."""

    __tablename__ = "schema_info"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)


class RunRow(Base):
    """One pass of the tool: a run, a sim, a watch batch or an undo."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mode: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    started_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    config_path: Mapped[bytes | None] = mapped_column(LargeBinary)
    config_hash: Mapped[str | None] = mapped_column(String(128))
    pid: Mapped[int | None] = mapped_column(Integer)
    #: For an undo run: the run it reverses.
    undo_of: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    planned: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    done: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    skipped: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    failed: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    problems: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)


class OpRow(Base):
    """One operation of a run, journaled as an intent and updated with its result."""

    __tablename__ = "operations"
    __table_args__ = (
        Index("ix_operations_run_order", "run_id", "ord", "id"),
        Index("ix_operations_planned", "state", sqlite_where=text(PLANNED_WHERE)),
        Index("ix_operations_undone", "run_id", sqlite_where=text(UNDONE_WHERE)),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    #: Execution order inside the run (operations the executor adds at apply
    #: time to make room run before the operation they make room for).
    ord: Mapped[int] = mapped_column(Integer, nullable=False)
    op_id: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    rule: Mapped[str] = mapped_column(Text, default="", nullable=False)
    action: Mapped[str] = mapped_column(String(64), default="", nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    src: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    planned_dst: Mapped[bytes | None] = mapped_column(LargeBinary)
    dst: Mapped[bytes | None] = mapped_column(LargeBinary)
    temp_path: Mapped[bytes | None] = mapped_column(LargeBinary)
    trash_path: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: For removals of duplicates / copies: the file it must still equal.
    same_as: Mapped[bytes | None] = mapped_column(LargeBinary)
    src_dev: Mapped[int | None] = mapped_column(BigInteger)
    src_ino: Mapped[int | None] = mapped_column(BigInteger)
    src_size: Mapped[int | None] = mapped_column(BigInteger)
    src_mtime_ns: Mapped[int | None] = mapped_column(BigInteger)
    check_inode: Mapped[bool] = mapped_column(default=True, nullable=False)
    after_dev: Mapped[int | None] = mapped_column(BigInteger)
    after_ino: Mapped[int | None] = mapped_column(BigInteger)
    after_size: Mapped[int | None] = mapped_column(BigInteger)
    after_mtime_ns: Mapped[int | None] = mapped_column(BigInteger)
    created_dirs: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    #: For an operation reversed by an undo run: that run's id.
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    #: For an operation of an undo run: the operation it reverses.
    reverses: Mapped[int | None] = mapped_column(ForeignKey("operations.id"))


class HashCacheRow(Base):
    """A full-content digest keyed by file identity (survives between runs)."""

    __tablename__ = "hash_cache"
    __table_args__ = (PrimaryKeyConstraint("dev", "ino", "size", "mtime_ns", "algo"),)

    dev: Mapped[int] = mapped_column(BigInteger)
    ino: Mapped[int] = mapped_column(BigInteger)
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    algo: Mapped[str] = mapped_column(String(32))
    digest: Mapped[str] = mapped_column(String(256), nullable=False)


#: What ``os.fsencode`` uses; calling ``str.encode`` directly skips its checks
#: (the journal encodes several paths per file).
FS_ENCODING = sys.getfilesystemencoding()
FS_ERRORS = sys.getfilesystemencodeerrors()


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
