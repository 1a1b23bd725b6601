"""Datasets of many files: a folder or a glob whose parts share one schema, and the engine that holds it.

A data source is a dataset when it is a folder or a path with glob characters. Its parts must all have the
same columns in the same order; a mismatch is reported (which part, which columns), never silently unioned.
The engine (`auto`, `pandas`, `dask`) decides whether the data becomes one pandas DataFrame or a lazy Dask
DataFrame: `auto` keeps pandas while the estimated in-memory size fits comfortably in the kernel's memory
budget. A single large file can go to Dask the same way.

Part of Radarm's Python kernel; the runner calls `load_entry` for every chosen path.
"""
import io
import os
import sys

import pandas as pd

import radarm_loaders as loaders
import radarm_dialect as dialect
import radarm_sniff as sniff

GLOB_CHARS = "*?["
TEXT_FORMATS = ("csv",)
# "Comfortably": the peak of a pandas load times this fits in the free memory (room left for the analysis).
COMFORT_FACTOR = 1.5
SAMPLE_ROWS_PER_PART = 200
EXACT_ROWS_MAX_BYTES = 64 * 1024 * 1024
# Bytes of the first part parsed to estimate rows and memory.
ESTIMATE_BYTES = 1 << 20

INSTALL_DASK = "{} -m pip install \"dask[dataframe]\" distributed"


class DatasetError(Exception):
    """A dataset that cannot be used, with what to do; `code` is 'data' or 'dask'."""

    def __init__(self, message, code="data"):
        super().__init__(message)
        self.code = code


def is_dataset(path):
    return os.path.isdir(path) or any(c in os.path.basename(path) or c in os.path.dirname(path) for c in GLOB_CHARS)


def _format_of(path):
    ext = os.path.splitext(path)[1].lower()
    if ext in loaders.CSV_EXTS:
        return "csv"
    if ext in loaders.PARQUET_EXTS:
        return "parquet"
    return None


def resolve_parts(path):
    """The part files of a folder (recursively, e.g. Hive-style year=2024/ folders) or of a glob, sorted."""
    found = dialect.candidate_files(path)
    parts = sorted(p for p in found if _format_of(p))
    if not parts:
        what = "the folder" if os.path.isdir(path) else "the pattern"
        raise DatasetError("{} {} matches no CSV or Parquet files".format(what, path))
    formats = sorted({_format_of(p) for p in parts})
    if len(formats) > 1:
        raise DatasetError("the dataset mixes {} files: choose one kind (e.g. a glob such as {})".format(
            " and ".join(formats), os.path.join(path if os.path.isdir(path) else os.path.dirname(path), "*.csv")))
    return parts, formats[0]


def _csv_options(first_part):
    """Encoding and delimiter, sniffed once on the first part (a dataset's parts come from one exporter) by the
    same rule as single files."""
    decision = sniff.sniff_file(first_part)
    name = os.path.basename(first_part)
    if decision["kind"] == "empty":
        raise DatasetError("the first part {} is empty (0 bytes)".format(name))
    if decision["kind"] != "text":
        raise DatasetError("the first part {} is not a text data file: it looks like {}".format(
            name, decision.get("looksLike", "binary data")))
    enc = decision["encoding"]
    with open(first_part, "rb") as f:
        head = f.read(sniff.SAMPLE_BYTES)
    delim = loaders.sniff_delimiter(head.decode(enc, "replace"), os.path.splitext(first_part)[1].lower())
    return {"encoding": enc, "sep": delim}


def _read_head(part, fmt, opts, nrows):
    if fmt == "csv":
        return pd.read_csv(part, nrows=nrows, **opts)
    frame = loaders.load_file(part)[0][None]
    return frame.head(nrows)


def _parquet_columns(part):
    try:
        import pyarrow.parquet as pq
        return list(pq.read_schema(part).names)
    except ImportError:
        raise DatasetError("reading Parquet datasets needs pyarrow: run {}".format(loaders.pip_hint("pyarrow")))


def columns_of(part, fmt, opts):
    if fmt == "csv":
        return [str(c) for c in pd.read_csv(part, nrows=0, **opts).columns]
    return [str(c) for c in _parquet_columns(part)]


def check_schema(parts, fmt, opts):
    """Every part's columns against the first part's; raises with the mismatches (at most five listed)."""
    expected = columns_of(parts[0], fmt, opts)
    problems = []
    for part in parts[1:]:
        cols = columns_of(part, fmt, opts)
        if cols == expected:
            continue
        missing = [c for c in expected if c not in cols]
        extra = [c for c in cols if c not in expected]
        bits = []
        if missing:
            bits.append("missing " + ", ".join(missing))
        if extra:
            bits.append("extra " + ", ".join(extra))
        if not bits:
            bits.append("columns in another order")
        problems.append("{} ({})".format(os.path.basename(part), "; ".join(bits)))
    if problems:
        more = " and {} more".format(len(problems) - 5) if len(problems) > 5 else ""
        raise DatasetError(
            "the parts do not share one schema: the first part {} has columns {}, but {}{}. Radarm does not "
            "union different schemas: choose the parts that belong together (a narrower folder or glob)".format(
                os.path.basename(parts[0]), ", ".join(expected), "; ".join(problems[:5]), more))
    return expected


