"""How ``shell``, ``python``, ``write``, ``unwrite``, ``macos_tags`` and late ``echo``
operations are carried out (for :class:`~fileorganizer.apply.Appliers`).

:class:`ActionAppliers` also keeps what a run learns as it goes: the results
of commands (for late values such as ``{shell.output}``), which ``shell``/
``python`` operations did not succeed (the operations waiting for them are
skipped), and how a command changed its file (the operations after it act on
the file as the command left it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from fileorganizer.crash import crashpoint
from fileorganizer.errors import DestinationExistsError, FileOrganizerError
from fileorganizer.fsops import inplace, makedirs, temp_path_for, unlink_checked
from fileorganizer.operations import Identity, Intent, Operation, OpKind, OpResult, OpStatus
from fileorganizer.payloads import (
    LateText,
    PythonSpec,
    ShellSpec,
    TagSpec,
    UnwriteSpec,
    WriteMode,
    WriteSpec,
    shell_values,
)
from fileorganizer.runners import python_values, run_python, run_shell

#: the folder of the data folder where writes keep previous contents
WRITE_BACKUPS = "write-backups"
#: kinds other operations of a file's chain wait for
GATE_KINDS = frozenset({OpKind.SHELL, OpKind.PYTHON})
#: kinds carried out here
ACTION_KINDS = frozenset(
    {OpKind.SHELL, OpKind.PYTHON, OpKind.WRITE, OpKind.UNWRITE, OpKind.MACOS_TAGS}
)


def write_intent(op: Operation, backup_dir: str) -> Intent:
    """The intent of a write: the file as it is now, and where its contents are saved.

    The file's identity now is journaled with the intent (recovery follows an
    interrupted batch of appends from it); a new file is written under a
    temporary name first; a write that overwrites bytes reserves its backup path.
    """
    spec = op.payload
    assert isinstance(spec, WriteSpec)
    op = replace(op, identity=_identity_or_none(op.src))
    if spec.creates:
        return Intent(op, op.dst, temp_path=temp_path_for(op.src, op.op_id))
    if spec.needs_backup:
        backup = os.path.join(backup_dir, op.op_id)
        return Intent(op, op.dst, temp_path=temp_path_for(backup, op.op_id), trash_path=backup)
    return Intent(op, op.dst)


def _identity_or_none(path: str) -> Identity | None:
    try:
        return Identity.of(path)
    except OSError:
        return None


class ActionAppliers:
    """Carries out the running and writing kinds. One instance per run."""

    def __init__(self, should_stop: Callable[[], bool] | None = None) -> None:
        self.should_stop = should_stop
        #: op_id -> the value a later text reads (``{shell...}``)
        self.results: dict[str, Any] = {}
        #: op_ids of gate operations that did not succeed
        self.blocked: set[str] = set()
        #: identity as planned -> as a command left the file
        self.renewed: dict[Identity, Identity] = {}
        #: files an unwrite of this run has put back (their times changed)
        self._unwritten: set[str] = set()
        #: files a write of this run was to create but did not (one appeared meanwhile):
        #: the later writes planned into them are not done either
        self._not_created: set[str] = set()

    # -- the chain ---------------------------------------------------------------
    def held_back(self, op: Operation) -> OpResult | None:
        """A skip when ``op`` waits for a gate that did not succeed, else None."""
        if op.after is None or op.after not in self.blocked:
            return None
        if op.kind in GATE_KINDS:
            self.blocked.add(op.op_id)
        return OpResult(
            op,
            OpStatus.SKIPPED,
            reason="not done: an earlier shell or python action of this file failed",
        )

    def expected(self, op: Operation) -> Identity | None:
        """The identity ``op``'s source must have now (as a command of its chain left it)."""
        ident = op.identity
        if op.after is not None and ident is not None:
            return self.renewed.get(ident, ident)
        return ident

    def settled(self, result: OpResult) -> OpResult:
        """Take note of a gate's result (call for every result of a gate kind)."""
        if result.op.kind in GATE_KINDS and result.status is not OpStatus.DONE:
            self.blocked.add(result.op.op_id)
        return result

    # -- dispatch ----------------------------------------------------------------
    def apply(self, intent: Intent, checked: Identity | None) -> OpResult:
        """Carry out ``intent`` (``checked``: its source's identity, just verified)."""
        op = intent.op
        kind = op.kind
        try:
            if kind is OpKind.SHELL:
                return self.settled(self._shell(op, checked))
            if kind is OpKind.PYTHON:
                return self.settled(self._python(op, checked))
            if kind is OpKind.WRITE:
                written = self._write(intent)
                if op.identity is not None:  # into the file being organized (see write.py)
                    self._renew(op, checked)
                return written
            if kind is OpKind.UNWRITE:
                return self._unwrite(op)
            if kind is OpKind.MACOS_TAGS:
                return self._tags(op)
        except BaseException:
            if kind in GATE_KINDS:
                self.blocked.add(op.op_id)
            raise
        raise FileOrganizerError(f"unknown operation kind {kind}")  # pragma: no cover

    def echo(self, op: Operation) -> OpResult:
        """An echo whose text uses a late value: rendered now."""
        late = op.payload
        assert isinstance(late, LateText)
        return OpResult(replace(op, message=late.render(self.results)), OpStatus.DONE)

    def _renew(self, op: Operation, before: Identity | None) -> None:
        """Remember how the command left its file, for the operations after it."""
        if op.identity is None:
            return
        after = _identity_or_none(op.src)
        if after is not None and after != before:
            self.renewed[op.identity] = after

    # -- commands ------------------------------------------------------------------
    def _shell(self, op: Operation, checked: Identity | None) -> OpResult:
        spec = op.payload
        assert isinstance(spec, ShellSpec)
        ran = run_shell(spec.command, spec.timeout, self.should_stop)
        self._renew(op, checked)
        if ran.failed(spec.ignore_errors):
            return OpResult(op, OpStatus.FAILED, error=f"shell command {ran.summary()}")
        self.results[op.op_id] = shell_values(ran.output, ran.returncode)
        reason = f"ignored: {ran.summary()}" if ran.returncode != 0 else None
        return OpResult(op, OpStatus.DONE, reason=reason)

    def _python(self, op: Operation, checked: Identity | None) -> OpResult:
        spec = op.payload
        assert isinstance(spec, PythonSpec)
        from fileorganizer.scan import FileEntry

        entry = spec.entry
        here = FileEntry(op.src, entry.location, is_dir=entry.is_dir)
        late = {root: self.results[op_id] for root, op_id in spec.sources}
        printed: list[str] = []
        values = python_values(spec.variables, here, spec.fctx, late, printed)
        ran = run_python(spec.code, values, op.rule, printed)
        self._renew(op, checked)
        shown = replace(op, message=ran.printed or None)
        if ran.error is not None:
            return OpResult(shown, OpStatus.FAILED, error=ran.error)
        return OpResult(shown, OpStatus.DONE)

    def _tags(self, op: Operation) -> OpResult:
        spec = op.payload
        assert isinstance(spec, TagSpec)
        from fileorganizer.actions.macos_tags import add_macos_tags

        add_macos_tags(op.src, spec.tags)
        return OpResult(op, OpStatus.DONE)

    # -- writing -------------------------------------------------------------------
    def _write(self, intent: Intent) -> OpResult:
        op = intent.op
        spec = op.payload
        assert isinstance(spec, WriteSpec)
        path = op.src
        if spec.data is not None:
            data = spec.data
        else:
            assert spec.late is not None
            text = spec.late.render(self.results)
            try:
                data = spec.encode(text)
            except UnicodeEncodeError as exc:
                return OpResult(
                    op, OpStatus.FAILED, error=f"cannot write in {spec.encoding}: {exc.reason}"
                )
            op = replace(op, message=text)
        if spec.creates:
            created = makedirs(os.path.dirname(path))
            temp = intent.temp_path or path + ".fileorganizer-new"
            try:
                inplace.create_with(path, data, temp)
            except (FileExistsError, DestinationExistsError):
                self._not_created.add(path)
                return OpResult(
                    op,
                    OpStatus.SKIPPED,
                    reason=f"{path} appeared since it was planned; not replaced",
                    created_dirs=tuple(created),
                )
            return OpResult(
                op, OpStatus.DONE, created_dirs=tuple(created), identity_after=Identity.of(path)
            )
        if path in self._not_created:
            return OpResult(
                op,
                OpStatus.SKIPPED,
                reason=f"{path} is not the file this run's earlier write created "
                "(it appeared meanwhile); not written into",
            )
        if not os.path.lexists(path):
            return OpResult(op, OpStatus.SKIPPED, reason=f"{path} is gone; not made again")
        if spec.needs_backup:
            assert intent.trash_path is not None and intent.temp_path is not None
            inplace.save_previous(path, intent.trash_path, intent.temp_path)
            crashpoint("write_after_backup")
        if spec.mode is WriteMode.APPEND:
            inplace.append(path, data)
        elif spec.mode is WriteMode.PREPEND:
            inplace.rewrite(path, data + inplace.read_all(intent.trash_path or path))
        else:
            inplace.rewrite(path, data)
        return OpResult(op, OpStatus.DONE, identity_after=Identity.of(path))

    def _unwrite(self, op: Operation) -> OpResult:
        """Put back what a write changed, only while the file is as the write left it."""
        spec = op.payload
        assert isinstance(spec, UnwriteSpec)
        path, expected = op.src, op.identity
        why = self._unwrite_refusal(path, expected, spec)
        if why is not None:
            return OpResult(op, OpStatus.SKIPPED, reason=why)
        if spec.created:
            unlink_checked(path)  # (checked just above: as the write left it)
        elif spec.backup is not None:
            inplace.restore(path, spec.backup)
            unlink_checked(spec.backup)  # (our own saved copy, put back)
        else:
            assert spec.data is not None
            inplace.cut_tail(path, len(spec.data))
        self._unwritten.add(path)
        return OpResult(op, OpStatus.DONE, identity_after=_identity_or_none(path))

    def _unwrite_refusal(
        self, path: str, expected: Identity | None, spec: UnwriteSpec
    ) -> str | None:
        now = _identity_or_none(path)
        if now is None:
            return f"{path} is gone"
        if expected is None or (now.dev, now.ino) != (expected.dev, expected.ino):
            return f"{path} is a different file than the write left there"
        if now.size != expected.size or (
            spec.exact and path not in self._unwritten and now.mtime_ns != expected.mtime_ns
        ):
            return f"{path} changed after the write; left as it is"
        if spec.backup is not None and not os.path.isfile(spec.backup):
            return f"the saved previous contents of {path} are missing ({spec.backup})"
        if spec.data is None:
            return None
        if not matches_write(inplace.read_all(path), spec.data, spec.backup, spec.created):
            return f"{path} changed after the write; left as it is"
        return None


def matches_write(now: bytes, data: bytes, backup: str | None, created: bool) -> bool:
    """Whether ``now`` is what a write of ``data`` left (over the saved ``backup``)."""
    if created:
        return now == data
    if backup is None:
        return now.endswith(data)
    before = inplace.read_all(backup)
    return now in (before + data, data + before, data)
