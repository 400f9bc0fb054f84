"""Frozen values that describe what a run will do and what it did.

An :class:`Operation` is planned by the planner and never touches the disk.
The executor turns each into an :class:`OpResult`. Paths are ``str`` (they may
carry surrogate escapes for names that are not valid UTF-8).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from enum import StrEnum


class OpKind(StrEnum):
    """What an operation does.

    The first kinds are what rules plan; the others are what undo and
    recovery plan (the inverses of the first, and clean-up of the tool's own
    leftovers). Every kind is applied by the one executor.
    """

    MOVE = "move"
    COPY = "copy"
    RENAME = "rename"
    TRASH = "trash"
    DELETE = "delete"
    SYMLINK = "symlink"
    HARDLINK = "hardlink"
    ECHO = "echo"
    #: run a shell command for the entry (``message``: the command line); irreversible
    SHELL = "shell"
    #: run a rule's Python code for the entry; irreversible
    PYTHON = "python"
    #: write text into the file at ``src`` in place (``dst``: the same path when it creates it)
    WRITE = "write"
    #: add macOS Finder tags to the entry; irreversible
    MACOS_TAGS = "macos_tags"
    #: a trashed file back to where it was (``src`` the trash path)
    RESTORE = "restore"
    #: remove a copy the tool made, while it is unchanged and equal to ``same_as``
    REMOVE_COPY = "remove_copy"
    #: remove a symlink the tool made, while it is unchanged (``same_as``: its target)
    REMOVE_SYMLINK = "remove_symlink"
    #: remove a hard link the tool made, while it is unchanged (``same_as``: the original)
    REMOVE_HARDLINK = "remove_hardlink"
    #: remove a folder the tool made, if it is empty
    RMDIR = "rmdir"
    #: make a folder (the inverse of ``rmdir``)
    MKDIR = "mkdir"
    #: remove a leftover of the tool's own (a temporary file, an orphaned trash entry)
    CLEANUP = "cleanup"
    #: put back what a ``write`` changed (the inverse of ``write``; cannot itself be undone)
    UNWRITE = "unwrite"

    @property
    def changes_disk(self) -> bool:
        """Whether applying this kind changes the filesystem."""
        return self is not OpKind.ECHO

    @property
    def removes_source(self) -> bool:
        """Whether the entry at ``src`` is gone from its place after this kind."""
        return self in _REMOVES_SOURCE

    @property
    def transfers(self) -> bool:
        """Whether this kind takes the entry at ``src`` to a new place (``dst`` or the trash)."""
        return self in _TRANSFERS

    @property
    def creates(self) -> bool:
        """Whether this kind makes a new entry (at ``dst``; ``mkdir`` at ``src``)."""
        return self in _CREATES

    @property
    def reversible(self) -> bool:
        """Whether undo can reverse this kind (permanent delete cannot)."""
        return self in INVERSE or self is OpKind.ECHO

    @property
    def inverse(self) -> OpKind | None:
        """The kind that reverses this one, or None (delete, clean-up, echo)."""
        return INVERSE.get(self)


_REMOVES_SOURCE = frozenset(
    {
        OpKind.MOVE,
        OpKind.RENAME,
        OpKind.TRASH,
        OpKind.DELETE,
        OpKind.RESTORE,
        OpKind.REMOVE_COPY,
        OpKind.REMOVE_SYMLINK,
        OpKind.REMOVE_HARDLINK,
        OpKind.RMDIR,
        OpKind.CLEANUP,
    }
)
_TRANSFERS = frozenset({OpKind.MOVE, OpKind.RENAME, OpKind.TRASH, OpKind.RESTORE})
_CREATES = frozenset({OpKind.COPY, OpKind.SYMLINK, OpKind.HARDLINK, OpKind.MKDIR})

#: What reverses each kind. ``delete``, ``cleanup``, ``echo``, ``shell``, ``python``,
#: ``macos_tags`` and ``unwrite`` have no inverse.
INVERSE: dict[OpKind, OpKind] = {
    OpKind.MOVE: OpKind.MOVE,
    OpKind.RENAME: OpKind.RENAME,
    OpKind.TRASH: OpKind.RESTORE,
    OpKind.RESTORE: OpKind.TRASH,
    OpKind.COPY: OpKind.REMOVE_COPY,
    OpKind.REMOVE_COPY: OpKind.COPY,
    OpKind.SYMLINK: OpKind.REMOVE_SYMLINK,
    OpKind.REMOVE_SYMLINK: OpKind.SYMLINK,
    OpKind.HARDLINK: OpKind.REMOVE_HARDLINK,
    OpKind.REMOVE_HARDLINK: OpKind.HARDLINK,
    OpKind.RMDIR: OpKind.MKDIR,
    OpKind.MKDIR: OpKind.RMDIR,
    OpKind.WRITE: OpKind.UNWRITE,
}


class ConflictMode(StrEnum):
    """What to do when the destination name is taken."""

    SKIP = "skip"
    RENAME_NEW = "rename_new"
    RENAME_EXISTING = "rename_existing"
    OVERWRITE = "overwrite"
    TRASH = "trash"
    DEDUPLICATE = "deduplicate"


class OpStatus(StrEnum):
    """The outcome of one operation."""

    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"


DEFAULT_RENAME_TEMPLATE = "{name} {counter}{extension}"


class OpPayload:
    """What an operation carries for its applier beyond paths (a command, text to write).

    Subclasses are frozen dataclasses (:mod:`fileorganizer.payloads`). They live
    in memory with the plan; :meth:`journal_detail` is what the history keeps.
    """

    __slots__ = ()

    def journal_detail(self) -> bytes | None:
        """The bytes the journal records with the intent (``operations.detail``)."""
        return None


#: one int object per device number, shared by every Identity (saves memory per file)
_DEVS: dict[int, int] = {}


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a file is: compared before touching it and before undoing."""

    dev: int
    ino: int
    size: int
    mtime_ns: int

    @classmethod
    def from_stat(cls, st: os.stat_result) -> Identity:
        """Build from a stat result."""
        # (one per planned file: the slots are filled directly, skipping the
        # frozen __init__'s object.__setattr__ per field; the value is the same)
        dev = st.st_dev
        ident = _new(Identity)
        _set_dev(ident, _DEVS.setdefault(dev, dev))
        _set_ino(ident, st.st_ino)
        _set_size(ident, st.st_size)
        _set_mtime_ns(ident, st.st_mtime_ns)
        return ident

    @classmethod
    def of(cls, path: str | os.PathLike[str]) -> Identity:
        """Stat ``path`` without following a final symlink."""
        return cls.from_stat(os.lstat(path))

    def same_content_marks(self, other: Identity) -> bool:
        """Same size and mtime (what survives a cross-device move)."""
        return self.size == other.size and self.mtime_ns == other.mtime_ns

    def same_file(self, other: Identity) -> bool:
        """Same inode on the same device, same size and mtime."""
        return self == other


