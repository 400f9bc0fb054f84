"""Which one-writer lock a pass takes, over which folders (invariant 8).

- With the embedded SQLite history: the data folder's lock file
  (:class:`~fileorganizer.lock.RunLock`), taken before the history is opened.
  One pass at a time per data folder, whatever its folders.
- With a shared history (PostgreSQL): advisory locks keyed by folder
  (:class:`~fileorganizer.folder_lock.FolderLock`) on the history's server,
  taken once the history is open. Passes over different folders run at once,
  on one host or many:

  - a run or a watch batch locks its **locations** (the folders given on the
    command line replace them), the folders it reads files from; not its
    destinations: two passes may move files into one folder at once, safely
    (no-replace renames; a conflict is resolved again at apply time);
  - an undo locks the folders its run's operations **touched**: the parent
    folder of every path they name (sources, destinations, trash entries,
    folders they created), merged into at most
    :data:`~fileorganizer.folder_lock.MAX_FOLDERS` folders;
  - recovery holds the recorded locks of each crashed run it settles;
  - :func:`~fileorganizer.session.apply_recorded` (a plan from the library)
    locks the folders of its operations' sources.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fileorganizer.config import Config
    from fileorganizer.history import History
    from fileorganizer.lock import WriterLock
    from fileorganizer.operations import Operation
    from fileorganizer.paths import AppPaths


def location_folders(
    config: Config,
    paths: Sequence[str] = (),
    tags: Iterable[str] = (),
    skip_tags: Iterable[str] = (),
) -> list[str]:
    """The folders a run reads from: the selected rules' locations, or ``paths`` instead."""
    if paths:
        return [os.path.abspath(os.path.expanduser(p)) for p in paths]
    rules = config.selected(set(tags) or None, set(skip_tags) or None)
    return sorted({os.path.abspath(loc.path) for r in rules for loc in r.locations})


def touched_folders(history: History, run_ids: Iterable[int]) -> list[str]:
    """The folders the operations of ``run_ids`` touched (done or still planned)."""
    from fileorganizer.folder_lock import cover
    from fileorganizer.history.records import OpState

    folders: set[str] = set()
    for run_id in run_ids:
        for page in history.iter_operations(run_id, states=[OpState.DONE, OpState.PLANNED]):
            for op in page:
                for path in (op.src, op.final_dst, op.planned_dst, op.trash_path):
                    if path:
                        folders.add(os.path.dirname(path))
                folders.update(os.path.dirname(d) for d in op.created_dirs)
    return cover(folders)


def plan_folders(operations: Iterable[Operation]) -> list[str]:
    """The folders of the operations' sources."""
    from fileorganizer.folder_lock import cover

    return cover({os.path.dirname(os.path.abspath(op.src)) for op in operations})


def lock_for(
    history: History, app_paths: AppPaths, folders: Iterable[str], wait: float = 0.0
) -> WriterLock:
    """The lock a pass over ``folders`` takes with ``history`` (not yet acquired)."""
    if history.shared:
        from fileorganizer.folder_lock import FolderLock

        return FolderLock(history, folders, wait)
    from fileorganizer.lock import RunLock

    return RunLock(app_paths.lock_path, wait)


@contextmanager
def locked_history(
    app_paths: AppPaths, wait: float, folders: Callable[[History], Iterable[str]]
) -> Iterator[tuple[History, WriterLock]]:
    """The open history and the pass's lock, held for the block.

    ``folders`` is asked, with the open history, which folders the pass works
    in (only for a shared history: the SQLite lock is the data folder's).
    """
    from fileorganizer.applying import open_history

    if not app_paths.database_url:
        from fileorganizer.lock import RunLock

        with RunLock(app_paths.lock_path, wait) as file_lock, open_history(app_paths) as history:
            yield history, file_lock
        return
    with open_history(app_paths) as history:
        lock = lock_for(history, app_paths, folders(history), wait)
        lock.acquire()
        try:
            yield history, lock
        finally:
            lock.release()
