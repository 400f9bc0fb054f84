"""How the watcher behaves and what it counted (no watchdog here: ``status`` loads none)."""

from __future__ import annotations

from dataclasses import dataclass

from fileorganizer.errors import ConfigError


@dataclass(frozen=True)
class WatchSettings:
    """How the watcher behaves. Every field is a keyword of :func:`fileorganizer.watch.watch`."""

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
    interrupted: int = 0

    def to_dict(self) -> dict[str, int]:
        """A JSON-ready copy."""
        return dict(self.__dict__)
