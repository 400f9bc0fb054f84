"""Watch mode: watchdog events -> debounce -> stable-file check -> plan -> apply.

A :class:`Watcher` watches every location of the enabled rules (recursively
where ``subfolders`` is on), first runs one catch-up pass over what is already
there, then handles events. A file is acted on only once its size, mtime and
inode have stayed the same for ``stable_seconds`` (on a monotonic clock, with
no event in between), it has no partial-download name and no ``X.part`` /
``X.crdownload`` sibling. Stable files are handed, in batches, to
:func:`fileorganizer.session.organize` with ``only=`` and mode ``watch``: the
same planner, executor, journal, lock and history as ``run``.

What the watcher remembers (``known``): each file it planned and left in place
and each file its own operations produced, with the signature it had then. An
event or a rescan for a known, unchanged file is ignored, so the tool's own
moves never trigger it again. A guard counts moves per *lineage* (a file and
everything the watcher moved it to) and stops a file that rules keep moving
back and forth. A periodic reconciliation rescan (and a rescan whenever
watchdog logs a warning, e.g. an inotify queue overflow, or an emitter dies)
catches anything the events missed.

The watcher never prints: it logs to the ``fileorganizer.watch`` logger and
reports engine events through the :class:`~fileorganizer.report.Reporter`.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import stat
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from fileorganizer.config import Config
from fileorganizer.errors import ConfigError, LockHeldError
from fileorganizer.heartbeat import write_heartbeat
from fileorganizer.operations import Identity, Operation, OpKind, OpResult, OpStatus
from fileorganizer.report import Problem, Reporter
from fileorganizer.scan import (
    DEFAULT_EXCLUDE_FILES,
    PARTIAL_SUFFIXES,
    ScanSpec,
    matches_any,
    scan,
)
from fileorganizer.session import SessionOptions, SessionResult, make_planner, organize

log = logging.getLogger("fileorganizer.watch")

#: (dev, ino, size, mtime_ns): what must stay the same for a file to count as stable.
Sig = tuple[int, int, int, int]
#: Plans and applies one batch: ``(config, options, only) -> SessionResult``.
OrganizeFn = Callable[[Config, SessionOptions, Sequence[str]], SessionResult]

_PRODUCES = (OpKind.MOVE, OpKind.RENAME, OpKind.COPY, OpKind.HARDLINK, OpKind.SYMLINK)


@dataclass(frozen=True)
class WatchSettings:
    """How the watcher behaves. Every field is a keyword of :func:`watch`."""

    #: Seconds a file's size/mtime/inode must stay unchanged (and no event arrive).
    stable_seconds: float = 2.0
    #: Seconds between reconciliation rescans (0 disables them).
    rescan_interval: float = 300.0
    #: Use a polling observer (network drives, containers) instead of native events.
    polling: bool = False
    #: Seconds between snapshots of the polling observer.
    poll_interval: float = 1.0
    #: Seconds between heartbeat writes.
    heartbeat_interval: float = 10.0
    #: Seconds between checks that every watched folder still exists.
    root_check_interval: float = 2.0
    #: A rescan plans again an unchanged file the watcher dealt with this long ago
    #: (so age-based filters eventually match); 0 plans every file at every rescan.
    replan_interval: float = 6 * 3600.0
    #: The loop guard: at most this many moves of one file's lineage ...
    loop_max_moves: int = 4
    #: ... within this many seconds.
    loop_window: float = 3600.0
    #: At most this many files per batch (one ``organize`` call, one history run).
    max_batch: int = 2000
    #: Seconds one batch waits for another instance's lock before retrying later.
    lock_wait: float = 10.0

    def __post_init__(self) -> None:
        if self.stable_seconds < 0 or self.rescan_interval < 0 or self.replan_interval < 0:
            raise ConfigError(
                "watch: stable_seconds, rescan_interval and replan_interval must be >= 0"
            )
        if self.poll_interval <= 0 or self.heartbeat_interval <= 0 or self.root_check_interval <= 0:
            raise ConfigError("watch: intervals must be > 0")
        if self.loop_max_moves < 1 or self.max_batch < 1:
            raise ConfigError("watch: loop_max_moves and max_batch must be >= 1")


@dataclass
class WatchStats:
    """Counters of what a watcher did (also written to the heartbeat)."""

    batches: int = 0
    applied: int = 0
    skipped: int = 0
    failed: int = 0
    problems: int = 0
    errors: int = 0
    loops_stopped: int = 0
    rescans: int = 0
    lock_waits: int = 0

    def to_dict(self) -> dict[str, int]:
        """A JSON-ready copy."""
        return dict(self.__dict__)


class WatchReporter(Reporter):
    """A :class:`Reporter` with the watcher's own events (all optional no-ops)."""

    def batch(self, session: SessionResult) -> None:
        """A batch was planned and applied."""

    def loop_stopped(self, path: str, moves: int, window: float) -> None:
        """The loop guard stopped ``path`` after ``moves`` moves within ``window`` s."""

    def location_missing(self, path: str) -> None:
        """A watched folder disappeared."""

    def location_back(self, path: str) -> None:
        """A watched folder that had disappeared is back and watched again."""

    def rescanned(self, reason: str, files: int) -> None:
        """A rescan (``catch-up``, ``periodic``, ``overflow``, ...) enqueued ``files`` files."""


