"""Start-up cost: what importing the package and running a command pull in.

Each check runs in a fresh interpreter and looks at ``sys.modules`` there: a
heavy dependency (the watcher's watchdog, EXIF and magic-byte readers, Jinja2,
the history's SQLAlchemy, the CLI's typer/rich) must be imported only by what
needs it. No timings: these are facts that either hold or not.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

#: Runs the CLI entry point in-process with argv, then prints the loaded modules.
_RUN_CLI = """
import json, sys
sys.argv = ["fileorganizer", *json.loads(sys.argv[1])]
from fileorganizer.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stdout.flush()
print("\\n@@MODULES@@" + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""

#: Never imported by ``run``/``sim`` of rules without content filters or Jinja templates.
NOT_FOR_PLAIN_RULES = (
    "watchdog",
    "exifread",
    "puremagic",
    "jinja2",
    "pypdf",
    "docx",
    "fileorganizer.watch",
    "fileorganizer.service",
    "fileorganizer.content",
)


def _loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    """The modules in ``modules`` that are one of ``names`` or inside one."""
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def _cli_modules(*args: str | os.PathLike[str]) -> tuple[object, list[str], str]:
    """Run the CLI in a fresh interpreter: (exit code, loaded modules, its stdout)."""
    argv = json.dumps([os.fspath(a) for a in args])
    proc = subprocess.run(
        [sys.executable, "-c", _RUN_CLI, argv], capture_output=True, text=True, check=False
    )
    out, sep, tail = proc.stdout.rpartition("\n@@MODULES@@")
    assert sep, f"no module list: stdout={proc.stdout!r} stderr={proc.stderr!r}"
    data = json.loads(tail)
    return data["code"], data["modules"], out


def _python_modules(code: str) -> list[str]:
    """Run ``code`` in a fresh interpreter and return the modules loaded afterwards."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    modules: list[str] = json.loads(proc.stdout.splitlines()[-1])
    return modules


def test_import_fileorganizer_is_light() -> None:
    modules = _python_modules("import fileorganizer")
    heavy = ("sqlalchemy", "typer", "click", "rich", "jinja2", "pydantic", "yaml", "watchdog")
    assert not _loaded(modules, heavy)


def test_public_names_still_import() -> None:
    modules = _python_modules(
        "import fileorganizer\n"
        "from fileorganizer import History, load_config, load_config_text, plan\n"
        "from fileorganizer import *  # noqa: F403\n"
        "assert set(fileorganizer.__all__) <= set(dir(fileorganizer))\n"
        "for name in fileorganizer.__all__:\n"
        "    assert getattr(fileorganizer, name) is not None, name\n"
        "assert fileorganizer.plan.__module__ == 'fileorganizer.planner'\n"
        "try:\n"
        "    fileorganizer.no_such_name\n"
        "except AttributeError:\n"
        "    pass\n"
        "else:\n"
        "    raise AssertionError('no AttributeError')\n"
    )
    assert "sqlalchemy" in modules  # History was asked for


def test_loading_rules_does_not_import_content_readers_or_jinja() -> None:
    rules = (
        "rules:\n"
        "  - locations: /tmp\n"
        "    filters: [extension: pdf]\n"
        "    actions: [move: '/tmp/{extension}/{name}']\n"
    )
    modules = _python_modules(
        f"from fileorganizer import load_config_text\nload_config_text({rules!r})\n"
    )
    assert not _loaded(modules, (*NOT_FOR_PLAIN_RULES, "sqlalchemy", "typer", "rich"))
    # only the filters and actions the rules use are imported (names are known up front)
    assert {"fileorganizer.filters.names", "fileorganizer.actions.transfer"} <= set(modules)
    assert not _loaded(
        modules,
        (
            "fileorganizer.filters.exif",
            "fileorganizer.filters.filecontent",
            "fileorganizer.filters.dates",
            "fileorganizer.actions.remove",
        ),
    )


def test_every_registered_name_is_defined_by_the_module_its_table_names() -> None:
    from fileorganizer.actions import ACTIONS
    from fileorganizer.filters import FILTERS, LAZY_PLACEHOLDERS

    for registry in (FILTERS, ACTIONS, LAZY_PLACEHOLDERS):
        for name, module in registry.where.items():
            value = registry[name]  # imports the module, which registers the name
            assert value.__module__.rsplit(".", 1)[-1] == module, (name, module)


def test_sim_of_plain_rules_imports_no_watcher_content_or_jinja(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.pdf", "b.jpg", "c.txt"):
        (folder / name).write_text(name)
    rules = (
        "rules:\n"
        f"  - locations: {json.dumps(str(folder))}\n"
        "    filters: [extension: pdf]\n"
        "    actions: [move: 'pdf/']\n"
        f"  - locations: {json.dumps(str(folder))}\n"
        "    filters: [{extension: [jpg, png]}, {name: {startswith: b}}]\n"
        "    actions: [{move: 'img/{name}.{extension}'}]\n"
    )
    config = write_config(rules)
    code, modules, out = _cli_modules("sim", folder, "-c", config, "--quiet")
    assert code == 0, out
    assert not _loaded(modules, NOT_FOR_PLAIN_RULES)
    # sim records nothing: no history (SQLAlchemy), no lock, no executor
    assert not _loaded(
        modules, ("sqlalchemy", "filelock", "fileorganizer.lock", "fileorganizer.executor")
    )
    assert sorted(p.name for p in folder.iterdir()) == ["a.pdf", "b.jpg", "c.txt"]


def test_a_content_filter_and_a_jinja_template_load_what_they_need(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("hello")
    rules = (
        "rules:\n"
        f"  - locations: {json.dumps(str(folder))}\n"
        "    filters: [mimetype: text]\n"
        "    actions: [{move: 'out/{name.upper()}.{extension}'}]\n"
    )
    config = write_config(rules)
    code, modules, out = _cli_modules("sim", "-v", folder, "-c", config)
    assert code == 0, out
    assert "OUT/A.TXT" in out.upper() and "A.txt" in out
    assert {"jinja2", "fileorganizer.content.mime"} <= set(modules)
    # the signature table knows text: the general identifier is not even imported
    assert "puremagic" not in modules
    assert not _loaded(modules, ("watchdog", "exifread", "fileorganizer.watch"))


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["check", "-c", "{config}"],
        ["init", "--path", "{new}"],
        ["config", "path"],
        ["explain", "{file}", "-c", "{config}"],
    ],
    ids=lambda a: a[0],
)
def test_commands_without_history_do_not_import_sqlalchemy(
    args: list[str], tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.pdf").write_text("pdf")
    config = write_config(
        f"rules:\n  - locations: {json.dumps(str(folder))}\n"
        "    filters: [extension: pdf]\n    actions: [move: 'pdf/']\n"
    )
    values = {
        "config": str(config),
        "new": str(tmp_path / "new.yaml"),
        "file": str(folder / "a.pdf"),
    }
    code, modules, out = _cli_modules(*(a.format(**values) for a in args))
    assert code == 0, out
    assert not _loaded(modules, ("sqlalchemy", "fileorganizer.history", "filelock"))
    assert not _loaded(modules, NOT_FOR_PLAIN_RULES)
    if args[0] in ("--version", "init", "config"):  # no rules are loaded
        # (pydantic itself may be loaded: recent typer converts options with it)
        no_rules = ("fileorganizer.config.loader", "fileorganizer.filters", "fileorganizer.planner")
        assert not _loaded(modules, no_rules)


def test_help_still_lists_every_command() -> None:
    code, _modules, out = _cli_modules("--help")
    assert code == 0
    for command in (
        "run",
        "sim",
        "check",
        "explain",
        "init",
        "config",
        "history",
        "undo",
        "watch",
        "status",
        "service",
        "dupes",
    ):
        assert f" {command} " in out, command


def test_repeated_defaults_match_their_source() -> None:
    """Constants repeated to keep imports lazy must equal the originals."""
    from fileorganizer.cli import watch_cmd
    from fileorganizer.content.hashing import DEFAULT_ALGORITHM
    from fileorganizer.filters import hash as hash_filter
    from fileorganizer.watch import WatchSettings

    assert hash_filter.DEFAULT_ALGORITHM == DEFAULT_ALGORITHM
    params = inspect.signature(watch_cmd.watch).parameters
    defaults = WatchSettings()
    for name in ("stable_seconds", "rescan_interval", "heartbeat_interval"):
        assert params[name].default == getattr(defaults, name), name


def test_history_commands_use_sqlalchemy_core_without_the_orm(
    tmp_path: Path, write_config: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``run`` (recovery, journal, hash cache), ``history`` and ``undo`` never import the ORM."""
    for var, sub in (
        ("FILEORGANIZER_DATA_DIR", "data"),
        ("FILEORGANIZER_CONFIG_DIR", "config"),
        ("FILEORGANIZER_LOG_DIR", "log"),
        ("FILEORGANIZER_TRASH_DIR", "trash"),
    ):
        monkeypatch.setenv(var, str(tmp_path / "app" / sub))
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.pdf", "b.pdf"):
        (folder / name).write_text(name)
    (folder / "c.txt").write_text("same")  # duplicates: hashed (the history's hash cache)
    (folder / "d.txt").write_text("same")
    config = write_config(
        f"rules:\n  - locations: {json.dumps(str(folder))}\n"
        "    filters: [extension: pdf]\n    actions: [move: 'pdf/']\n"
        f"  - locations: {json.dumps(str(folder))}\n"
        "    filters: [extension: txt, duplicate]\n    actions: [trash]\n"
    )
    code, modules, out = _cli_modules("run", folder, "-c", config, "--quiet")
    assert code == 0, out
    assert sorted(p.name for p in (folder / "pdf").iterdir()) == ["a.pdf", "b.pdf"]
    assert len([p for p in folder.iterdir() if p.suffix == ".txt"]) == 1  # one trashed
    # the history was opened and journaled into, through SQLAlchemy Core; with nothing
    # to recover, no recovery code is loaded
    assert {"sqlalchemy", "fileorganizer.history.store", "fileorganizer.history.journal"} <= set(
        modules
    )
    assert not _loaded(modules, ("sqlalchemy.orm", "fileorganizer.history.recovery"))
    for args in (("history",), ("undo",)):
        code, modules, out = _cli_modules(*args)
        assert code == 0, out
        assert "fileorganizer.history.store" in modules
        assert not _loaded(modules, ("sqlalchemy.orm",)), args
    # undone: the files are back (the folder the run created is removed)
    assert sorted(p.name for p in folder.iterdir()) == ["a.pdf", "b.pdf", "c.txt", "d.txt"]


def test_importing_the_store_does_not_import_recovery_undo_or_fsops() -> None:
    modules = _python_modules(
        "from fileorganizer.history import History\n"
        "from fileorganizer.history.journal import RunJournal\n"
    )
    assert "fileorganizer.history.store" in modules
    assert not _loaded(
        modules,
        ("fileorganizer.history.recovery", "fileorganizer.history.undo", "fileorganizer.fsops"),
    )
    assert not _loaded(modules, ("sqlalchemy.orm",))
