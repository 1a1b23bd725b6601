"""`sql()` and the namespace bindings for database sources (`db`, `dbs`), and the hook that adds database sources
to the runner's "load" request: SQLite/DuckDB files among the data files, servers in req["databases"].

Part of Radarm's Python kernel. Python 3.8+.
"""
import collections
import json
import re
import sys

import pandas as pd

import radarm_charts as charts
import radarm_sql as core
import radarm_sql_profile as profile

# Statements whose rows can be streamed (a server-side cursor accepts only queries).
_QUERY = re.compile(r"^\s*(\(\s*)*(select|with|values|table|show|explain|pragma|describe|desc)\b", re.I)
_READ_ONLY = re.compile(r"read[- ]only|readonly|1792|attempt to write", re.I)


def _source(source):
    if not core.SOURCES:
        raise core.DatabaseError("no database is connected: choose a database (VS Code: Radarm: Add Database, or a "
                                 ".sqlite file; CLI: --db URL or --data file.sqlite)")
    if source is None:
        return next(iter(core.SOURCES.values()))
    if source not in core.SOURCES:
        raise core.DatabaseError("no database source named {!r}; sources: {}".format(source, ", ".join(core.SOURCES)))
    return core.SOURCES[source]


def _write_refused(src, exc):
    return core.DatabaseError(
        "{} is opened read-only, so this statement was refused ({}). Radarm never changes a database unless the user "
        "allows writes (VS Code setting radarm.allowDatabaseWrites; CLI --allow-db-writes).".format(
            src.name, core.redact(str(getattr(exc, "orig", None) or exc).strip().splitlines()[0], src.password)))


def sql(query, source=None, max_rows=None, params=None):
    """Runs `query` on the default (or named) database source and returns the rows as a DataFrame.

    Filtering, joins and aggregation belong in the query (the database does them); pandas takes over after.
    At most `max_rows` rows (default: the configured row cap) are pulled into memory; a note says when rows
    were cut. Statements that return no rows give a one-row frame with `rows_affected`."""
    src = _source(source)
    engine = core.open_source(src)
    cap = int(max_rows) if max_rows is not None else int(core.SETTINGS["rowLimit"] or core.DEFAULT_ROW_LIMIT)
    core._Interrupt.pending = False
    try:
        if src.kind == "duckdb":
            frame = engine.execute(query, params or []).fetch_df()  # untested path: duckdb is optional
            columns, rows, cut = None, None, False
            if len(frame) > cap:
                frame, cut = frame.head(cap), True
        elif not hasattr(engine, "connect") or not hasattr(engine, "dialect"):
            columns, rows, cut = _run_dbapi(engine, query, params, cap)  # sqlite3 without SQLAlchemy
        else:
            columns, rows, cut = _run_sqlalchemy(src, engine, query, params, cap)
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        # SQLite's progress handler aborts a query only for an interrupt (timeout, Stop).
        if core._Interrupt.pending or (src.kind == "sqlite" and str(getattr(exc, "orig", exc)) == "interrupted"):
            core._Interrupt.pending = False
            raise KeyboardInterrupt() from None
        if _READ_ONLY.search(str(exc)) and not core.SETTINGS["allowWrites"]:
            raise _write_refused(src, exc) from None
        raise
    if columns is not None:
        frame = pd.DataFrame.from_records(rows, columns=columns) if columns else pd.DataFrame(
            {"rows_affected": [rows]})
    if cut:
        note = ("sql() returned only the first {:,} rows of a larger result (the row cap): aggregate in SQL, or pass "
                "max_rows=N for more.".format(cap))
        sys.stderr.write("radarm: " + note + "\n")
        charts.state.notes.append(note)  # the runner's per-run notes (ExecutionResult.notes)
        frame.attrs["radarm_rows_cut"] = True
    return frame


def _run_dbapi(conn, query, params, cap):
    cur = conn.cursor()
    try:
        cur.execute(query, params or ())
        if cur.description is None:
            conn.commit()
            return [], cur.rowcount, False
        rows = cur.fetchmany(cap + 1)
        return [d[0] for d in cur.description], rows[:cap], len(rows) > cap
    finally:
        cur.close()


def _run_sqlalchemy(src, engine, query, params, cap):
    stream = bool(_QUERY.match(query)) and src.kind in ("postgresql", "mysql")
    with engine.connect() as conn:
        if stream:
            conn = conn.execution_options(stream_results=True)
        trans = conn.begin()
        try:
            # Without parameters the text goes to the driver as it is ("%" needs no escaping).
            result = conn.exec_driver_sql(query, params) if params is not None else conn.execution_options(
                no_parameters=True).exec_driver_sql(query)
            if not result.returns_rows:
                count = result.rowcount
                trans.commit()
                return [], count, False
            columns = list(result.keys())
            rows = result.fetchmany(cap + 1)
            cut = len(rows) > cap
            if cut and src.kind == "mysql" and stream:
                # Closing an unbuffered MySQL result reads every remaining row: stop the query instead.
                core.kill_mysql_query(src, conn)
                conn.invalidate()
                return columns, [tuple(r) for r in rows[:cap]], True
            result.close()
            trans.commit()
        except BaseException:
            if trans.is_active:
                try:
                    trans.rollback()
                except Exception:
                    pass
            raise
    return columns, [tuple(r) for r in rows[:cap]], cut


def is_db_file(path):
    return path.lower().endswith(core.DB_EXTS)


def wrap_load(load_data, ns, workspace):
    """The runner's load handler, extended: database files and servers become sources with a profile section."""

    def load(req):
        files = list(req.get("files") or [])
        db_files = [f for f in files if is_db_file(f)]
        servers = req.get("databases") or []
        if not db_files and not servers and not core.SOURCES:
            return load_data(req)
        req = dict(req, files=[f for f in files if not is_db_file(f)])
        core.set_sources(servers + db_files, workspace, req.get("databaseOptions"))
        reply = load_data(req)
        sections, infos, variables = [], [], []
        for i, src in enumerate(core.SOURCES.values()):
            text, info = profile.source_section(src, i == 0, req.get("question") or "")
            sections.append(text)
            infos.append(info)
        bind(ns)
        if core.SOURCES:
            variables = ["sql()", "db"] + ["dbs[{}]".format(json.dumps(n, ensure_ascii=False)) for n in core.SOURCES]
        prof = reply.get("profile")
        if prof is not None and sections:
            text = prof["text"]
            if not req["files"]:
                text = text.replace("\n(no data files chosen)", "")
            prof["text"] = text + "\n\n" + "\n\n".join(sections)
            prof["variables"] = list(prof.get("variables") or []) + variables
            prof["files"] = list(prof.get("files") or []) + infos
        return reply

    return load


def bind(ns):
    if core.SOURCES:
        ns["sql"] = sql
        ns["dbs"] = collections.OrderedDict(
            (name, src.engine if src.engine is not None else _Lazy(src)) for name, src in core.SOURCES.items())
        ns["db"] = next(iter(ns["dbs"].values()))
    else:
        for name in ("sql", "db", "dbs"):
            ns.pop(name, None)


class _Lazy(object):
    """`db` before its source could be opened: any use opens it (and says why it cannot)."""

    def __init__(self, src):
        self._src = src

    def __getattr__(self, attr):
        return getattr(core.open_source(self._src), attr)

    def __repr__(self):
        return "<database {} (not connected)>".format(self._src.safe)
