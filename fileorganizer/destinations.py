"""Where a matched file goes: rendering destinations and resolving conflicts in the plan.

:class:`RuleContext` is the planner's side of
:class:`~fileorganizer.actions.base.PlanContext`: actions ask it for a
destination and it answers against the virtual tree, as the plan so far
leaves the disk. Every component of a destination is checked there:

- the leaf taken: the action's ``on_conflict`` (skip, rename_new, ...);
- a *file* where a folder is needed (``Images`` is a file, the rule moves to
  ``Images/``): a conflict the same policy resolves — ``skip`` leaves the file,
  ``rename_existing`` moves the blocking file aside, every other mode uses the
  next free folder name (``Images 2/``);
- a *symlinked folder* on the way below the destination's own root (the rule's
  location, or the fixed part of an absolute destination): refused, since it
  could lead anywhere. A symlink the user named in the destination is fine.

Either way the plan says so, and ``run`` does exactly what ``sim`` showed.
"""

from __future__ import annotations

import filecmp
import os
import stat
from dataclasses import replace
from datetime import datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from fileorganizer.chains import ChainContext
from fileorganizer.conflict import next_free_name
from fileorganizer.errors import TemplateError, UnsafePathError
from fileorganizer.filters.base import LAZY_PLACEHOLDERS, FilterContext
from fileorganizer.operations import (
    DEFAULT_RENAME_TEMPLATE,
    ConflictMode,
    Identity,
    Operation,
    OpKind,
)
from fileorganizer.payloads import LateText
from fileorganizer.plans import Skip
from fileorganizer.scan import FileEntry
from fileorganizer.templates import compile_template
from fileorganizer.vtree import NodeKind, inside, norm

if TYPE_CHECKING:
    from fileorganizer.actions.base import Action
    from fileorganizer.config.schema import Rule
    from fileorganizer.planner import Planner

#: how many distinct destination renderings a rule remembers
_FOLDER_CACHE_MAX = 4096

#: (an enum member read from its class costs ~0.2 us on Python 3.11: once per file counts)
_COPY = OpKind.COPY
_FOLDER = NodeKind.FOLDER
_ABSENT = NodeKind.ABSENT


class _EnvProxy:
    """``{env.HOME}``: environment variables by attribute."""

    def __init__(self, env: Any) -> None:
        self._env = env

    def __getattr__(self, key: str) -> str:
        try:
            return str(self._env[key])
        except KeyError:
            raise AttributeError(f"environment variable {key} is not set") from None


def _now(planner: Planner) -> Any:
    now = planner.now
    return lambda: now


_BUILTINS: dict[str, Any] = {
    "name": lambda e, p: e.name if e.is_dir else e.stem,
    "extension": lambda e, p: "" if e.is_dir else e.extension,
    "path": lambda e, p: PurePosixPath(e.path),
    "relative_path": lambda e, p: PurePosixPath(e.relative_path),
    "location": lambda e, p: PurePosixPath(e.location),
    "env": lambda e, p: _EnvProxy(p.env),
    "now": lambda e, p: _now(p),
    "today": lambda e, p: lambda d=p.now.date(): d,
    "utcnow": lambda e, p: lambda: datetime.utcnow(),
}


def fixed_root(dest: str) -> str | None:
    """The folder an absolute destination template names before any placeholder.

    ``/srv/Photos/{year}/`` -> ``/srv/Photos``; None for a relative template
    (its root is the rule's location).
    """
    cut = min((i for i in (dest.find("{"), dest.find("{%")) if i >= 0), default=len(dest))
    fixed = dest[:cut]
    if not os.path.isabs(fixed):
        return None
    return norm(fixed if fixed.endswith(os.sep) and cut < len(dest) else os.path.dirname(fixed))


