"""The watch loop: events and rescans in, batches of stable files planned and applied.

Stable files are handed, in batches, to :func:`fileorganizer.session.organize`
with ``only=`` and mode ``watch``: the same planner, executor, journal, lock
and history as ``run``, one history run per batch, all in one watch session
(``undo --session``). A periodic reconciliation rescan (and one whenever
watchdog reports trouble, or an emitter dies) catches what events missed.

The watcher never prints: it logs to the ``fileorganizer.watch`` logger and
reports engine events through the :class:`~fileorganizer.report.Reporter`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from fileorganizer.config import Config
from fileorganizer.errors import LockHeldError
from fileorganizer.heartbeat import WatcherState, write_heartbeat
from fileorganizer.operations import OpKind, OpResult, OpStatus
from fileorganizer.session import SessionOptions, SessionResult, make_planner
from fileorganizer.states import RunMode
from fileorganizer.vtree import inside
from fileorganizer.watch.batch import WatchReporter, _BatchReporter, organize_batch, tolerant_config
from fileorganizer.watch.intake import Intake
from fileorganizer.watch.lineage import Lineage
from fileorganizer.watch.observer import Observers, Root
from fileorganizer.watch.settings import WatchSettings, WatchStats
from fileorganizer.watch.stability import Sig, Stability

log = logging.getLogger("fileorganizer.watch")

#: Plans and applies one batch: ``(config, options, only) -> SessionResult``.
OrganizeFn = Callable[[Config, SessionOptions, Sequence[str]], SessionResult]


class Watcher(Intake):
    """Watches the rules' locations and organizes stable files in batches.

    ``run()`` blocks until :meth:`stop` (any thread) or :meth:`request_stop`
    (safe in a signal handler) is called; the batch in progress stops after
    its current file and is recorded as interrupted. One instance runs once.
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
        #: one id for every batch of this watcher (``undo --session``)
        self.session_id = options.session_id or uuid.uuid4().hex[:12]
        # a stop request (SIGTERM) ends a batch after the current file, not the batch
        self.options = replace(options, should_stop=lambda: self._stop, session_id=self.session_id)
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
        self._observers = Observers(
            self.roots,
            self._on_event,
            polling=self.settings.polling,
            poll_interval=self.settings.poll_interval,
            on_trouble=self.request_rescan,
        )
        self._lock = threading.Lock()
        self._incoming: dict[str, float] = {}
        self._wake = threading.Event()
        self._stop = False
        self._paused = False
        #: Events dropped while paused (see :meth:`pause_events`).
        self.dropped_events = 0
        self._rescan_reason: str | None = None
        self._stability = Stability(self.settings.stable_seconds, clock)
        self._lineage = Lineage(self.settings, clock)
        self._started_wall = time.time()
        #: Set once the observer runs and the catch-up pass has been scanned.
        self.started = threading.Event()
        self._next_heartbeat = 0.0
        #: whether a stop request cut a batch short (the CLI exits 130/143 then)
        self.interrupted_batch = False

    # -- control (thread-safe) ----------------------------------------------
    def stop(self) -> None:
        """Ask the watcher to finish (the batch in progress stops after its current file)."""
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
        return len(self._stability)

    # -- setup ----------------------------------------------------------------
    @staticmethod
    def _roots(planner: Any) -> list[Root]:
        roots: dict[str, bool] = {}
        for rule in planner.rules:
            for loc in planner.locations_of(rule):
                path = os.path.normpath(os.path.abspath(loc.path))
                depth = (
                    loc.max_depth if loc.max_depth is not None else (None if rule.subfolders else 0)
                )
                roots[path] = roots.get(path, False) or depth != 0
        return [Root(p, rec) for p, rec in sorted(roots.items())]

    # -- main loop ---------------------------------------------------------------
    def run(self) -> WatchStats:
        """Watch until stopped; return the counters."""
        try:
            with self._observers:
                self._observers.start(self._missing)
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
                        self._wake.wait(self._stability.tick())
        finally:
            self._heartbeat(state=WatcherState.STOPPED)
            log.info(
                "stopped: %d batch(es), %d applied, %d failed",
                self.stats.batches,
                self.stats.applied,
                self.stats.failed,
            )
        return self.stats

    def _next(self, interval: float) -> float:
        return self.clock() + interval if interval > 0 else float("inf")

    # -- batches ---------------------------------------------------------------------
    def _looping(self, path: str, sig: Sig) -> bool:
        """True (and report once) when ``path``'s lineage has moved too often."""
        moves = self._lineage.looping(path, sig)
        if not moves:
            return False
        self.stats.loops_stopped += 1
        log.warning(
            "loop guard: %s was moved %d times within %.0f s by the rules; leaving it there "
            "until it changes",
            path,
            moves,
            self.settings.loop_window,
        )
        if isinstance(self.reporter, WatchReporter):
            self.reporter.loop_stopped(path, moves, self.settings.loop_window)
        return True

    def _process_ready(self) -> None:
        ready = self._stability.ready(self._looping)
        size = self.settings.max_batch
        for start in range(0, len(ready), size):
            if self._stop:
                return
            if not self._apply(ready[start : start + size]):
                return

    def _options(self) -> SessionOptions:
        return replace(
            self.options,
            mode=RunMode.WATCH,
            dry_run=False,
            wait=self.settings.lock_wait,
            reporter=_BatchReporter(self.reporter, self._heartbeat),
        )

    def _apply(self, chunk: Sequence[str]) -> bool:
        """Plan and apply one batch; False when the caller should stop this round."""
        sigs = {p: s for p in chunk if (s := self._stability.sig(p)) is not None}
        try:
            session = self.organize_fn(self._tolerant, self._options(), chunk)
        except LockHeldError:
            self.stats.lock_waits += 1
            log.info("another instance holds the lock; %d file(s) wait", len(chunk))
            self._stability.postpone(tuple(chunk))
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
            self._stability.discard(path)
            if path in sigs:
                self._lineage.failed(path, sigs[path])
            return True
        if session.interrupted:
            # the batch stopped after its current file: what was not done stays pending
            self.interrupted_batch = True
            self.stats.interrupted += 1
            self._record(session, {})
            return False
        for p in chunk:
            self._stability.discard(p)
        self._record(session, sigs)
        return True

    def _watched(self, path: str) -> bool:
        for root in self.roots:
            if inside(path, root.path) and (root.recursive or os.path.dirname(path) == root.path):
                return True
        return False

    def _record(self, session: SessionResult, sigs: dict[str, Sig]) -> None:
        self.stats.batches += 1
        self.stats.problems += len(session.plan.problems)
        for problem in session.plan.problems:
            log.warning("cannot plan %s: %s", problem.path, problem.message)
        for skip in session.plan.skips:
            log.info("left alone %s: %s", skip.path, skip.reason)
        results = session.result.results if session.result is not None else []
        for r in results:
            self._log_result(r)
        self._lineage.record(results, sigs, self._watched)
        if isinstance(self.reporter, WatchReporter):
            self.reporter.batch(session)

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
    def _heartbeat(self, state: WatcherState = WatcherState.RUNNING) -> None:
        now = self.clock()
        if state is WatcherState.RUNNING and now < self._next_heartbeat:
            return
        self._next_heartbeat = now + self.settings.heartbeat_interval
        data: dict[str, Any] = {
            "state": state.value,
            "pid": os.getpid(),
            "time": time.time(),
            "started": self._started_wall,
            "interval": self.settings.heartbeat_interval,
            "pending": len(self._stability),
            "session": self.session_id,
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
