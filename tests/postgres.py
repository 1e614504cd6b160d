"""A throw-away PostgreSQL server for the tests: `postgres_cluster` (one per test session) and
`postgres_url` (a fresh database of its own for each test), both in tests/conftest.py.

The server is Debian's (`postgresql`, installed by scripts/bootstrap.sh: /usr/lib/postgresql/<N>/bin,
the newest N; $COMPLIANCE_TEST_PG_BIN names another folder holding initdb and pg_ctl). Its cluster
is made with initdb in a folder of its own under the temp folder. initdb refuses to run as root,
so when the tests run as root (as in CI) the folder belongs to the `postgres` system user (or
`nobody` where there is none) and initdb, pg_ctl and the server run as that user. The server
listens on a unix socket in that folder and on a free TCP port of 127.0.0.1 only, asks a password
of every connection (scram-sha-256) and is stopped and deleted when the session ends. The Debian
system cluster (`main`, port 5432) is neither needed nor touched.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Optional

PG_ROOT = Path("/usr/lib/postgresql")
PREFIX = "compliance-pg-"
SUPERUSER = "postgres"


class PostgresUnavailable(Exception):
    """PostgreSQL cannot be started here (the message says why and what to install)."""


def find_bin() -> Path:
    """The folder holding initdb and pg_ctl: $COMPLIANCE_TEST_PG_BIN, or Debian's newest version."""
    given = os.environ.get("COMPLIANCE_TEST_PG_BIN")
    candidates = [Path(given)] if given else sorted(
        PG_ROOT.glob("*/bin"), key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.name)] or [0], reverse=True)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    where = given or f"{PG_ROOT}/*/bin"
    raise PostgresUnavailable(f"no PostgreSQL server programs (initdb, pg_ctl) in {where}: install Debian's "
                              "`postgresql` package (scripts/bootstrap.sh does), or set COMPLIANCE_TEST_PG_BIN")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_as() -> Optional[pwd.struct_passwd]:
    """The unprivileged account the cluster runs as when the tests run as root; None: as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in (SUPERUSER, "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresUnavailable("running as root and there is no `postgres` or `nobody` account to run "
                              "PostgreSQL as (initdb refuses root)")


class PostgresCluster:
    """One running cluster. `url(db)` is a SQLAlchemy URL; `create_database()` a fresh database."""

    def __init__(self, bin_dir: Path, folder: Path, port: int, password: str, account):
        self.bin_dir, self.folder, self.port, self.password = bin_dir, folder, port, password
        self.account = account
        self.data = folder / "data"
        self.log = folder / "server.log"
        self._count = 0

    # -- starting and stopping ---------------------------------------------------------------------

    @classmethod
    def start(cls) -> "PostgresCluster":
        bin_dir = find_bin()
        account = _run_as()
        cls.stop_leftovers(bin_dir, account)
        # in the system temp folder (not pytest's 0700 one, which the postgres user cannot enter),
        # and short: a unix socket's path has at most 107 bytes
        folder = Path(tempfile.mkdtemp(prefix=PREFIX))
        cluster = cls(bin_dir, folder, 0, secrets.token_hex(16), account)
        try:
            (folder / "pytest.pid").write_text(str(os.getpid()))
            if account is not None:
                os.chown(folder, account.pw_uid, account.pw_gid)
            pwfile = folder / "password"
            pwfile.write_text(cluster.password + "\n")
            if account is not None:
                os.chown(pwfile, account.pw_uid, account.pw_gid)
            cluster._run("initdb", "-D", str(cluster.data), "-U", SUPERUSER, "--auth=scram-sha-256",
                         f"--pwfile={pwfile}", "--encoding=UTF8", "--no-locale", "--no-sync")
            pwfile.unlink()
            for _attempt in range(5):          # another program may take the free port first
                cluster.port = free_port()
                try:
                    cluster._start_server()
                    return cluster
                except PostgresUnavailable:
                    if "already in use" not in cluster._log_tail():
                        raise
            raise PostgresUnavailable(f"PostgreSQL found no free port: {cluster._log_tail()}")
        except BaseException:
            cluster.stop()
            raise

    @classmethod
    def stop_leftovers(cls, bin_dir: Path, account) -> None:
        """Stop and delete the clusters of test sessions that were killed before they could."""
        for folder in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
            try:
                owner = int((folder / "pytest.pid").read_text())
                os.kill(owner, 0)
                continue                        # its session still runs
            except ProcessLookupError:
                pass
            except (OSError, ValueError):
                continue                        # not ours to judge
            cls(bin_dir, folder, 0, "", account).stop()

    def _start_server(self) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c max_connections=300 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   # a zone that is not UTC: the registry must not depend on the server's zone
                   "-c timezone=Asia/Shanghai")
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.log), "-o", options)

    def stop_server(self) -> None:
        """Stop the server, ending every connection (as an administrator's restart does); the
        cluster is kept for start_server()."""
        self._run("pg_ctl", "stop", "-w", "-t", "60", "-m", "fast", "-D", str(self.data))

    def start_server(self) -> None:
        """Start the stopped server again, on the same port."""
        self._start_server()

    def restart(self) -> None:
        """Stop the server and start it again: every open connection is gone, the databases stay."""
        self.stop_server()
        self.start_server()

    def stop(self) -> None:
        """Stop the server (closing every connection) and delete its folder."""
        if (self.data / "postmaster.pid").is_file():
            try:
                self._run("pg_ctl", "stop", "-w", "-t", "60", "-m", "immediate", "-D", str(self.data))
            except PostgresUnavailable:
                pass
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        as_user = {}
        if self.account is not None:
            as_user = dict(user=self.account.pw_uid, group=self.account.pw_gid, extra_groups=[])
        env = dict(os.environ, LC_ALL="C", TZ="UTC")
        if self.account is not None:
            env["HOME"] = str(self.folder)
        try:
            done = subprocess.run([str(self.bin_dir / program), *args], cwd=self.folder, env=env,
                                  capture_output=True, text=True, timeout=120, **as_user)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresUnavailable(f"{program} could not run: {exc}") from None
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip()
            raise PostgresUnavailable(f"{program} failed (exit status {done.returncode}): {said}\n{self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-15:])
        except OSError:
            return ""

    # -- databases ---------------------------------------------------------------------------------

    def url(self, database: str = "postgres", *, via_socket: bool = False) -> str:
        """A SQLAlchemy URL of a database (over TCP; `via_socket`: over the unix socket)."""
        if via_socket:
            return f"postgresql+psycopg://{SUPERUSER}:{self.password}@/{database}?host={self.folder}&port={self.port}"
        return f"postgresql+psycopg://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def _admin(self):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, password=self.password,
                               dbname="postgres", autocommit=True, connect_timeout=30)

    def create_database(self, hint: str = "") -> str:
        """A new empty database (named after `hint`, e.g. the test) and its URL."""
        self._count += 1
        slug = re.sub(r"[^a-z0-9]+", "_", hint.lower()).strip("_")[:40]
        name = f"t{self._count:04d}_{os.getpid()}{'_' + slug if slug else ''}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by `create_database`, ending any connection still open to it."""
        name = url.rsplit("/", 1)[1].split("?")[0]
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def started_or_skipped():
    """A new PostgresCluster for a test fixture; where it cannot start, the test is skipped saying
    why, and under CI (`CI=true`) it fails."""
    import pytest

    try:
        return PostgresCluster.start()
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL did not start: {exc}")
        pytest.skip(f"PostgreSQL did not start: {exc}")
