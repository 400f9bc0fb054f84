"""Rendering path templates (sandboxed) and making rendered names safe.

Templates use ``{expression}`` (Jinja2 with single-brace delimiters, as in
organize v3): ``{name}``, ``{created.year}``, ``{created.strftime('%Y-%m')}``,
``{extension.upper()}``, and Python format specs ``{photo_date.month:02}``.

Values that come from files (names, regex groups, EXIF, contents) are data:
a rendered value containing ``/``, NUL, or being ``.``/``..`` is made safe, and
the rendered path must stay inside the template's fixed leading folder.

Jinja2 is imported only when a template needs it: plain text and templates
made only of ``{name}``/``{a.b.c}`` placeholders never load it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from fileorganizer.errors import TemplateError, UnsafePathError
from fileorganizer.template_syntax import closing_brace, fast_parts, plain_names, preprocess

if TYPE_CHECKING:
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

#: Placeholders every template may use, whatever the rule's filters.
BUILTIN_NAMES = frozenset(
    {"name", "extension", "path", "relative_path", "location", "env", "now", "today", "utcnow"}
)


def _format_filter(value: Any, spec: str) -> str:
    return format(value, spec)


def sanitize_component(value: str) -> str:
    """Make a value from a file safe to put in a path: no separators, NUL or dot-names."""
    value = value.replace("\x00", "").replace("/", "_")
    if os.sep != "/":
        value = value.replace(os.sep, "_")
    if value in (".", ".."):
        return "_" * len(value)
    return value


def _finalize(value: Any) -> Any:
    """Applied to every ``{expression}`` result before it is inserted."""
    if type(value) is int:
        return value  # ({date.year}, {counter}: digits and a sign are always safe)
    if isinstance(value, str):
        return (
            sanitize_component(value)
            if ("/" in value or "\x00" in value or value in (".", ".."))
            else value
        )
    if isinstance(value, PurePath):
        return str(value)
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return sanitize_component(str(value))


def _finalize_text(value: Any) -> Any:
    """Like :func:`_finalize` for a text (an ``echo``, a ``write``): values as they are."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    return value


def _chainable_strict_undefined() -> type[jinja2.Undefined]:
    """Undefined that fails when used, but lets ``{a.b.c|default('x')}`` reach the default."""
    import jinja2

    class ChainableStrictUndefined(jinja2.ChainableUndefined, jinja2.StrictUndefined):
        __slots__ = ()

    return ChainableStrictUndefined


@cache
def _env(text: bool = False) -> ImmutableSandboxedEnvironment:
    """The sandboxed Jinja2 environment (created, and Jinja2 imported, on first use).

    ``text``: the one for texts, whose values are not made safe for a path.
    """
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(
        variable_start_string="{",
        variable_end_string="}",
        block_start_string="{%",
        block_end_string="%}",
        comment_start_string="{#",
        comment_end_string="#}",
        undefined=_chainable_strict_undefined(),
        finalize=_finalize_text if text else _finalize,
        autoescape=False,
        keep_trailing_newline=True,
    )
    env.filters["fmt"] = _format_filter
    return env


def _compile(source: str, text: bool = False) -> tuple[jinja2.Template, frozenset[str]]:
    """Compile with Jinja2: the template and the root names it uses."""
    import jinja2
    from jinja2 import meta

    env = _env(text)
    try:
        ast = env.parse(preprocess(source))
        compiled = env.from_string(ast)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"bad template {source!r}: {exc.message}", template=source) from None
    return compiled, frozenset(meta.find_undeclared_variables(ast))


from fileorganizer.template_errors import missing_value_message, undefined_message  # noqa: E402


