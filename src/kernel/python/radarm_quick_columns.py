"""The quick preview's columns: pandas.read_csv's typing rules (NA strings, int64 / float64 / bool / object) on
raw values, and the per-column summaries and structure of radarm_preview.handle. Standard library only; used by
radarm_preview_quick.py, which reads the files."""
import collections
import math
import re

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


def unique_names(header):
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




def wide_note(total, notes):
    if total > MAX_COLUMNS:
        notes.append("wide: {} columns; the profile shows the first {}, the table the first {}".format(
            total, MAX_COLUMNS, TABLE_COLUMNS))
