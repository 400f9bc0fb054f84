"""The ``write`` action: text into a file (an index of what was moved, a log)."""

from __future__ import annotations

import codecs
import os
from typing import TYPE_CHECKING, ClassVar

from pydantic import field_validator

from fileorganizer.actions.base import Action, register_action
from fileorganizer.errors import TemplateError
from fileorganizer.operations import OpKind
from fileorganizer.payloads import LateText, WriteMode, WriteSpec, write_note
from fileorganizer.templates import Template, compile_template, expand_user_vars
from fileorganizer.vtree import NodeKind, norm

if TYPE_CHECKING:
    from fileorganizer.actions.base import PlanContext
    from fileorganizer.scan import FileEntry


@register_action
class WriteAction(Action):
    """Write a line of text (a template) into a file, e.g. an index of what was moved.

    ``outfile`` is a template too; a relative one is relative to the current folder
    (as in organize), and missing folders are created. ``mode``: ``append``
    (default), ``prepend`` (the text goes first) or ``overwrite``. ``newline``
    (default true) ends the text with a newline; ``encoding`` defaults to ``utf-8``.
    ``clear_before_first_write`` empties an existing file at this action's first
    write of a run (each watch batch is a run).

    The text may use ``{shell.output}`` of an earlier ``shell`` action (filled in
    when written; ``sim`` shows the simulation output). Every write can be undone:
    an append is cut off again, and before a prepend, an overwrite or a clearing the
    file's previous contents are saved in the data folder (``write-backups/``) and
    put back by ``undo``, in place, while the file is still as the write left it. A
    file the write created is removed. ``sim`` shows each write and writes nothing.

    ```yaml
    actions:
      - move: "~/Archive/{lastmodified.year}/"
      - write:
          outfile: "~/Archive/index.txt"
          text: "{relative_path} -> {path}"
    ```
    """

    action_name: ClassVar[str] = "write"
    late_options: ClassVar[frozenset[str]] = frozenset({"text"})
    text: str
    outfile: str
    mode: WriteMode = WriteMode.APPEND
    encoding: str = "utf-8"
    newline: bool = True
    clear_before_first_write: bool = False

    @field_validator("outfile")
    @classmethod
    def _path(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        v = expand_user_vars(v)
        compile_template(v)
        return v

    @field_validator("text")
    @classmethod
    def _compiles(cls, v: str) -> str:
        compile_template(v)
        return v

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, v: str) -> str:
        try:
            codecs.lookup(v)
        except LookupError:
            raise ValueError(f"unknown encoding {v!r} (e.g. utf-8, latin-1)") from None
        return v

    def templates(self) -> list[tuple[str, Template]]:
        return [("outfile", compile_template(self.outfile)), ("text", compile_template(self.text))]

    def plan(self, entry: FileEntry, ctx: PlanContext) -> FileEntry | None:
        outfile = norm(os.path.abspath(ctx.render(entry, self.outfile)))
        if ctx.vtree_kind(outfile) is NodeKind.FOLDER:
            raise TemplateError(f"outfile {outfile} is a folder")
        if ctx.is_own_file(outfile):
            raise TemplateError(
                f"outfile {outfile} is one of fileorganizer's own files (its history, "
                "configuration, logs or trash, or this rules file): not written"
            )
        template = compile_template(self.text)
        late = ctx.late_sources(template.names)
        text = template.render_text(ctx.variables(entry, template.names))
        creates = not ctx.outfile_exists(outfile)
        mode = self.mode
        first = ctx.first_write(self, outfile)
        cleared = self.clear_before_first_write and first and not creates
        if cleared:
            mode = WriteMode.OVERWRITE
        spec = WriteSpec(
            mode,
            None if late else _encode(text, self.newline, self.encoding),
            self.encoding,
            self.newline,
            creates,
            LateText(template, ctx.context(entry, template.names), late) if late else None,
        )
        # a write into the file being organized: it is checked like the file, and the
        # later actions of the chain expect the file as the write leaves it
        own = not creates and outfile == norm(os.path.abspath(entry.path))
        ctx.emit(
            OpKind.WRITE,
            entry,
            self,
            payload=spec,
            message=text,
            note=write_note(mode, cleared=cleared, creates=creates),
            src=None if own else outfile,
            dst=outfile if creates else None,
            gate=own,
        )
        if creates:
            ctx.wrote(outfile)
        return entry


def _encode(text: str, newline: bool, encoding: str) -> bytes:
    try:
        return (text + ("\n" if newline else "")).encode(encoding)
    except UnicodeEncodeError as exc:
        raise TemplateError(f"the text cannot be written in {encoding}: {exc.reason}") from None
