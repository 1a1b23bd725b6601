"""Reads a data file into pandas DataFrames: CSV/TSV (encoding and delimiter detection), Excel (every sheet),
Parquet, JSON and JSON Lines.

Part of Radarm's Python kernel. Python 3.8+; pandas is imported by the caller.
"""
import codecs
import collections
import csv
import io
import json
import os
import re
import sys

import pandas as pd

CSV_EXTS = (".csv", ".tsv", ".tab", ".txt", ".dat")
EXCEL_EXTS = (".xlsx", ".xlsm", ".xls")
PARQUET_EXTS = (".parquet", ".pq")
JSON_EXTS = (".json",)
JSONL_EXTS = (".jsonl", ".ndjson")
SUPPORTED = CSV_EXTS + EXCEL_EXTS + PARQUET_EXTS + JSON_EXTS + JSONL_EXTS

SAMPLE_BYTES = 1 << 20
# Tried in order on a sample; Latin-1 decodes anything, so it comes last.
ENCODINGS = ("utf-8", "gb18030", "cp1252", "latin-1")


class LoadError(Exception):
    """A file that cannot be read, with a message that says what to do."""


def pip_hint(*packages):
    return "`{} -m pip install {}`".format(sys.executable or "python", " ".join(packages))


def sniff_encoding(raw, complete):
    """The encoding of a byte sample; `complete` says whether the sample is the whole file."""
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    for enc in ENCODINGS:
        try:
            # Incremental, so that a multi-byte character cut at the sample's end is not an error.
            codecs.getincrementaldecoder(enc)().decode(raw, final=complete)
        except UnicodeDecodeError:
            continue
        if enc == "gb18030" and not _looks_chinese(raw):
            continue
        return enc
    return "latin-1"


_GB_PAIR = re.compile(b"[\x81-\xfe][\x30-\xfe]")


def _looks_chinese(raw):
    """GB18030 decodes most Latin-1 text too ("é" + "a" is a valid pair). Real Chinese text is mostly
    GB2312 characters, whose two bytes are both in A1-FE; "é" followed by ASCII is not."""
    pairs = _GB_PAIR.findall(raw[:65536])
    if not pairs:
        return True
    good = sum(1 for p in pairs if p[0] >= 0xA1 and p[1] >= 0xA1)
    return good >= 0.8 * len(pairs)


def _field_counts(lines, delim):
    try:
        return [len(row) for row in csv.reader(lines, delimiter=delim)]
    except csv.Error:
        return []


def sniff_delimiter(text, ext):
    """The delimiter whose field count is the most consistent over the first lines."""
    lines = [ln for ln in text.splitlines()[:60] if ln.strip()]
    if len(lines) > 2:
        lines = lines[:-1]  # the sample may end inside the last line
    preferred = "\t" if ext in (".tsv", ".tab") else ","
    candidates = [preferred] + [d for d in (",", "\t", ";", "|") if d != preferred]
    best, best_score = preferred, None
    for delim in candidates:
        counts = _field_counts(lines, delim)
        if not counts:
            continue
        mode, freq = collections.Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        score = (round(freq / float(len(counts)), 1), mode)
        if best_score is None or score > best_score:
            best, best_score = delim, score
    return best


_DECIMAL_COMMA = re.compile(r"(^|;)\s*-?\d+,\d+\s*(?=;|$)")


def _read_csv(path, ext, meta):
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        raw = f.read(SAMPLE_BYTES)
    enc = sniff_encoding(raw, complete=len(raw) >= size)
    text = raw.decode(enc, "replace")
    delim = sniff_delimiter(text, ext)
    kwargs = {"sep": delim, "low_memory": False}
    # European CSVs: "1,5;2,25" means decimals with commas.
    if delim == ";" and _DECIMAL_COMMA.search("\n".join(text.splitlines()[1:30])):
        kwargs["decimal"] = ","
        meta["decimal"] = ","
    order = list(ENCODINGS[ENCODINGS.index(enc):]) if enc in ENCODINGS else [enc]
    last_error = None
    for e in order:
        try:
            frame = _read_csv_tolerant(path, e, kwargs, meta)
            meta["encoding"] = e
            meta["delimiter"] = delim
            return frame
        except UnicodeDecodeError as err:  # the sample decoded, a later part did not
            last_error = err
    raise LoadError("could not decode the text (tried {}): {}".format(", ".join(order), last_error))


FAST_CSV_BYTES = 32 * 1024 * 1024


def _pyarrow_csv_available():
    try:
        import importlib.util
        major, minor = (int(x) for x in pd.__version__.split(".")[:2])
        return (major, minor) >= (1, 4) and importlib.util.find_spec("pyarrow") is not None
    except Exception:
        return False


def _read_csv_tolerant(path, enc, kwargs, meta):
    # Big files: pyarrow's multi-threaded parser is several times faster, when installed and the file is plain.
    if os.path.getsize(path) > FAST_CSV_BYTES and "decimal" not in kwargs and _pyarrow_csv_available():
        try:
            frame = pd.read_csv(path, encoding=enc, sep=kwargs["sep"], engine="pyarrow")
            meta["parser"] = "pyarrow"
            return frame
        except Exception:
            pass  # anything pyarrow does not handle: the C parser below
    try:
        return pd.read_csv(path, encoding=enc, **kwargs)
    except pd.errors.ParserError as err:
        # Ragged rows: keep the good ones and say so.
        try:
            frame = pd.read_csv(path, encoding=enc, on_bad_lines="skip", engine="python",
                                **{k: v for k, v in kwargs.items() if k != "low_memory"})
        except TypeError:  # pandas < 1.3
            frame = pd.read_csv(path, encoding=enc, error_bad_lines=False, warn_bad_lines=False, **kwargs)
        meta["warning"] = "malformed lines were skipped ({})".format(str(err).strip().splitlines()[-1][:200])
        return frame