@dataclass
class _Root:
    path: str
    recursive: bool
    watch: ObservedWatch | None = None
    missing: bool = False


@dataclass
class _Pending:
    last_event: float
    sig: Sig
    since: float


@dataclass
class _Known:
    sig: Sig
    at: float
    chain: int
    blocked: bool = False


def organize_batch(config: Config, options: SessionOptions, only: Sequence[str]) -> SessionResult:
    """One watch batch: :func:`~fileorganizer.session.organize` restricted to ``only``."""
    return organize(config, replace(options, only=list(only)))


def sig_of(st: os.stat_result) -> Sig:
    """The stability signature of a stat result."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def is_partial_name(name: str) -> bool:
    """Whether ``name`` is a download in progress or a temporary file (never acted on)."""
    return matches_any(name, DEFAULT_EXCLUDE_FILES)


def has_partial_sibling(path: str) -> bool:
    """Whether ``path.part`` / ``path.crdownload`` / ``path.download`` exists beside it."""
    return any(os.path.lexists(path + suffix) for suffix in PARTIAL_SUFFIXES)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def tolerant_config(config: Config) -> Config:
    """``config`` with every location marked ``ignore_errors``.

    The watcher reports a vanished folder itself; a batch for another folder
    must not fail because one location is gone.
    """
    rules = tuple(
        replace(
            rule,
            locations=tuple(
                loc.model_copy(update={"ignore_errors": True}) for loc in rule.locations
            ),
        )
        for rule in config.rules
    )
    return replace(config, rules=rules)


class _Handler(FileSystemEventHandler):
    """Runs in the observer thread: records event paths, nothing else."""

    def __init__(self, sink: Callable[[FileSystemEvent], None]) -> None:
        super().__init__()
        self._sink = sink

    def on_any_event(self, event: FileSystemEvent) -> None:
        self._sink(event)


class _TroubleHandler(logging.Handler):
    """Turns watchdog's warnings (queue overflow, lost watches) into a rescan."""

    def __init__(self, watcher: Watcher) -> None:
        super().__init__(level=logging.WARNING)
        self._watcher = watcher

    def emit(self, record: logging.LogRecord) -> None:
        self._watcher.request_rescan(f"observer: {record.getMessage()}")


class _BatchReporter(Reporter):
    """Forwards engine events and keeps the heartbeat fresh during a long batch."""

    wants_progress = True

    def __init__(self, inner: Reporter, beat: Callable[[], None]) -> None:
        self.inner = inner
        self.beat = beat

    def planned(self, op: Operation) -> None:
        self.inner.planned(op)

    def problem(self, problem: Problem) -> None:
        self.inner.problem(problem)

    def applied(self, result: OpResult) -> None:
        self.inner.applied(result)

    def skipped(self, result: OpResult) -> None:
        self.inner.skipped(result)

    def failed(self, result: OpResult) -> None:
        self.inner.failed(result)

    def echo(self, op: Operation) -> None:
        self.inner.echo(op)

    def progress(self, done: int, total: int | None, phase: str) -> None:
        self.beat()
        if self.inner.wants_progress:
            self.inner.progress(done, total, phase)

    def log(self, level: str, message: str) -> None:
        self.inner.log(level, message)


