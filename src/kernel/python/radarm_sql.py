"""Databases as data sources: SQLite/DuckDB files, PostgreSQL and MySQL/MariaDB servers.

In the analysis namespace: `sql(query, source=None, max_rows=None) -> DataFrame`, `db` (the default source's
SQLAlchemy engine; a sqlite3 connection when SQLAlchemy is missing) and `dbs["name"]` for every source.
Read-only unless writes were allowed; a query honours the run's interrupt (timeout, Stop) on the SERVER too;
rows pulled into memory are capped. Errors name the source without its password and say what to do.

Part of Radarm's Python kernel. Python 3.8+.
"""
import collections
import importlib
import os
import re
import sys
import time
import urllib.parse

import pandas as pd

SQLITE_EXTS = (".sqlite", ".sqlite3", ".db")
DUCKDB_EXTS = (".duckdb",)
DB_EXTS = SQLITE_EXTS + DUCKDB_EXTS
DEFAULT_ROW_LIMIT = 1000000
CONNECT_TIMEOUT_S = 10

# Settings of the current load (the host sends them with every load request).
SETTINGS = {"allowWrites": False, "timeoutMs": 60000, "rowLimit": DEFAULT_ROW_LIMIT}
SOURCES = collections.OrderedDict()  # name -> Source


class DatabaseError(Exception):
    """A database problem with a message that names the source (never its password) and the fix."""


def pip_hint(package):
    return "`{} -m pip install {}`".format(sys.executable or "python", package)


