"""Which files are finished: the stability check of watch mode.

A path is pending from its first event (or rescan) until its size, mtime and
inode have stayed the same for ``stable_seconds`` on a monotonic clock with no
event in between, and it has no partial-download name and no ``X.part`` /
``X.crdownload`` sibling. Only then is it ready for a batch.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

from fileorganizer.scan import DEFAULT_EXCLUDE_FILES, PARTIAL_SUFFIXES, matches_any
from fileorganizer.vtree import inside

log = logging.getLogger("fileorganizer.watch")

#: (dev, ino, size, mtime_ns): what must stay the same for a file to count as stable.
Sig = tuple[int, int, int, int]


def sig_of(st: os.stat_result) -> Sig:
    """The stability signature of a stat result."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def is_partial_name(name: str) -> bool:
    """Whether ``name`` is a download in progress or a temporary file (never acted on)."""
    return matches_any(name, DEFAULT_EXCLUDE_FILES)


def has_partial_sibling(path: str) -> bool:
    """Whether ``path.part`` / ``path.crdownload`` / ``path.download`` exists beside it."""
    return any(os.path.lexists(path + suffix) for suffix in PARTIAL_SUFFIXES)


@dataclass
class Pending:
    """A path waiting to become stable."""

    last_event: float
    sig: Sig
    since: float


class Stability:
    """The pending paths and when each is due."""

    def __init__(self, stable_seconds: float, clock: Callable[[], float]) -> None:
        self.stable_seconds = stable_seconds
        self.clock = clock
        self.pending: dict[str, Pending] = {}
        self.next_due = float("inf")

    def __len__(self) -> int:
        return len(self.pending)

    def note(self, path: str, when: float, sig: Sig, *, from_event: bool) -> None:
        """``path`` was seen with ``sig`` (an event at ``when``, or a rescan)."""
        now = self.clock()
        pending = self.pending.get(path)
        if pending is None:
            log.debug("pending %s", path)
            self.pending[path] = Pending(when, sig, now)
            return
        if from_event:
            pending.last_event = max(pending.last_event, when)
        if pending.sig != sig:
            pending.sig, pending.since = sig, now

    def discard(self, path: str) -> None:
        """Forget ``path`` (gone, or handled)."""
        self.pending.pop(path, None)

    def discard_under(self, folder: str) -> None:
        """Forget every path below ``folder`` (a watched folder disappeared)."""
        self.pending = {p: v for p, v in self.pending.items() if not inside(p, folder)}

    def sig(self, path: str) -> Sig | None:
        """The signature ``path`` was last seen with, if it is pending."""
        p = self.pending.get(path)
        return None if p is None else p.sig

    def postpone(self, paths: list[str] | tuple[str, ...]) -> None:
        """Count ``paths`` as just changed (another instance held the lock)."""
        now = self.clock()
        for path in paths:
            if path in self.pending:
                self.pending[path].last_event = now

    def ready(self, blocked: Callable[[str, Sig], bool]) -> list[str]:
        """The paths stable now, sorted (``blocked`` ones are dropped: the loop guard)."""
        now = self.clock()
        stable = self.stable_seconds
        ready: list[str] = []
        self.next_due = float("inf")
        for path, p in list(self.pending.items()):
            due = max(p.last_event, p.since) + stable
            if now < due:
                self.next_due = min(self.next_due, due)
                continue
            try:
                sig = sig_of(os.lstat(path))
            except OSError:
                del self.pending[path]
                continue
            if sig != p.sig or has_partial_sibling(path):
                why = "not stable yet" if sig != p.sig else "still downloading (partial sibling)"
                log.debug("%s: %s", why, path)
                p.sig, p.since = sig, now
                self.next_due = min(self.next_due, now + stable)
                continue
            if blocked(path, sig):
                del self.pending[path]
                continue
            ready.append(path)
        return sorted(ready)

    def tick(self) -> float:
        """How long to sleep: until the next pending path is due (events wake us early)."""
        if self.pending:
            return max(0.01, min(0.5, self.next_due - self.clock()))
        return 0.5