def _read_excel(path, ext, meta):
    engine_pkg = "xlrd" if ext == ".xls" else "openpyxl"
    try:
        sheets = pd.read_excel(path, sheet_name=None)
    except ImportError:
        raise LoadError("reading {} files needs the {} package: run {}, or choose an interpreter that has it "
                        "(setting radarm.pythonPath)".format(ext, engine_pkg, pip_hint(engine_pkg)))
    meta["sheets"] = list(sheets.keys())
    return sheets


def _read_parquet(path, meta):
    try:
        return pd.read_parquet(path)
    except ImportError:
        raise LoadError("reading Parquet files needs pyarrow or fastparquet: run {}, or choose an interpreter "
                        "that has it (setting radarm.pythonPath)".format(pip_hint("pyarrow")))


def _frame_from_json_value(obj, meta):
    # meta["table"]: the pandas function that made the table, for read_spec.
    if isinstance(obj, list):
        if obj and all(isinstance(x, dict) for x in obj[:100]):
            return pd.json_normalize(obj)
        meta["table"] = "DataFrame"
        return pd.DataFrame(obj)
    if isinstance(obj, dict):
        record_keys = [k for k, v in obj.items() if isinstance(v, list) and v and isinstance(v[0], dict)]
        if len(record_keys) == 1:
            meta["records_key"] = record_keys[0]
            return pd.json_normalize(obj[record_keys[0]])
        try:
            frame = pd.DataFrame(obj)
            meta["table"] = "DataFrame"
            return frame
        except ValueError:
            return pd.json_normalize(obj)
    raise LoadError("the JSON holds a single {} value, not a table".format(type(obj).__name__))


def _read_json(path, ext, meta):
    with open(path, "rb") as f:
        raw = f.read()
    enc = sniff_encoding(raw[:SAMPLE_BYTES], complete=len(raw) <= SAMPLE_BYTES)
    text = raw.decode(enc, "replace")
    meta["encoding"] = enc
    if ext in JSONL_EXTS:
        meta["format"] = "JSON Lines"
        return pd.read_json(io.StringIO(text), lines=True)
    try:
        obj = json.loads(text)
    except ValueError:
        # Often a .json file that is really JSON Lines.
        try:
            frame = pd.read_json(io.StringIO(text), lines=True)
        except ValueError as err:
            raise LoadError("not valid JSON or JSON Lines: {}".format(err))
        meta["format"] = "JSON Lines"
        return frame
    return _frame_from_json_value(obj, meta)


def load_file(path):
    """Reads one file. Returns (frames, meta): frames is an ordered dict of sheet name (or None) -> DataFrame."""
    ext = os.path.splitext(path)[1].lower()
    meta = {}
    if not os.path.exists(path):
        raise LoadError("file not found")
    if os.path.isdir(path):
        raise LoadError("this is a folder, not a data file")
    if ext in CSV_EXTS or ext == "":
        frames = {None: _read_csv(path, ext, meta)}
    elif ext in EXCEL_EXTS:
        frames = _read_excel(path, ext, meta)
    elif ext in PARQUET_EXTS:
        frames = {None: _read_parquet(path, meta)}
    elif ext in JSON_EXTS or ext in JSONL_EXTS:
        frames = {None: _read_json(path, ext, meta)}
    else:
        raise LoadError("unsupported file type {}: Radarm reads CSV, TSV, Excel (.xlsx, .xls), Parquet, JSON and "
                        "JSON Lines".format(ext or "(no extension)"))
    meta.setdefault("read", read_spec(ext, meta, frames))
    return collections.OrderedDict(frames), meta


def read_spec(ext, meta, frames):
    """How the file was read, as {func, kwargs}: enough for exported code to read it the same way
    (src/agent/prelude.ts writes it as Python)."""
    if ext in EXCEL_EXTS:
        return {"func": "read_excel", "kwargs": {"sheet_name": None}}
    if ext in PARQUET_EXTS:
        return {"func": "read_parquet", "kwargs": {}}
    if ext in JSON_EXTS or ext in JSONL_EXTS:
        enc = meta.get("encoding", "utf-8")
        if meta.get("format") == "JSON Lines":
            return {"func": "read_json", "kwargs": {"encoding": enc, "lines": True}}
        # Plain JSON is parsed with json.load, then made a table as _frame_from_json_value does.
        spec = {"func": meta.get("table", "json_normalize"), "kwargs": {"encoding": enc}}
        if meta.get("records_key"):
            spec["kwargs"]["records_key"] = meta["records_key"]
        return spec
    kwargs = {"encoding": meta.get("encoding", "utf-8"), "sep": meta.get("delimiter", ",")}
    if meta.get("decimal"):
        kwargs["decimal"] = meta["decimal"]
    if meta.get("warning", "").startswith("malformed lines"):
        kwargs.update({"on_bad_lines": "skip", "engine": "python"})
    return {"func": "read_csv", "kwargs": kwargs}
