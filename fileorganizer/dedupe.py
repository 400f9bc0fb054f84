"""Duplicate groups -> a plan that removes the duplicates (``dupes --trash`` / ``--link``).

:func:`plan_dedupe` is pure: it turns the groups that
:func:`~fileorganizer.content.duplicates.find_duplicates` found into planned
operations, and touches nothing. The executor applies them like any plan, so
they are journaled, re-checked and undoable:

- ``trash``: each path of each duplicate goes to the trash, with ``same_as`` set
  to the original, so the executor compares the two byte for byte right before
  acting and skips the file if they differ by then.
- ``link``: the same trash operation, then a hard link from the original to
  the duplicate's path. The link has ``on_conflict: skip``: if the trash was
  skipped (the file changed), the link is skipped too instead of landing
  beside it. A duplicate on another device than its original cannot be
  hard-linked; it is left alone and listed in ``Plan.skips``.

The original of each group is whatever the group says (``dupes`` picks it with
``detect_original_by: auto``: the oldest modification time, then a name without
a copy marker, then the shortest path). Copies kept in an ``original``
location are never touched.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from enum import StrEnum

from fileorganizer.content.duplicates import DuplicateGroup, FileRef
from fileorganizer.operations import ConflictMode, Identity, Operation, OpKind
from fileorganizer.planner import Plan, Skip

#: The rule name the operations carry (shown in the history and summaries).
DEDUPE_RULE = "dupes"


class DedupeMode(StrEnum):
    """What becomes of a duplicate."""

    TRASH = "trash"
    LINK = "link"


def plan_dedupe(
    groups: Iterable[DuplicateGroup],
    mode: DedupeMode = DedupeMode.TRASH,
    *,
    rule: str = DEDUPE_RULE,
    token: str | None = None,
) -> Plan:
    """The operations that remove (or hard-link) every duplicate of ``groups``, in order.

    ``token`` prefixes the operation ids (default: a random one), as the planner's do.
    """
    prefix = token if token is not None else uuid.uuid4().hex[:8]
    builder = _Builder(Plan(), rule, prefix)
    for group in groups:
        original = group.original
        for dup in group.duplicates:
            if mode is DedupeMode.LINK and _other_device(dup, original):
                for path in dup.paths:
                    builder.skip(path, f"on another device than its original {original.path}")
                continue
            for path in dup.paths:  # every name of the duplicate inode
                builder.trash(path, dup.identity, original, mode)
                if mode is DedupeMode.LINK:
                    builder.link(original, path)
        builder.plan.entries_seen += group.count
    return builder.plan


def _other_device(dup: FileRef, original: FileRef) -> bool:
    return (
        dup.identity is not None
        and original.identity is not None
        and dup.identity.dev != original.identity.dev
    )


class _Builder:
    """Appends operations with consecutive sequence numbers and ids."""

    def __init__(self, plan: Plan, rule: str, prefix: str) -> None:
        self.plan = plan
        self.rule = rule
        self.prefix = prefix

    def _next(self) -> tuple[int, str]:
        seq = len(self.plan.operations)
        return seq, f"{self.prefix}{seq:08x}"

    def trash(
        self, path: str, identity: Identity | None, original: FileRef, mode: DedupeMode
    ) -> None:
        why = "replaced by a hard link to" if mode is DedupeMode.LINK else "duplicate of"
        seq, op_id = self._next()
        self.plan.operations.append(
            Operation(
                kind=OpKind.TRASH,
                src=path,
                rule=self.rule,
                action=f"dupes --{mode.value}",
                seq=seq,
                op_id=op_id,
                identity=identity,
                same_as=original.path,
                note=f"{why} {original.path}",
            )
        )

    def link(self, original: FileRef, path: str) -> None:
        seq, op_id = self._next()
        self.plan.operations.append(
            Operation(
                kind=OpKind.HARDLINK,
                src=original.path,
                dst=path,
                rule=self.rule,
                action="dupes --link",
                seq=seq,
                op_id=op_id,
                identity=original.identity,
                on_conflict=ConflictMode.SKIP,
                note=f"hard link to {original.path} in place of its duplicate",
            )
        )

    def skip(self, path: str, reason: str) -> None:
        self.plan.skips.append(Skip(path, self.rule, reason))
