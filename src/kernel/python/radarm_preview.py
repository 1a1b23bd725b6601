"""Preview Data: each column's type, missing values, distinct count, min/max or top values and a histogram, plus
the first rows as a table. Big CSV/TSV files are read only for their first SAMPLE_ROWS rows (the total row count
is then estimated from the bytes per line), so the first screen is fast whatever the file's size.
"""
import csv
import os

import numpy as np
import pandas as pd

import radarm_dialect as dialect
import radarm_loaders as loaders
import radarm_tables as tables

SAMPLE_ROWS = 20000
FIRST_ROWS = 100
MAX_COLUMNS = 200
BINS = 12
TOP = 5


MAX_CELLS = 4000000  # a 10,000-column file is read for its first MAX_COLUMNS columns and fewer rows


def _read_csv_sample(path, ext, notes, total_bytes=None):
    d = dialect.csv_dialect(path, ext)
    enc, delim = d["encoding"], d["delimiter"]
    header = next(csv.reader([d["head"].decode(enc, "replace").splitlines()[0] if d["head"] else ""],
                             delimiter=delim), [])
    width = len(header)
    rows = max(100, min(SAMPLE_ROWS, MAX_CELLS // max(1, min(width, MAX_COLUMNS))))
    kwargs = {"sep": delim, "encoding": enc, "nrows": rows, "on_bad_lines": "skip", "low_memory": False}
    if d["decimal"] == ",":
        kwargs["decimal"] = ","
        notes.append("decimal comma")
    if width > MAX_COLUMNS:
        kwargs["usecols"] = range(MAX_COLUMNS)
        notes.append("wide: {} columns; the profile shows the first {}, the table the first {}".format(
            width, MAX_COLUMNS, tables.MAX_COLUMNS))
    try:
        frame = pd.read_csv(path, encoding_errors="replace", **kwargs)
    except TypeError:  # pandas < 1.3: no encoding_errors
        frame = pd.read_csv(path, **kwargs)
    size = total_bytes or os.path.getsize(path)
    if len(frame) < rows and total_bytes is None:
        return frame, len(frame), max(width, frame.shape[1]), False, False
    per_line = dialect.bytes_per_line(path, d["head"])
    return frame, max(len(frame), int(size / per_line) - 1), max(width, frame.shape[1]), True, len(frame) >= rows


def _read_sample(path, notes):
    """(frame, total_rows, total_columns, total_is_estimate, sampled) for a file or a dataset's first part."""
    ext = os.path.splitext(path)[1].lower()
    if ext in loaders.CSV_EXTS or ext == "":
        return _read_csv_sample(path, ext, notes)
    if not os.path.exists(path):
        raise dialect.DialectError("{}: file not found (it may have been moved or deleted)".format(
            os.path.basename(path)), "not-found")
    frames, meta = loaders.load_file(path)
    frame = next(iter(frames.values()))
    if len(frames) > 1:
        notes.append("sheet {} of {}".format(next(iter(frames.keys())), len(frames)))
    total = len(frame)
    return frame.head(SAMPLE_ROWS).iloc[:, :MAX_COLUMNS], total, frame.shape[1], False, total > SAMPLE_ROWS


def _read_dataset(path, notes):
    import radarm_datasets as datasets
    parts, fmt = datasets.resolve_parts(path)
    total_bytes = sum(os.path.getsize(p) for p in parts)
    if fmt == "csv":
        first = _read_csv_sample(parts[0], os.path.splitext(parts[0])[1].lower(), notes, total_bytes)
    else:
        first = _read_sample(parts[0], notes)
    base = path.rstrip(os.sep) if os.path.isdir(path) else os.path.dirname(parts[0])
    info = {"parts": len(parts), "totalBytes": total_bytes, "firstPart": os.path.relpath(parts[0], base)}
    return first, info


def _number(v):
    v = float(v)
    return v if np.isfinite(v) else None


def column_summary(name, s):
    kind = tables._kind(s.dtype)
    counter = [0]
    out = {"name": tables._label(name), "dtype": str(s.dtype), "kind": kind, "missing": int(s.isna().sum())}
    try:
        out["distinct"] = int(s.nunique(dropna=True))
    except TypeError:  # unhashable cells (lists, dicts)
        out["distinct"] = int(s.dropna().astype(str).nunique())
    values = s.dropna()
    if kind == "number" and len(values):
        v = values.astype(float).to_numpy()
        v = v[np.isfinite(v)]
        if len(v):
            out.update({"min": _number(v.min()), "max": _number(v.max()), "mean": _number(v.mean())})
            bins = max(1, min(BINS, out["distinct"]))
            counts, edges = np.histogram(v, bins=bins)
            out["histogram"] = {"counts": counts.tolist(), "edges": [float(e) for e in edges]}
    elif kind == "datetime" and len(values):
        out.update({"min": str(values.min()), "max": str(values.max())})
    elif len(values):
        try:
            top = values.value_counts().head(TOP)
        except TypeError:
            top = values.astype(str).value_counts().head(TOP)
        out["top"] = [{"value": tables._scalar(k, counter), "count": int(c)} for k, c in top.items()]
    return out


def _error(req, code, message):
    return {"id": req.get("id"), "type": "result", "ok": False,
            "error": {"name": "PreviewError", "code": code, "message": message, "traceback": ""}}


def _table_name(src, t):
    return "{}.{}".format(t["schema"], t["name"]) if t.get("schema") else t["name"]


def _database(req):
    """A configured source's tables ({"list": true}) or one table's preview, by one bounded read-only query."""
    import radarm_sql as core
    import radarm_sql_profile as catalog
    import radarm_sql_run as run
    name = req["database"]
    src = core.SOURCES.get(name)
    if src is None:
        return _error(req, "database", "the database {} is not connected".format(name))
    try:
        tables = catalog._catalog(src, core.open_source(src))
        if req.get("list"):
            return {"id": req.get("id"), "type": "result", "ok": True, "tables": [_table_name(src, t) for t in tables]}
        t = next((t for t in tables if _table_name(src, t) == req.get("table")), None)
        if t is None:
            return _error(req, "database", "{} has no table or view named {}".format(name, req.get("table")))
        query = "SELECT * FROM {} LIMIT {}".format(catalog.qualified(src, t), SAMPLE_ROWS)
        frame = run.sql(query, source=name, max_rows=SAMPLE_ROWS)
        total, estimate = len(frame), False
        if len(frame) >= SAMPLE_ROWS:
            total, estimate = max(len(frame), t.get("approx") or len(frame)), True  # the catalog's estimate
    except KeyboardInterrupt:
        return _error(req, "timeout", "{}: the query took longer than the time limit".format(name))
    except Exception as err:  # noqa: BLE001 — DatabaseError says what to do; anything else in one line
        text = str(err).strip().splitlines()
        return _error(req, "database", core.redact(text[0] if text else type(err).__name__, src.password))
    notes = ["read-only query: " + query]
    if frame.shape[1] > MAX_COLUMNS:
        notes.append("wide: {} columns; the profile shows the first {}".format(frame.shape[1], MAX_COLUMNS))
    return frame, total, frame.shape[1], estimate, len(frame) >= SAMPLE_ROWS, notes, {"name": req["table"], "source": name}


def handle(req):
    table = None
    if req.get("database"):
        got = _database(req)
        if isinstance(got, dict):
            return got
        frame, total, width, estimate, sampled, notes, table = got
        return _reply(req, req["table"], req.get("path") or "", frame, total, width, estimate, sampled, notes, None,
                      table)
    path = req.get("path") or ""
    name = os.path.basename(path.rstrip(os.sep)) or path
    notes = []
    dataset = None
    try:
        if os.path.isdir(path) or any(c in path for c in "*?["):
            (frame, total, width, estimate, sampled), dataset = _read_dataset(path, notes)
        else:
            frame, total, width, estimate, sampled = _read_sample(path, notes)
    except dialect.DialectError as err:
        return _error(req, err.code, str(err))
    except loaders.LoadError as err:
        msg = str(err)
        code = "not-found" if "not found" in msg else "binary" if "looks like" in msg else "unsupported"
        return _error(req, code, "{}: {}".format(name, msg) if not msg.startswith(name) else msg)
    except FileNotFoundError:  # deleted while it was read
        return _error(req, "not-found", "{}: file not found (it was moved or deleted while it was read)".format(name))
    except MemoryError:
        return _error(req, "too-big", "{}: out of memory while reading its first rows".format(name))
    except Exception as err:  # noqa: BLE001 — a dataset error, a parser error: one clear line, the kernel lives on
        code = getattr(err, "code", None) == "data" and "dataset" or "failed"
        return _error(req, code, "{}: {}: {}".format(name, type(err).__name__, str(err).strip().splitlines()[-1][:300]
                                                      if str(err).strip() else ""))
    return _reply(req, name, path, frame, total, width, estimate, sampled, notes, dataset, None)


def _reply(req, name, path, frame, total, width, estimate, sampled, notes, dataset, table):
    part = frame.iloc[:, :MAX_COLUMNS]
    preview = {
        "path": path,
        "name": name,
        "totalRows": int(total),
        "totalRowsEstimated": bool(estimate),
        "totalColumns": int(width),
        "sampleRows": int(len(frame)),
        "sampled": bool(sampled),
        "columns": [column_summary(c, part[c] if part.columns.is_unique else part.iloc[:, j])
                    for j, c in enumerate(part.columns)],
        "firstRows": tables.table_form(frame.head(FIRST_ROWS), None),
        "notes": notes,
    }
    if preview["firstRows"] is not None:
        preview["firstRows"]["totalRows"] = int(total)
        preview["firstRows"]["totalColumns"] = int(width)
    if dataset:
        preview["dataset"] = dataset
    if table:
        preview["table"] = table
    return {"id": req.get("id"), "type": "result", "ok": True, "preview": preview}
