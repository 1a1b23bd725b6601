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
import csv
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import radarm_dialect as dialect  # noqa: E402
from radarm_quick_columns import (  # noqa: E402
    CSV_EXTS, DB_SAMPLE_ROWS, MAX_CELLS, MAX_COLUMNS, NA, READ_BYTES, SAMPLE_ROWS, QuickError, build,
    typed_text_column, typed_value_column, unique_names, wide_note,
)

# --- readers -------------------------------------------------------------------------------------------------------


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
    wide_note(width, notes)
    if d["decimal"] == ",":
        notes.append("decimal comma")
    total_bytes = total_bytes or size
    if complete and total_bytes == size:
        total, estimated = n, False
    else:
        per_line = dialect.bytes_per_line(path, d["head"])
        total, estimated = max(n, int(total_bytes / per_line) - 1), True
    columns = [typed_text_column(c, d["decimal"]) for c in raw]
    return build(os.path.basename(shown_path or path), shown_path or path, unique_names(header), columns, total,
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
    wide_note(len(names), notes)
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
    wide_note(width, notes)
    names = unique_names(["" if h is None else str(h) for h in header])
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
        names = unique_names([c[0] for c in cur.description])
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
    wide_note(len(names), notes)
    p = build(table, path, names, cols, total, estimated, notes)
    p["table"] = {"name": table, "source": os.path.basename(path)}
    return p


def resolve_parts(path):
    """A dataset's part files, by radarm_datasets.resolve_parts' rule (which needs pandas to import): a folder's
    CSV files recursively, skipping names that start with "." or "_", or a glob's files; sorted."""
    found = dialect.candidate_files(path)
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
