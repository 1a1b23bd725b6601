"""Names for the composer's `@` completion that the panel host cannot read itself: the columns of Excel (per sheet),
Parquet and JSON / JSON Lines files, and the tables (schema-qualified where needed) with their columns of database
sources (SQLite/DuckDB files, PostgreSQL and MySQL/MariaDB servers).

Bounded and cheap, whatever the size of the data: Excel reads each sheet's header row only (pandas' own header
rule, so names match what the kernel loads), Parquet only its schema, JSON Lines its first lines, JSON the whole
file only up to JSON_FULL_BYTES, a database one catalog query (radarm_sql_profile, read-only, short timeouts).

Run as a one-shot process: one JSON request on stdin ({"files": [path], "databases": [{name, url, password?}],
"workspace": dir}), one JSON reply line on stdout. A password arrives on stdin only and never appears in the reply.
Part of Radarm's Python kernel. Python 3.8+.
"""
import io
import json
import os
import sys

import pandas as pd

import radarm_loaders as loaders
import radarm_sniff as sniff
import radarm_sql as core
import radarm_sql_profile as sql_profile

MAX_SHEETS = 50
MAX_COLUMNS = 2000
MAX_TABLES = 1000
JSON_FULL_BYTES = 32 * 1024 * 1024
JSONL_HEAD_BYTES = 1024 * 1024
JSONL_HEAD_LINES = 1000
TIMEOUT_MS = 5000  # a catalog query that takes longer is cancelled on the server
CONNECT_TIMEOUT_S = 5


def _labels(columns):
    return [str(c) for c in list(columns)[:MAX_COLUMNS]]


def _excel(path, ext):
    loaders._expect_format(path, ext, ("ole2", "zip") if ext == ".xls" else ("zip",), "an Excel workbook")
    try:
        sheets = pd.read_excel(path, sheet_name=None, nrows=0)
    except ImportError:
        pkg = "xlrd" if ext == ".xls" else "openpyxl"
        raise loaders.LoadError("reading {} files needs the {} package: run {}".format(ext, pkg, loaders.pip_hint(pkg)))
    return [{"sheet": str(name), "columns": _labels(frame.columns)} for name, frame in list(sheets.items())[:MAX_SHEETS]]


def _parquet(path):
    """The schema only. pyarrow is optional (not in Debian): fastparquet next, else a clear error."""
    loaders._expect_format(path, ".parquet", ("parquet",), "a Parquet file")
    try:
        import pyarrow.parquet as pq
    except ImportError:
        pq = None
    if pq is not None:
        schema = pq.read_schema(path)
        index = set()
        meta = schema.pandas_metadata or {}
        for col in meta.get("index_columns") or []:
            if isinstance(col, str):
                index.add(col)
        return [{"sheet": None, "columns": _labels(n for n in schema.names if n not in index)}]
    try:
        import fastparquet
    except ImportError:
        raise loaders.LoadError("listing Parquet columns needs pyarrow or fastparquet: run {}".format(
            loaders.pip_hint("pyarrow")))
    return [{"sheet": None, "columns": _labels(fastparquet.ParquetFile(path).columns)}]


def _json_lines_head(path):
    """Columns of the first lines of a JSON Lines file, decoded as the kernel decodes it."""
    decision = loaders._text_decision(path, os.path.basename(path))
    enc = decision["encoding"]
    with open(path, "rb") as f:
        raw = f.read(JSONL_HEAD_BYTES + 1)
    whole = len(raw) <= JSONL_HEAD_BYTES
    text = raw[:JSONL_HEAD_BYTES].decode(enc, "replace")
    lines = text.splitlines()
    if not whole and lines:
        lines = lines[:-1]  # the head may end inside a record
    lines = [ln for ln in lines if ln.strip()][:JSONL_HEAD_LINES]
    frame = pd.read_json(io.StringIO("\n".join(lines)), lines=True)
    return [{"sheet": None, "columns": _labels(frame.columns)}]


