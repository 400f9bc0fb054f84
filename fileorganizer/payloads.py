"""What ``shell``, ``python``, ``write`` and ``macos_tags`` operations carry for their appliers.

Each is a frozen value attached to an :class:`~fileorganizer.operations.Operation`
(its ``payload``) by the action that planned it. The journal keeps
:meth:`~fileorganizer.operations.OpPayload.journal_detail` with the intent
(the command line, the bytes a write adds). Nothing here touches the disk.

Some values are known only once an earlier operation has run: ``{shell.output}``
and ``{shell.returncode}``. A text that uses them is a :class:`LateText`,
rendered when it is applied from the results of the operations it names;
``sim`` shows it rendered with the shell action's ``simulation_output``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from fileorganizer.operations import OpPayload

if TYPE_CHECKING:
    from types import CodeType

    from fileorganizer.filters.base import FilterContext
    from fileorganizer.scan import FileEntry
    from fileorganizer.templates import Template

#: placeholders whose values exist only after an earlier operation ran
LATE_ROOTS = frozenset({"shell"})


def shell_values(output: str, returncode: int) -> Any:
    """``{shell.output}`` and ``{shell.returncode}`` as templates and Python code read them."""
    from fileorganizer.filters.python_code import AttrValues

    return AttrValues({"output": output, "returncode": returncode})


@dataclass(frozen=True, slots=True)
class LateText(OpPayload):
    """A template some of whose values come from operations applied before it."""

    template: Template
    #: the values known when planning
    context: Mapping[str, Any]
    #: (placeholder, op_id of the operation whose result it is)
    sources: tuple[tuple[str, str], ...]

    def render(self, results: Mapping[str, Any]) -> str:
        """The text, with each late value taken from ``results`` (op_id -> value)."""
        ctx = dict(self.context)
        for root, op_id in self.sources:
            ctx[root] = results[op_id]
        return self.template.render_text(ctx)


@dataclass(frozen=True, slots=True)
class ShellSpec(OpPayload):
    """A ``shell`` operation: the rendered command line and how to run it."""

    command: str
    timeout: float
    ignore_errors: bool

    def journal_detail(self) -> bytes | None:
        return os.fsencode(self.command)


@dataclass(frozen=True, slots=True)
class PythonSpec(OpPayload):
    """A ``python`` operation: the compiled code and the values it reads."""

    code: CodeType
    #: the values known when planning (filter values, the entry's names)
    variables: Mapping[str, Any]
    #: the entry and filter context, for placeholders computed when read
    entry: FileEntry
    fctx: FilterContext
    #: late values the code may read (``shell``), by op_id
    sources: tuple[tuple[str, str], ...] = ()


class WriteMode(StrEnum):
    """How ``write`` puts its text into the file."""

    APPEND = "append"
    PREPEND = "prepend"
    OVERWRITE = "overwrite"


@dataclass(frozen=True, slots=True)
class WriteSpec(OpPayload):
    """A ``write`` operation: the bytes to add and how.

    ``data`` is None when the text uses a late value (it is encoded when
    applied from ``late``). The previous contents are saved first whenever
    the write cannot be reversed by cutting its own bytes off again
    (:attr:`needs_backup`).
    """

    mode: WriteMode
    data: bytes | None
    encoding: str
    newline: bool
    #: the file does not exist in the plan before this write: it is created
    creates: bool
    late: LateText | None = None

    @property
    def needs_backup(self) -> bool:
        """Whether the file's previous contents are saved before writing."""
        return not self.creates and (self.mode is not WriteMode.APPEND or self.data is None)

    def encode(self, text: str) -> bytes:
        """``text`` as written (with the newline, in the encoding)."""
        return (text + ("\n" if self.newline else "")).encode(self.encoding)

    def journal_detail(self) -> bytes | None:
        return self.data


def write_note(mode: WriteMode, *, cleared: bool = False, creates: bool = False) -> str:
    """A write's note: the mode it writes with first (recovery reads it back)."""
    note = mode.value
    if cleared:
        note += " (clear_before_first_write)"
    if creates:
        note += ", new file"
    return note


def mode_of_note(note: str | None) -> WriteMode | None:
    """The mode a journaled write's note names (see :func:`write_note`)."""
    word = (note or "").split(" ", 1)[0].rstrip(",")
    try:
        return WriteMode(word)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class UnwriteSpec(OpPayload):
    """Undo of a ``write``: what the write added and where the previous contents are."""

    #: the bytes the write added (None: not recorded, the write used a late value)
    data: bytes | None
    #: the saved previous contents (None: an append, cut off again; or a created file)
    backup: str | None
    #: the write created the file: undo removes it
    created: bool
    #: check the modification time too (a late text: the bytes are not known)
    exact: bool = False

    def journal_detail(self) -> bytes | None:
        return self.data


@dataclass(frozen=True, slots=True)
class TagSpec(OpPayload):
    """A ``macos_tags`` operation: the tags to add, as (name, colour)."""

    tags: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def journal_detail(self) -> bytes | None:
        return ", ".join(f"{n} ({c})" for n, c in self.tags).encode("utf-8")
