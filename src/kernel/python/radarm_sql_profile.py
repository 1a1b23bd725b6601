"""Profile text of a database source for LLM prompts: tables and views (schema-qualified) with columns and types,
primary and foreign keys, approximate row counts and a few sample rows, within the per-file size budget. Wide
tables are compacted; many tables are summarised, the ones most relevant to the question first.

Part of Radarm's Python kernel. Python 3.8+.
"""
import json
import re

import pandas as pd

import radarm_profile as profiles
import radarm_sql as core

MAX_DETAILED = 30
SAMPLE_TABLES = 4
SAMPLE_ROWS = 3
EXACT_COUNT_BELOW = 10000
ENGINE_LABEL = {"postgresql": "PostgreSQL", "mysql": "MySQL/MariaDB", "sqlite": "SQLite", "duckdb": "DuckDB"}

_SERVER_COLUMNS = """
SELECT c.table_schema, c.table_name, t.table_type, c.column_name, c.data_type
FROM information_schema.columns c JOIN information_schema.tables t
  ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE {where}
ORDER BY c.table_schema, c.table_name, c.ordinal_position"""
_PG_WHERE = "c.table_schema NOT IN ('pg_catalog', 'information_schema') AND c.table_schema NOT LIKE 'pg_toast%'"
_MYSQL_WHERE = "c.table_schema = DATABASE()"
_PG_COUNTS = """SELECT n.nspname, c.relname, c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm')"""
_MYSQL_COUNTS = "SELECT table_schema, table_name, table_rows FROM information_schema.tables WHERE table_schema = DATABASE()"


def _rows(engine, query):
    if hasattr(engine, "dialect"):
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execution_options(no_parameters=True).exec_driver_sql(query).fetchall()]
    cur = engine.cursor() if hasattr(engine, "cursor") else None
    if cur is None:  # duckdb
        return engine.execute(query).fetchall()
    try:
        cur.execute(query)
        return cur.fetchall()
    finally:
        cur.close()


def quote(src, name):
    return "`{}`".format(name.replace("`", "``")) if src.kind == "mysql" else '"{}"'.format(name.replace('"', '""'))


def qualified(src, table):
    return "{}.{}".format(quote(src, table["schema"]), quote(src, table["name"])) if table["schema"] else quote(
        src, table["name"])


def _catalog(src, engine):
    """Every table and view with its columns, from one query (SQLite: one pragma per table)."""
    tables = []
    if src.kind == "sqlite":
        for name, kind in _rows(engine, "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND "
                                        "name NOT LIKE 'sqlite_%' ORDER BY name"):
            cols = _rows(engine, "PRAGMA table_info({})".format(quote(src, name)))
            tables.append({"schema": None, "name": name, "kind": kind,
                           "columns": [(c[1], c[2] or "?") for c in cols],
                           "pk": [c[1] for c in sorted(cols, key=lambda c: c[5]) if c[5]]})
        return tables
    where = _MYSQL_WHERE if src.kind == "mysql" else _PG_WHERE
    by_key = {}
    for schema, name, ttype, col, dtype in _rows(engine, _SERVER_COLUMNS.format(where=where)):
        t = by_key.get((schema, name))
        if t is None:
            kind = "view" if "VIEW" in str(ttype).upper() else "table"
            t = by_key[(schema, name)] = {"schema": schema, "name": name, "kind": kind, "columns": []}
            tables.append(t)
        t["columns"].append((col, dtype))
    counts = {}
    try:
        for schema, name, n in _rows(engine, _MYSQL_COUNTS if src.kind == "mysql" else _PG_COUNTS):
            counts[(schema, name)] = None if n is None or float(n) < 0 else int(n)
    except Exception:
        pass
    for t in tables:
        t["approx"] = counts.get((t["schema"], t["name"]))
    return tables


def _details(src, engine, t):
    """Keys, row count and sample rows of one table (cached in the table entry)."""
    if "sample" in t:
        return
    t["sample"] = None
    try:
        if hasattr(engine, "dialect") and src.kind != "sqlite":
            import sqlalchemy as sa
            insp = sa.inspect(engine)
            if t["kind"] == "table":
                t["pk"] = list(insp.get_pk_constraint(t["name"], schema=t["schema"]).get("constrained_columns") or [])
                t["fks"] = insp.get_foreign_keys(t["name"], schema=t["schema"])
        elif src.kind == "sqlite":
            t["fks"] = [{"constrained_columns": [r[3]], "referred_schema": None, "referred_table": r[2],
                         "referred_columns": [r[4]]}
                        for r in _rows(engine, "PRAGMA foreign_key_list({})".format(quote(src, t["name"])))]
    except Exception:
        pass
    try:
        if t["kind"] == "view":
            pass  # counting a view runs its whole query
        elif t.get("approx") is None or t["approx"] < EXACT_COUNT_BELOW:
            t["rows"] = int(_rows(engine, "SELECT COUNT(*) FROM {}".format(qualified(src, t)))[0][0])
            t["exact"] = True
        else:
            t["rows"] = t["approx"]
        rows = _rows(engine, "SELECT * FROM {} LIMIT {}".format(qualified(src, t), SAMPLE_ROWS))
        t["sample"] = pd.DataFrame.from_records(rows, columns=[c for c, _ in t["columns"]][:len(rows[0])] if rows
                                                else [c for c, _ in t["columns"]])
    except Exception:
        pass


def _tokens(question):
    words = set(w for w in re.findall(r"[a-z0-9_]{3,}", question.lower()))
    cjk = re.findall(r"[\u4e00-\u9fff]+", question)
    for run in cjk:
        words.update(run[i:i + 2] for i in range(max(1, len(run) - 1)))
    return words


