"""Shared fixtures for the whole test suite.

Generic and stable: other test modules rely on these names, so they are never
renamed. Every test runs with the tool's own directories (data, config, logs,
trash) pointed at throwaway folders, so no test touches the real user dirs.

Fixtures
--------
- ``isolated_env`` (autouse): an :class:`AppDirs` of the per-test tool dirs.
- ``tree``: ``tree.make(root, {"a.txt": "hi", "sub": {"b.pdf": b"..."}})`` and
  ``tree.read(root) -> dict`` (bytes content, empty dirs as ``{}``, symlinks as
  ``("symlink", target)``; names that are not UTF-8 come back as
  surrogate-escaped ``str``, i.e. ``os.fsdecode`` of the raw bytes).
- ``write_config``: ``write_config(yaml_text, name="rules.yaml") -> Path`` (in
  a folder of its own, outside ``tmp_path``'s tree).
- ``run_cli``: ``run_cli(*args, env=None, cwd=None) -> CompletedProcess`` running
  ``python -m fileorganizer`` in a subprocess (real exit codes and streams).
- ``cli_main``: ``cli_main(*args) -> CliResult(code, out, err)`` running the real
  entry point ``fileorganizer.cli.main`` (the error boundary) in-process: fast,
  with real exit codes; use ``run_cli`` when a separate process matters.
- ``tmpfs``: a factory ``tmpfs(size="1m") -> Path`` mounting a fresh tmpfs
  (skips when not root or mounting fails); unmounted at teardown.
- ``yaml_str``: quote a path (or any string) for a YAML config.
- ``pg_server`` (session): a throwaway PostgreSQL server this test session
  starts itself (``tests/pg_server.py``; one per xdist worker), or a skip with
  the reason where no server binary exists; ``pg_url``: a fresh database on it.
- ``backend``: parametrizes a test over ``"sqlite"`` and ``"postgresql"``; for
  the latter ``$FILEORGANIZER_DATABASE_URL`` points at a fresh database, so
  everything that resolves the tool's paths (the library, the CLI, subprocesses)
  uses it. Use ``pytestmark = pytest.mark.usefixtures("backend")`` for a module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pg_server import PgServer, start_server, why_unavailable

TreeSpec = Mapping[str | bytes, Any]

_ENV_CLEARED = (
    "FILEORGANIZER_CONFIG",
    "FILEORGANIZER_DB",
    "FILEORGANIZER_TRASH_DIR",
    "FILEORGANIZER_DATABASE_URL",
    "FILEORGANIZER_HOST_ID",
)


@dataclass(frozen=True)
class AppDirs:
    """The tool's directories for one test (all under one throwaway folder)."""

    root: Path
    data_dir: Path
    config_dir: Path
    log_dir: Path
    xdg_data_home: Path

    @property
    def trash_dir(self) -> Path:
        """The freedesktop home trash the tool uses: ``$XDG_DATA_HOME/Trash``."""
        return self.xdg_data_home / "Trash"


@pytest.fixture(autouse=True)
def isolated_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> AppDirs:
    """Point every tool directory at a fresh folder outside ``tmp_path``."""
    root = tmp_path_factory.mktemp("appdirs")
    dirs = AppDirs(
        root=root,
        data_dir=root / "data",
        config_dir=root / "config",
        log_dir=root / "log",
        xdg_data_home=root / "xdg",
    )
    monkeypatch.setenv("FILEORGANIZER_DATA_DIR", str(dirs.data_dir))
    monkeypatch.setenv("FILEORGANIZER_CONFIG_DIR", str(dirs.config_dir))
    monkeypatch.setenv("FILEORGANIZER_LOG_DIR", str(dirs.log_dir))
    monkeypatch.setenv("XDG_DATA_HOME", str(dirs.xdg_data_home))
    monkeypatch.setenv("NO_COLOR", "1")
    for var in _ENV_CLEARED:
        monkeypatch.delenv(var, raising=False)
    return dirs


# -- trees ---------------------------------------------------------------------


def make_tree(root: str | os.PathLike[str] | bytes, spec: TreeSpec) -> None:
    """Create files and folders under ``root`` from a dict.

    Keys are names (``str``, or ``bytes`` for names that are not UTF-8); values
    are ``str`` (written as UTF-8), ``bytes``, or a dict for a folder.
    """
    base = os.fsencode(root)
    os.makedirs(base, exist_ok=True)
    for name, value in spec.items():
        path = os.path.join(base, os.fsencode(name))
        if isinstance(value, Mapping):
            make_tree(path, value)
            continue
        data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)


def read_tree(root: str | os.PathLike[str] | bytes) -> dict[str, Any]:
    """Read ``root`` back as a dict: bytes per file, dicts per folder (empty ones too).

    Names are ``os.fsdecode``-d, so undecodable bytes survive as surrogates.
    """
    base = os.fsencode(root)
    out: dict[str, Any] = {}
    for raw in sorted(os.listdir(base)):
        path = os.path.join(base, raw)
        name = os.fsdecode(raw)
        if os.path.islink(path):
            out[name] = ("symlink", os.fsdecode(os.readlink(path)))
        elif os.path.isdir(path):
            out[name] = read_tree(path)
        else:
            with open(path, "rb") as f:
                out[name] = f.read()
    return out


