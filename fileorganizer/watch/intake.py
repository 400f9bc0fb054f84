"""What the watcher takes in: observer events, rescans, and its watched folders.

:class:`Intake` is the part of the :class:`~fileorganizer.watch.loop.Watcher`
that turns events and rescans into pending paths (partial downloads, the
tool's own files and files the watcher handled and that did not change are
ignored), and that follows watched folders that disappear or come back.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
from collections.abc import Callable, Sequence

from fileorganizer.report import Reporter
from fileorganizer.scan import ScanSpec, scan
from fileorganizer.vtree import inside
from fileorganizer.watch.batch import WatchReporter
from fileorganizer.watch.lineage import Lineage
from fileorganizer.watch.observer import Event, Observers, Root
from fileorganizer.watch.settings import WatchStats
from fileorganizer.watch.stability import Stability, is_partial_name, sig_of

log = logging.getLogger("fileorganizer.watch")


class Intake:
    """Events and rescans in, pending paths out (a part of the watcher)."""

    clock: Callable[[], float]
    reporter: Reporter
    stats: WatchStats
    roots: list[Root]
    protected: tuple[str, ...]
    want_dirs: bool
    dropped_events: int
    _paused: bool
    _lock: threading.Lock
    _incoming: dict[str, float]
    _wake: threading.Event
    _stability: Stability
    _lineage: Lineage
    _observers: Observers
    _rescan_reason: str | None

    # -- events (observer thread) ---------------------------------------------
    def _on_event(self, event: Event) -> None:
        if self._paused:
            self.dropped_events += 1
            return
        if event.kind in ("opened", "closed_no_write"):
            return
        if event.is_directory and (event.kind == "modified" or not self.want_dirs):
            if event.kind == "deleted":
                self._wake.set()  # maybe a watched root: check it soon
            return
        now = self.clock()
        if event.path:
            with self._lock:
                self._incoming[event.path] = now
        self._wake.set()

    def _drain(self) -> None:
        with self._lock:
            incoming, self._incoming = self._incoming, {}
        for path, when in incoming.items():
            self._note(path, when, from_event=True)

    def _is_protected(self, path: str) -> bool:
        p = os.path.normpath(path)
        return any(inside(p, q) for q in self.protected)

    def _note(
        self, path: str, when: float, *, from_event: bool, st: os.stat_result | None = None
    ) -> bool:
        """Consider ``path`` (an event or a rescan found it); True if it is now pending."""
        if is_partial_name(os.path.basename(path)) or self._is_protected(path):
            return False
        try:
            st = st or os.lstat(path)
        except OSError:
            self._stability.discard(path)
            return False
        if stat.S_ISDIR(st.st_mode) and not self.want_dirs:
            return False
        sig = sig_of(st)
        if self._lineage.ignores(path, sig, from_event=from_event):
            log.debug("ignore %s: unchanged since the watcher handled it", path)
            return False
        self._stability.note(path, when, sig, from_event=from_event)
        return True

    # -- rescans and roots ---------------------------------------------------------
    def _rescan(self, reason: str, *, force: bool = False, only: Sequence[Root] = ()) -> None:
        self.stats.rescans += 1
        roots = list(only) or [r for r in self.roots if not r.missing]
        seen: set[str] = set()
        added = 0
        now = self.clock()
        targets = ("files", "dirs") if self.want_dirs else ("files",)
        for root in roots:
            for target in targets:
                spec = ScanSpec(
                    path=root.path,
                    subfolders=root.recursive,
                    max_depth=None if root.recursive else 0,
                    targets=target,
                    protected=self.protected,
                )
                for entry in scan(spec):
                    seen.add(entry.path)
                    try:
                        st = entry.lstat()
                    except OSError:
                        continue
                    if force:
                        self._lineage.forget(entry.path)
                    added += self._note(entry.path, now, from_event=False, st=st)
        if not only:
            self._lineage.prune(seen)
        log.log(
            logging.INFO if reason != "periodic" or added else logging.DEBUG,
            "%s rescan: %d file(s) to check",
            reason,
            added,
        )
        if isinstance(self.reporter, WatchReporter):
            self.reporter.rescanned(reason, added)

    def _missing(self, root: Root) -> None:
        log.warning("watched folder %s is missing; watching for it to come back", root.path)
        self._stability.discard_under(root.path)
        if isinstance(self.reporter, WatchReporter):
            self.reporter.location_missing(root.path)

    def _back(self, root: Root) -> None:
        log.warning("watched folder %s is back; watching it again", root.path)
        if isinstance(self.reporter, WatchReporter):
            self.reporter.location_back(root.path)
        self._rescan("folder back", only=[root])

    def _check_roots(self) -> None:
        self._observers.check(
            on_missing=self._missing,
            on_back=self._back,
            on_lost=lambda root: self._rescan("watch lost", only=[root]),
            on_restart=lambda: self._rescan("observer restart"),
        )
