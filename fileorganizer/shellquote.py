"""Rendering a ``shell`` command: every placeholder's value reaches the shell as data.

The command is a template (``cp {path} ~/backup/``). Its literal parts are
shell syntax, written by the user; every ``{expression}`` is a value, often
from a file (its name, EXIF, contents), and must never become code. So each
rendered value is put in as one single-quoted word (:func:`shlex.quote`),
fitted to where it stands in the command:

- outside quotes (also inside ``$(...)``): the quoted word itself;
- inside ``"..."`` (organize's documented ``open "{path}"``): the double quote is
  closed, the quoted word put in, and the double quote reopened, so the shell
  joins the pieces into one word: ``"a "'it'\\''s'" b"``;
- inside ``'...'`` and ``$'...'``: likewise for those quotes;
- in a comment: dropped (it would have no effect; a newline in it could end the comment).

Where no quoting can keep a value to one word, the command is refused (a
:class:`~fileorganizer.errors.TemplateError`): inside backquotes, ``${...}``, a
here-document, or right after a backslash or a ``$``. ``check`` finds these in
the command as written; rendering finds them too (``{% %}`` blocks can produce
any text). Likewise inside ``$((...))`` arithmetic, and anywhere after a ``case``
inside ``$(...)`` or ``(...)``: a ``case`` pattern's ``)`` does not close the
parenthesis, and this reader does not parse shell grammar far enough to know
where the shell is after it, so it refuses rather than guess.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import date, datetime
from enum import Enum
from functools import cache
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from fileorganizer.errors import TemplateError

if TYPE_CHECKING:
    import jinja2

#: marks a value's place in the rendered text (NUL cannot appear in a command)
_MARK = "\x00"
_values: ContextVar[list[str] | None] = ContextVar("fileorganizer_shell_values", default=None)


class _Ctx(Enum):
    TOP = "top"
    CMD = "$(...)"
    PAREN = "(...)"
    DQ = '"..."'
    SQ = "'...'"
    ANSI = "$'...'"
    BQ = "backquotes"
    BRACE = "${...}"
    ARITH = "$((...))"
    COMMENT = "comment"


_WORD_BREAK = frozenset(" \t\n;&|()<>")
_REFUSED = {
    _Ctx.BQ: "inside backquotes (write $(...) instead)",
    _Ctx.BRACE: "inside ${...}",
    _Ctx.ARITH: "inside $((...)) arithmetic",
}
#: a ``case`` keyword (its patterns end with an unpaired ``)``)
_CASE = "case"


def value_text(value: Any) -> str:
    """A placeholder's value as the text the command gets (paths whole, ``/`` kept)."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    return str(value)


def _collect(value: Any) -> str:
    values = _values.get()
    assert values is not None  # set by render_command
    text = value_text(value)
    if _MARK in text:
        raise TemplateError("a value contains NUL, which no command line can hold")
    values.append(text)
    return f"{_MARK}{len(values) - 1}{_MARK}"


@cache
def _env() -> Any:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from fileorganizer.templates import _chainable_strict_undefined, _format_filter

    env = ImmutableSandboxedEnvironment(
        variable_start_string="{",
        variable_end_string="}",
        block_start_string="{%",
        block_end_string="%}",
        comment_start_string="{#",
        comment_end_string="#}",
        undefined=_chainable_strict_undefined(),
        finalize=_collect,
        autoescape=False,
        keep_trailing_newline=True,
    )
    env.filters["fmt"] = _format_filter
    return env


@cache
def _compiled(source: str) -> jinja2.Template:
    import jinja2

    from fileorganizer.template_syntax import preprocess

    try:
        return _env().from_string(preprocess(source))  # type: ignore[no-any-return]
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"bad template {source!r}: {exc.message}", template=source) from None


def render_command(source: str, context: Mapping[str, Any]) -> str:
    """The command line for ``context``: literal parts as written, each value one quoted word.

    Raises :class:`TemplateError` for an undefined value or a placeholder where
    it cannot be quoted (see the module docstring).
    """
    import jinja2

    from fileorganizer.template_errors import undefined_message

    if _MARK in source:
        raise TemplateError("the command contains NUL", template=source)
    template = _compiled(source)
    values: list[str] = []
    token = _values.set(values)
    try:
        rendered = template.render(context)
    except TemplateError:
        raise
    except jinja2.UndefinedError as exc:
        raise TemplateError(undefined_message(source, exc), template=source) from None
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateError(f"in {source!r}: not allowed: {exc}", template=source) from None
    except Exception as exc:  # a user's expression can raise anything
        raise TemplateError(
            f"in {source!r}: {type(exc).__name__}: {exc}", template=source
        ) from None
    finally:
        _values.reset(token)
    return assemble(rendered, values, source)


