"""``watch``, ``status`` and ``service install|uninstall|status``."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from fileorganizer.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    ConfigOpt,
    DbOpt,
    DbUrlOpt,
    FormatOpt,
    HiddenOpt,
    OutputFormat,
    PathsArg,
    SkipTagsOpt,
    TagsOpt,
    app_paths,
    fail,
    find_config_path,
    history_errors,
    print_json,
    require_paths_for_builtin,
    require_writable_state,
    resolve_config,
    safe_text,
    split_folders_and_config,
    stdout_console,
)
from fileorganizer.heartbeat import WatcherState
from fileorganizer.paths import StateDir, ensure_writable_dir, mask_password, writing_in
from fileorganizer.states import RunMode

if TYPE_CHECKING:
    import logging

    from fileorganizer.paths import AppPaths

# The watcher (watchdog), the service helpers and the session (history) are
# imported inside the commands, so that starting the CLI for another command
# does not pay for them.

LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"

#: :class:`fileorganizer.watch.WatchSettings`' defaults, repeated so that the
#: option defaults need no import of the watcher (a test keeps them equal).
DEFAULT_STABLE_SECONDS = 2.0
DEFAULT_RESCAN_INTERVAL = 300.0
DEFAULT_HEARTBEAT_INTERVAL = 10.0

StableOpt = Annotated[
    float,
    typer.Option(
        "--stable-seconds",
        min=0,
        help="Act on a file only after its size and mtime have not changed for this long.",
    ),
]
RescanOpt = Annotated[
    float,
    typer.Option(
        "--rescan-interval",
        min=0,
        help="Seconds between reconciliation rescans that catch missed events (0: never).",
    ),
]
PollingOpt = Annotated[
    bool,
    typer.Option(
        "--polling", help="Poll instead of native events (network drives, container mounts)."
    ),
]
DefaultFolderOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--default-folder",
        help="With no rules file and no PATHS, watch this folder with the built-in rules "
        "(the container image's default command watches /files).",
    ),
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show what would be done, do nothing.")]


def setup_logging(
    paths: AppPaths, *, verbose: bool, log_stderr: bool = True, log_file: Path | None = None
) -> logging.Logger:
    """Log ``fileorganizer.*`` to stderr and to a rotating file (the log dir's, or ``log_file``).

    Every line carries its local time and level (:data:`LOG_FORMAT`). A log
    folder this user cannot write is an ``UnwritableDirError`` (exit 73).
    """
    import logging
    import logging.handlers

    logger = logging.getLogger("fileorganizer")
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False
    for h in list(logger.handlers):
        logger.removeHandler(h)
        h.close()
    fmt = logging.Formatter(LOG_FORMAT)
    if log_stderr:
        err = logging.StreamHandler(sys.stderr)
        err.setFormatter(fmt)
        logger.addHandler(err)
    target = log_file.expanduser() if log_file is not None else paths.log_file
    if log_file is None:
        ensure_writable_dir(paths.log_dir, StateDir.LOG)
    else:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            fail(
                f"cannot write the log file given on the command line ({log_file}): {exc.strerror}"
            )
    with writing_in(target, StateDir.LOG):
        fh = logging.handlers.RotatingFileHandler(
            target,
            maxBytes=5 * 1024 * 1024,
            backupCount=3,
            encoding="utf-8",
            errors="backslashreplace",
        )
    fh.setFormatter(fmt)
    logger.addHandler(fh)
    return logger


def watch(
    paths: PathsArg = None,
    config: ConfigOpt = None,
    default_folder: DefaultFolderOpt = None,
    polling: PollingOpt = False,
    stable_seconds: StableOpt = DEFAULT_STABLE_SECONDS,
    rescan_interval: RescanOpt = DEFAULT_RESCAN_INTERVAL,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log each decision (debug level).")
    ] = False,
    tags: TagsOpt = None,
    skip_tags: SkipTagsOpt = None,
    db: DbOpt = None,
    db_url: DbUrlOpt = None,
    hidden: HiddenOpt = False,
    heartbeat_interval: Annotated[
        float, typer.Option("--heartbeat-interval", min=0.1, hidden=True)
    ] = DEFAULT_HEARTBEAT_INTERVAL,
    log_stderr: Annotated[
        bool, typer.Option("--log-stderr/--no-log-stderr", help="Also log to stderr.")
    ] = True,
    log_file: Annotated[
        Path | None,
        typer.Option(
            "--log-file", help="The watcher's log (rotated, timestamped; default: in the log dir)."
        ),
    ] = None,
) -> None:
    """Organize files as they arrive: watch the rules' locations (or PATHS) until stopped.

    A catch-up pass runs first. A file is acted on once its size and mtime have been stable
    for --stable-seconds and it is not an unfinished download. Every batch is a run in the
    history (mode watch). SIGINT/SIGTERM finish the current operation and exit 0 (130/143
    when they cut a batch short: its run is then marked interrupted).
    """
    from fileorganizer.chains import refuse_confirm_in_watch
    from fileorganizer.report import Reporter
    from fileorganizer.session import SessionOptions
    from fileorganizer.watch import Watcher, WatchSettings

    ap = app_paths(db, db_url)
    folders, config = split_folders_and_config(paths, config, ap)
    cfg = resolve_config(config, ap)
    if cfg.builtin and not folders and default_folder:
        folders = list(default_folder)
    require_paths_for_builtin(cfg, folders, ap)
    refuse_confirm_in_watch(cfg.selected(set(tags or ()) or None, set(skip_tags or ()) or None))
    require_writable_state(ap)
    if hidden:
        cfg = cfg.including_hidden()
    logger = setup_logging(ap, verbose=verbose, log_stderr=log_stderr, log_file=log_file)
    settings = WatchSettings(
        stable_seconds=stable_seconds,
        rescan_interval=rescan_interval,
        polling=polling,
        heartbeat_interval=heartbeat_interval,
    )
    options = SessionOptions(
        app_paths=ap,
        paths=[str(p) for p in folders],
        tags=tags or (),
        skip_tags=skip_tags or (),
        mode=RunMode.WATCH,
        reporter=Reporter(),
    )
    watcher = Watcher(cfg, options, settings)

    got: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        got.append(signum)
        watcher.request_stop()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    if not cfg.builtin:
        where = safe_text(cfg.path)
    else:
        over = ", ".join(safe_text(p) for p in folders)
        where = f"no rules file at {safe_text(ap.config_file)}: built-in rules over {over}"
    history = mask_password(ap.database_url) if ap.database_url else str(ap.db_path)
    logger.info(
        "fileorganizer watch started (%s); history %s; log file %s",
        where,
        history,
        log_file or ap.log_file,
    )
    try:
        with history_errors(ap):
            watcher.run()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if watcher.interrupted_batch and got:
        # a batch was cut short: its run is recorded as interrupted
        raise typer.Exit(128 + got[0])
    raise typer.Exit(EXIT_OK)


def status(
    fmt: FormatOpt = OutputFormat.text,
    max_age: Annotated[
        float | None,
        typer.Option(
            "--max-age",
            min=0,
            help="A heartbeat older than this (seconds) is stale (default: 60, or 6 intervals).",
        ),
    ] = None,
    db: DbOpt = None,
    db_url: DbUrlOpt = None,
) -> None:
    """Is a watcher alive? Exits 0 when its heartbeat is fresh, 1 otherwise (health check).

    Run where the watcher runs (same host or container), it also checks that the process
    that wrote the heartbeat is still alive, so a killed watcher shows at once.
    """
    from fileorganizer.heartbeat import OWNER_KEY, Liveness, owner_liveness, read_heartbeat

    ap = app_paths(db, db_url)  # (only shown: the history named as the watcher's is)
    beat = read_heartbeat(ap.heartbeat_path)
    info: dict[str, Any] = {
        "config_file": str(find_config_path(None, ap) or "<built-in defaults>"),
        "config_dir": str(ap.config_dir),
        "data_dir": str(ap.data_dir),
        "log_dir": str(ap.log_dir),
        "heartbeat": str(ap.heartbeat_path),
        "history": mask_password(ap.database_url) if ap.database_url else str(ap.db_path),
    }
    if beat is None:
        state, alive = "not running (no heartbeat)", False
    else:
        age, data = beat
        interval = float(data.get("interval") or 10.0)
        limit = max_age if max_age is not None else max(60.0, 6 * interval)
        liveness = owner_liveness(data.get(OWNER_KEY))
        info.update(
            {
                "age_seconds": round(age, 1),
                "pid": data.get("pid"),
                "process": liveness.value,
                "stats": data.get("stats"),
            }
        )
        info["missing_folders"] = data.get("missing") or []
        if data.get("state") == WatcherState.STOPPED.value:
            state, alive = "stopped", False
        elif liveness is Liveness.DEAD:
            state = f"not running (process {data.get('pid')} is gone; it was not stopped)"
            alive = False
        elif age > limit:
            state, alive = f"stale (last heartbeat {age:.0f} s ago)", False
        else:
            state, alive = "running", True
    info["watcher"] = state
    info["alive"] = alive
    if fmt is OutputFormat.json:
        print_json(info)
    else:
        out = stdout_console()
        colour = "green" if alive else "red"
        line = f"watcher: [{colour}]{escape(state)}[/]"
        if alive:
            line += f" (pid {info.get('pid')}, heartbeat {info['age_seconds']} s ago)"
        out.print(line)
        for folder in info.get("missing_folders", []):
            out.print(f"  [yellow]missing folder[/] {escape(safe_text(folder))}")
        for key in ("config_file", "config_dir", "data_dir", "log_dir", "history"):
            out.print(f"{key.replace('_', ' ')}: {escape(safe_text(info[key]))}")
    raise typer.Exit(EXIT_OK if alive else EXIT_FAILED)


def register(app: typer.Typer) -> None:
    """Add these commands to ``app``."""
    app.command()(watch)
    app.command()(status)
    from fileorganizer.cli.service_cmd import service_app

    app.add_typer(service_app, name="service")
