"""Raw baselines: the least a Python program must do for each scenario.

Run as a subprocess by ``bench/run.py`` (so interpreter start-up counts for the
baseline exactly as it does for the tools it is compared with)::

    python bench/baselines.py startup
    python bench/baselines.py rename-ext DIR          # sort DIR's files into DIR/<ext>/
    python bench/baselines.py rename-kind DIR MAP     # into DIR/<kind>/ by extension
    python bench/baselines.py scan-stat DIR           # scandir + stat of DIR's files
    python bench/baselines.py rename-date DIR DEST    # DIR/** into DEST/<year>/<month>/
    python bench/baselines.py scan-stat-tree DIR      # recursive scandir + stat

Imports only ``os``, ``sys`` and ``time`` on purpose. Prints nothing.
"""

from __future__ import annotations

import os
import sys
import time


def rename_ext(root: str) -> int:
    """Move each file of ``root`` into ``root/<ext>/`` (the extension without dot)."""
    count = 0
    with os.scandir(root) as it:
        entries = [e for e in it if e.is_file(follow_symlinks=False)]
    for entry in entries:
        ext = os.path.splitext(entry.name)[1][1:]
        if not ext:
            continue
        dest_dir = os.path.join(root, ext)
        os.makedirs(dest_dir, exist_ok=True)
        os.rename(entry.path, os.path.join(dest_dir, entry.name))
        count += 1
    return count


def rename_kind(root: str, mapping_file: str) -> int:
    """Move each file of ``root`` into ``root/<kind>/``, the kind looked up by extension.

    ``mapping_file`` has one ``extension kind`` pair per line; files whose
    extension is not in it stay.
    """
    kinds: dict[str, str] = {}
    with open(mapping_file, encoding="utf-8") as fh:
        for line in fh:
            ext, _, kind = line.strip().partition(" ")
            kinds[ext] = kind
    count = 0
    with os.scandir(root) as it:
        entries = [e for e in it if e.is_file(follow_symlinks=False)]
    for entry in entries:
        kind = kinds.get(os.path.splitext(entry.name)[1][1:].lower())
        if kind is None:
            continue
        dest_dir = os.path.join(root, kind)
        os.makedirs(dest_dir, exist_ok=True)  # (per file, as rename-ext does)
        os.rename(entry.path, os.path.join(dest_dir, entry.name))
        count += 1
    return count


def scan_stat(root: str) -> int:
    """Stat every file directly inside ``root``."""
    count = 0
    with os.scandir(root) as it:
        for entry in it:
            entry.stat(follow_symlinks=False)
            count += 1
    return count


def _walk_files(root: str) -> list[os.DirEntry[str]]:
    files: list[os.DirEntry[str]] = []
    stack = [root]
    while stack:
        with os.scandir(stack.pop()) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    files.append(entry)
    return files


def scan_stat_tree(root: str) -> int:
    """Stat every file below ``root``."""
    files = _walk_files(root)
    for entry in files:
        entry.stat(follow_symlinks=False)
    return len(files)


def rename_date(root: str, dest: str) -> int:
    """Move every file below ``root`` into ``dest/<year>/<month>/`` by mtime (UTC)."""
    files = _walk_files(root)
    for entry in files:
        tm = time.gmtime(entry.stat(follow_symlinks=False).st_mtime)
        dest_dir = os.path.join(dest, str(tm.tm_year), str(tm.tm_mon))
        os.makedirs(dest_dir, exist_ok=True)
        os.rename(entry.path, os.path.join(dest_dir, entry.name))
    return len(files)


def main(argv: list[str]) -> int:
    """Dispatch on the first argument."""
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    mode, args = argv[0], argv[1:]
    if mode == "startup":
        return 0
    if mode == "rename-ext":
        rename_ext(args[0])
    elif mode == "rename-kind":
        rename_kind(args[0], args[1])
    elif mode == "scan-stat":
        scan_stat(args[0])
    elif mode == "scan-stat-tree":
        scan_stat_tree(args[0])
    elif mode == "rename-date":
        rename_date(args[0], args[1])
    else:
        print(f"unknown mode {mode!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