def flatten_tree(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a/b.txt": b"..."}`` for every file (and ``"dir/": {}`` for empty folders)."""
    out: dict[str, Any] = {}
    for name, value in tree.items():
        rel = f"{prefix}{name}"
        if isinstance(value, dict):
            if value:
                out.update(flatten_tree(value, rel + "/"))
            else:
                out[rel + "/"] = {}
        else:
            out[rel] = value
    return out


class TreeHelper:
    """``make``/``read``/``flat`` on real folders (see :func:`make_tree`)."""

    make = staticmethod(make_tree)
    read = staticmethod(read_tree)

    @staticmethod
    def flat(root: str | os.PathLike[str] | bytes) -> dict[str, Any]:
        """Every file under ``root`` by relative path: ``{"sub/b.pdf": b"..."}``."""
        return flatten_tree(read_tree(root))


@pytest.fixture
def tree() -> TreeHelper:
    """Build a tree from a dict and read it back, for before/after assertions."""
    return TreeHelper()


# -- config files ----------------------------------------------------------------


def yaml_quote(value: object) -> str:
    """A YAML double-quoted scalar for ``value`` (JSON strings are valid YAML)."""
    return json.dumps(os.fspath(value) if isinstance(value, os.PathLike) else str(value))


@pytest.fixture
def yaml_str() -> Callable[[object], str]:
    """Quote a path or string for inclusion in a YAML config."""
    return yaml_quote


@pytest.fixture
def write_config(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Write a rules file in a folder of its own; return its path."""
    folder = tmp_path_factory.mktemp("config")

    def write(text: str, name: str = "rules.yaml") -> Path:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


# -- the CLI ---------------------------------------------------------------------


def run_cli_process(
    *args: str | os.PathLike[str],
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    text: bool = True,
    timeout: float = 120,
) -> subprocess.CompletedProcess[Any]:
    """Run ``python -m fileorganizer ARGS`` with the current (isolated) environment."""
    full_env = dict(os.environ)
    full_env.setdefault("NO_COLOR", "1")
    full_env["PYTHONUTF8"] = "0"
    if env:
        full_env.update(env)
    cmd = [sys.executable, "-m", "fileorganizer", *(os.fspath(a) for a in args)]
    proc = subprocess.run(
        cmd, env=full_env, cwd=cwd, capture_output=True, timeout=timeout, check=False
    )
    if not text:
        return proc
    return subprocess.CompletedProcess(
        proc.args,
        proc.returncode,
        proc.stdout.decode("utf-8", "backslashreplace"),
        proc.stderr.decode("utf-8", "backslashreplace"),
    )


@pytest.fixture
def run_cli() -> Callable[..., subprocess.CompletedProcess[Any]]:
    """``run_cli(*args, env=None, cwd=None, text=True)`` -> CompletedProcess."""
    return run_cli_process


@dataclass(frozen=True)
class CliResult:
    """What one in-process CLI call did."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli_main(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., CliResult]:
    """Run ``fileorganizer.cli.main()`` in-process with ``args``; never raises SystemExit."""
    from fileorganizer.cli import main

    def call(*args: str | os.PathLike[str]) -> CliResult:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["fileorganizer", *(os.fspath(a) for a in args)])
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        else:  # pragma: no cover - main() always exits
            code = 0
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return call


# -- mounts ----------------------------------------------------------------------


@pytest.fixture
def tmpfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Path]]:
    """A factory mounting small tmpfs filesystems: ``tmpfs(size="1m") -> Path``."""
    mounted: list[Path] = []

    def mount(size: str = "1m", name: str = "tmpfs") -> Path:
        if not hasattr(os, "geteuid") or os.geteuid() != 0:
            pytest.skip("mounting a tmpfs needs root")
        where = tmp_path_factory.mktemp(name)
        proc = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs: {proc.stderr.strip() or proc.returncode}")
        mounted.append(where)
        return where

    yield mount
    for where in reversed(mounted):
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


# -- PostgreSQL ------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL server for this session (this xdist worker), stopped at its end."""
    why = why_unavailable()
    if why is not None:
        if os.environ.get("FILEORGANIZER_TEST_REQUIRE_PG"):  # CI: a skip would hide it
            pytest.fail(f"FILEORGANIZER_TEST_REQUIRE_PG is set but {why}")
        pytest.skip(why)
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """The URL of a fresh, empty database (dropped after the test)."""
    url = pg_server.create_database()
    yield url
    pg_server.drop_database(url)


BACKENDS = (
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """``"sqlite"`` or ``"postgresql"``: the history the tool uses in this test."""
    if request.param == "postgresql":
        monkeypatch.setenv("FILEORGANIZER_DATABASE_URL", request.getfixturevalue("pg_url"))
    return str(request.param)