class Watcher:
    """Watches the rules' locations and organizes stable files in batches.

    ``run()`` blocks until :meth:`stop` (any thread) or :meth:`request_stop`
    (safe in a signal handler) is called; the batch in progress is finished
    first. One instance runs once.
    """

    def __init__(
        self,
        config: Config,
        options: SessionOptions,
        settings: WatchSettings | None = None,
        *,
        organize_fn: OrganizeFn = organize_batch,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        # a stop request (SIGTERM) ends a batch after the current file, not the batch
        self.options = replace(options, should_stop=lambda: self._stop)
        self.settings = settings or WatchSettings()
        self.organize_fn = organize_fn
        self.clock = clock
        self.stats = WatchStats()
        self.reporter = options.reporter
        planner = make_planner(config, options)
        planner.check_locations()
        self.rules = planner.rules
        self.want_dirs = any(r.targets == "dirs" for r in self.rules)
        self.protected = tuple(os.path.normpath(p) for p in planner.protected)
        self.roots = self._roots(planner)
        self._tolerant = tolerant_config(config)
        self._observer: BaseObserver | None = None
        self._handler = _Handler(self._on_event)
        self._trouble = _TroubleHandler(self)
        self._lock = threading.Lock()
        self._incoming: dict[str, float] = {}
        self._wake = threading.Event()
        self._stop = False
        self._paused = False
        #: Events dropped while paused (see :meth:`pause_events`).
        self.dropped_events = 0
        self._rescan_reason: str | None = None
        self._pending: dict[str, _Pending] = {}
        self._known: dict[str, _Known] = {}
        self._moves: dict[int, deque[float]] = {}
        self._chains = itertools.count(1)
        self._started_wall = time.time()
        #: Set once the observer runs and the catch-up pass has been scanned.
        self.started = threading.Event()
        self._next_heartbeat = 0.0
        self._next_due = float("inf")

    # -- control (thread-safe) ----------------------------------------------
    def stop(self) -> None:
        """Ask the watcher to finish the batch in progress and return from ``run``."""
        self._stop = True
        self._wake.set()

    def request_stop(self) -> None:
        """Like :meth:`stop`, but safe inside a signal handler (takes no lock)."""
        self._stop = True

    def request_rescan(self, reason: str) -> None:
        """Ask for a reconciliation rescan at the next tick."""
        self._rescan_reason = reason
        self._wake.set()

    def pause_events(self) -> None:
        """Drop events until :meth:`resume_events` (they are lost, as in an overflow)."""
        self._paused = True

    def resume_events(self) -> None:
        """Accept events again."""
        self._paused = False

    @property
    def pending_count(self) -> int:
        """How many paths wait to become stable."""
        return len(self._pending)

    # -- setup ----------------------------------------------------------------
    @staticmethod
    def _roots(planner: Any) -> list[_Root]:
        roots: dict[str, bool] = {}
        for rule in planner.rules:
            for loc in planner.locations_of(rule):
                path = os.path.normpath(os.path.abspath(loc.path))
                depth = (
                    loc.max_depth if loc.max_depth is not None else (None if rule.subfolders else 0)
                )
                roots[path] = roots.get(path, False) or depth != 0
        return [_Root(p, rec) for p, rec in sorted(roots.items())]

    def _new_observer(self) -> BaseObserver:
        if self.settings.polling:
            return PollingObserver(timeout=self.settings.poll_interval)
        return Observer()

    def _schedule(self, root: _Root) -> None:
        assert self._observer is not None
        try:
            root.watch = self._observer.schedule(self._handler, root.path, recursive=root.recursive)
        except OSError as exc:
            root.watch = None
            log.error("cannot watch %s (%s); relying on rescans for it", root.path, exc)

    def _unschedule(self, root: _Root) -> None:
        if self._observer is not None and root.watch is not None:
            with contextlib.suppress(KeyError, OSError):
                self._observer.unschedule(root.watch)
        root.watch = None

    def _start_observer(self) -> None:
        self._observer = self._new_observer()
        for root in self.roots:
            if os.path.isdir(root.path):
                self._schedule(root)
            else:
                root.missing = True
                self._missing(root)
        self._observer.start()
        kind = "polling" if self.settings.polling else "native"
        log.info("watching %d folder(s) with %s events", len(self.roots), kind)

    def _stop_observer(self) -> None:
        obs, self._observer = self._observer, None
        if obs is not None:
            obs.stop()
            obs.join(timeout=10)
        for root in self.roots:
            root.watch = None

    # -- events (observer thread) ---------------------------------------------
    def _on_event(self, event: FileSystemEvent) -> None:
        if self._paused:
            self.dropped_events += 1
            return
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and (event.event_type == "modified" or not self.want_dirs):
            if event.event_type == "deleted":
                self._wake.set()  # maybe a watched root: check it soon
            return
        now = self.clock()
        paths = [os.fsdecode(event.src_path)]
        if event.event_type == "moved":
            paths = [os.fsdecode(event.dest_path)]
        with self._lock:
            for p in paths:
                if p:
                    self._incoming[p] = now
        self._wake.set()

    # -- main loop ---------------------------------------------------------------
    def run(self) -> WatchStats:
        """Watch until stopped; return the counters."""
        wd_logger = logging.getLogger("watchdog")
        wd_logger.addHandler(self._trouble)
        if wd_logger.getEffectiveLevel() > logging.WARNING:
            wd_logger.setLevel(logging.WARNING)
        try:
            self._start_observer()
            self._rescan("catch-up", force=True)
            self.started.set()
            next_rescan = self._next(self.settings.rescan_interval)
            next_roots = self.clock() + self.settings.root_check_interval
            while not self._stop:
                self._wake.clear()
                self._drain()
                now = self.clock()
                if self._rescan_reason is not None:
                    reason, self._rescan_reason = self._rescan_reason, None
                    log.warning("%s; rescanning", reason)
                    self._rescan("overflow")
                if now >= next_roots:
                    self._check_roots()
                    next_roots = now + self.settings.root_check_interval
                if now >= next_rescan:
                    self._rescan("periodic")
                    next_rescan = self._next(self.settings.rescan_interval)
                self._process_ready()
                self._heartbeat()
                if not self._stop:
                    self._wake.wait(self._tick())
        finally:
            wd_logger.removeHandler(self._trouble)
            self._stop_observer()
            self._heartbeat(state="stopped")
            log.info(
                "stopped: %d batch(es), %d applied, %d failed",
                self.stats.batches,
                self.stats.applied,
                self.stats.failed,
            )
        return self.stats

    def _next(self, interval: float) -> float:
        return self.clock() + interval if interval > 0 else float("inf")

    def _tick(self) -> float:
        """How long to sleep: until the next pending file is due (events wake us early)."""
        if self._pending:
            return max(0.01, min(0.5, self._next_due - self.clock()))
        return 0.5

    def _drain(self) -> None:
        with self._lock:
            incoming, self._incoming = self._incoming, {}
        for path, when in incoming.items():
            self._note(path, when, from_event=True)

    def _is_protected(self, path: str) -> bool:
        p = os.path.normpath(path)
        return any(_inside(p, q) for q in self.protected)

    def _note(
        self, path: str, when: float, *, from_event: bool, st: os.stat_result | None = None
    ) -> bool:
        """Consider ``path`` (an event or a rescan found it); True if it is now pending."""
        if is_partial_name(os.path.basename(path)) or self._is_protected(path):
            return False
        try:
            st = st or os.lstat(path)
        except OSError:
            self._pending.pop(path, None)
            return False
        if stat.S_ISDIR(st.st_mode) and not self.want_dirs:
            return False
        sig = sig_of(st)
        now = self.clock()
        known = self._known.get(path)
        if known is not None and known.sig == sig:
            fresh = now - known.at < self.settings.replan_interval
            if from_event or fresh or known.blocked:
                log.debug("ignore %s: unchanged since the watcher handled it", path)
                return False
        pending = self._pending.get(path)
        if pending is None:
            log.debug("pending %s", path)
            self._pending[path] = _Pending(when, sig, now)
        else:
            if from_event:
                pending.last_event = max(pending.last_event, when)
            if pending.sig != sig:
                pending.sig, pending.since = sig, now
        return True

    # -- rescans and roots ---------------------------------------------------------
    def _rescan(self, reason: str, *, force: bool = False, only: Sequence[_Root] = ()) -> None:
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
                        self._known.pop(entry.path, None)
                    added += self._note(entry.path, now, from_event=False, st=st)
        if not only:
            self._prune(seen)
        log.log(
            logging.INFO if reason != "periodic" or added else logging.DEBUG,
            "%s rescan: %d file(s) to check",
            reason,
            added,
        )
        if isinstance(self.reporter, WatchReporter):
            self.reporter.rescanned(reason, added)

    def _prune(self, seen: set[str]) -> None:
        self._known = {p: k for p, k in self._known.items() if p in seen}
        horizon = self.clock() - self.settings.loop_window
        for chain in list(self._moves):
            times = self._moves[chain]
            while times and times[0] < horizon:
                times.popleft()
            if not times:
                del self._moves[chain]

    def _missing(self, root: _Root) -> None:
        log.warning("watched folder %s is missing; watching for it to come back", root.path)
        if isinstance(self.reporter, WatchReporter):
            self.reporter.location_missing(root.path)

    def _check_roots(self) -> None:
        obs = self._observer
        if obs is None:
            return
        if not obs.is_alive():
            log.error("the observer stopped; starting a new one and rescanning")
            self._stop_observer()
            self._start_observer()
            self._rescan("observer restart")
            return
        dead = {e.watch for e in list(obs.emitters) if not e.is_alive()}
        for root in self.roots:
            exists = os.path.isdir(root.path)
            if root.missing and exists:
                root.missing = False
                self._schedule(root)
                log.warning("watched folder %s is back; watching it again", root.path)
                if isinstance(self.reporter, WatchReporter):
                    self.reporter.location_back(root.path)
                self._rescan("folder back", only=[root])
            elif not root.missing and not exists:
                root.missing = True
                self._unschedule(root)
                self._pending = {
                    p: v for p, v in self._pending.items() if not _inside(p, root.path)
                }
                self._missing(root)
            elif not root.missing and (root.watch is None or root.watch in dead):
                log.warning("lost the watch on %s; watching it again and rescanning", root.path)
                self._unschedule(root)
                self._schedule(root)
                self._rescan("watch lost", only=[root])

    # -- batches ---------------------------------------------------------------------
    def _ready(self) -> list[str]:
        now = self.clock()
        stable = self.settings.stable_seconds
        ready: list[str] = []
        self._next_due = float("inf")
        for path, p in list(self._pending.items()):
            due = max(p.last_event, p.since) + stable
            if now < due:
                self._next_due = min(self._next_due, due)
                continue
            try:
                sig = sig_of(os.lstat(path))
            except OSError:
                del self._pending[path]
                continue
            if sig != p.sig or has_partial_sibling(path):
                why = "not stable yet" if sig != p.sig else "still downloading (partial sibling)"
                log.debug("%s: %s", why, path)
                p.sig, p.since = sig, now
                self._next_due = min(self._next_due, now + stable)
                continue
            if self._guard(path, sig):
                del self._pending[path]
                continue
            ready.append(path)
        return sorted(ready)

    def _guard(self, path: str, sig: Sig) -> bool:
        """True (and report once) when ``path``'s lineage has moved too often."""
        known = self._known.get(path)
        if known is None:
            return False
        times = self._moves.get(known.chain)
        if not times:
            return False
        horizon = self.clock() - self.settings.loop_window
        while times and times[0] < horizon:
            times.popleft()
        if len(times) < self.settings.loop_max_moves:
            return False
        self._known[path] = _Known(sig, self.clock(), known.chain, blocked=True)
        self.stats.loops_stopped += 1
        log.warning(
            "loop guard: %s was moved %d times within %.0f s by the rules; leaving it there "
            "until it changes",
            path,
            len(times),
            self.settings.loop_window,
        )
        if isinstance(self.reporter, WatchReporter):
            self.reporter.loop_stopped(path, len(times), self.settings.loop_window)
        return True

    def _process_ready(self) -> None:
        ready = self._ready()
        size = self.settings.max_batch
        for start in range(0, len(ready), size):
            if self._stop:
                return
            if not self._apply(ready[start : start + size]):
                return

    def _options(self) -> SessionOptions:
        return replace(
            self.options,
            mode="watch",
            dry_run=False,
            wait=self.settings.lock_wait,
            reporter=_BatchReporter(self.reporter, self._heartbeat),
        )

    def _apply(self, chunk: Sequence[str]) -> bool:
        """Plan and apply one batch; False when the caller should stop this round."""
        sigs = {p: self._pending[p].sig for p in chunk if p in self._pending}
        try:
            session = self.organize_fn(self._tolerant, self._options(), chunk)
        except LockHeldError:
            self.stats.lock_waits += 1
            log.info("another instance holds the lock; %d file(s) wait", len(chunk))
            now = self.clock()
            for p in chunk:
                if p in self._pending:
                    self._pending[p].last_event = now
            return False
        except Exception:
            if len(chunk) > 1:
                log.warning("batch of %d failed; retrying its files one by one", len(chunk))
                for p in chunk:
                    if self._stop:
                        return False
                    self._apply([p])
                return True
            self.stats.errors += 1
            path = chunk[0]
            log.exception("error while handling %s; leaving it until it changes", path)
            self._pending.pop(path, None)
            if path in sigs:
                self._known[path] = _Known(sigs[path], self.clock(), next(self._chains))
            return True
        for p in chunk:
            self._pending.pop(p, None)
        self._record(session, sigs)
        return True

    def _chain(self, path: str) -> int:
        known = self._known.get(path)
        return known.chain if known is not None else next(self._chains)

    def _watched(self, path: str) -> bool:
        for root in self.roots:
            if _inside(path, root.path) and (root.recursive or os.path.dirname(path) == root.path):
                return True
        return False

    def _record(self, session: SessionResult, sigs: dict[str, Sig]) -> None:
        self.stats.batches += 1
        self.stats.problems += len(session.plan.problems)
        for problem in session.plan.problems:
            log.warning("cannot plan %s: %s", problem.path, problem.message)
        now = self.clock()
        chains = {p: self._chain(p) for p in sigs}
        gone: set[str] = set()
        results = session.result.results if session.result is not None else []
        for r in results:
            self._log_result(r)
            if r.status is not OpStatus.DONE:
                continue
            op = r.op
            chain = chains.get(op.src) or self._chain(op.src)
            if op.kind.removes_source:
                gone.add(op.src)
                self._known.pop(op.src, None)
                if op.kind in (OpKind.MOVE, OpKind.RENAME):
                    self._moves.setdefault(chain, deque()).append(now)
            dst = r.dst if r.dst is not None else op.dst
            if dst and op.kind in _PRODUCES and self._watched(dst):
                sig = self._sig_after(r, dst)
                if sig is not None:
                    self._known[dst] = _Known(sig, now, chain)
                    chains[dst] = chain
        for path, sig in sigs.items():
            if path not in gone:
                self._known[path] = _Known(sig, now, chains[path])
        if isinstance(self.reporter, WatchReporter):
            self.reporter.batch(session)

    @staticmethod
    def _sig_after(r: OpResult, dst: str) -> Sig | None:
        ident: Identity | None = r.identity_after
        if ident is not None and r.op.kind is not OpKind.SYMLINK:
            return (ident.dev, ident.ino, ident.size, ident.mtime_ns)
        try:
            return sig_of(os.lstat(dst))
        except OSError:
            return None

    def _log_result(self, r: OpResult) -> None:
        op = r.op
        dst = r.dst if r.dst is not None else op.dst
        if r.status is OpStatus.DONE:
            self.stats.applied += 1
            if op.kind is OpKind.ECHO:
                log.info("echo (rule %s): %s", op.rule, op.message)
            else:
                arrow = f" -> {dst}" if dst else ""
                log.info("%s %s%s (rule %s)", op.kind.value, op.src, arrow, op.rule)
        elif r.status is OpStatus.SKIPPED:
            self.stats.skipped += 1
            log.info("skipped %s %s: %s", op.kind.value, op.src, r.reason)
        else:
            self.stats.failed += 1
            log.error("failed %s %s: %s", op.kind.value, op.src, r.error)

    # -- heartbeat -------------------------------------------------------------------
    def _heartbeat(self, state: str = "running") -> None:
        now = self.clock()
        if state == "running" and now < self._next_heartbeat:
            return
        self._next_heartbeat = now + self.settings.heartbeat_interval
        data: dict[str, Any] = {
            "state": state,
            "pid": os.getpid(),
            "time": time.time(),
            "started": self._started_wall,
            "interval": self.settings.heartbeat_interval,
            "pending": len(self._pending),
            "roots": [r.path for r in self.roots],
            "missing": [r.path for r in self.roots if r.missing],
            "stats": self.stats.to_dict(),
        }
        try:
            write_heartbeat(self.options.app_paths.heartbeat_path, data)
        except OSError as exc:
            log.warning(
                "cannot write the heartbeat %s: %s", self.options.app_paths.heartbeat_path, exc
            )


def watch(
    config: Config,
    options: SessionOptions,
    *,
    stop_event: threading.Event | None = None,
    organize_fn: OrganizeFn = organize_batch,
    **settings: Any,
) -> WatchStats:
    """Watch ``config``'s locations until ``stop_event`` is set; return the counters.

    ``settings`` are the fields of :class:`WatchSettings` (``stable_seconds=``,
    ``rescan_interval=``, ``polling=`` ...).
    """
    watcher = Watcher(config, options, WatchSettings(**settings), organize_fn=organize_fn)
    if stop_event is not None:

        def relay() -> None:
            stop_event.wait()
            watcher.stop()

        threading.Thread(target=relay, name="watch-stop", daemon=True).start()
    return watcher.run()


def roots_of(config: Config, options: SessionOptions) -> list[tuple[str, bool]]:
    """The folders a watcher would watch, and whether recursively."""
    return [(r.path, r.recursive) for r in Watcher._roots(make_planner(config, options))]
