"""One file's chain of actions: what an action leaves for the ones after it.

:class:`ChainContext` is the part of :class:`~fileorganizer.destinations.RuleContext`
that ``shell``, ``python``, ``write``, ``confirm`` and ``macos_tags`` plan with:

- **the gate**: once a ``shell`` or ``python`` operation is planned for a file,
  every later operation of that file's chain waits for it (``Operation.after``):
  if it fails (a non-zero exit, an exception), they are skipped, as organize
  stops the file's actions there;
- **late values**: ``{shell.output}`` and ``{shell.returncode}`` exist only once
  the command ran. A later ``echo`` or ``write`` text that uses them is rendered
  when it is applied (:class:`~fileorganizer.payloads.LateText`); the plan, and
  so ``sim``, shows it with the action's ``simulation_output``. Where ``sim``
  runs the command (``run_in_simulation``), the plan has the real values;
- **questions**: ``confirm`` asks while a real run plans (the answer decides
  what is planned, so what runs is what was planned); ``sim`` never asks.

A new chain starts with each matched entry (the planner gives each its own
``values``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from fileorganizer.errors import ConfigError
from fileorganizer.operations import Operation, OpKind, OpPayload
from fileorganizer.payloads import LATE_ROOTS
from fileorganizer.plans import Skip
from fileorganizer.vtree import NodeKind

if TYPE_CHECKING:
    from fileorganizer.actions.base import Action
    from fileorganizer.config.schema import Rule
    from fileorganizer.filters.base import FilterContext
    from fileorganizer.planner import Planner
    from fileorganizer.scan import FileEntry


@dataclass(frozen=True, slots=True)
class Question:
    """What ``confirm`` asks about one file (the CLI puts it on the terminal)."""

    path: str
    rule: str
    message: str
    default: bool


@dataclass
class _Chain:
    values: dict[str, Any]
    gate: str | None = None
    #: late placeholder -> (op_id that produces it, its value in the plan)
    late: dict[str, tuple[str, Any]] = field(default_factory=dict)
    #: placeholders an action of the chain made known while planning (sim ran it)
    known: dict[str, Any] = field(default_factory=dict)


class ChainContext:
    """Chain state and the operations of the running and writing actions (a mixin)."""

    planner: Planner
    rule: Rule
    values: dict[str, Any]
    fctx: FilterContext
    _chain: _Chain | None = None
    #: (id of a write action, outfile) written so far (``clear_before_first_write``)
    _written_by: set[tuple[int, str]]

    def context(self, entry: FileEntry, names: frozenset[str]) -> dict[str, Any]:
        """(provided by RuleContext)"""
        raise NotImplementedError

    def _op(self, kind: OpKind, entry: FileEntry, dst: str | None, action: Action) -> Operation:
        """(provided by RuleContext)"""
        raise NotImplementedError

    # -- the chain -------------------------------------------------------------
    def chain(self) -> _Chain:
        """The chain of the entry being planned (a new one for each entry)."""
        ch = self._chain
        if ch is None or ch.values is not self.values:
            ch = self._chain = _Chain(self.values)
        return ch

    @property
    def simulating(self) -> bool:
        """Whether this plan is for ``sim`` (``run_in_simulation`` actions run while planning)."""
        return bool(getattr(self.planner, "simulating", False))

    def _add(self, op: Operation) -> Operation:
        """Add ``op`` to the plan, after the chain's gate if there is one."""
        ch = self._chain
        if ch is not None and ch.gate is not None and ch.values is self.values:
            op = replace(op, after=ch.gate)
        return self.planner.add_operation(op)

    def variables(self, entry: FileEntry, names: frozenset[str]) -> dict[str, Any]:
        """The values of ``names`` for ``entry``; late ones as the plan has them."""
        ctx = self.context(entry, names)
        ch = self.chain()
        for name in names:
            if name in ch.known:
                ctx[name] = ch.known[name]
            elif name in ch.late:
                ctx[name] = ch.late[name][1]
        return ctx

    def late_sources(self, names: frozenset[str]) -> tuple[tuple[str, str], ...]:
        """The late placeholders among ``names`` and the op_id producing each."""
        ch = self.chain()
        return tuple(
            (n, ch.late[n][0])
            for n in sorted(names & LATE_ROOTS)
            if n in ch.late and n not in ch.known
        )

    def publish(self, name: str, value: Any, op_id: str | None = None) -> None:
        """Make ``{name}`` available to the later actions of this chain.

        With ``op_id`` the value is late: ``value`` is what the plan shows, and
        the operation's result replaces it when applied.
        """
        ch = self.chain()
        if op_id is None:
            ch.known[name] = value
            ch.late.pop(name, None)
        else:
            ch.late[name] = (op_id, value)
            ch.known.pop(name, None)

    # -- operations ------------------------------------------------------------
    def emit(
        self,
        kind: OpKind,
        entry: FileEntry,
        action: Action,
        *,
        payload: OpPayload | None = None,
        message: str | None = None,
        note: str | None = None,
        src: str | None = None,
        dst: str | None = None,
        gate: bool = False,
    ) -> Operation:
        """Plan an operation of ``kind`` for ``entry`` (``src``: another path it acts on).

        With ``gate``, the later operations of the chain wait for this one.
        """
        op = self._op(kind, entry, dst, action)
        changes: dict[str, Any] = {"payload": payload, "message": message, "note": note}
        if src is not None:
            changes.update(src=src, identity=None, check_inode=False)
        op = self._add(replace(op, **changes))
        if gate:
            self.chain().gate = op.op_id
        return op

    def leave(self, entry: FileEntry, reason: str) -> None:
        """Plan that ``entry`` is left alone (``sim`` lists it with ``reason``)."""
        self.planner.plan.skips.append(Skip(entry.path, self.rule.name, reason))

    def ask(self, entry: FileEntry, message: str, default: bool) -> bool | None:
        """The answer to ``message`` for ``entry``; None when planning ``sim`` (never asks).

        A real run with nobody to ask is refused before planning (see
        :func:`require_answerer`); this raises if it gets here anyway.
        """
        if self.simulating:
            return None
        ask = getattr(self.planner, "ask", None)
        if ask is None:
            raise ConfigError(no_terminal_message(self.rule.name))
        return bool(ask(Question(entry.path, self.rule.name, message, default)))

    def echo_text(self, entry: FileEntry, text: str, action: str = "confirm") -> None:
        """Plan a message that is plain text (already rendered)."""
        op = Operation(
            kind=OpKind.ECHO,
            src=entry.path,
            rule=self.rule.name,
            rule_index=self.rule.index,
            action=action,
            message=text,
        )
        self._add(op)

    @property
    def filter_context(self) -> FilterContext:
        """The rule's filter context (the clock, the environment, caches)."""
        return self.fctx

    @property
    def rule_name(self) -> str:
        """The rule's name."""
        return self.rule.name

    # -- files written ---------------------------------------------------------
    def vtree_kind(self, path: str) -> NodeKind:
        """What is at ``path`` at this point of the plan."""
        return self.planner.vtree.kind(path)

    def first_write(self, action: Action, path: str) -> bool:
        """Whether this is ``action``'s first write to ``path`` in this plan."""
        key = (id(action), path)
        if key in self._written_by:
            return False
        self._written_by.add(key)
        return True

    def outfile_exists(self, path: str) -> bool:
        """Whether ``path`` exists at this point of the plan (on disk, placed or written)."""
        written: set[str] = self.planner.outfiles
        return path in written or self.planner.vtree.exists(path)

    def wrote(self, path: str) -> None:
        """Record that the plan creates ``path`` by writing it."""
        self.planner.outfiles.add(path)

    def is_own_file(self, path: str) -> bool:
        """Whether ``path`` is at or below one of the tool's own paths (never written)."""
        p = os.path.normpath(path)
        own = self.planner.protected
        return any(p == q or p.startswith(q.rstrip(os.sep) + os.sep) for q in own)


def no_terminal_message(rule: str) -> str:
    """Why a run with a ``confirm`` action cannot go on without a terminal."""
    return (
        f"rule {rule!r} asks before acting (confirm), but there is no terminal to ask on "
        "(cron, CI, a pipe): run it from a terminal, or remove the confirm action"
    )


def rules_that_confirm(rules: Any) -> list[str]:
    """The names of ``rules`` that have a ``confirm`` action."""
    return [r.name for r in rules if any(a.name == "confirm" for a in r.actions)]


def require_answerer(rules: Any, ask: Any) -> None:
    """Raise :class:`ConfigError` when a rule confirms and nobody can answer."""
    if ask is None:
        names = rules_that_confirm(rules)
        if names:
            raise ConfigError(no_terminal_message(names[0]))


def refuse_confirm_in_watch(rules: Any) -> None:
    """Raise :class:`ConfigError` for a rule with ``confirm``: ``watch`` never asks."""
    names = rules_that_confirm(rules)
    if names:
        raise ConfigError(
            f"rule {names[0]!r} asks before acting (confirm), which watch cannot do "
            "(it runs unattended): remove the confirm action, or organize with run"
        )
