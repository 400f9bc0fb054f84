"""What the watcher remembers: files it handled, and the loop guard over move lineages.

``known`` holds each file the watcher planned and left in place and each file
its own operations produced, with the signature it had then: an event or a
rescan for a known, unchanged file is ignored, so the tool's own moves never
trigger it again. A *lineage* is a file and everything the watcher moved it
to; the guard counts moves per lineage and stops a file that rules keep moving
back and forth.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from fileorganizer.operations import Identity, OpKind, OpResult, OpStatus
from fileorganizer.watch.settings import WatchSettings
from fileorganizer.watch.stability import Sig, sig_of

log = logging.getLogger("fileorganizer.watch")

_PRODUCES = (OpKind.MOVE, OpKind.RENAME, OpKind.COPY, OpKind.HARDLINK, OpKind.SYMLINK)


@dataclass
class Known:
    """A file the watcher handled, as it was then."""

    sig: Sig
    at: float
    chain: int
    blocked: bool = False


class Lineage:
    """Known files and move counts per lineage."""

    def __init__(self, settings: WatchSettings, clock: Callable[[], float]) -> None:
        self.settings = settings
        self.clock = clock
        self.known: dict[str, Known] = {}
        self.moves: dict[int, deque[float]] = {}
        self._chains = itertools.count(1)

    def ignores(self, path: str, sig: Sig, *, from_event: bool) -> bool:
        """Whether ``path`` is known and unchanged since the watcher handled it."""
        known = self.known.get(path)
        if known is None or known.sig != sig:
            return False
        fresh = self.clock() - known.at < self.settings.replan_interval
        return from_event or fresh or known.blocked

    def forget(self, path: str) -> None:
        """Forget ``path`` (a catch-up pass plans everything again)."""
        self.known.pop(path, None)

    def chain(self, path: str) -> int:
        """The lineage of ``path`` (a new one for a file never seen)."""
        known = self.known.get(path)
        return known.chain if known is not None else next(self._chains)

    def looping(self, path: str, sig: Sig) -> int:
        """How often ``path``'s lineage moved in the window, if that stops it (else 0)."""
        known = self.known.get(path)
        if known is None:
            return 0
        times = self.moves.get(known.chain)
        if not times:
            return 0
        horizon = self.clock() - self.settings.loop_window
        while times and times[0] < horizon:
            times.popleft()
        if len(times) < self.settings.loop_max_moves:
            return 0
        self.known[path] = Known(sig, self.clock(), known.chain, blocked=True)
        return len(times)

    def prune(self, seen: set[str]) -> None:
        """Forget files no longer there and moves outside the window."""
        self.known = {p: k for p, k in self.known.items() if p in seen}
        horizon = self.clock() - self.settings.loop_window
        for chain in list(self.moves):
            times = self.moves[chain]
            while times and times[0] < horizon:
                times.popleft()
            if not times:
                del self.moves[chain]

    def failed(self, path: str, sig: Sig) -> None:
        """``path`` could not be handled: leave it until it changes."""
        self.known[path] = Known(sig, self.clock(), next(self._chains))

    def record(
        self, results: list[OpResult], sigs: dict[str, Sig], watched: Callable[[str], bool]
    ) -> None:
        """Remember a batch: what moved (and where to), and what stayed."""
        now = self.clock()
        chains = {p: self.chain(p) for p in sigs}
        gone: set[str] = set()
        for r in results:
            if r.status is not OpStatus.DONE:
                continue
            op = r.op
            chain = chains.get(op.src) or self.chain(op.src)
            if op.kind.removes_source:
                gone.add(op.src)
                self.known.pop(op.src, None)
                if op.kind in (OpKind.MOVE, OpKind.RENAME):
                    self.moves.setdefault(chain, deque()).append(now)
            dst = r.dst if r.dst is not None else op.dst
            if dst and op.kind in _PRODUCES and watched(dst):
                sig = _sig_after(r, dst)
                if sig is not None:
                    self.known[dst] = Known(sig, now, chain)
                    chains[dst] = chain
        for path, sig in sigs.items():
            if path not in gone:
                self.known[path] = Known(sig, now, chains[path])


def _sig_after(r: OpResult, dst: str) -> Sig | None:
    ident: Identity | None = r.identity_after
    if ident is not None and r.op.kind is not OpKind.SYMLINK:
        return (ident.dev, ident.ino, ident.size, ident.mtime_ns)
    try:
        return sig_of(os.lstat(dst))
    except OSError:
        return None