def _json(path, ext):
    if ext in loaders.JSONL_EXTS:
        return _json_lines_head(path)
    if os.path.getsize(path) > JSON_FULL_BYTES:
        # Too big to parse for a menu; a big .json is usually JSON Lines, whose head is enough.
        with open(path, "rb") as f:
            first = f.readline(JSONL_HEAD_BYTES)
        try:
            if isinstance(json.loads(first.decode(sniff.sniff_file(path).get("encoding") or "utf-8", "replace")), dict):
                return _json_lines_head(path)
        except ValueError:
            pass
        raise loaders.LoadError("{} is over {} MB: its columns are listed once the kernel has loaded it".format(
            os.path.basename(path), JSON_FULL_BYTES // (1024 * 1024)))
    return [{"sheet": None, "columns": _labels(loaders._read_json(path, ext, {}).columns)}]


def file_columns(path):
    """[{sheet, columns}] for one data file (sheet is None except for Excel)."""
    ext = os.path.splitext(path)[1].lower()
    if not os.path.isfile(path):
        raise loaders.LoadError("file not found")
    if ext in loaders.EXCEL_EXTS:
        return _excel(path, ext)
    if ext in loaders.PARQUET_EXTS:
        return _parquet(path)
    if ext in loaders.JSON_EXTS or ext in loaders.JSONL_EXTS:
        return _json(path, ext)
    raise loaders.LoadError("columns of {} files are read by the host".format(ext or "extension-less"))


def _default_schema(src):
    return "public" if src.kind == "postgresql" else None


def database_tables(src):
    """[{name, columns}] of one source: tables and views, schema-qualified only where needed (outside the default
    schema, or a name that two schemas share; MySQL lists the connected database only)."""
    engine = core.open_source(src)
    try:
        catalog = sql_profile._catalog(src, engine)
    finally:
        try:
            core.close_source(src)
        except Exception:
            pass
    counts = {}
    for t in catalog:
        counts[t["name"]] = counts.get(t["name"], 0) + 1
    out = []
    for t in catalog[:MAX_TABLES]:
        bare = src.kind == "mysql" or not t["schema"] or (t["schema"] == _default_schema(src) and counts[t["name"]] == 1)
        name = t["name"] if bare else "{}.{}".format(t["schema"], t["name"])
        out.append({"name": name, "columns": _labels(c for c, _ in t["columns"])})
    return out


def handle(req):
    workspace = req.get("workspace") or os.getcwd()
    core.SETTINGS.update({"allowWrites": False, "timeoutMs": TIMEOUT_MS})
    core.CONNECT_TIMEOUT_S = CONNECT_TIMEOUT_S
    files, databases = [], []
    for path in req.get("files") or []:
        if path.lower().endswith(core.DB_EXTS):
            databases.append((path, path))
            continue
        entry = {"path": path}
        try:
            entry["groups"] = file_columns(path)
        except Exception as exc:  # a file that cannot be read lists no columns; the host logs why
            entry["groups"], entry["error"] = [], str(exc)[:500]
        files.append(entry)
    for spec in req.get("databases") or []:
        databases.append((spec, spec.get("name")))
    tables = []
    for spec, name in databases:
        entry = {"name": name}
        password = None if isinstance(spec, str) else spec.get("password")
        try:
            src = core.source_from_spec(spec, workspace)
            entry["name"] = src.name
            entry["tables"] = database_tables(src)
        except Exception as exc:  # messages name the source, never its password
            entry["tables"], entry["error"] = [], core.redact(exc, password)[:500]
        tables.append(entry)
    return {"files": files, "databases": tables}


def main():
    out = sys.stdout
    sys.stdout = sys.stderr  # anything a library prints must not corrupt the reply line
    req = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    reply = handle(req)
    out.write(json.dumps(reply, ensure_ascii=False) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