def rank(tables, question):
    """Tables most relevant to the question first: names and column names that share words with it."""
    words = _tokens(question)
    if not words:
        return list(tables)

    def score(t):
        name = t["name"].lower()
        cols = " ".join(str(c).lower() for c, _ in t["columns"])
        return sum(3 * (w in name) + (w in cols) for w in words)

    return [t for _, t in sorted(enumerate(tables), key=lambda p: (-score(p[1]), p[0]))]


def _fk_text(src, fk):
    target = ".".join(x for x in (fk.get("referred_schema"), fk.get("referred_table")) if x)
    return "{} \u2192 {}({})".format(", ".join(fk.get("constrained_columns") or []), target,
                                     ", ".join(fk.get("referred_columns") or []))


def table_text(src, t, with_sample):
    name = ".".join(x for x in (t["schema"], t["name"]) if x)
    rows = t.get("rows")
    count = "" if rows is None else ", {}{:,} rows".format("" if t.get("exact") else "~", rows)
    pk = set(t.get("pk") or [])
    cols = ["{} {}{}".format(c, d, " PK" if c in pk else "") for c, d in t["columns"]]
    listed = cols[:profiles.MAX_COLUMNS_LISTED]
    more = " \u2026 and {} more".format(len(cols) - len(listed)) if len(cols) > len(listed) else ""
    lines = ["#### {} ({}{})".format(name, t["kind"], count),
             profiles._clip_line("columns: " + ", ".join(listed), 600) + more]
    fks = t.get("fks") or []
    if fks:
        lines.append(profiles._clip_line("foreign keys: " + "; ".join(_fk_text(src, fk) for fk in fks)))
    sample = t.get("sample")
    if with_sample and sample is not None and len(sample):
        part = sample.iloc[:, :profiles.SAMPLE_COLUMNS]
        with pd.option_context("display.width", 10000, "display.max_columns", profiles.SAMPLE_COLUMNS + 1):
            text = part.to_string(index=False)
        lines.append("sample rows:\n" + "\n".join(profiles._clip_line(ln, 160) for ln in text.splitlines()))
    return "\n".join(lines)


def source_section(src, is_first, question):
    """(profile text, info for the host) of one source; connection problems become an info error."""
    info = {"path": src.path or src.safe, "name": src.name, "key": src.name, "kind": "database", "engine": src.kind}
    q = json.dumps(src.name, ensure_ascii=False)
    call = 'sql("SELECT \u2026")' if is_first else 'sql("SELECT \u2026", source={})'.format(q)
    title = "### database {} ({} {}) \u2192 {}, {}dbs[{}]".format(
        src.name, ENGINE_LABEL.get(src.kind, src.kind), src.safe, call, "db, " if is_first else "", q)
    try:
        engine = core.open_source(src)
        if src.catalog is None:
            src.catalog = _catalog(src, engine)
    except core.DatabaseError as exc:
        info["error"] = str(exc)
        return "{}\nnot connected: {}".format(title, exc), info
    except Exception as exc:
        info["error"] = "could not read the schema of {}: {}".format(src.name, core.redact(exc, src.password))
        return "{}\n{}".format(title, info["error"]), info
    read = read_of(src, engine)
    if read is not None:
        info["read"] = read
    tables = src.catalog
    views = sum(1 for t in tables if t["kind"] == "view")
    info["tables"] = len(tables) - views
    info["views"] = views
    mode = "read-write" if core.SETTINGS["allowWrites"] else "read-only"
    head = "{}\n{} tables, {} views; {}. Filter, join and aggregate in SQL with sql(); use pandas on the result.".format(
        title, len(tables) - views, views, mode)
    parts, used = [head], len(head)
    budget = profiles.FILE_BUDGET
    ordered = rank(tables, question)
    shown = 0
    for i, t in enumerate(ordered):
        if i >= MAX_DETAILED:
            break
        _details(src, engine, t)
        text = table_text(src, t, i < SAMPLE_TABLES)
        if used + len(text) > budget and i < SAMPLE_TABLES:
            text = table_text(src, t, False)
        if used + len(text) > budget:
            break
        parts.append(text)
        used += len(text) + 1
        shown += 1
    rest = ordered[shown:]
    if rest:
        names = [".".join(x for x in (t["schema"], t["name"]) if x) for t in rest]
        parts.append(profiles._clip_line("\u2026 and {} more tables/views (names only): {}".format(
            len(rest), ", ".join(names)), max(200, budget - used)))
    return "\n".join(parts), info


def read_of(src, engine):
    """How code outside Radarm reaches this source (the host's taken-away code, src/agent/database-prelude.ts):
    the engine kind, and for a server the URL with the driver Radarm used and WITHOUT any password (the code
    reads it from an environment variable). None for DuckDB (not offered outside Radarm yet)."""
    if src.kind == "sqlite":
        return {"func": "sql", "kwargs": {"engine": "sqlite"}}
    url = getattr(engine, "url", None)
    if src.kind not in ("postgresql", "mysql") or url is None or not hasattr(url, "drivername"):
        return None
    query = {k: v for k, v in dict(url.query).items() if k.lower() not in ("password", "passwd")}
    if src.kind == "mysql" and "charset" not in query:
        query["charset"] = "utf8mb4"  # as the kernel connects (connect_args)
    if not hasattr(type(url), "create"):
        return None  # SQLAlchemy before 1.4
    public = type(url).create(url.drivername, url.username, None, url.host, url.port, url.database, query)
    text = public.render_as_string(hide_password=False)
    if src.password:
        text = core.redact(text, src.password)
    return {"func": "sql", "kwargs": {"engine": src.kind, "url": text}}
