"""Preview Data's first screen without pandas: a one-shot process that reads the first rows of a file with the
standard library (csv, json, sqlite3; openpyxl for .xlsx when installed) and prints the same preview structure
as radarm_preview.py. Python starts in ~30 ms, pandas takes ~0.5 s more to import, so this is what makes the
first screen of a cold preview fast; the pandas profile follows and replaces it in the tab.

Types follow pandas.read_csv's defaults (its NA strings, int64 / float64 / bool / object) so that the screen
does not change kind when the pandas profile arrives. The encoding, delimiter and decimal comma come from
radarm_dialect, the rule the pandas readers use.

usage: python radarm_preview_quick.py '{"path": "...", "table": null}'   → one JSON line on stdout:
  {"ok": true, "preview": {...}} | {"ok": true, "tables": [...]} | {"ok": false, "code": "...", "message": "..."}
Python 3.8+, standard library only (openpyxl optional).
"""
import collections
import csv
import glob
import io
import json
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import radarm_dialect as dialect  # noqa: E402

SAMPLE_ROWS = 2000  # pure Python types ~3 µs a cell: 2,000 rows keep the first screen ~50 ms; pandas' follows
DB_SAMPLE_ROWS = 20000  # a database table has no pandas stage: its sample is radarm_preview.SAMPLE_ROWS
FIRST_ROWS = 100
MAX_COLUMNS = 200  # columns profiled (radarm_preview.MAX_COLUMNS)
TABLE_COLUMNS = 50  # columns in the first-rows table (radarm_tables.MAX_COLUMNS)
READ_BYTES = 4 << 20  # the most read from a text file, however big it is or however long its lines
MAX_CELLS = 400000  # profiled cells: a 10,000-column file gets fewer sample rows
MAX_CELL_CHARS = 200
BINS = 12
TOP = 5
SAFE_INT = 2 ** 53

CSV_EXTS = (".csv", ".tsv", ".tab", ".txt", ".dat")
NA = frozenset(("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
                "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null"))  # pandas.read_csv's default na_values
INT = re.compile(r"^\s*[-+]?\d+\s*$")
FLOAT = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$|^\s*[-+]?(inf|infinity)\s*$", re.I)
BOOLS = {"True": True, "TRUE": True, "true": True, "False": False, "FALSE": False, "false": False}


class QuickError(Exception):
    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


# --- columns from raw values -------------------------------------------------------------------------------------


def _clip(v):
    return v if len(v) <= MAX_CELL_CHARS else v[:MAX_CELL_CHARS - 1] + "\u2026"


