"""The observer: watchdog's events for the watched folders (the only watchdog importer).

:class:`Observers` starts and stops a native (or polling) observer, schedules
a watch per root folder, and notices when a folder disappears, comes back, or
its watch dies (an emitter that stopped), so that the loop can rescan.
Watchdog's own warnings (an inotify queue overflow, a lost watch) become a
rescan request too.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

log = logging.getLogger("fileorganizer.watch")


@dataclass
class Root:
    """One watched folder."""

    path: str
    recursive: bool
    watch: ObservedWatch | None = None
    missing: bool = False


@dataclass(frozen=True)
class Event:
    """What the loop needs of a watchdog event."""

    kind: str
    path: str
    is_directory: bool


class _Handler(FileSystemEventHandler):
    """Runs in the observer thread: hands events over, nothing else."""

    def __init__(self, sink: Callable[[Event], None]) -> None:
        super().__init__()
        self._sink = sink

    def on_any_event(self, event: FileSystemEvent) -> None:
        path = event.dest_path if event.event_type == "moved" else event.src_path
        self._sink(Event(event.event_type, os.fsdecode(path), event.is_directory))


class _TroubleHandler(logging.Handler):
    """Turns watchdog's warnings (queue overflow, lost watches) into a rescan request."""

    def __init__(self, on_trouble: Callable[[str], None]) -> None:
        super().__init__(level=logging.WARNING)
        self._on_trouble = on_trouble

    def emit(self, record: logging.LogRecord) -> None:
        self._on_trouble(f"observer: {record.getMessage()}")


class Observers:
    """The observer and its watches over ``roots``."""

    def __init__(
        self,
        roots: list[Root],
        sink: Callable[[Event], None],
        *,
        polling: bool,
        poll_interval: float,
        on_trouble: Callable[[str], None],
    ) -> None:
        self.roots = roots
        self.polling = polling
        self.poll_interval = poll_interval
        self._observer: BaseObserver | None = None
        self._handler = _Handler(sink)
        self._trouble = _TroubleHandler(on_trouble)

    def __enter__(self) -> Observers:
        wd_logger = logging.getLogger("watchdog")
        wd_logger.addHandler(self._trouble)
        if wd_logger.getEffectiveLevel() > logging.WARNING:
            wd_logger.setLevel(logging.WARNING)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger("watchdog").removeHandler(self._trouble)
        self.stop()

    def schedule(self, root: Root) -> None:
        """Watch ``root`` (errors are logged; rescans then cover it)."""
        assert self._observer is not None
        try:
            root.watch = self._observer.schedule(self._handler, root.path, recursive=root.recursive)
        except OSError as exc:
            root.watch = None
            log.error("cannot watch %s (%s); relying on rescans for it", root.path, exc)

    def unschedule(self, root: Root) -> None:
        """Stop watching ``root``."""
        if self._observer is not None and root.watch is not None:
            with contextlib.suppress(KeyError, OSError):
                self._observer.unschedule(root.watch)
        root.watch = None

    def start(self, on_missing: Callable[[Root], None]) -> None:
        """Start the observer with a watch on every root that exists."""
        self._observer = PollingObserver(timeout=self.poll_interval) if self.polling else Observer()
        for root in self.roots:
            if os.path.isdir(root.path):
                self.schedule(root)
            else:
                root.missing = True
                on_missing(root)
        self._observer.start()
        kind = "polling" if self.polling else "native"
        log.info("watching %d folder(s) with %s events", len(self.roots), kind)

    def stop(self) -> None:
        """Stop the observer (waits for its thread)."""
        obs, self._observer = self._observer, None
        if obs is not None:
            obs.stop()
            obs.join(timeout=10)
        for root in self.roots:
            root.watch = None

    def check(
        self,
        *,
        on_missing: Callable[[Root], None],
        on_back: Callable[[Root], None],
        on_lost: Callable[[Root], None],
        on_restart: Callable[[], None],
    ) -> None:
        """Notice roots that vanished, came back or lost their watch; a dead observer."""
        obs = self._observer
        if obs is None:
            return
        if not obs.is_alive():
            log.error("the observer stopped; starting a new one and rescanning")
            self.stop()
            self.start(on_missing)
            on_restart()
            return
        dead = {e.watch for e in list(obs.emitters) if not e.is_alive()}
        for root in self.roots:
            exists = os.path.isdir(root.path)
            if root.missing and exists:
                root.missing = False
                self.schedule(root)
                on_back(root)
            elif not root.missing and not exists:
                root.missing = True
                self.unschedule(root)
                on_missing(root)
            elif not root.missing and (root.watch is None or root.watch in dead):
                log.warning("lost the watch on %s; watching it again and rescanning", root.path)
                self.unschedule(root)
                self.schedule(root)
                on_lost(root)
