"""Bounded, JSON-safe table forms of DataFrames and Series, for the panel's table view.

The text repr stays the model's and the CLI's view; this structured form rides beside it in the reply's
`tables` list. Cells are numbers, strings, booleans or null (NaN/NaT/None -> null, +-inf -> "inf"/"-inf",
integers beyond 2**53 -> strings so JavaScript keeps every digit); long strings are clipped.
"""
import json
import math

import numpy as np
import pandas as pd

MAX_ROWS = 10000
MAX_COLUMNS = 50
MAX_BYTES = 4000000
MAX_CELL_CHARS = 200
MAX_TABLES = 5
_SAFE_INT = 2 ** 53


class _State(object):
    shown = []  # tables from display() in the current run


state = _State()


def reset():
    state.shown = []


def _clip(text, counter):
    if len(text) > MAX_CELL_CHARS:
        counter[0] += 1
        return text[:MAX_CELL_CHARS - 1] + "\u2026"
    return text


def _scalar(v, counter):
    """One cell of an object/extension column."""
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        v = int(v)
        return v if -_SAFE_INT <= v <= _SAFE_INT else str(v)
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    if isinstance(v, str):
        return _clip(v, counter)
    if isinstance(v, (pd.Timestamp,)):
        return v.isoformat()
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return _clip(str(v), counter)


def _kind(dtype):
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        return "datetime"
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_categorical_dtype(dtype):
        return "string"
    return "other"


def _cells(series, counter):
    """A column's values as a JSON-safe list; plain numpy dtypes take vectorised paths."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype):
        arr = series.to_numpy()
        if dtype.kind == "b":
            return arr.tolist()
        if dtype.kind in "iu":
            if len(arr) == 0 or (int(arr.max()) <= _SAFE_INT and int(arr.min()) >= -_SAFE_INT):
                return arr.tolist()
        elif dtype.kind == "f":
            values = arr.tolist()
            bad = ~np.isfinite(arr)
            for i in np.flatnonzero(bad):
                x = arr[i]
                values[i] = None if np.isnan(x) else ("inf" if x > 0 else "-inf")
            return values
        elif dtype.kind in "Mm":
            text = series.astype(str).tolist()
            missing = series.isna().to_numpy()
            return [None if m else t for t, m in zip(text, missing)]
    return [_scalar(v, counter) for v in series.tolist()]


def _label(name):
    if isinstance(name, tuple):
        return " / ".join(str(x) for x in name)
    return str(name)


def _build(frame, n_rows, counter):
    part = frame.iloc[:n_rows, :MAX_COLUMNS]
    columns = [_cells(part.iloc[:, j], counter) for j in range(part.shape[1])]
    rows = [list(r) for r in zip(*columns)] if columns else [[] for _ in range(len(part))]
    index = _cells(pd.Series(part.index.to_flat_index(), dtype=object), counter)
    return part, rows, index


def _size(obj):
    return len(json.dumps(obj, ensure_ascii=False))


def table_form(value, source):
    """The table form of a DataFrame or Series, or None for anything else (or if it cannot be built)."""
    if not isinstance(value, (pd.DataFrame, pd.Series)):
        return None
    try:
        kind = "series" if isinstance(value, pd.Series) else "frame"
        if kind == "series":
            frame = value.to_frame(name=value.name if value.name is not None else "value")
        else:
            frame = value
        n_rows = min(MAX_ROWS, frame.shape[0])
        if n_rows > 200:
            # Size the row count from a sample first: building 10,000 rows of wide text only to drop them is slow.
            _, rows, index = _build(frame, 200, [0])
            per_row = (_size(rows) + _size(index)) / 200.0
            n_rows = max(200, min(n_rows, int(MAX_BYTES * 0.95 / max(per_row, 1))))
        counter = [0]
        part, rows, index = _build(frame, n_rows, counter)
        # Keep the whole form under MAX_BYTES: shrink the row count in proportion and rebuild (twice at most).
        for _ in range(2):
            size = _size(rows) + _size(index)
            if size <= MAX_BYTES or n_rows <= 1:
                break
            n_rows = max(1, int(n_rows * MAX_BYTES / size * 0.9))
            counter = [0]
            part, rows, index = _build(frame, n_rows, counter)
        names = [n for n in frame.index.names if n is not None]
        form = {
            "kind": kind,
            "source": source,
            "columns": [_label(c) for c in part.columns],
            "dtypes": [str(t) for t in part.dtypes],
            "kinds": [_kind(t) for t in part.dtypes],
            "indexName": " / ".join(str(n) for n in names) if names else None,
            "index": index,
            "rows": rows,
            "totalRows": int(frame.shape[0]),
            "totalColumns": int(frame.shape[1]),
        }
        if kind == "series" and value.name is not None:
            form["name"] = _label(value.name)
        if counter[0]:
            form["clippedCells"] = counter[0]
        return form
    except Exception:
        return None


def make_display(write):
    """`display(obj, …)` for user code: frames become tables; everything is also written as text for the model."""

    def display(*objs, **_kwargs):
        for obj in objs:
            if isinstance(obj, (pd.DataFrame, pd.Series)) and len(state.shown) < MAX_TABLES:
                form = table_form(obj, "display")
                if form:
                    state.shown.append(form)
            with pd.option_context("display.max_rows", 60, "display.min_rows", 20, "display.max_columns", 40,
                                   "display.width", 200, "display.max_colwidth", 80):
                write(repr(obj) + "\n")

    return display


def attach(reply, value, source):
    """Puts the run's tables (displayed frames, then the final value) into the reply; returns the value's form."""
    tables = list(state.shown)
    form = table_form(value, source) if len(tables) < MAX_TABLES else None
    if form:
        tables.append(form)
    if tables:
        reply["tables"] = tables
    state.shown = []
    return form