def check_command(source: str) -> None:
    """Raise :class:`TemplateError` if a placeholder of ``source`` stands where it cannot be quoted.

    Used by ``check``; a command with ``{% %}`` blocks is checked when rendered.
    """
    if _MARK in source:
        raise TemplateError("the command contains NUL", template=source)
    if "{%" in source:
        return
    from fileorganizer.template_syntax import closing_brace

    parts: list[str] = []
    i = 0
    count = 0
    while i < len(source):
        if source[i] == "{" and source[i + 1 : i + 2] != "#":
            j = closing_brace(source, i + 1)
            if j < 0:
                break
            parts.append(f"{_MARK}{count}{_MARK}")
            count += 1
            i = j + 1
            continue
        parts.append(source[i])
        i += 1
    assemble("".join(parts), ["x"] * count, source)


def assemble(rendered: str, values: list[str], source: str = "") -> str:
    """Put each marked value of ``rendered`` in as a quoted word fitted to its place."""
    return _Assembler(rendered, values, source).run()


class _Assembler:
    """A small reader of POSIX shell quoting: where each value stands."""

    def __init__(self, text: str, values: list[str], source: str) -> None:
        self.text = text
        self.values = values
        self.source = source or text
        self.out: list[str] = []
        self.stack: list[_Ctx] = [_Ctx.TOP]
        #: here-document delimiters whose bodies start at the next newline
        self.heredocs: list[tuple[str, bool]] = []
        #: a ``case`` was met inside ``$(...)``/``(...)``: where the shell stands after
        #: its patterns' ``)`` is not followed, so no later value is put in
        self.lost = False

    def refuse(self, where: str) -> TemplateError:
        return TemplateError(
            f"in {self.source!r}: a placeholder {where} cannot be passed safely; "
            "pass the value as its own argument (e.g. cmd {path})",
            template=self.source,
        )

    def run(self) -> str:
        text, n = self.text, len(self.text)
        i = 0
        while i < n:
            ch = text[i]
            ctx = self.stack[-1]
            if ch == _MARK:
                end = text.index(_MARK, i + 1)
                self.put_value(ctx, self.values[int(text[i + 1 : end])])
                i = end + 1
                continue
            i = self.step(ctx, ch, i)
        return "".join(self.out)

    def put_value(self, ctx: _Ctx, value: str) -> None:
        prev = self.out[-1][-1:] if self.out else ""
        if ctx in _REFUSED:
            raise self.refuse(_REFUSED[ctx])
        if ctx is _Ctx.COMMENT:
            return
        if self.lost:
            raise self.refuse("after a 'case' inside $(...) or (...)")
        if prev == "$" and ctx is not _Ctx.SQ:
            raise self.refuse("right after '$'")
        word = shlex.quote(value)
        if ctx is _Ctx.DQ:
            self.out.append(f'"{word}"')
        elif ctx is _Ctx.SQ:
            self.out.append(f"'{word}'")
        elif ctx is _Ctx.ANSI:
            self.out.append(f"'{word}$'")
        else:
            self.out.append(word)

    def at_word_start(self) -> bool:
        prev = self.out[-1][-1:] if self.out else ""
        return prev == "" or prev in _WORD_BREAK

    def step(self, ctx: _Ctx, ch: str, i: int) -> int:
        """Copy the literal character at ``i`` (and what it starts); return the next index."""
        text = self.text
        nxt = text[i + 1 : i + 2]
        if ctx is _Ctx.SQ:
            if ch == "'":
                self.stack.pop()
            self.out.append(ch)
            return i + 1
        if ctx is _Ctx.COMMENT:
            if ch == "\n":
                self.stack.pop()
                return self.newline(i)
            self.out.append(ch)
            return i + 1
        if ch == "\\":
            if nxt == _MARK:
                raise self.refuse("right after a backslash")
            self.out.append(text[i : i + 2])
            return i + 2
        if ctx is _Ctx.ANSI:
            if ch == "'":
                self.stack.pop()
            self.out.append(ch)
            return i + 1
        if ctx is _Ctx.BQ and ch == "`":
            self.stack.pop()
            self.out.append(ch)
            return i + 1
        if ch == "$" and text.startswith("$((", i) and ctx is not _Ctx.BQ:
            self.stack.append(_Ctx.ARITH)
            self.out.append("$((")
            return i + 3
        if ctx is _Ctx.ARITH:
            if ch == "(":
                self.stack.append(_Ctx.PAREN)
            elif text.startswith("))", i):
                self.stack.pop()
                self.out.append("))")
                return i + 2
            self.out.append(ch)
            return i + 1
        if ch == "$" and nxt in ("(", "{", "'") and ctx is not _Ctx.BQ:
            if nxt == "'" and ctx is _Ctx.DQ:
                self.out.append(ch)  # ($'...' is not special inside double quotes)
                return i + 1
            self.stack.append({"(": _Ctx.CMD, "{": _Ctx.BRACE, "'": _Ctx.ANSI}[nxt])
            self.out.append(text[i : i + 2])
            return i + 2
        if ch == "`":
            self.stack.append(_Ctx.BQ)
            self.out.append(ch)
            return i + 1
        if ctx is _Ctx.DQ:
            if ch == '"':
                self.stack.pop()
            self.out.append(ch)
            return i + 1
        if ctx is _Ctx.BRACE and ch == "}":
            self.stack.pop()
            self.out.append(ch)
            return i + 1
        return self.step_unquoted(ctx, ch, i)

    def step_unquoted(self, ctx: _Ctx, ch: str, i: int) -> int:
        text = self.text
        if ch == "'":
            self.stack.append(_Ctx.SQ)
        elif ch == '"':
            self.stack.append(_Ctx.DQ)
        elif ch == "(" and ctx is not _Ctx.BRACE:
            self.stack.append(_Ctx.PAREN)
        elif ch == ")" and ctx in (_Ctx.CMD, _Ctx.PAREN):
            self.stack.pop()
        elif (
            ch == "c"
            and ctx in (_Ctx.CMD, _Ctx.PAREN)
            and text.startswith(_CASE, i)
            and text[i + 4 : i + 5] in ("", *_WORD_BREAK)
            and self.at_word_start()
        ):
            self.lost = True
        elif ch == "#" and ctx is not _Ctx.BRACE and self.at_word_start():
            self.stack.append(_Ctx.COMMENT)
        elif ch == "\n" and ctx is not _Ctx.BRACE:
            return self.newline(i)
        elif ch == "<" and text.startswith("<<", i) and not text.startswith("<<<", i):
            return self.heredoc_operator(i)
        elif ch == "<" and text.startswith("<<<", i):
            self.out.append("<<<")
            return i + 3
        self.out.append(ch)
        return i + 1

    def heredoc_operator(self, i: int) -> int:
        """Read ``<<[-] WORD``: its body starts after the next newline."""
        text = self.text
        j = i + 2
        strip_tabs = text[j : j + 1] == "-"
        if strip_tabs:
            j += 1
        while j < len(text) and text[j] in " \t":
            j += 1
        k = j
        word: list[str] = []
        while k < len(text) and text[k] not in _WORD_BREAK:
            if text[k] == _MARK:
                raise self.refuse("as a here-document's delimiter")
            if text[k] not in "'\"\\":
                word.append(text[k])
            k += 1
        self.heredocs.append(("".join(word), strip_tabs))
        self.out.append(text[i:k])
        return k

    def newline(self, i: int) -> int:
        """Copy a newline; then the bodies of pending here-documents, verbatim (no values)."""
        self.out.append("\n")
        i += 1
        text = self.text
        while self.heredocs:
            delim, strip_tabs = self.heredocs.pop(0)
            while i < len(text):
                end = text.find("\n", i)
                line = text[i:] if end < 0 else text[i : end + 1]
                if _MARK in line:
                    raise self.refuse("inside a here-document")
                self.out.append(line)
                i += len(line)
                bare = line.rstrip("\n")
                if (bare.lstrip("\t") if strip_tabs else bare) == delim:
                    break
        return i