_new = object.__new__
_set_dev = Identity.__dict__["dev"].__set__
_set_ino = Identity.__dict__["ino"].__set__
_set_size = Identity.__dict__["size"].__set__
_set_mtime_ns = Identity.__dict__["mtime_ns"].__set__


def new_op_id() -> str:
    """A short unique id for an operation (also names its temporary file)."""
    return uuid.uuid4().hex[:16]


@dataclass(frozen=True, slots=True)
class Operation:
    """One planned change. ``src`` is where the file is when this op runs.

    For SYMLINK, ``src`` is the link target and ``dst`` the link. For ECHO,
    ``message`` is the rendered text and nothing changes.
    """

    kind: OpKind
    src: str
    dst: str | None = None
    rule: str = ""
    rule_index: int = 0
    action: str = ""
    seq: int = 0
    op_id: str = field(default_factory=new_op_id)
    identity: Identity | None = None
    check_inode: bool = True
    on_conflict: ConflictMode = ConflictMode.RENAME_NEW
    rename_template: str = DEFAULT_RENAME_TEMPLATE
    message: str | None = None
    note: str | None = None
    #: For a removal of a duplicate or a copy: the original it must still equal,
    #: byte for byte (for ``remove_symlink``/``remove_hardlink``: what it links to).
    same_as: str | None = None
    #: For an operation of an undo: the history id of the operation it reverses.
    reverses: int | None = None
    #: The ``op_id`` of a ``shell``/``python`` operation of the same file's chain
    #: that must succeed first; when it did not, this one is skipped.
    after: str | None = None
    #: What the applier needs beyond paths (see :class:`OpPayload`).
    payload: OpPayload | None = None

    @classmethod
    def planned(
        cls,
        kind: OpKind,
        src: str,
        dst: str | None,
        rule: str,
        rule_index: int,
        action: str,
        seq: int,
        op_id: str,
        identity: Identity | None,
        check_inode: bool,
        on_conflict: ConflictMode,
        rename_template: str,
    ) -> Operation:
        """The same as ``Operation(...)`` with these fields, built faster.

        The planner builds one operation per file: this fills the slots
        directly instead of going through the frozen ``__init__`` (one
        ``object.__setattr__`` call per field, keyword defaults).
        """
        op = _new(Operation)
        _op_kind(op, kind)
        _op_src(op, src)
        _op_dst(op, dst)
        _op_rule(op, rule)
        _op_rule_index(op, rule_index)
        _op_action(op, action)
        _op_seq(op, seq)
        _op_op_id(op, op_id)
        _op_identity(op, identity)
        _op_check_inode(op, check_inode)
        _op_on_conflict(op, on_conflict)
        _op_rename_template(op, rename_template)
        _op_message(op, None)
        _op_note(op, None)
        _op_same_as(op, None)
        _op_reverses(op, None)
        _op_after(op, None)
        _op_payload(op, None)
        return op

    @property
    def reversible(self) -> bool:
        """Whether undo can reverse this operation."""
        return self.kind.reversible

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description (used by ``sim --format json``)."""
        return {
            "seq": self.seq,
            "op_id": self.op_id,
            "kind": self.kind.value,
            "rule": self.rule,
            "action": self.action,
            "src": self.src,
            "dst": self.dst,
            "on_conflict": self.on_conflict.value,
            "message": self.message,
            "note": self.note,
            "reversible": self.reversible,
            "same_as": self.same_as,
            "reverses": self.reverses,
            "after": self.after,
        }


_op_kind = Operation.__dict__["kind"].__set__
_op_src = Operation.__dict__["src"].__set__
_op_dst = Operation.__dict__["dst"].__set__
_op_rule = Operation.__dict__["rule"].__set__
_op_rule_index = Operation.__dict__["rule_index"].__set__
_op_action = Operation.__dict__["action"].__set__
_op_seq = Operation.__dict__["seq"].__set__
_op_op_id = Operation.__dict__["op_id"].__set__
_op_identity = Operation.__dict__["identity"].__set__
_op_check_inode = Operation.__dict__["check_inode"].__set__
_op_on_conflict = Operation.__dict__["on_conflict"].__set__
_op_rename_template = Operation.__dict__["rename_template"].__set__
_op_message = Operation.__dict__["message"].__set__
_op_note = Operation.__dict__["note"].__set__
_op_same_as = Operation.__dict__["same_as"].__set__
_op_reverses = Operation.__dict__["reverses"].__set__
_op_after = Operation.__dict__["after"].__set__
_op_payload = Operation.__dict__["payload"].__set__


@dataclass(frozen=True, slots=True)
class Intent:
    """What the executor is about to do for ``op``, journaled before it acts."""

    op: Operation
    dst: str | None
    temp_path: str | None = None
    trash_path: str | None = None


@dataclass(frozen=True, slots=True)
class OpResult:
    """What happened to one operation.

    ``dst`` is the real destination (it differs from ``op.dst`` only when the
    destination appeared between plan and apply). ``trash_path`` is where a
    trashed file now lives. ``created_dirs`` are folders this op created.
    """

    op: Operation
    status: OpStatus
    dst: str | None = None
    trash_path: str | None = None
    created_dirs: tuple[str, ...] = ()
    identity_after: Identity | None = None
    error: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description (used by ``run --format json``)."""
        d = self.op.to_dict()
        d.update(
            {
                "status": self.status.value,
                "dst": self.dst if self.dst is not None else self.op.dst,
                "planned_dst": self.op.dst,
                "trash_path": self.trash_path,
                "error": self.error,
                "reason": self.reason,
            }
        )
        return d
