"""A private, throwaway PostgreSQL 15 (+PostGIS, pgRouting) instance for the baselines.

    python bench/baselines/pg.py start DATADIR [--port 55432]
    python bench/baselines/pg.py stop  DATADIR
    python bench/baselines/pg.py psql  DATADIR [--port 55432]     # interactive shell

From Python: `with PgInstance(datadir, port) as pg: pg.sql("...")`.

The server runs as the unprivileged OS user `postgres` because initdb/postgres refuse to run as
root; the client (psql) runs as whoever calls us, so `\\copy` reads and writes files with the
caller's permissions and the server never needs access to the benchmark inputs. Authentication
is `trust` on a unix socket inside DATADIR and on 127.0.0.1 only, so nothing outside this
machine can reach it.
"""
from __future__ import annotations

import argparse
import os
import pwd
import subprocess
import sys
from pathlib import Path

BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
OS_USER = os.environ.get("PG_OS_USER", "postgres")
DB = "bench"
SUPERUSER = "postgres"

SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "max_parallel_workers_per_gather": "2",
    "shared_buffers": "'2GB'",
    "work_mem": "'256MB'",
    "maintenance_work_mem": "'512MB'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    # Bulk loads would otherwise trigger checkpoints mid-COPY and distort load_s.
    "max_wal_size": "'8GB'",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "jit": "off",  # JIT compile time dominates short per-origin pgRouting calls.
    "logging_collector": "off",
}


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", OS_USER, "--"] + cmd
    return cmd


class PgInstance:
    def __init__(self, datadir: str | os.PathLike, port: int = 55432, quiet: bool = True):
        self.datadir = Path(datadir).resolve()
        self.port = port
        self.quiet = quiet
        self._started_here = False

    # -- lifecycle -------------------------------------------------------------------------
    def _run(self, cmd: list[str], **kw) -> subprocess.CompletedProcess:
        return subprocess.run(cmd, check=True, text=True,
                              stdout=subprocess.PIPE if self.quiet else None,
                              stderr=subprocess.STDOUT if self.quiet else None, **kw)

    def init(self) -> None:
        if (self.datadir / "PG_VERSION").exists():
            return
        self.datadir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            pw = pwd.getpwnam(OS_USER)
            os.chown(self.datadir, pw.pw_uid, pw.pw_gid)
        os.chmod(self.datadir, 0o700)
        self._check_traversable()
        self._run(_as_server_user([str(BIN / "initdb"), "-D", str(self.datadir), "-U", SUPERUSER,
                                   "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]))

    def _check_traversable(self) -> None:
        # The server user must be able to reach DATADIR through every parent directory; a 0700
        # root-owned parent gives an obscure "could not change directory" from initdb otherwise.
        if os.geteuid() != 0:
            return
        probe = subprocess.run(_as_server_user(["test", "-x", str(self.datadir)]))
        if probe.returncode != 0:
            raise SystemExit(f"user {OS_USER} cannot reach {self.datadir}: make its parents o+x "
                             f"or choose a data dir elsewhere")

    def _write_conf(self) -> None:
        # Rewritten on every start so a reused data dir picks up the current port and settings.
        lines = [f"{k} = {v}" for k, v in SETTINGS.items()]
        lines += [f"port = {self.port}", f"unix_socket_directories = '{self.datadir}'"]
        conf = self.datadir / "bench.conf"
        conf.write_text("\n".join(lines) + "\n")
        if os.geteuid() == 0:
            pw = pwd.getpwnam(OS_USER)
            os.chown(conf, pw.pw_uid, pw.pw_gid)
        main = self.datadir / "postgresql.conf"
        text = main.read_text()
        if "include_if_exists = 'bench.conf'" not in text:
            main.write_text(text + "\ninclude_if_exists = 'bench.conf'\n")

    def running(self) -> bool:
        r = subprocess.run(_as_server_user([str(BIN / "pg_ctl"), "-D", str(self.datadir), "status"]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return r.returncode == 0

    def start(self) -> "PgInstance":
        self.init()
        if self.running():
            # Left over from an interrupted run: restart so settings and port are ours.
            self.stop()
        self._write_conf()
        log = self.datadir / "server.log"
        self._run(_as_server_user([str(BIN / "pg_ctl"), "-D", str(self.datadir), "-l", str(log),
                                   "-w", "-t", "120", "start"]))
        self._started_here = True
        exists = self.sql(f"SELECT 1 FROM pg_database WHERE datname = '{DB}'", db="postgres")
        if not exists.strip():
            self.sql(f"CREATE DATABASE {DB}", db="postgres")
        self.sql("CREATE EXTENSION IF NOT EXISTS postgis; "
                 "CREATE EXTENSION IF NOT EXISTS btree_gist; "
                 "CREATE EXTENSION IF NOT EXISTS pgrouting;")
        return self

    def stop(self) -> None:
        self._run(_as_server_user([str(BIN / "pg_ctl"), "-D", str(self.datadir), "-m", "fast",
                                   "-w", "stop"]))
        self._started_here = False

    def __enter__(self) -> "PgInstance":
        return self.start()

    def __exit__(self, *exc) -> None:
        if self._started_here:
            self.stop()

    # -- client ----------------------------------------------------------------------------
    def psql_cmd(self, db: str = DB, extra: list[str] | None = None) -> list[str]:
        return [str(BIN / "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                "-h", str(self.datadir), "-p", str(self.port), "-U", SUPERUSER, "-d", db] + (extra or [])

    def sql(self, script: str, db: str = DB) -> str:
        """Runs a script (psql meta-commands allowed) and returns its unaligned output."""
        r = subprocess.run(self.psql_cmd(db), input=script, text=True, capture_output=True)
        if r.returncode != 0:
            raise RuntimeError(f"psql failed ({r.returncode}): {r.stderr.strip()}\n--- script ---\n"
                               f"{script[:2000]}")
        return r.stdout

    def popen(self, script: str, db: str = DB, **kw) -> subprocess.Popen:
        """Starts a psql session running `script`; for concurrent sessions."""
        p = subprocess.Popen(self.psql_cmd(db), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, **kw)
        p.stdin.write(script)
        p.stdin.close()
        p.stdin = None  # so that communicate() does not flush the closed pipe
        return p


def copy_in(table_cols: str, path: Path) -> str:
    """A client-side COPY of a headered CSV; the quoted path keeps odd characters harmless."""
    return f"\\copy {table_cols} FROM '{str(path).replace(chr(39), chr(39) * 2)}' WITH (FORMAT csv, HEADER true)\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", choices=["start", "stop", "psql"])
    ap.add_argument("datadir")
    ap.add_argument("--port", type=int, default=55432)
    a = ap.parse_args(argv)
    pg = PgInstance(a.datadir, a.port, quiet=False)
    if a.action == "start":
        pg.start()
        print(f"running: psql -h {pg.datadir} -p {pg.port} -U {SUPERUSER} {DB}")
    elif a.action == "stop":
        pg.stop()
    else:
        os.execv(str(BIN / "psql"), pg.psql_cmd())
    return 0


if __name__ == "__main__":
    sys.exit(main())