class Template:
    """A compiled path template. Construct once per action, render per file.

    Templates made only of plain names and attribute chains (``{name}``,
    ``{created.year}``) render through a fast path with the same semantics
    (undefined names are errors, private attributes are not reachable, values
    are made safe); anything else goes through the Jinja2 sandbox.
    """

    __slots__ = (
        "_compiled",
        "_compiled_text",
        "_fast",
        "_paths",
        "anchor",
        "names",
        "source",
        "static",
    )

    def __init__(self, source: str) -> None:
        self.source = source
        self.static = "{" not in source
        self._fast = fast_parts(source)
        self._compiled: jinja2.Template | None = None
        self._compiled_text: jinja2.Template | None = None
        #: checked renderings of a fast template, by its rendered pieces (see render_path)
        self._paths: dict[tuple[str, ...], str] | None = {} if self._fast is not None else None
        names: frozenset[str] | None = None
        if self.static:
            names = frozenset()  # no "{": Jinja2 would see plain text only
        elif self._fast is not None:
            names = plain_names(self._fast)
        if names is None:
            self._compiled, names = _compile(source)
        #: Root names the template refers to (``created`` for ``{created.year}``).
        self.names: frozenset[str] = names
        prefix = source.split("{", 1)[0]
        #: The fixed leading folder a rendered path must stay inside ('' if none).
        self.anchor = os.path.dirname(prefix) if not self.static else ""

    def __repr__(self) -> str:
        return f"Template({self.source!r})"

    def render(self, context: Mapping[str, Any]) -> str:
        """Render with ``context``; raise :class:`TemplateError` with a clear reason.

        Each value is made safe for a path (no ``/``, NUL or dot-names): for a
        destination or a new name. A text uses :meth:`render_text`.
        """
        if self.static:
            return self.source
        if self._fast is not None:
            return self._render_fast(context)
        compiled = self._compiled
        if compiled is None:  # not reached: only static and fast templates skip Jinja2
            compiled, _ = _compile(self.source)
            self._compiled = compiled
        return self._render_jinja(compiled, context)

    def render_text(self, context: Mapping[str, Any]) -> str:
        """Render a text (an ``echo``, a ``write``, a message): values as they are."""
        if self.static:
            return self.source
        if self._fast is not None:
            return "".join(self._fast_pieces(context, _finalize_text))
        compiled = self._compiled_text
        if compiled is None:
            compiled, _ = _compile(self.source, text=True)
            self._compiled_text = compiled
        return self._render_jinja(compiled, context)

    def _render_jinja(self, compiled: jinja2.Template, context: Mapping[str, Any]) -> str:
        import jinja2

        try:
            return compiled.render(context)
        except jinja2.UndefinedError as exc:
            raise TemplateError(undefined_message(self.source, exc), template=self.source) from None
        except jinja2.exceptions.SecurityError as exc:
            raise TemplateError(
                f"in {self.source!r}: not allowed: {exc}", template=self.source
            ) from None
        except Exception as exc:  # a user's expression can raise anything
            raise TemplateError(
                f"in {self.source!r}: {type(exc).__name__}: {exc}", template=self.source
            ) from None

    def _render_fast(self, context: Mapping[str, Any]) -> str:
        return "".join(self._fast_pieces(context))

    def _fast_pieces(self, context: Mapping[str, Any], finalize: Any = _finalize) -> list[str]:
        out: list[str] = []
        for part in self._fast or ():
            if isinstance(part, str):
                out.append(part)
                continue
            root, attrs = part
            try:
                value = context[root]
            except KeyError:
                raise TemplateError(
                    f"in {self.source!r}: {root!r} is undefined", template=self.source
                ) from None
            for attr in attrs:
                value = self._getattr(value, attr)
            out.append(str(finalize(value)))
        return out

    def _getattr(self, value: Any, attr: str) -> Any:
        try:
            return getattr(value, attr)
        except AttributeError:
            pass
        except Exception as exc:
            raise TemplateError(
                f"in {self.source!r}: {type(exc).__name__}: {exc}", template=self.source
            ) from None
        try:
            return value[attr]
        except (KeyError, TypeError, IndexError, AttributeError):
            raise TemplateError(
                missing_value_message(self.source, value, attr), template=self.source
            ) from None

    def render_path(self, context: Mapping[str, Any]) -> str:
        """Render a path and check it stays inside the template's leading folder."""
        paths = self._paths
        if paths is None:
            return self._checked_path(self.render(context), context)
        # A fast template's checks depend only on its rendered pieces (the head
        # value _check_shape renders is the first piece): many files share a
        # folder ({extension}, {lastmodified.year}), so a checked path is reused.
        pieces = tuple(self._fast_pieces(context))
        got = paths.get(pieces)
        if got is None:
            got = self._checked_path("".join(pieces), context)
            if len(paths) < _PATHS_MAX:
                paths[pieces] = got
        return got

    def _checked_path(self, rendered: str, context: Mapping[str, Any]) -> str:
        if "\x00" in rendered:
            raise UnsafePathError(f"rendered path contains NUL: {rendered!r}", template=self.source)
        if not self.static:
            self._check_shape(rendered, context)
        if self.anchor:
            anchor = os.path.normpath(self.anchor)
            norm = os.path.normpath(rendered)
            if not (norm == anchor or norm.startswith(anchor.rstrip(os.sep) + os.sep)):
                raise UnsafePathError(
                    f"rendered path {rendered!r} escapes {self.anchor!r}", template=self.source
                )
        return rendered

    def _check_shape(self, rendered: str, context: Mapping[str, Any]) -> None:
        """Empty values must not turn a path into nothing, ``.``/``..``, or an absolute path.

        A file destination must end in a real name; a path may be absolute only
        when the template's fixed prefix is, or its first value is a path
        (``{location}``, ``{path.parent}``): made-safe values never hold ``/``.
        """
        last = os.path.basename(rendered)
        if not rendered or (not rendered.endswith(("/", os.sep)) and last in ("", ".", "..")):
            raise UnsafePathError(
                f"rendered path {rendered!r} does not name a file or folder", template=self.source
            )
        if os.path.isabs(rendered) and self.source.startswith("{"):
            end = closing_brace(self.source, 1)
            head = compile_template(self.source[: end + 1]).render(context) if end > 0 else ""
            if not os.path.isabs(head):
                raise UnsafePathError(
                    f"rendered path {rendered!r} would be absolute (a value is empty)",
                    template=self.source,
                )


