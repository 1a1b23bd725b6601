"""Reads a data file into pandas DataFrames: CSV/TSV (encoding and delimiter detection), Excel (every sheet),
Parquet, JSON and JSON Lines.

Part of Radarm's Python kernel. Python 3.8+; pandas is imported by the caller.
"""
import collections
import csv
import io
import json
import os
import re
import sys

import pandas as pd

import radarm_sniff as sniff

CSV_EXTS = (".csv", ".tsv", ".tab", ".txt", ".dat")
EXCEL_EXTS = (".xlsx", ".xlsm", ".xls")
PARQUET_EXTS = (".parquet", ".pq")
JSON_EXTS = (".json",)
JSONL_EXTS = (".jsonl", ".ndjson")
SUPPORTED = CSV_EXTS + EXCEL_EXTS + PARQUET_EXTS + JSON_EXTS + JSONL_EXTS




class LoadError(Exception):
    """A file that cannot be read, with a message that says what to do."""


def pip_hint(*packages):
    return "`{} -m pip install {}`".format(sys.executable or "python", " ".join(packages))


# The delimiter and decimal rules live in radarm_dialect (standard library only, shared with Preview Data).
from radarm_dialect import DECIMAL_COMMA as _DECIMAL_COMMA, sniff_delimiter  # noqa: E402,F401


ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (with BOM)", "utf-16": "UTF-16", "gb18030": "GB18030/GBK",
                  "cp1252": "Windows-1252", "latin-1": "Latin-1"}


def _refuse_binary(name, decision, expected):
    hint = sniff.HINTS.get(decision["format"], "")
    raise LoadError("{} is not {}: it looks like {} (its first bytes are {}){}".format(
        name, expected, decision["looksLike"], decision["magic"], "; " + hint if hint else ""))


def _text_decision(path, name):
    """Encoding decision for a text file, or a LoadError for an empty or binary one."""
    decision = sniff.sniff_file(path)
    if decision["kind"] == "empty":
        raise LoadError("{} is empty (0 bytes): choose a file that holds data".format(name))
    if decision["kind"] == "binary":
        _refuse_binary(name, decision, "a text data file")
    return decision


def _note_bad_lines(path, enc, meta):
    """Counts the lines with bytes that are not valid `enc`; they are read with U+FFFD in place of those bytes."""
    if enc.startswith("utf-16"):  # lines cannot be split on byte 0A: say it without a count
        _warn(meta, "some bytes are not valid UTF-16 (read as \ufffd)")
        return 1
    n = sniff.count_bad_lines(path, enc)
    if n:
        meta["badLines"] = n
        _warn(meta, "{:,} line{} had bytes that are not valid {} (read as \ufffd)".format(
            n, "" if n == 1 else "s", ENCODING_NAMES.get(enc, enc)))
    return n


def _warn(meta, text):
    meta["warning"] = meta["warning"] + "; " + text if meta.get("warning") else text


def _read_csv(path, ext, meta):
    name = os.path.basename(path)
    decision = _text_decision(path, name)
    enc = decision["encoding"]
    with open(path, "rb") as f:
        head = f.read(sniff.SAMPLE_BYTES)
    text = head.decode(enc, "replace")
    delim = sniff_delimiter(text, ext)
    kwargs = {"encoding": enc, "sep": delim}
    # European CSVs: "1,5;2,25" means decimals with commas.
    if delim == ";" and _DECIMAL_COMMA.search("\n".join(text.splitlines()[1:30])):
        kwargs["decimal"] = ","
        meta["decimal"] = ","
    meta["encoding"] = enc
    meta["delimiter"] = delim
    if decision["badBytes"] and _note_bad_lines(path, enc, meta):
        kwargs["encoding_errors"] = "replace"
    try:
        frame = _read_csv_fast(path, kwargs, meta)
        if frame is None:
            frame = _read_csv_tolerant(path, kwargs, meta)
    except UnicodeDecodeError:
        # The samples decoded, a part between them did not: decide again on the samples plus the lines that failed
        # (bounded, however big the file), then read strictly if the decision changed, else with U+FFFD counted.
        _bad, failed = sniff.count_bad_lines(path, enc, keep=sniff.SAMPLE_BYTES * 4)
        samples, size = sniff.read_samples(path)
        again = sniff.decide(samples + [failed], size).get("encoding") or enc
        meta.pop("badLines", None)
        meta.pop("warning", None)
        frame = None
        if again != enc:
            kwargs["encoding"] = meta["encoding"] = enc = again
            try:
                frame = _read_csv_tolerant(path, kwargs, meta)
            except UnicodeDecodeError:
                frame = None
        if frame is None:
            _note_bad_lines(path, enc, meta)
            kwargs["encoding_errors"] = "replace"
            frame = _read_csv_tolerant(path, kwargs, meta)
    meta["read"] = {"func": "read_csv", "kwargs": dict(kwargs)}
    return frame


def _read_csv_tolerant(path, kwargs, meta):
    try:
        try:
            return pd.read_csv(path, **kwargs)
        except TypeError:
            if "encoding_errors" not in kwargs:
                raise
            # pandas < 1.3 has no encoding_errors: decode here.
            with open(path, "rb") as f:
                text = f.read().decode(kwargs["encoding"], "replace")
            rest = {k: v for k, v in kwargs.items() if k not in ("encoding", "encoding_errors")}
            return pd.read_csv(io.StringIO(text), **rest)
    except pd.errors.ParserError as err:
        # Ragged rows: keep the good ones and say so.
        try:
            frame = pd.read_csv(path, on_bad_lines="skip", engine="python", **kwargs)
            kwargs.update(on_bad_lines="skip", engine="python")
        except TypeError:  # pandas < 1.3
            frame = pd.read_csv(path, error_bad_lines=False, warn_bad_lines=False,
                                **{k: v for k, v in kwargs.items() if k != "encoding_errors"})
        _warn(meta, "malformed lines were skipped ({})".format(str(err).strip().splitlines()[-1][:200]))
        return frame


