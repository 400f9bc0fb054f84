"""Shell completion values: config names, tags of the current config, run ids.

Each runs on every <TAB>, so each is cheap and silent: it never raises (a
broken config or history just completes nothing), never imports the engine,
and never creates a file. Run ids are read from the history database opened
read-only, and only if it already exists.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from fileorganizer.paths import resolve_paths

#: how many recent runs ``undo <TAB>`` offers
RUN_IDS = 30
CONFIG_SUFFIXES = (".yaml", ".yml")


def _looks_like_path(text: str) -> bool:
    return text.startswith((".", "~", "/")) or os.sep in text


def config_names(incomplete: str = "") -> list[tuple[str, str]]:
    """Names of the rules files (``*.yaml``) in the config dir that start with ``incomplete``.

    Nothing when ``incomplete`` looks like a path, so the shell completes files.
    """
    if _looks_like_path(incomplete):
        return []
    try:
        folder = resolve_paths().config_dir
        found = sorted(p for p in folder.iterdir() if p.suffix in CONFIG_SUFFIXES and p.is_file())
    except OSError:
        return []
    return [(p.stem, f"rules file {p}") for p in found if p.stem.startswith(incomplete)]


def _config_file(ctx_params: dict[str, Any]) -> Path | None:
    explicit = ctx_params.get("config")
    if explicit:
        return Path(str(explicit)).expanduser()
    from fileorganizer.paths import ENV_CONFIG

    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env).expanduser()
    default = resolve_paths().config_file
    return default if default.exists() else None


def tags(ctx_params: dict[str, Any], incomplete: str = "") -> list[str]:
    """The tags of the rules file the command would use (``-c`` if given so far)."""
    try:
        path = _config_file(ctx_params)
        if path is None:
            return []
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except Exception:  # a broken file completes nothing; `check` says what is wrong
        return []
    found: set[str] = set()
    rules = data.get("rules") if isinstance(data, dict) else None
    for rule in rules if isinstance(rules, list) else ():
        value = rule.get("tags") if isinstance(rule, dict) else None
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            found.update(str(t) for t in value)
    done = incomplete.rpartition(",")[0]  # --tags a,b<TAB>: complete after the comma
    prefix = f"{done}," if done else ""
    word = incomplete[len(prefix) :]
    return sorted(prefix + t for t in found if t.startswith(word))


def run_ids(
    incomplete: str = "", db: str | os.PathLike[str] | None = None, *, undoable: bool = False
) -> list[tuple[str, str]]:
    """Recent run ids (newest first) with their time, mode and status (no sims if ``undoable``)."""
    path = Path(db) if db is not None else resolve_paths().db_path
    if not path.is_file():
        return []
    try:
        # mode=ro: never creates the database (nor writes to it)
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=1)
        try:
            where = "WHERE mode != 'sim' " if undoable else ""
            rows = conn.execute(
                "SELECT id, mode, status, started_at, done FROM runs "
                f"{where}ORDER BY id DESC LIMIT ?",
                (RUN_IDS,),
            ).fetchall()
        finally:
            conn.close()
    except (sqlite3.Error, ValueError):
        return []
    out = []
    for run_id, mode, status, started, done in rows:
        value = str(run_id)
        if value.startswith(incomplete):
            when = str(started)[:19]
            out.append((value, f"{mode} {when} {status}, {done} done"))
    return out