class RuleContext(ChainContext):
    """What an action sees while planning one matched entry of one rule.

    The chain of one file's actions (the gate after a ``shell``/``python``
    operation, late values, ``confirm``'s questions) is :class:`ChainContext`.
    """

    def __init__(self, planner: Planner, rule: Rule, fctx: FilterContext) -> None:
        self.planner = planner
        self.rule = rule
        #: the filter values of the entry being planned (set per entry)
        self.values: dict[str, Any] = {}
        self.fctx = fctx
        self.vtree = planner.vtree
        #: (rendered destination, location) -> (absolute normal path, folder-like);
        #: a folder's path ends in a separator
        self._folders: dict[tuple[str, str, bool], tuple[str, bool]] = {}
        #: id(action) -> (on_conflict, rename_template); the rule's actions live as long
        self._policies: dict[int, tuple[ConflictMode, str]] = {}
        #: destination template -> its fixed root (see :func:`fixed_root`)
        self._roots: dict[str, str | None] = {}
        self._written_by = set()

    # -- templates --------------------------------------------------------
    def context(self, entry: FileEntry, names: frozenset[str]) -> dict[str, Any]:
        """The template variables ``names`` needs for ``entry``, computed lazily."""
        ctx: dict[str, Any] = {}
        values = self.values
        for name in names:
            if name in values:
                ctx[name] = values[name]
            elif name in _BUILTINS:
                ctx[name] = _BUILTINS[name](entry, self.planner)
            elif name in LAZY_PLACEHOLDERS:
                ctx[name] = LAZY_PLACEHOLDERS[name](entry, self.fctx)
        return ctx

    def render(
        self, entry: FileEntry, source: str, *, as_path: bool = True, text: bool = False
    ) -> str:
        """Render a template for ``entry``: a path, a name (``as_path=False``), or a
        text (``text=True``: values as they are, not made safe for a path)."""
        template = compile_template(source)
        ctx = self.context(entry, template.names)
        if text:
            return template.render_text(ctx)
        return template.render_path(ctx) if as_path else template.render(ctx)

    # -- destinations --------------------------------------------------------
    def destination(self, entry: FileEntry, dest: str, action: Action) -> str | None:
        """Render ``dest`` for ``entry`` and resolve conflicts; None to leave it."""
        template = compile_template(dest)
        rendered = template.render_path(self.context(entry, template.names))
        # Many files share a destination folder ({extension}, {year}), and a
        # template hands back one string per distinct rendering: the absolute,
        # normal folder is worked out once per rendering and location.
        autodetect = getattr(action, "autodetect_folder", False)
        key = (rendered, entry.location, autodetect)
        folders = self._folders
        hit = folders.get(key)
        if hit is None:
            folder_like = rendered.endswith(("/", os.sep))
            if not os.path.isabs(rendered):
                rendered = os.path.join(entry.location, rendered)
            base = norm(rendered)
            if not folder_like and autodetect:
                # as organize: a last part without a "." (or a folder) is a folder
                folder_like = "." not in os.path.basename(base) or self.vtree.kind(base) is _FOLDER
            if folder_like and not base.endswith(os.sep):
                base += os.sep  # the file's name is appended to it
            hit = (base, folder_like)
            if len(folders) >= _FOLDER_CACHE_MAX:
                folders.clear()  # the renderings differ per file: keep the memory bounded
            folders[key] = hit
        base, folder_like = hit
        # (normal already: a normal folder and the last component of a normal path)
        dst = base + entry.name if folder_like else base
        root = self._roots.get(dest, "")
        if root == "":
            root = self._roots[dest] = fixed_root(dest)
        cleared = self.clear_way(entry, dst, action, root or norm(entry.location))
        return None if cleared is None else self.resolve(entry, cleared, action)

    def renamed(self, entry: FileEntry, new_name: str, action: Action) -> str | None:
        """Render a new name for ``entry`` in its folder and resolve conflicts."""
        rendered = self.render(entry, new_name, as_path=False)
        if not rendered or rendered in (".", "..") or "/" in rendered or "\x00" in rendered:
            raise TemplateError(f"new name {rendered!r} is not a plain file name")
        return self.resolve(entry, os.path.join(entry.parent, rendered), action)

    def clear_way(self, entry: FileEntry, dst: str, action: Action, root: str) -> str | None:
        """``dst`` with every folder on its way a folder (or to be made), or None to skip.

        Resolves a file in the way by the action's policy; raises
        :class:`UnsafePathError` for a symlinked folder below ``root``.
        """
        vtree = self.vtree
        for _attempt in range(64):
            folder = dst.rpartition(os.sep)[0] or os.sep
            blocked = vtree.blocking_ancestor(folder, links_ok_up_to=root)
            if blocked is None:
                return dst
            bad, kind = blocked
            if kind is NodeKind.SYMLINK:
                raise UnsafePathError(
                    f"destination {dst} goes through the symlinked folder {bad}: refused "
                    "(it could lead outside the destination)"
                )
            mode, template = self._policy(action)
            if mode is ConflictMode.SKIP:
                self._skip(entry, f"{bad} is a file where a folder is needed (on_conflict: skip)")
                return None
            if mode is ConflictMode.RENAME_EXISTING:
                aside = next_free_name(bad, template, vtree.exists)
                self._emit_existing(OpKind.MOVE, bad, aside, action, "rename_existing")
                continue
            # every other mode: the next name that is free or already a folder
            new = next_free_name(
                bad, template, lambda c: vtree.kind(c) not in (_FOLDER, _ABSENT), folder=True
            )
            dst = new + dst[len(bad) :]
        raise TemplateError(f"no folder could be made on the way to {dst}")

    def resolve(self, entry: FileEntry, dst: str, action: Action) -> str | None:
        """Apply the action's conflict policy to the final name, against the virtual tree."""
        src = norm(entry.path)
        if dst == src:
            return None
        if entry.is_dir and inside(dst, src):
            raise TemplateError(f"cannot put folder {src} inside itself ({dst})")
        vtree = self.vtree
        if not vtree.exists(dst):
            written = self.planner.outfiles
            if dst not in written:
                return dst
            # a file an earlier write of this plan creates: never replaced, never trashed
            mode, template = self._policy(action)
            if mode is ConflictMode.SKIP:
                self._skip(entry, f"{dst} is written by this run (on_conflict: skip)")
                return None
            return next_free_name(dst, template, lambda c: vtree.exists(c) or c in written)
        mode, template = self._policy(action)
        existing_is_dir = vtree.kind(dst) is _FOLDER
        if existing_is_dir and mode in (ConflictMode.OVERWRITE, ConflictMode.TRASH):
            mode = ConflictMode.RENAME_NEW  # never trash a folder to make room for a file
        if mode is ConflictMode.SKIP:
            self._skip(entry, f"{dst} exists (on_conflict: skip)")
            return None
        if mode is ConflictMode.DEDUPLICATE:
            if not existing_is_dir and self._same_content(entry, dst):
                self._skip(entry, f"identical to existing {dst} (on_conflict: deduplicate)")
                return None
            return next_free_name(dst, template, vtree.exists)
        if mode is ConflictMode.RENAME_NEW:
            return next_free_name(dst, template, vtree.exists)
        if mode is ConflictMode.RENAME_EXISTING:
            aside = next_free_name(dst, template, vtree.exists)
            self._emit_existing(OpKind.MOVE, dst, aside, action, "rename_existing")
            return dst
        # OVERWRITE / TRASH: the existing file goes to the trash first
        self._emit_existing(OpKind.TRASH, dst, None, action, mode.value)
        return dst

    def _real_of(self, path: str) -> tuple[str, bool]:
        placed = self.vtree.placed(path)
        if placed is not None:
            return placed.real_path, True
        return path, False

    def _same_content(self, entry: FileEntry, dst: str) -> bool:
        real, _ = self._real_of(dst)
        try:
            return filecmp.cmp(entry.real_path, real, shallow=False)
        except OSError:
            return False

    def _skip(self, entry: FileEntry, reason: str) -> None:
        self.planner.plan.skips.append(Skip(entry.path, self.rule.name, reason))

    def _emit_existing(
        self, kind: OpKind, path: str, dst: str | None, action: Action, why: str
    ) -> None:
        real, chained = self._real_of(path)
        ident = Identity.of(real)
        op = Operation(
            kind=kind,
            src=path,
            dst=dst,
            rule=self.rule.name,
            rule_index=self.rule.index,
            action=action.action_name,
            identity=ident,
            check_inode=not chained,
            note=f"make room (on_conflict: {why})",
        )
        self._add(op)
        node = self.vtree.kind(path)
        self.vtree.remove(path, is_dir=node is _FOLDER)
        if dst is not None:
            self.vtree.add(dst, real, is_dir=node is _FOLDER, is_link=node is NodeKind.SYMLINK)

    # -- emitting --------------------------------------------------------------
    def _op(self, kind: OpKind, entry: FileEntry, dst: str | None, action: Action) -> Operation:
        chained = entry.path is not entry.real_path and norm(entry.path) != norm(entry.real_path)
        planner = self.planner
        seq = len(planner.plan.operations)
        on_conflict, rename_template = self._policy(action)
        return Operation.planned(
            kind,
            entry.path,
            dst,
            self.rule.name,
            self.rule.index,
            action.action_name,
            seq,
            f"{planner.token}{seq:08x}",  # as Planner.next_op_id()
            entry.identity(),
            not chained,
            on_conflict,
            rename_template,
        )

    def _policy(self, action: Action) -> tuple[ConflictMode, str]:
        """The action's ``on_conflict`` and ``rename_template`` (defaults if it has none)."""
        got = self._policies.get(id(action))
        if got is None:
            got = self._policies[id(action)] = (
                getattr(action, "on_conflict", ConflictMode.RENAME_NEW),
                getattr(action, "rename_template", DEFAULT_RENAME_TEMPLATE),
            )
        return got

    def transfer(self, kind: OpKind, entry: FileEntry, dst: str, action: Action) -> FileEntry:
        """Plan a move/rename/copy of ``entry`` to ``dst``; return the entry at ``dst``."""
        self._add(self._op(kind, entry, dst, action))
        is_link = not entry.is_dir and stat.S_ISLNK(entry.lstat().st_mode)
        if kind is _COPY:
            self.vtree.add(dst, entry.real_path, is_dir=entry.is_dir, is_link=is_link)
            copied = entry.moved_to(dst, same_inode=False)
            copied.cache = {}
            return copied
        self.vtree.remove(entry.path, is_dir=entry.is_dir)
        self.vtree.add(dst, entry.real_path, is_dir=entry.is_dir, is_link=is_link)
        return entry.moved_to(dst)

    def remove(self, kind: OpKind, entry: FileEntry, action: Action) -> None:
        """Plan a trash/delete of ``entry``."""
        op = self._op(kind, entry, None, action)
        dup = self.values.get("duplicate")
        original = getattr(dup, "original", None) if dup is not None else None
        if original:
            op = replace(op, same_as=str(original))
        self._add(op)
        self.vtree.remove(entry.path, is_dir=entry.is_dir)

    def link(self, kind: OpKind, entry: FileEntry, dst: str, action: Action) -> None:
        """Plan a symlink/hardlink at ``dst`` for ``entry``."""
        op = self._op(kind, entry, dst, action)
        if kind is OpKind.SYMLINK:
            op = replace(op, src=os.path.abspath(entry.path))
        self._add(op)
        self.vtree.add(dst, entry.real_path, is_dir=False, is_link=kind is OpKind.SYMLINK)

    def echo(self, entry: FileEntry, msg: str) -> None:
        """Plan an echo message (rendered when applied if it uses a late value)."""
        template = compile_template(msg)
        late = self.late_sources(template.names)
        text = template.render_text(self.variables(entry, template.names))
        op = Operation(
            kind=OpKind.ECHO,
            src=entry.path,
            rule=self.rule.name,
            rule_index=self.rule.index,
            action="echo",
            message=text,
            payload=LateText(template, self.context(entry, template.names), late) if late else None,
        )
        self._add(op)