def _count_lines(path, chunk=8 << 20):
    """Data rows of a CSV part: its newlines (a last line without one counts), minus the header."""
    lines, last = 0, b"\n"
    with open(path, "rb") as f:
        while True:
            block = f.read(chunk)
            if not block:
                break
            lines += block.count(b"\n")
            last = block[-1:]
    return max(0, lines + (0 if last == b"\n" else 1) - 1)


def count_rows(parts, fmt, total_bytes):
    """(rows, exact): exact when cheap (Parquet metadata; CSV up to 64 MB), else estimated from the samples."""
    if fmt == "parquet":
        try:
            import pyarrow.parquet as pq
            return sum(pq.ParquetFile(p).metadata.num_rows for p in parts), True
        except Exception:
            pass
    if fmt == "csv" and total_bytes <= EXACT_ROWS_MAX_BYTES:
        return sum(_count_lines(p) for p in parts), True
    first = parts[0]
    with open(first, "rb") as f:
        raw = f.read(ESTIMATE_BYTES)
    lines = max(1, raw.count(b"\n") - 1)
    bytes_per_row = max(1.0, (len(raw) - raw.find(b"\n")) / float(lines))
    return int(total_bytes / bytes_per_row), False


def sample_across(parts, fmt, opts, total_rows=SAMPLE_ROWS_PER_PART * 3):
    """Rows from the first, a middle and the last part, so the profile is not the first file's alone."""
    picks = sorted({0, len(parts) // 2, len(parts) - 1})
    per = max(1, total_rows // len(picks))
    frames = [_read_head(parts[i], fmt, opts, per) for i in picks]
    return pd.concat(frames, ignore_index=True), [os.path.basename(parts[i]) for i in picks]


def memory_estimate(parts, fmt, opts, total_bytes):
    """Peak bytes pandas needs to load the data: the frame (from the first 1 MB parsed, text columns counted
    with their distinct values once, as pandas' parser shares equal strings) plus about twice the file size of
    parsing buffers."""
    if fmt == "parquet":
        return total_bytes * 5  # compressed columnar data grows a lot in pandas
    with open(parts[0], "rb") as f:
        raw = f.read(ESTIMATE_BYTES)
    cut = raw.rfind(b"\n") + 1 or len(raw)
    frame = pd.read_csv(io.BytesIO(raw[:cut]), **opts) if cut > 1 else None
    if frame is None or not len(frame):
        return total_bytes * 3
    rows = len(frame)
    size = 0
    for name in frame.columns:
        col = frame[name]
        if col.dtype == object:
            distinct = col.drop_duplicates()
            size += rows * 8 + sum(sys.getsizeof(v) for v in distinct)
        else:
            size += col.memory_usage(index=False, deep=False)
    scale = total_bytes / float(cut)
    return int(size * scale + 2 * total_bytes)


def memory_budget(limit_mb):
    """Bytes the kernel may still use: its cap minus what it already maps, else the machine's free memory."""
    if limit_mb:
        used = 0
        try:
            with open("/proc/self/status") as f:
                for line in f:
                    if line.startswith("VmSize:"):
                        used = int(line.split()[1]) * 1024
        except OSError:
            pass
        return max(0, limit_mb * 1024 * 1024 - used)
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 8 << 30


def dask_installed():
    import importlib.util
    try:
        return all(importlib.util.find_spec(m) is not None for m in ("dask", "dask.dataframe", "distributed"))
    except Exception:
        return False


def _mb(n):
    return "{:,} MB".format(int(n) >> 20)


def choose_engine(engine, peak, budget, limit_mb=None):
    """'pandas' or 'dask' for data whose pandas load needs `peak` bytes, with `budget` bytes free."""
    python = sys.executable or "python"
    if engine == "dask" and not dask_installed():
        raise DatasetError("the Dask engine is chosen but Dask is not installed in this Python: run {}".format(
            INSTALL_DASK.format(python)), code="dask")
    if engine == "dask":
        return engine
    if engine == "pandas":
        if peak > budget:
            # Refused before trying: pandas under a memory cap can crash in native code instead of raising.
            raise DatasetError("not enough memory to load it with pandas: it needs about {}, the kernel has {} free{}. "
                               "Choose the Dask engine (setting radarm.engine, CLI --engine dask)".format(
                                   _mb(peak), _mb(budget), " under its {:,} MB limit".format(limit_mb) if limit_mb else ""))
        return engine
    if peak * COMFORT_FACTOR <= budget:
        return "pandas"
    if dask_installed():
        return "dask"
    raise DatasetError(
        "the data needs about {} in pandas, more than fits comfortably in the kernel's memory ({} free). "
        "Install Dask to analyse it out of memory: run {}".format(_mb(peak), _mb(budget), INSTALL_DASK.format(python)),
        code="dask")


def describe(parts, fmt, total_bytes, rows, exact):
    size = total_bytes / 1048576.0
    return "{} part{}, {} total, {} {:,} rows".format(
        len(parts), "" if len(parts) == 1 else "s", "{:.1f} MB".format(size) if size >= 0.1 else "{:,} bytes".format(
            total_bytes), "exactly" if exact else "about", rows)
