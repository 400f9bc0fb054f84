"""Why a scan does not pick a path: the reasons ``explain`` and ``sim -v`` give.

:func:`why_skipped` follows the same decisions as the walk in
:mod:`fileorganizer.scan`, for one path, in the same order: a folder on the
way that is hidden, never organized or excluded; depth; a hidden file, a
symlink, a default exclude (an unfinished download, a system file), an
exclude pattern, the location's ``filter``, a partial-download sibling, the
tool's own files. A test walks random trees and checks that every path is
either yielded by the scan or has a reason here, never both.
"""

from __future__ import annotations

import fnmatch
import os

from fileorganizer.scan import (
    DEFAULT_EXCLUDE_DIRS,
    DEFAULT_EXCLUDE_FILES,
    PARTIAL_SUFFIXES,
    ScanSpec,
)

#: default file excludes by what they are (for the reason given)
_UNFINISHED = ("*.part", "*.crdownload", "*.download", "*.tmp")
_OWN_TEMP = (".fileorganizer-tmp-*",)


def _first_match(name: str, patterns: tuple[str, ...]) -> str | None:
    for pattern in patterns:
        if fnmatch.fnmatchcase(name, pattern):
            return pattern
    return None


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _protected(path: str, spec: ScanSpec) -> bool:
    return any(_inside(path, os.path.normpath(q)) for q in spec.protected)


def why_skipped(spec: ScanSpec, path: str) -> str | None:
    """Why the scan of ``spec`` does not yield ``path`` (None: it does, or it would)."""
    root = os.path.normpath(spec.path)
    p = os.path.normpath(os.path.abspath(path))
    if p == root or not _inside(p, root):
        return None if p == root else "not inside this location"
    parts = p[len(root.rstrip(os.sep)) + 1 :].split(os.sep)
    hidden_ok = spec.include_hidden
    for i, name in enumerate(parts[:-1]):
        folder = os.path.join(root, *parts[: i + 1])
        why = _folder_excluded(name, folder, spec, hidden_ok)
        if why:
            return f"inside {folder}: {why}"
    depth = len(parts) - 1
    max_depth = spec.max_depth if spec.max_depth is not None else (None if spec.subfolders else 0)
    if max_depth is not None and depth > max_depth:
        limit = f"max_depth: {max_depth}" if spec.subfolders else "subfolders: false"
        return f"{depth} folder(s) below the location, deeper than the rule looks ({limit})"
    name = parts[-1]
    is_dir = os.path.isdir(p) and not os.path.islink(p)
    if spec.targets == "dirs":
        if not is_dir:
            return "a file, and the rule acts on folders (targets: dirs)"
        why = _folder_excluded(name, p, spec, hidden_ok)
        if why:
            return why
        if depth < spec.min_depth:
            return f"only {depth} folder(s) below the location (min_depth: {spec.min_depth})"
        if spec.include and not _first_match(name, spec.include):
            return f"not matched by the location's filter ({', '.join(spec.include)})"
        return None
    if is_dir:
        return "a folder, and the rule acts on files"
    if depth < spec.min_depth:
        return f"only {depth} folder(s) below the location (min_depth: {spec.min_depth})"
    return _file_excluded(name, p, spec, hidden_ok)


def _folder_excluded(name: str, folder: str, spec: ScanSpec, hidden_ok: bool) -> str | None:
    default = _first_match(name, DEFAULT_EXCLUDE_DIRS)
    if default:
        return f"a folder that is never organized ({default})"
    pattern = _first_match(name, spec.exclude_dirs)
    if pattern:
        return f"excluded by exclude_dirs ({pattern})"
    if not hidden_ok and name.startswith("."):
        return "a hidden folder (the location has include_hidden: false; --hidden includes it)"
    if _protected(folder, spec):
        return "one of fileorganizer's own folders"
    return None


def _file_excluded(name: str, path: str, spec: ScanSpec, hidden_ok: bool) -> str | None:
    if not hidden_ok and name.startswith("."):
        return "a hidden file (the location has include_hidden: false; --hidden includes it)"
    if os.path.islink(path) and not spec.include_symlinks:
        return (
            "a symlink: left alone (include_symlinks: true on the location acts on the link itself)"
        )
    default = _first_match(name, DEFAULT_EXCLUDE_FILES)
    if default in _UNFINISHED:
        return f"an unfinished download or temporary file ({default})"
    if default in _OWN_TEMP:
        return "a temporary file of fileorganizer"
    if default:
        return f"a system file that is never organized ({default})"
    pattern = _first_match(name, spec.exclude_files)
    if pattern:
        return f"excluded by exclude_files ({pattern})"
    if spec.include and not _first_match(name, spec.include):
        return f"not matched by the location's filter ({', '.join(spec.include)})"
    for suffix in PARTIAL_SUFFIXES:
        if os.path.lexists(path + suffix):
            return f"still downloading ({name}{suffix} is beside it)"
    if _protected(path, spec):
        return "one of fileorganizer's own files (its rules file, history or data)"
    return None


def unseen(spec: ScanSpec) -> list[tuple[str, str]]:
    """Every path below ``spec``'s location that its scan leaves out, with the reason.

    A folder left out (excluded, hidden, or deeper than the rule looks) is one
    entry; what it holds is not listed. For ``sim -v``: it walks the location a
    second time, so only when asked.
    """
    out: list[tuple[str, str]] = []
    root = os.path.normpath(spec.path)
    max_depth = spec.max_depth if spec.max_depth is not None else (None if spec.subfolders else 0)

    def visit(folder: str, depth: int) -> None:
        try:
            with os.scandir(folder) as it:
                entries = sorted((e.name, e.is_dir(follow_symlinks=False)) for e in it)
        except OSError:
            return
        for name, is_dir in entries:
            path = os.path.join(folder, name)
            if is_dir:
                why = _folder_excluded(name, path, spec, spec.include_hidden)
                if why:
                    out.append((path, why))
                    continue
                if max_depth is not None and depth >= max_depth:
                    if spec.targets == "files":
                        limit = (
                            f"max_depth: {max_depth}" if spec.subfolders else "subfolders: false"
                        )
                        out.append((path, f"a folder the rule does not look into ({limit})"))
                    continue
                visit(path, depth + 1)
            elif spec.targets == "files":
                why = why_skipped(spec, path)
                if why:
                    out.append((path, why))

    visit(root, 0)
    return out