def _module(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def redact(text, password):
    text = str(text)
    if password:
        text = text.replace(password, "***").replace(urllib.parse.quote(password, safe=""), "***")
    return text


class Source(object):
    """One configured database: its name, engine kind, URL (with the password) and, once opened, its engine."""

    def __init__(self, name, kind, url=None, path=None, password=None):
        self.name, self.kind, self.url, self.path, self.password = name, kind, url, path, password
        self.engine = None
        self.opened_with = None  # (allowWrites, timeoutMs) the engine was opened with
        self.catalog = None  # cached schema description (radarm_sql_profile)

    @property
    def safe(self):
        """What messages show: the file, or the URL without its password."""
        if self.path:
            return self.path
        parts = urllib.parse.urlsplit(self.url)
        netloc = parts.netloc
        if "@" in netloc:
            user, host = netloc.rsplit("@", 1)
            netloc = user.split(":", 1)[0] + ":***@" + host if ":" in user else netloc
        return redact(urllib.parse.urlunsplit(parts._replace(netloc=netloc)), self.password)

    def key(self):
        return (self.kind, self.url, self.path, self.password)


def kind_of_url(url):
    scheme = url.split(":", 1)[0].lower().split("+", 1)[0]
    if scheme in ("postgresql", "postgres", "pgsql"):
        return "postgresql"
    if scheme in ("mysql", "mariadb"):
        return "mysql"
    if scheme == "sqlite":
        return "sqlite"
    if scheme == "duckdb":
        return "duckdb"
    raise DatabaseError("unsupported database URL scheme {!r}: Radarm reads postgresql://, mysql:// (MariaDB too), "
                        "sqlite:/// and duckdb:/// sources".format(scheme))


def source_from_spec(spec, workspace):
    """A Source from the host's {name, url, password?} (servers) or a file path."""
    if isinstance(spec, str):
        path = os.path.abspath(os.path.join(workspace, spec))
        kind = "duckdb" if path.lower().endswith(DUCKDB_EXTS) else "sqlite"
        return Source(os.path.basename(path), kind, path=path)
    url = spec["url"]
    kind = kind_of_url(url)
    if kind in ("sqlite", "duckdb"):
        path = url.split(":///", 1)[-1] if ":///" in url else url.split("://", 1)[-1]
        return Source(spec.get("name") or os.path.basename(path), kind,
                      path=os.path.abspath(os.path.join(workspace, path)))
    return Source(spec.get("name") or "db", kind, url=url, password=spec.get("password") or None)


# --- opening a source ----------------------------------------------------------------------------------------------


def _server_url(src, sa):
    """A SQLAlchemy URL with the installed driver and the password filled in."""
    if src.kind == "postgresql":
        drivers = (("psycopg2", "psycopg2", "psycopg2-binary"), ("psycopg", "psycopg", "psycopg[binary]"))
    else:
        drivers = (("pymysql", "pymysql", "PyMySQL"), ("MySQLdb", "mysqldb", "mysqlclient"))
    driver = None
    explicit = src.url.split(":", 1)[0].split("+", 1)[1] if "+" in src.url.split(":", 1)[0] else None
    for module, dialect_driver, package in drivers:
        if (explicit in (None, dialect_driver)) and _module(module) is not None:
            driver = dialect_driver
            break
    if driver is None:
        package = drivers[0][2]
        raise DatabaseError("{} ({}) needs the Python package {}: run {}, or choose an interpreter that has it "
                            "(setting radarm.pythonPath, CLI --python)".format(src.name, src.safe, package,
                                                                               pip_hint(package)))
    url = sa.engine.make_url(re.sub(r"^[^:]+", "{}+{}".format(src.kind, driver), src.url, count=1))
    if src.password and not url.password:
        url = url.set(password=src.password) if hasattr(url, "set") else url._replace(password=src.password)
    return url


def _open_sqlite(src, sa):
    import sqlite3
    if not os.path.isfile(src.path):
        raise DatabaseError("{}: no such SQLite file: {}".format(src.name, src.path))
    uri = "file:{}{}".format(urllib.parse.quote(src.path), "" if SETTINGS["allowWrites"] else "?mode=ro")

    def connect():
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        # Called every few thousand VM steps: lets a pending interrupt (timeout, Stop) abort the query.
        conn.set_progress_handler(_sqlite_progress, 20000)
        return conn

    if sa is None:
        return connect()
    return sa.create_engine("sqlite://", creator=connect)


class _Interrupt(object):
    pending = False


def _sqlite_progress():
    try:
        return 0  # a pending SIGINT is handled on this line, raising KeyboardInterrupt here
    except KeyboardInterrupt:
        _Interrupt.pending = True
        return 1


def _open_duckdb(src):
    # Untested: duckdb is not installed where Radarm's tests run.
    duckdb = _module("duckdb")
    if duckdb is None:
        raise DatabaseError("{}: DuckDB files need the Python package duckdb: run {}".format(src.name,
                                                                                             pip_hint("duckdb")))
    return duckdb.connect(src.path, read_only=not SETTINGS["allowWrites"])


def _open_server(src, sa):
    timeout_ms = int(SETTINGS["timeoutMs"] or 0)
    if src.kind == "postgresql":
        _install_pg_wait()
        # Read-only sessions and a server-side statement timeout, set when each connection starts.
        options = "-c default_transaction_read_only={} -c statement_timeout={}".format(
            "off" if SETTINGS["allowWrites"] else "on", timeout_ms)
        return sa.create_engine(_server_url(src, sa), pool_pre_ping=True, connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S, "options": options, "application_name": "radarm"})
    engine = sa.create_engine(_server_url(src, sa), pool_pre_ping=True, connect_args={
        "connect_timeout": CONNECT_TIMEOUT_S, "charset": "utf8mb4"})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        if not SETTINGS["allowWrites"]:
            cur.execute("SET SESSION TRANSACTION READ ONLY")
        for stmt in ("SET SESSION max_statement_time = {}".format(timeout_ms / 1000.0),  # MariaDB, seconds
                     "SET SESSION max_execution_time = {}".format(timeout_ms)):  # MySQL, ms
            try:
                cur.execute(stmt)
                break
            except Exception:
                continue
        cur.close()

    @sa.event.listens_for(engine, "handle_error")
    def _on_error(ctx):
        # Ctrl-C/timeout inside a query: the server keeps running it unless told to stop.
        if isinstance(ctx.original_exception, KeyboardInterrupt) and ctx.connection is not None:
            kill_mysql_query(src, ctx.connection)

    return engine


def kill_mysql_query(src, conn):
    """KILL QUERY for the query running on `conn` (a SQLAlchemy connection), from a second connection."""
    try:
        raw = conn.connection
        dbapi = getattr(raw, "dbapi_connection", None) or raw.connection
        thread_id = dbapi.thread_id()
        killer = src.engine.raw_connection()
        try:
            cur = killer.cursor()
            cur.execute("KILL QUERY {}".format(int(thread_id)))
            cur.close()
        finally:
            killer.close()
    except Exception as exc:
        sys.stderr.write("radarm: could not cancel the query on {}: {}\n".format(src.safe, redact(exc, src.password)))


