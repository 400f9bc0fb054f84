"""Watch mode: watchdog events -> debounce -> stable-file check -> plan -> apply.

A :class:`Watcher` watches every location of the enabled rules, first runs one
catch-up pass over what is already there, then handles events. A file is acted
on only once it is stable (:mod:`.stability`); stable files are planned and
applied in batches through :func:`fileorganizer.session.organize` (the same
planner, executor, journal, lock and history as ``run``; each batch holds the
one-writer lock). The watcher remembers what it did and guards against rules
that keep moving a file back and forth (:mod:`.lineage`); the observer is
:mod:`.observer` (the only module that imports watchdog); the loop is
:mod:`.loop`. A file an undo put back is left alone until it changes.

The public names load lazily (PEP 562): ``from fileorganizer.watch import
WatchSettings`` imports no watchdog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fileorganizer._lazy import lazy_names

if TYPE_CHECKING:
    from fileorganizer.heartbeat import read_heartbeat, write_heartbeat
    from fileorganizer.watch.loop import (
        Watcher,
        WatchReporter,
        organize_batch,
        roots_of,
        tolerant_config,
        watch,
    )
    from fileorganizer.watch.settings import WatchSettings, WatchStats
    from fileorganizer.watch.stability import has_partial_sibling, is_partial_name, sig_of

_WHERE = {
    "Watcher": "fileorganizer.watch.loop",
    "WatchReporter": "fileorganizer.watch.loop",
    "organize_batch": "fileorganizer.watch.loop",
    "roots_of": "fileorganizer.watch.loop",
    "tolerant_config": "fileorganizer.watch.loop",
    "watch": "fileorganizer.watch.loop",
    "WatchSettings": "fileorganizer.watch.settings",
    "WatchStats": "fileorganizer.watch.settings",
    "has_partial_sibling": "fileorganizer.watch.stability",
    "is_partial_name": "fileorganizer.watch.stability",
    "sig_of": "fileorganizer.watch.stability",
    "read_heartbeat": "fileorganizer.heartbeat",
    "write_heartbeat": "fileorganizer.heartbeat",
}

__all__ = [
    "WatchReporter",
    "WatchSettings",
    "WatchStats",
    "Watcher",
    "has_partial_sibling",
    "is_partial_name",
    "organize_batch",
    "read_heartbeat",
    "roots_of",
    "sig_of",
    "tolerant_config",
    "watch",
    "write_heartbeat",
]

__getattr__, __dir__ = lazy_names(globals(), _WHERE, __all__)
