"""Which rules file and folders a command works on: the lookup order, named configs, checks.

An argument that is an existing folder is a folder to organize; an existing
``.yaml``/``.yml`` file, or a bare NAME with a ``<config dir>/NAME.yaml``, is the
rules file. Anything else is blamed on the command line, with what it could
have meant.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.markup import escape

from fileorganizer.cli.common import fail, safe_text, stderr_console
from fileorganizer.errors import ConfigError
from fileorganizer.paths import ENV_CONFIG, AppPaths, StateDir, ensure_writable_dir

if TYPE_CHECKING:
    from fileorganizer.config import Config


def find_config_path(explicit: Path | None, paths: AppPaths) -> Path | None:
    """``-c``, then ``$FILEORGANIZER_CONFIG``, then the user config file; None for built-ins."""
    if explicit is not None:
        return explicit
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env).expanduser()
    if paths.config_file.exists():
        return paths.config_file
    return None


CONFIG_SUFFIXES = (".yaml", ".yml")


def named_config(name: str, paths: AppPaths) -> Path | None:
    """``<config dir>/NAME.yaml`` (or ``.yml``) if ``name`` is a bare name and it exists."""
    if not name or os.sep in name or "/" in name or name.startswith("."):
        return None
    stem = name[: -len(Path(name).suffix)] if name.endswith(CONFIG_SUFFIXES) else name
    for suffix in CONFIG_SUFFIXES:
        candidate = paths.config_dir / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def config_by_name_or_path(arg: str, paths: AppPaths) -> Path:
    """A rules file given as a path or as a name in the config dir (organize's ``run NAME``)."""
    as_path = Path(arg).expanduser()
    if as_path.is_file():
        return as_path
    found = named_config(arg, paths)
    if found is not None:
        return found
    raise ConfigError(
        f"no rules file {arg!r}: neither a file nor {paths.config_dir / (arg + '.yaml')} "
        "(see 'fileorganizer config list')"
    )


def split_folders_and_config(
    args: list[str] | None, explicit: Path | None, paths: AppPaths
) -> tuple[list[Path], Path | None]:
    """Tell folders from a rules file among ``run``/``sim`` arguments.

    An existing folder is a folder to organize; an existing file ending in
    ``.yaml``/``.yml``, or a bare NAME with a ``<config dir>/NAME.yaml``, is the rules
    file. At most one rules file, and not together with ``--config``.
    """
    folders: list[Path] = []
    config = explicit
    for arg in args or ():
        as_path = Path(arg).expanduser()
        if as_path.is_dir():
            folders.append(as_path)
            continue
        found: Path | None = None
        if as_path.is_file() and arg.endswith(CONFIG_SUFFIXES):
            found = as_path
        else:
            found = named_config(arg, paths)
        if found is None:
            raise ConfigError(_not_folder_nor_config(arg, as_path, paths))
        if config is not None:
            raise ConfigError(
                f"two rules files given ({config} and {found}): name one, with -c or as NAME"
            )
        config = found
    return folders, config


def _not_folder_nor_config(arg: str, as_path: Path, paths: AppPaths) -> str:
    """Why a command-line argument is neither a folder nor a rules file (blamed on it)."""
    if as_path.exists():
        return (
            f"folder given on the command line is not a folder: {as_path} "
            "(a rules file ends in .yaml/.yml)"
        )
    if arg.endswith(CONFIG_SUFFIXES):
        return f"rules file given on the command line does not exist: {as_path}"
    if os.sep in arg or arg.startswith(("~", ".")):
        return f"folder given on the command line does not exist: {as_path}"
    if arg.lower() in _FLAG_VALUES:
        return (
            f"folder given on the command line does not exist: {arg} "
            f"(a flag takes no value: leave out '{arg}')"
        )
    return (
        f"{arg!r} is neither a folder nor a rules file "
        f"(no folder {arg}, no {paths.config_dir / (arg + '.yaml')})"
    )


def enter_working_dir(
    working_dir: Path | None, folders: list[Path], config: Path | None
) -> tuple[list[Path], Path | None]:
    """``--working-dir``: make the given paths absolute, then change to that folder.

    Relative paths in the rules (locations, destinations) are then relative to it,
    as in organize; folders and the rules file named on the command line keep
    meaning what they meant where the command was typed.
    """
    if working_dir is None:
        return folders, config
    target = working_dir.expanduser()
    if not target.is_dir():
        raise ConfigError(f"--working-dir {working_dir}: no such folder")
    folders = [p.absolute() for p in folders]
    config = config.expanduser().absolute() if config is not None else None
    os.chdir(target)
    return folders, config


def resolve_config(explicit: Path | None, paths: AppPaths) -> Config:
    """Load the config the lookup order finds, or the built-in default rules."""
    from fileorganizer.config import default_config, load_config

    path = find_config_path(explicit, paths)
    if path is None:
        return default_config()
    try:
        return load_config(path)
    except ConfigError as exc:
        if len(exc.problems) == 1:
            raise
        fail_problems(exc)


def fail_problems(exc: ConfigError) -> NoReturn:
    """Print each problem of a rules file as its own ``error:`` line; exit 2."""
    err = stderr_console()
    for problem in exc.problems:
        err.print(f"[bold red]error:[/] {escape(safe_text(problem))}", markup=True)
    err.print(f"{len(exc.problems)} problems; nothing was changed")
    raise typer.Exit(exc.exit_code)


def require_paths_for_builtin(
    config: Config, folders: list[Path] | list[str] | None, paths: AppPaths | None = None
) -> None:
    """The built-in rules need folders on the command line."""
    if config.builtin and not folders:
        where = f" (looked for {paths.config_file})" if paths is not None else ""
        raise ConfigError(
            f"no rules file found{where} and no folder given: put your rules there, "
            "name a file with -c or $FILEORGANIZER_CONFIG, or give the folders to organize "
            "with the built-in rules: 'fileorganizer run ~/Downloads'"
        )


def require_writable_state(paths: AppPaths) -> None:
    """Fail early (exit 73) when the data folder or the trash folder cannot be written.

    For commands that change files: the data folder (lock, history) is created
    as the lock would; the trash folder, how overwrites and undo stay
    reversible, need only be creatable (it is not created).
    """
    ensure_writable_dir(paths.data_dir, StateDir.DATA)
    ensure_writable_dir(paths.trash_dir, StateDir.TRASH, create=False)


def check_folders(folders: list[Path] | None) -> None:
    """Folders given on the command line must exist: blame the command line, not a rule."""
    for folder in folders or ():
        if folder.is_dir():
            continue
        what = "is not a folder" if folder.exists() else "does not exist"
        hint = ""
        if folder.name.lower() in _FLAG_VALUES and not folder.exists():
            hint = f" (a flag takes no value: leave out '{folder.name}')"
        fail(f"folder given on the command line {what}: {folder}{hint}")


#: words someone may write after a flag, as if it took a value
_FLAG_VALUES = {"true", "false", "yes", "no", "on", "off", "1", "0"}
