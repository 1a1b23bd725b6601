"""Preview Data: each column's type, missing values, distinct count, min/max or top values and a histogram, plus
the first rows as a table. Big CSV/TSV files are read only for their first SAMPLE_ROWS rows (the total row count
is then estimated from the bytes per line), so the first screen is fast whatever the file's size.
"""
import os

import numpy as np
import pandas as pd

import radarm_loaders as loaders
import radarm_sniff as sniff
import radarm_tables as tables

SAMPLE_ROWS = 20000
FIRST_ROWS = 100
MAX_COLUMNS = 200
BINS = 12
TOP = 5


def _read_sample(path):
    """(frame, total_rows, total_is_estimate, sampled) for a file."""
    ext = os.path.splitext(path)[1].lower()
    if not os.path.isfile(path):
        raise loaders.LoadError("file not found" if not os.path.exists(path) else "this is a folder, not a data file")
    if ext in loaders.CSV_EXTS or ext == "":
        decision = loaders._text_decision(path, os.path.basename(path))
        enc = decision["encoding"]
        with open(path, "rb") as f:
            head = f.read(sniff.SAMPLE_BYTES)
        delim = loaders.sniff_delimiter(head.decode(enc, "replace"), ext)
        frame = pd.read_csv(path, sep=delim, encoding=enc, encoding_errors="replace", nrows=SAMPLE_ROWS,
                            on_bad_lines="skip", low_memory=False)
        if len(frame) < SAMPLE_ROWS:
            return frame, len(frame), False, False
        size = os.path.getsize(path)
        lines = head.count(b"\n")
        per_line = len(head) / max(lines, 1)
        return frame, max(len(frame), int(size / per_line) - 1), True, True
    frames, _meta = loaders.load_file(path)
    frame = next(iter(frames.values()))
    total = len(frame)
    return frame.head(SAMPLE_ROWS), total, False, total > SAMPLE_ROWS


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


def handle(req):
    path = req.get("path") or ""
    try:
        frame, total, estimate, sampled = _read_sample(path)
    except loaders.LoadError as err:
        return {"id": req.get("id"), "type": "result", "ok": False,
                "error": {"name": "LoadError", "message": "{}: {}".format(os.path.basename(path), err), "traceback": ""}}
    part = frame.iloc[:, :MAX_COLUMNS]
    preview = {
        "path": path,
        "name": os.path.basename(path),
        "totalRows": int(total),
        "totalRowsEstimated": bool(estimate),
        "totalColumns": int(frame.shape[1]),
        "sampleRows": int(len(frame)),
        "sampled": bool(sampled),
        "columns": [column_summary(c, part[c] if part.columns.is_unique else part.iloc[:, j])
                    for j, c in enumerate(part.columns)],
        "firstRows": tables.table_form(frame.head(FIRST_ROWS), None),
    }
    return {"id": req.get("id"), "type": "result", "ok": True, "preview": preview}