#: how many checked renderings one fast template remembers
_PATHS_MAX = 4096


@lru_cache(maxsize=1024)
def compile_template(source: str) -> Template:
    """Compile (and cache) a template."""
    return Template(source)


def expand_user_vars(path: str) -> str:
    """Expand ``~`` and ``$VARS`` in a path (``{placeholders}`` are left alone)."""
    return os.path.expanduser(os.path.expandvars(path))


def unknown_names(template: Template, known: set[str] | frozenset[str]) -> list[str]:
    """Names the template uses that are neither built in nor in ``known``."""
    return sorted(n for n in template.names if n not in BUILTIN_NAMES and n not in known)


#: A placeholder's use in a template: its root name and the attributes read from it
#: (``("created", ("year",))`` for ``{created.year}``); ``called`` when the last one
#: is called as a method (``{created.strftime('%Y')}``).
Chain = tuple[str, tuple[str, ...], bool]


def attribute_chains(template: Template) -> list[Chain]:
    """Every placeholder use in ``template``: root name, attributes read, and whether called."""
    if template.static:
        return []
    fast = fast_parts(template.source)
    if fast is not None and plain_names(fast) is not None:
        return [(p[0], p[1], False) for p in fast if not isinstance(p, str)]
    from jinja2 import nodes

    ast = _env().parse(preprocess(template.source))
    out: list[Chain] = []

    def visit(node: nodes.Node, called: bool = False) -> None:
        if isinstance(node, nodes.Call):
            visit(node.node, called=True)
            for child in (*node.args, *node.kwargs):
                visit(child)
            for extra in (node.dyn_args, node.dyn_kwargs):
                if extra is not None:
                    visit(extra)
            return
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            attrs: list[str] = []
            cur: nodes.Node = node
            while isinstance(cur, nodes.Getattr | nodes.Getitem):
                if isinstance(cur, nodes.Getattr):
                    attrs.append(cur.attr)
                elif isinstance(cur.arg, nodes.Const) and isinstance(cur.arg.value, str):
                    attrs.append(cur.arg.value)
                else:
                    visit(cur.arg)
                    attrs = []  # an index by value: check only what comes before it
                cur = cur.node
            if isinstance(cur, nodes.Name):
                out.append((cur.name, tuple(reversed(attrs)), called and bool(attrs)))
            else:
                visit(cur)
            return
        if isinstance(node, nodes.Name):
            if node.ctx == "load":
                out.append((node.name, (), called))
            return
        for child in node.iter_child_nodes():
            visit(child)

    visit(ast)
    return out