FAST_CSV_BYTES = 32 * 1024 * 1024


def _pyarrow_csv_available():
    try:
        import importlib.util
        major, minor = (int(x) for x in pd.__version__.split(".")[:2])
        return (major, minor) >= (1, 4) and importlib.util.find_spec("pyarrow") is not None
    except Exception:
        return False


def _read_csv_fast(path, kwargs, meta):
    """Big plain files: pyarrow's multi-threaded parser, when installed. None when it does not apply."""
    if os.path.getsize(path) <= FAST_CSV_BYTES or set(kwargs) != {"encoding", "sep"} or not _pyarrow_csv_available():
        return None
    try:
        frame = pd.read_csv(path, engine="pyarrow", **kwargs)
    except Exception:
        return None  # anything pyarrow does not handle: the C parser
    kwargs["engine"] = "pyarrow"
    meta["parser"] = "pyarrow"
    return frame


def _expect_format(path, ext, wanted, what):
    """Refuses a binary file whose extension promises another format, with what it looks like."""
    with open(path, "rb") as f:
        head = f.read(16)
    name = os.path.basename(path)
    if not head:
        raise LoadError("{} is empty (0 bytes): choose a file that holds data".format(name))
    magic = sniff.magic_of(head)
    if magic and magic[0] in wanted:
        return
    if magic:
        _refuse_binary(name, {"format": magic[0], "looksLike": magic[1], "magic": sniff.hex_prefix(head)}, what)
    decision = sniff.sniff_file(path)
    looks = "text ({})".format(ENCODING_NAMES.get(decision.get("encoding"), "")) if decision["kind"] == "text" \
        else decision.get("looksLike", "an unknown format")
    raise LoadError("{} is not {}: it looks like {} (its first bytes are {}){}".format(
        name, what, looks, sniff.hex_prefix(head),
        "; if it is CSV, rename it to .csv" if decision["kind"] == "text" else ""))


def _read_excel(path, ext, meta):
    if ext == ".xls":
        _expect_format(path, ext, ("ole2", "zip"), "an Excel workbook")
    else:
        _expect_format(path, ext, ("zip",), "an Excel workbook")
    engine_pkg = "xlrd" if ext == ".xls" else "openpyxl"
    try:
        sheets = pd.read_excel(path, sheet_name=None)
    except ImportError:
        raise LoadError("reading {} files needs the {} package: run {}, or choose an interpreter that has it "
                        "(setting radarm.pythonPath)".format(ext, engine_pkg, pip_hint(engine_pkg)))
    meta["sheets"] = list(sheets.keys())
    meta["read"] = {"func": "read_excel", "kwargs": {"sheet_name": None}}
    return sheets


def _read_parquet(path, meta):
    _expect_format(path, ".parquet", ("parquet",), "a Parquet file")
    try:
        frame = pd.read_parquet(path)
    except ImportError:
        raise LoadError("reading Parquet files needs pyarrow or fastparquet: run {}, or choose an interpreter "
                        "that has it (setting radarm.pythonPath)".format(pip_hint("pyarrow")))
    meta["read"] = {"func": "read_parquet", "kwargs": {}}
    return frame


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
    name = os.path.basename(path)
    decision = _text_decision(path, name)
    enc = decision["encoding"]
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode(enc)
    except UnicodeDecodeError:
        if not decision["badBytes"]:  # the samples decoded, another part did not: decide on the whole file
            enc = sniff.decide([raw], len(raw)).get("encoding") or enc
        text = raw.decode(enc, "replace")
        _note_bad_lines(path, enc, meta)
    del raw
    meta["encoding"] = enc
    read = {"func": "read_json", "kwargs": {"encoding": enc, "lines": True}}
    if ext in JSONL_EXTS:
        meta["format"] = "JSON Lines"
        meta["read"] = read
        return pd.read_json(io.StringIO(text), lines=True)
    try:
        obj = json.loads(text)
    except ValueError:
        # Often a .json file that is really JSON Lines.
        try:
            frame = pd.read_json(io.StringIO(text), lines=True)
        except ValueError as err:
            raise LoadError("{} is not valid JSON or JSON Lines: {}".format(name, str(err)[:300]))
        meta["format"] = "JSON Lines"
        meta["read"] = read
        return frame
    frame = _frame_from_json_value(obj, meta)
    # Plain JSON: json.load, then pd.<func>(obj[records_key] if given) — as src/agent/prelude.ts writes it.
    meta["read"] = {"func": meta.get("table", "json_normalize"), "kwargs": {"encoding": enc}}
    if meta.get("records_key"):
        meta["read"]["kwargs"]["records_key"] = meta["records_key"]
    return frame


def load_file(path):
    """Reads one file. Returns (frames, meta): frames is an ordered dict of sheet name (or None) -> DataFrame.
    meta: encoding, delimiter, decimal, sheets, format, records_key, table, warning, badLines, parser, and `read`:
    {"func": pandas function, "kwargs"} — how to read the file again the same way (the file is the load's path)."""
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
    return collections.OrderedDict(frames), meta
