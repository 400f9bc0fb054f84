"""A throwaway PostgreSQL server for the tests (not a test module).

:func:`start_server` runs ``initdb`` into a fresh temporary folder and
``pg_ctl start`` with a Unix socket in that folder and no TCP listener, as the
``postgres`` user when the tests run as root (the server refuses to run as
root). Debian's ``postgresql`` package puts the binaries in
``/usr/lib/postgresql/<version>/bin``, not on PATH; ``$FILEORGANIZER_TEST_PG_BINDIR``
names another folder. With ``$FILEORGANIZER_TEST_DATABASE_URL`` (an admin URL of
a server you run yourself) no server is started and the tests make their
databases there.

Each test gets a database of its own (:meth:`PgServer.create_database`),
dropped at its end. The test server runs with ``fsync=off``: it only has to
survive the client being killed, never the machine (the benchmark in
``bench/`` runs a server with the default, durable settings).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ENV_BINDIR = "FILEORGANIZER_TEST_PG_BINDIR"
ENV_ADMIN_URL = "FILEORGANIZER_TEST_DATABASE_URL"


def find_bindir() -> Path | None:
    """The folder with ``initdb`` and ``pg_ctl``, or None."""
    given = os.environ.get(ENV_BINDIR)
    candidates = [given] if given else []
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(os.path.dirname(os.path.realpath(on_path)))

    def version(path: str) -> tuple[int, ...]:
        name = Path(path).parent.name
        return tuple(int(p) for p in name.split(".") if p.isdigit())

    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    candidates.append("/usr/local/pgsql/bin")
    for c in candidates:
        if (
            c
            and os.path.isfile(os.path.join(c, "initdb"))
            and os.path.isfile(os.path.join(c, "pg_ctl"))
        ):
            return Path(c)
    return None


def why_unavailable() -> str | None:
    """Why no PostgreSQL can be used here (None: it can)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed: pip install 'fileorganizer[postgres]'"
    if os.environ.get(ENV_ADMIN_URL):
        return None
    if find_bindir() is None:
        return (
            "no PostgreSQL server binaries (initdb, pg_ctl): install Debian's postgresql "
            f"package, or set {ENV_BINDIR} or {ENV_ADMIN_URL}"
        )
    return None


def _server_user() -> str | None:
    """The user the server runs as (None: the current one)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root and there is no postgres (or nobody) user")


@dataclass
class PgServer:
    """A running server: its socket folder, or an external admin URL."""

    bindir: Path | None
    root: Path | None
    admin_url: str
    user: str | None = None
    databases: list[str] = field(default_factory=list)

    def url(self, database: str) -> str:
        """An SQLAlchemy URL of ``database`` on this server."""
        from sqlalchemy.engine import make_url

        return make_url(self.admin_url).set(database=database).render_as_string(False)

    def _admin(self, sql: str) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        u = make_url(self.admin_url)
        params = {
            "dbname": u.database or "postgres",
            "user": u.username,
            "password": u.password,
            "host": u.host or u.query.get("host"),
            "port": u.port,
        }
        with psycopg.connect(
            **{k: v for k, v in params.items() if v is not None}, autocommit=True
        ) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_database(self) -> str:
        """A new, empty database; its URL."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE template0 STRATEGY FILE_COPY")
        self.databases.append(name)
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database :meth:`create_database` made (its connections are ended)."""
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        if name in self.databases:
            self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            self.databases.remove(name)

    def stop(self) -> None:
        """Stop the server and remove its folder (nothing for an external server)."""
        if self.root is None or self.bindir is None:
            for name in list(self.databases):
                self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            return
        _run(
            self.user,
            [str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop"],
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def _run(user: str | None, cmd: list[str], *, check: bool = True) -> str:
    if user is not None:
        cmd = ["runuser", "-u", user, "--", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout


def start_server(*, durable: bool = False, use_external: bool = True) -> PgServer:
    """Start a server for this test session (or use ``$FILEORGANIZER_TEST_DATABASE_URL``).

    ``durable`` keeps PostgreSQL's default durability (``fsync=on``), as the
    benchmark measures it; the tests do not need it.
    """
    external = os.environ.get(ENV_ADMIN_URL) if use_external else None
    if external:
        return PgServer(None, None, external)
    bindir = find_bindir()
    assert bindir is not None, why_unavailable()
    user = _server_user()
    root = Path(tempfile.mkdtemp(prefix="fo-pg-"))
    if user is not None:
        shutil.chown(root, user)
    data = root / "data"
    _run(
        user,
        [
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        ],
    )
    options = f"-k {root} -c listen_addresses='' -c max_connections=200"
    if not durable:
        options += " -c fsync=off -c full_page_writes=off -c shared_buffers=32MB"
    try:
        _run(
            user,
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(root / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ],
        )
    except RuntimeError as exc:
        log_file = root / "server.log"
        log = log_file.read_text(errors="replace") if log_file.exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"{exc}\n{log[-2000:]}") from None
    url = f"postgresql+psycopg://postgres@/postgres?host={root}"
    return PgServer(bindir, root, url, user)