_PG_WAIT = [False]


def _install_pg_wait():
    """psycopg2 waits in Python (select) instead of inside libpq, so an interrupt cancels the server query."""
    if _PG_WAIT[0] or _module("psycopg2") is None:
        return
    import select
    import psycopg2.extensions as ext

    def wait(conn):
        try:
            while True:
                state = conn.poll()
                if state == ext.POLL_OK:
                    return
                if state == ext.POLL_READ:
                    select.select([conn.fileno()], [], [])
                elif state == ext.POLL_WRITE:
                    select.select([], [conn.fileno()], [])
        except KeyboardInterrupt:
            try:
                conn.cancel()
            except Exception:
                pass
            raise

    ext.set_wait_callback(wait)
    _PG_WAIT[0] = True


def open_source(src):
    """Opens (once) and checks the connection; raises DatabaseError with a clear message."""
    if src.engine is not None:
        return src.engine
    sa = _module("sqlalchemy")
    try:
        if src.kind == "sqlite":
            src.engine = _open_sqlite(src, sa)
        elif src.kind == "duckdb":
            src.engine = _open_duckdb(src)
        else:
            if sa is None:
                raise DatabaseError("{} ({}) needs the Python package SQLAlchemy: run {}, or choose an interpreter "
                                    "that has it (setting radarm.pythonPath, CLI --python)".format(
                                        src.name, src.safe, pip_hint("sqlalchemy")))
            src.engine = _open_server(src, sa)
            with src.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        src.opened_with = _opened_with()
    except DatabaseError:
        src.engine = None
        raise
    except Exception as exc:
        engine, src.engine = src.engine, None
        if engine is not None and hasattr(engine, "dispose"):
            engine.dispose()
        raise DatabaseError(connect_error(src, exc))
    return src.engine


def _opened_with():
    return (bool(SETTINGS["allowWrites"]), SETTINGS["timeoutMs"])


def connect_error(src, exc):
    """A connection failure in words: what went wrong with which source, and what to do."""
    text = redact(getattr(exc, "orig", None) or exc, src.password).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    low = text.lower()
    where = "{} ({})".format(src.name, src.safe)
    if "refused" in low or "can't connect" in low or "could not connect" in low or "timeout expired" in low \
            or "no such file or directory" in low or "name or service not known" in low:
        return ("cannot reach the database server of {}: {}. Check that the server is running and that the host and "
                "port are right (and that Radarm's sandbox allows network access).".format(where, first))
    if "does not exist" in low or "unknown database" in low or "(1044," in low:
        return ("the database named in {} does not exist on the server, or this user may not use it: {}. Check the "
                "database name in the URL.".format(where, first))
    if "password authentication failed" in low or "access denied" in low or "authentication" in low:
        return ("the database server rejected the user name or password for {}: {}. Fix the password (VS Code: run "
                "Radarm: Add Database again; CLI: the URL or RADARM_DB_PASSWORD).".format(where, first))
    if isinstance(exc, ImportError):
        return "{} needs a missing Python package: {}. Install it, e.g. {}.".format(where, first, pip_hint(
            getattr(exc, "name", None) or "sqlalchemy"))
    return "could not open {}: {}".format(where, first)


def set_sources(specs, workspace, settings):
    """Replaces the configured sources, keeping open engines whose settings did not change."""
    SETTINGS.update({k: v for k, v in (settings or {}).items() if v is not None})
    wanted = collections.OrderedDict()
    for spec in specs:
        src = source_from_spec(spec, workspace)
        name, n = src.name, 2
        while name in wanted:
            name, n = "{}_{}".format(src.name, n), n + 1
        src.name = name
        old = SOURCES.get(name)
        same = old is not None and old.key() == src.key() and old.opened_with in (None, _opened_with())
        wanted[name] = old if same else src
    for name, old in SOURCES.items():
        if wanted.get(name) is not old:
            close_source(old)
    SOURCES.clear()
    SOURCES.update(wanted)


def close_source(src):
    engine, src.engine = src.engine, None
    try:
        if engine is not None:
            (engine.dispose if hasattr(engine, "dispose") else engine.close)()
    except Exception:
        pass
