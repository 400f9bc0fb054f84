"""What a run did, in numbers a person reads: by destination folder, by rule, by reason.

:class:`Summary` is fed one event at a time (by the CLI's reporter, or by the
undo printer) and keeps only counters plus the first few paths of each
failure reason, so its memory does not grow with the number of files: a
million-file run costs a few dictionaries, not a list of results.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from enum import StrEnum

from fileorganizer.operations import OpKind

#: paths kept per reason (the rest are only counted; ``-v`` and the history have all)
MAX_PATHS = 3
#: distinct reasons kept per kind of outcome; later ones count as "other reasons"
MAX_REASONS = 50
#: distinct destination folders counted one by one; later ones count as "other folders"
MAX_FOLDERS = 10_000

#: kinds that make or remove the tool's own folders and leftovers, not users' files
FOLDER_KINDS = frozenset({OpKind.RMDIR, OpKind.MKDIR, OpKind.CLEANUP})

OTHER_REASONS = "other reasons"
OTHER_FOLDERS = "(other folders)"
TRASH_FOLDER = "(the trash)"
DELETED_FOLDER = "(deleted permanently)"

#: ": …" at the end of a message, where the file's own path was
_TRAILING_OWN = re.compile(r"(?::\s*)?…$")


class Outcome(StrEnum):
    """The groups of files that were not done, each listed by reason."""

    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_PLANNED = "not planned"
    LEFT_ALONE = "left alone"
    IRREVERSIBLE = "cannot be undone"


@dataclass
class Tally:
    """Files and bytes."""

    files: int = 0
    bytes: int = 0

    def add(self, size: int) -> None:
        """Count one file of ``size`` bytes."""
        self.files += 1
        self.bytes += size

    def to_dict(self) -> dict[str, int]:
        """A JSON-ready form."""
        return {"files": self.files, "bytes": self.bytes}


@dataclass
class ReasonGroup:
    """How many files share one reason, and the first few of their paths."""

    count: int = 0
    paths: list[str] = field(default_factory=list)

    def add(self, path: str, keep: int = MAX_PATHS) -> None:
        """Count one file (and keep its path while fewer than ``keep`` are kept)."""
        self.count += 1
        if len(self.paths) < keep:
            self.paths.append(path)

    def to_dict(self, reason: str) -> dict[str, object]:
        """A JSON-ready form."""
        return {"reason": reason, "count": self.count, "first_paths": list(self.paths)}


def reason_key(text: str, *paths: str | None) -> str:
    """``text`` without the file-specific paths in it, so that files can share a reason.

    ``"/d/a.txt exists (on_conflict: skip)"`` and ``"/d/b.txt exists ..."``
    both become ``"destination exists (on_conflict: skip)"`` when the paths
    given are the files' own (a path they share, such as a folder that is
    not writable, stays: it is the point of the message); a trailing
    ``": <own path>"`` (an OS error's file name) is dropped.
    """
    key = text.strip()
    for path in sorted((p for p in paths if p), key=len, reverse=True):
        if path in key:
            key = key.replace(path, "…")
    key = _TRAILING_OWN.sub("", key).rstrip(" :")
    if key.startswith("… "):
        key = "destination " + key[2:]
    return " ".join(key.split()) or "no reason given"


#: an undo's removals of the copies and links a run made, as the summary names them
_REMOVALS = {
    OpKind.REMOVE_COPY: "(copies removed)",
    OpKind.REMOVE_SYMLINK: "(symlinks removed)",
    OpKind.REMOVE_HARDLINK: "(hard links removed)",
}


def destination_folder(kind: OpKind, dst: str | None) -> str | None:
    """Where an operation puts its file, as a folder for the summary (None: not counted)."""
    if kind is OpKind.TRASH:
        return TRASH_FOLDER
    if kind is OpKind.DELETE:
        return DELETED_FOLDER
    removal = _REMOVALS.get(kind)
    if removal is not None:  # an undo removing a copy or a link the run made
        return removal
    if not dst or kind is OpKind.ECHO:
        return None
    return os.path.dirname(dst) or "."


class Summary:
    """Aggregate counters of one run (or simulation, or undo)."""

    def __init__(self, *, dry_run: bool = False, max_paths: int = MAX_PATHS) -> None:
        self.dry_run = dry_run
        self.max_paths = max_paths
        self.planned = 0
        self.done = Tally()
        self.echoes = 0
        #: folders made or removed, leftovers cleaned up (counted apart from files)
        self.folder_ops = 0
        #: of those, the folders made again (an undo of an undo makes what it removed)
        self.folders_made = 0
        #: copy destination -> the folder it was counted under (until moved on)
        self._copies: dict[str, str] = {}
        #: operations done that an undo can reverse (a shell command, a write... cannot)
        self.reversible = 0
        self.by_folder: dict[str, Tally] = {}
        self.by_rule: dict[str, Tally] = {}
        self.groups: dict[Outcome, dict[str, ReasonGroup]] = {o: {} for o in Outcome}

    # -- feeding ---------------------------------------------------------------
    def add_planned(self) -> None:
        """One operation was planned."""
        self.planned += 1

    def add_done(
        self,
        kind: OpKind,
        dst: str | None,
        rule: str,
        size: int,
        *,
        folder: str | None = None,
        src: str | None = None,
    ) -> None:
        """One operation was carried out (or, in a simulation, would be).

        It is counted under ``folder``, or else the folder of ``dst`` (see
        :func:`destination_folder`). A copy that a later operation (``src``) takes
        on elsewhere is counted where it ends, not also where it was made.
        """
        if src is not None and self._copies:
            made_in = self._copies.pop(src, None)
            if made_in is not None:
                self._uncount(made_in, size)
        if kind is OpKind.ECHO:
            self.echoes += 1
            return
        if kind in FOLDER_KINDS:
            self.folder_ops += 1  # the tool's own folders: not files organized
            if kind is OpKind.MKDIR:
                self.folders_made += 1
            return
        self.done.add(size)
        if kind.reversible:
            self.reversible += 1
        if folder is None:
            folder = destination_folder(kind, dst)
        if folder is not None:
            tally = self.by_folder.get(folder)
            if tally is None:
                if len(self.by_folder) >= MAX_FOLDERS:
                    folder = OTHER_FOLDERS
                tally = self.by_folder.setdefault(folder, Tally())
            tally.add(size)
            if kind is OpKind.COPY and dst is not None:
                self._copies[dst] = folder
        rule_tally = self.by_rule.get(rule)
        if rule_tally is None:
            rule_tally = self.by_rule[rule] = Tally()
        rule_tally.add(size)

    def _uncount(self, folder: str, size: int) -> None:
        tally = self.by_folder.get(folder)
        if tally is None:
            return
        tally.files -= 1
        tally.bytes -= size
        if tally.files <= 0:
            del self.by_folder[folder]

    def add_outcome(self, outcome: Outcome, reason: str, path: str) -> None:
        """One file that was not done, and why (``reason`` already path-free)."""
        groups = self.groups[outcome]
        group = groups.get(reason)
        if group is None:
            if len(groups) >= MAX_REASONS:
                reason = OTHER_REASONS
            group = groups.setdefault(reason, ReasonGroup())
        group.add(path, self.max_paths)

    # -- reading ---------------------------------------------------------------
    def count(self, outcome: Outcome) -> int:
        """How many files ended in ``outcome``."""
        return sum(g.count for g in self.groups[outcome].values())

    def ranked(self, outcome: Outcome) -> list[tuple[str, ReasonGroup]]:
        """The reasons of ``outcome``, most frequent first."""
        return sorted(self.groups[outcome].items(), key=lambda kv: (-kv[1].count, kv[0]))

    @property
    def changed_anything(self) -> bool:
        """Whether an operation that changes the disk was carried out."""
        return self.done.files > 0

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form (the ``summary`` of ``--format json``/``jsonl``)."""

        def tallies(d: dict[str, Tally]) -> list[dict[str, object]]:
            ranked = sorted(d.items(), key=lambda kv: (-kv[1].files, kv[0]))
            return [{"name": k, **v.to_dict()} for k, v in ranked]

        return {
            "files": self.done.files,
            "bytes": self.done.bytes,
            "by_destination": tallies(self.by_folder),
            "by_rule": tallies(self.by_rule),
            "reasons": {
                o.name.lower(): [g.to_dict(reason) for reason, g in self.ranked(o)]
                for o in Outcome
                if self.groups[o]
            },
        }