def _cell(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v if -SAFE_INT <= v <= SAFE_INT else str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return None
        return v if math.isfinite(v) else ("inf" if v > 0 else "-inf")
    return _clip(v if isinstance(v, str) else str(v))


def typed_text_column(raw, decimal):
    """(dtype, kind, values) of a text column as pandas.read_csv would type it; missing values are None."""
    present = [v for v in raw if v not in NA]
    if present and all(INT.match(v) for v in present):
        vals = [None if v in NA else int(v) for v in raw]
        if len(present) == len(raw):
            return "int64", "number", vals
        return "float64", "number", [None if v is None else float(v) for v in vals]
    conv = [v.replace(",", ".") for v in present] if decimal == "," else present
    if present and all(FLOAT.match(v) for v in conv):
        fix = (lambda v: v.replace(",", ".")) if decimal == "," else (lambda v: v)
        return "float64", "number", [None if v in NA else float(fix(v)) for v in raw]
    if present and len(present) == len(raw) and all(v in BOOLS for v in present):
        return "bool", "boolean", [BOOLS[v] for v in raw]
    return "object", "string", [None if v in NA else v for v in raw]


def typed_value_column(raw):
    """(dtype, kind, values) of a column of Python values (JSON, Excel, SQLite)."""
    present = [v for v in raw if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if present and all(isinstance(v, bool) for v in present):
        return ("bool" if len(present) == len(raw) else "object"), "boolean", raw
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        if len(present) == len(raw):
            return "int64", "number", raw
        return "float64", "number", [None if v is None else float(v) for v in raw]
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "float64", "number", [None if v is None else float(v) for v in raw]
    if present and all(hasattr(v, "isoformat") for v in present):
        return "datetime64[ns]", "datetime", [None if v is None else v.isoformat(sep=" ") if hasattr(v, "hour")
                                              else v.isoformat() for v in raw]
    return "object", "string", [None if v is None else v if isinstance(v, str) else str(v) for v in raw]


def _histogram(v, bins):
    lo, hi = min(v), max(v)
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    width = (hi - lo) / bins
    counts = [0] * bins
    for x in v:
        i = int((x - lo) / width)
        counts[min(max(i, 0), bins - 1)] += 1
    return {"counts": counts, "edges": [lo + width * i for i in range(bins)] + [hi]}


def column_summary(name, dtype, kind, values):
    present = [v for v in values if v is not None]
    out = {"name": name, "dtype": dtype, "kind": kind, "missing": len(values) - len(present)}
    try:
        out["distinct"] = len(set(present))
    except TypeError:
        out["distinct"] = len({str(v) for v in present})
    if kind == "number":
        v = [float(x) for x in present if math.isfinite(float(x))]
        if v:
            out.update({"min": min(v), "max": max(v), "mean": math.fsum(v) / len(v)})
            out["histogram"] = _histogram(v, max(1, min(BINS, out["distinct"])))
    elif kind == "datetime" and present:
        out.update({"min": min(present), "max": max(present)})
    elif present:
        top = collections.Counter(v if isinstance(v, (str, int, float, bool)) else str(v) for v in present)
        out["top"] = [{"value": _cell(k), "count": c} for k, c in top.most_common(TOP)]
    return out


def _unique_names(header):
    """pandas' header rules: empty names become "Unnamed: i", repeats get ".1", ".2"."""
    seen, out = {}, []
    for i, h in enumerate(header):
        name = h if h != "" else "Unnamed: {}".format(i)
        if name in seen:
            seen[name] += 1
            name = "{}.{}".format(name, seen[name])
        else:
            seen[name] = 0
        out.append(name)
    return out


def build(name, path, names, columns, total_rows, estimated, notes):
    """The preview structure of radarm_preview.handle from typed columns [(dtype, kind, values)]."""
    n = len(columns[0][2]) if columns else 0
    shown = columns[:TABLE_COLUMNS]
    first = [[_cell(c[2][r]) for c in shown] for r in range(min(FIRST_ROWS, n))]
    return {
        "path": path,
        "name": name,
        "totalRows": int(max(total_rows, n)),
        "totalRowsEstimated": bool(estimated),
        "totalColumns": len(names),
        "sampleRows": n,
        "sampled": bool(total_rows > n or estimated),
        "columns": [column_summary(names[j], *columns[j]) for j in range(min(MAX_COLUMNS, len(columns)))],
        "firstRows": {
            "kind": "frame", "source": None, "columns": names[:TABLE_COLUMNS], "dtypes": [c[0] for c in shown],
            "kinds": [c[1] for c in shown], "indexName": None, "index": list(range(len(first))), "rows": first,
            "totalRows": int(max(total_rows, n)), "totalColumns": len(names),
        },
        "notes": notes,
    }


# --- readers -------------------------------------------------------------------------------------------------------


def _wide_note(total, notes):
    if total > MAX_COLUMNS:
        notes.append("wide: {} columns; the profile shows the first {}, the table the first {}".format(
            total, MAX_COLUMNS, TABLE_COLUMNS))


def read_text(path, shown_path=None, total_bytes=None):
    ext = os.path.splitext(path)[1].lower()
    d = dialect.csv_dialect(path, ext)
    size = os.path.getsize(path)
    head = d["head"]
    per_line = len(head) / max(head.count(b"\n"), 1)
    # Enough bytes for the sample's rows (by the first 64 KB's line length, with room), never more than READ_BYTES.
    with open(path, "rb") as f:
        data = f.read(int(min(READ_BYTES, max(256 << 10, per_line * (SAMPLE_ROWS + 2) * 1.5))))
    whole = len(data) >= size
    text = data.decode(d["encoding"], "replace")
    if not whole:
        text = text[:text.rfind("\n") + 1]  # the last line may be cut
    csv.field_size_limit(READ_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=d["delimiter"])
    try:
        header = next(reader, None)
        if header is None:
            raise QuickError("{}: no header line in the first {} MB".format(os.path.basename(path), READ_BYTES >> 20),
                             "malformed")
        width = len(header)
        rows_cap = max(10, min(SAMPLE_ROWS, MAX_CELLS // max(1, min(width, MAX_COLUMNS))))
        cols = min(width, MAX_COLUMNS)
        raw = [[] for _ in range(cols)]
        n = skipped = 0
        for row in reader:
            if not row:
                continue  # blank line
            if len(row) > width:
                skipped += 1  # pandas' on_bad_lines="skip"
                continue
            for j in range(cols):
                raw[j].append(row[j] if j < len(row) else "")
            n += 1
            if n >= rows_cap:
                break
        complete = whole and next(reader, None) is None
    except csv.Error as err:
        raise QuickError("{} is not valid CSV: {}".format(os.path.basename(path), err), "malformed")
    notes = []
    if skipped:
        notes.append("{} malformed lines skipped".format(skipped))
    _wide_note(width, notes)
    if d["decimal"] == ",":
        notes.append("decimal comma")
    total_bytes = total_bytes or size
    if complete and total_bytes == size:
        total, estimated = n, False
    else:
        per_line = dialect.bytes_per_line(path, d["head"])
        total, estimated = max(n, int(total_bytes / per_line) - 1), True
    columns = [typed_text_column(c, d["decimal"]) for c in raw]
    return build(os.path.basename(shown_path or path), shown_path or path, _unique_names(header), columns, total,
                 estimated, notes)


def _records(rows, path, total, estimated, notes):
    names = []
    seen = set()
    for r in rows:
        for k in r:
            if k not in seen and len(names) < 10000:
                seen.add(k)
                names.append(k)
    cols = [typed_value_column([r.get(k) for r in rows]) for k in names[:MAX_COLUMNS]]
    _wide_note(len(names), notes)
    return build(os.path.basename(path), path, [str(k) for k in names], cols, total, estimated, notes)


def read_jsonl(path):
    size = os.path.getsize(path)
    rows = []
    with open(path, "rb") as f:
        data = f.read(READ_BYTES)
    whole = len(data) >= size
    lines = data.decode("utf-8", "replace").splitlines()
    if not whole:
        lines = lines[:-1]
    for ln in lines:
        if ln.strip():
            try:
                v = json.loads(ln)
            except ValueError:
                raise QuickError("{}: line {} is not JSON".format(os.path.basename(path), len(rows) + 1), "malformed")
            rows.append(v if isinstance(v, dict) else {"value": v})
            if len(rows) >= SAMPLE_ROWS:
                break
    complete = whole and len(rows) < SAMPLE_ROWS
    per_line = len(data) / max(len(lines), 1)
    total = len(rows) if complete else max(len(rows), int(size / per_line))
    return _records(rows, path, total, not complete, [])


def read_json(path):
    if os.path.getsize(path) > READ_BYTES:
        raise QuickError("big JSON", "quick-unsupported")  # the pandas profile follows
    with open(path, "rb") as f:
        value = json.loads(f.read().decode("utf-8-sig"))
    if isinstance(value, dict):
        lists = [v for v in value.values() if isinstance(v, list)]
        value = lists[0] if len(lists) == 1 else None
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise QuickError("not a list of records", "quick-unsupported")
    return _records(value[:SAMPLE_ROWS], path, len(value), False, [])


def read_xlsx(path):
    try:
        import openpyxl
    except ImportError:
        raise QuickError("openpyxl is not installed", "quick-unsupported")
    with open(path, "rb") as f:
        if f.read(4) != b"PK\x03\x04":
            raise QuickError("not a workbook", "quick-unsupported")  # the pandas reader says what it is
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None) or ()
        width = len(header)
        cap = max(10, min(SAMPLE_ROWS, MAX_CELLS // max(1, min(width, MAX_COLUMNS))))
        raw = [[] for _ in range(min(width, MAX_COLUMNS))]
        n = 0
        for row in rows:
            if row is None or all(v is None for v in row):
                continue
            for j in range(len(raw)):
                raw[j].append(row[j] if j < len(row) else None)
            n += 1
            if n >= cap:
                break
        total = max(n, (ws.max_row or 1) - 1)
        notes = ["sheet {} of {}".format(ws.title, len(wb.worksheets))] if len(wb.worksheets) > 1 else []
    finally:
        wb.close()
    _wide_note(width, notes)
    names = _unique_names(["" if h is None else str(h) for h in header])
    return build(os.path.basename(path), path, names, [typed_value_column(c) for c in raw], total, total > n, notes)


def sqlite_connect(path):
    import sqlite3
    if not os.path.isfile(path):
        raise QuickError("{}: file not found".format(os.path.basename(path)), "not-found")
    uri = "file:{}?mode=ro".format(path.replace("?", "%3f").replace("#", "%23"))
    return sqlite3.connect(uri, uri=True, timeout=2)


def sqlite_tables(path):
    con = sqlite_connect(path)
    try:
        rows = con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE "
                           "'sqlite_%' ORDER BY name").fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def read_sqlite(path, table):
    import sqlite3
    import time
    con = sqlite_connect(path)
    try:
        q = '"{}"'.format(table.replace('"', '""'))
        deadline = [time.monotonic() + 5]
        con.set_progress_handler(lambda: 1 if time.monotonic() > deadline[0] else 0, 10000)  # no hang
        cur = con.execute("SELECT * FROM {} LIMIT {}".format(q, DB_SAMPLE_ROWS))
        names = _unique_names([c[0] for c in cur.description])
        data = cur.fetchmany(max(10, min(DB_SAMPLE_ROWS, MAX_CELLS // max(1, min(len(names), MAX_COLUMNS)))))
        deadline[0] = time.monotonic() + 0.5  # an exact count when cheap, else the sample is all we say
        try:
            total, estimated = con.execute("SELECT count(*) FROM {}".format(q)).fetchone()[0], False
        except sqlite3.OperationalError:
            total, estimated = len(data), True
    except sqlite3.DatabaseError as err:
        raise QuickError("{}: {}".format(table, err), "database")
    finally:
        con.close()
    cols = [typed_value_column([r[j] for r in data]) for j in range(min(len(names), MAX_COLUMNS))]
    notes = ["read-only query: SELECT * FROM {} LIMIT {}".format(q, DB_SAMPLE_ROWS)]
    _wide_note(len(names), notes)
    p = build(table, path, names, cols, total, estimated, notes)
    p["table"] = {"name": table, "source": os.path.basename(path)}
    return p


def resolve_parts(path):
    """A dataset's part files, by radarm_datasets.resolve_parts' rule (which needs pandas to import): a folder's
    CSV files recursively, skipping names that start with "." or "_", or a glob's files; sorted."""
    if os.path.isdir(path):
        found = []
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
            found.extend(os.path.join(root, f) for f in files if not f.startswith((".", "_")))
    else:
        found = [p for p in glob.glob(path, recursive=True) if os.path.isfile(p)]
    parts = sorted(p for p in found if os.path.splitext(p)[1].lower() in CSV_EXTS + (".parquet", ".pq"))
    if not parts:
        raise QuickError("{} matches no CSV or Parquet files".format(path), "dataset")
    return parts


def read_dataset(path):
    parts = resolve_parts(path)
    if os.path.splitext(parts[0])[1].lower() not in CSV_EXTS:
        raise QuickError("Parquet dataset", "quick-unsupported")
    total = sum(os.path.getsize(p) for p in parts)
    p = read_text(parts[0], shown_path=path, total_bytes=total)
    p["name"] = os.path.basename(path.rstrip(os.sep)) or path
    base = path.rstrip(os.sep) if os.path.isdir(path) else os.path.dirname(parts[0])
    p["dataset"] = {"parts": len(parts), "totalBytes": total, "firstPart": os.path.relpath(parts[0], base)}
    return p


def preview(req):
    path = req["path"]
    if req.get("table") is not None:
        return read_sqlite(path, req["table"])
    if os.path.isdir(path) or any(c in path for c in "*?["):
        return read_dataset(path)
    ext = os.path.splitext(path)[1].lower()
    if ext in CSV_EXTS or ext == "":
        return read_text(path)
    if not os.path.exists(path):
        raise QuickError("{}: file not found (it may have been moved or deleted)".format(os.path.basename(path)),
                         "not-found")
    if ext in (".jsonl", ".ndjson"):
        return read_jsonl(path)
    if ext == ".json":
        return read_json(path)
    if ext in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    raise QuickError("no quick reader for {}".format(ext), "quick-unsupported")


def main():
    try:
        req = json.loads(sys.argv[1])
        if req.get("op") == "tables":
            out = {"ok": True, "tables": sqlite_tables(req["path"])}
        else:
            out = {"ok": True, "preview": preview(req)}
    except (QuickError, dialect.DialectError) as err:
        out = {"ok": False, "code": err.code, "message": str(err)}
    except FileNotFoundError as err:
        out = {"ok": False, "code": "not-found", "message": "{}: file not found (it may have been moved or deleted)"
               .format(os.path.basename(err.filename or ""))}
    except MemoryError:
        out = {"ok": False, "code": "too-big", "message": "out of memory while reading the first rows"}
    except Exception as err:  # noqa: BLE001 — the pandas profile may still succeed; the host decides
        out = {"ok": False, "code": "quick-failed", "message": "{}: {}".format(type(err).__name__, err)}
    sys.stdout.write(json.dumps(out, ensure_ascii=False, allow_nan=False) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
