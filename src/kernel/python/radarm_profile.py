"""Compact text profiles of DataFrames for LLM prompts: shape, columns with dtypes and nulls, sample rows and a
numeric summary, capped in size so that wide tables do not flood the prompt.

Part of Radarm's Python kernel. Python 3.8+.
"""
import warnings

import numpy as np
import pandas as pd

FILE_BUDGET = 4096
MAX_COLUMNS_LISTED = 60
SAMPLE_ROWS = 3
SAMPLE_COLUMNS = 12
SUMMARY_COLUMNS = 10
CELL_WIDTH = 24
LINE_WIDTH = 220


def _clip_line(line, width=LINE_WIDTH):
    return line if len(line) <= width else line[: width - 1] + "\u2026"


NAME_WIDTH = 60
# Text columns longer than this get their null count estimated from a sample: an exact count
# walks every Python object (about 0.1 s per million cells), the rest of the profile takes milliseconds.
EXACT_NULL_ROWS = 200000
NULL_SAMPLE_ROWS = 20000


def _sample_rows(n, size):
    """Row positions of a sample: all rows up to `size`, else `size` random ones (seeded, so that the profile of
    the same frame is the same text every time; random rather than every k-th, which aliases with periodic data)."""
    if n <= size:
        return slice(None)
    key = (n, size)
    if key not in _SAMPLES:
        if len(_SAMPLES) > 8:
            _SAMPLES.clear()
        _SAMPLES[key] = np.sort(np.random.default_rng(0).integers(0, n, size))
    return _SAMPLES[key]


_SAMPLES = {}  # (rows, size) -> sorted row positions, shared by the columns of a frame


def _clip_name(name, width=NAME_WIDTH):
    """Column names come from the data: shown truncated, like cells."""
    text = str(name)
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def _looks_like_dates(series):
    sample = series.iloc[:500].dropna().head(20)
    if sample.empty or not all(isinstance(v, str) for v in sample):
        return False
    if not sample.str.contains(r"\d{1,4}[-/.\u5e74]\d{1,2}", regex=True).all():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            pd.to_datetime(sample, errors="raise")
            return True
        except (ValueError, TypeError, OverflowError):
            return False


def _is_numeric(s):
    """What select_dtypes("number") picks: ints and floats, numpy or nullable; not bools, times or complex."""
    return s.dtype.kind in "iuf" and pd.api.types.is_numeric_dtype(s.dtype)


def _null_note(s, known=None):
    """"N null" (exact), "~N null (est.)" for long text columns, or "" when there are none. `known`: the count,
    when the numeric summary already has it."""
    n = len(s)
    if s.dtype.kind in "iub" and isinstance(s.dtype, np.dtype):
        return ""  # numpy ints and bools cannot hold nulls
    if known is not None or s.dtype.kind in "fcmM" or n <= EXACT_NULL_ROWS:
        count = known if known is not None else int(s.isna().sum())
        return "{:,} null".format(count) if count else ""
    frac = float(pd.isna(s.to_numpy()[_sample_rows(n, NULL_SAMPLE_ROWS)]).mean())
    if not frac:
        return ""
    return "~{:,} null (est.)".format(int(round(frac * n)))


def _column_entry(df, i, col, compact, null_counts):
    s = df.iloc[:, i]
    extra = []
    nulls = _null_note(s, null_counts.get(i))
    if nulls:
        extra.append(nulls)
    if s.dtype == object and _looks_like_dates(s):
        extra.append("dates as text")
    name = _clip_name(col)
    if compact:
        return _clip_line("{} {}{}".format(name, s.dtype, " (" + ", ".join(extra) + ")" if extra else ""), 80)
    return _clip_line("  {} ({}{})".format(name, s.dtype, ", " + ", ".join(extra) if extra else ""), 120)


def _columns_section(df, budget, null_counts):
    """One column per line; wide tables (over 20 columns) as a compact comma-separated list, so that more names
    fit the budget."""
    compact = df.shape[1] > 20
    entries = []
    used = 0
    for i, col in enumerate(df.columns):
        if not compact and i >= MAX_COLUMNS_LISTED or used >= budget:
            more = "\u2026 and {:,} more columns".format(len(df.columns) - i)
            entries.append(more if compact else "  " + more)
            break
        entry = _column_entry(df, i, col, compact, null_counts)
        if used + len(entry) + 2 > budget:
            more = "\u2026 and {:,} more columns".format(len(df.columns) - i)
            entries.append(more if compact else "  " + more)
            break
        entries.append(entry)
        used += len(entry) + 2
    if not compact:
        return "columns (dtype, nulls):\n" + "\n".join(entries)
    lines, line = [], ""
    for entry in entries:
        if line and len(line) + len(entry) + 2 > LINE_WIDTH - 20:
            lines.append(line + ",")
            line = ""
        line = line + ", " + entry if line else entry
    lines.append(line)
    return "columns (name dtype, nulls):\n  " + "\n  ".join(lines)


def _sample_section(df):
    part = df.head(SAMPLE_ROWS)
    cut = df.shape[1] - SAMPLE_COLUMNS
    if cut > 0:
        part = part.iloc[:, :SAMPLE_COLUMNS]
    part = part.set_axis([_clip_name(c, CELL_WIDTH) for c in part.columns], axis=1)
    with pd.option_context("display.max_colwidth", CELL_WIDTH, "display.width", 10000,
                           "display.max_columns", SAMPLE_COLUMNS + 1):
        text = part.to_string(max_colwidth=CELL_WIDTH) if _supports_max_colwidth() else part.to_string()
    lines = [_clip_line(ln) for ln in text.splitlines()]
    if cut > 0:
        lines.append("(first {} of {:,} columns)".format(SAMPLE_COLUMNS, df.shape[1]))
    return "sample rows:\n" + "\n".join(lines)


_MAX_COLWIDTH = None


def _supports_max_colwidth():
    global _MAX_COLWIDTH
    if _MAX_COLWIDTH is None:
        try:
            pd.DataFrame({"a": [1]}).to_string(max_colwidth=5)
            _MAX_COLWIDTH = True
        except TypeError:
            _MAX_COLWIDTH = False
    return _MAX_COLWIDTH


STD_SAMPLE_ROWS = 100000


def _stats(s, null_counts, i):
    """mean, std, min, max of a numeric column: mean, min and max exact, straight on the numpy values without
    copying them; std from a sample of at most STD_SAMPLE_ROWS rows (exact below that)."""
    plain = isinstance(s.dtype, np.dtype)  # not a nullable extension type such as Int64
    a = s.to_numpy() if plain else s.to_numpy(dtype="float64", na_value=np.nan)
    if a.dtype.kind == "f":
        total = float(a.sum())
        if total == total:  # no NaN: no mask needed
            n = len(a)
            null_counts[i] = 0
        else:
            valid = ~np.isnan(a)
            n = int(np.count_nonzero(valid))
            null_counts[i] = len(a) - n
            if not n:
                return [np.nan] * 4
            total = float(np.add.reduce(a, where=valid))
        mean = total / n
        low, high = float(np.fmin.reduce(a)), float(np.fmax.reduce(a))
        sample = a[_sample_rows(len(a), STD_SAMPLE_ROWS)]
        sample = sample[~np.isnan(sample)]
    else:
        if not len(a):
            return [np.nan] * 4
        mean, low, high = float(a.mean()), a.min(), a.max()
        sample = a[_sample_rows(len(a), STD_SAMPLE_ROWS)]
    std = float(sample.std(ddof=1)) if len(sample) > 1 else np.nan
    return [mean, std, low, high]


def _summary_section(df, null_counts):
    numeric = [i for i in range(df.shape[1]) if _is_numeric(df.iloc[:, i])]
    if not numeric:
        return ""
    shown = numeric[:SUMMARY_COLUMNS]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = [_stats(df.iloc[:, i], null_counts, i) for i in shown]
    table = pd.DataFrame(rows, columns=["mean", "std", "min", "max"],
                         index=[_clip_name(df.columns[i], CELL_WIDTH) for i in shown])
    with pd.option_context("display.float_format", "{:.4g}".format, "display.width", 10000):
        text = table.to_string()
    lines = [_clip_line(ln) for ln in text.splitlines()]
    more = len(numeric) - len(shown)
    if more > 0:
        lines.append("(and {} more numeric columns)".format(more))
    head = "numeric summary:" if df.shape[0] <= STD_SAMPLE_ROWS else \
        "numeric summary (std from {:,} sampled rows):".format(STD_SAMPLE_ROWS)
    return head + "\n" + "\n".join(lines)


def profile_frame(title, df, details, budget):
    """Profile text of one frame within about `budget` characters."""
    head = [title]
    if details:
        head.append("(" + details + ")")
    head.append("shape: {:,} rows \u00d7 {:,} columns".format(df.shape[0], df.shape[1]))
    parts = ["\n".join(head)]
    fixed = len(parts[0])
    sample = _sample_section(df)
    null_counts = {}  # column position -> null count, found by the numeric summary
    summary = _summary_section(df, null_counts)
    col_budget = max(300, budget - fixed - len(sample) - len(summary) - 10)
    parts.append(_columns_section(df, col_budget, null_counts))
    for extra in (sample, summary):
        if extra and sum(len(p) + 1 for p in parts) + len(extra) <= budget:
            parts.append(extra)
    text = "\n".join(parts)
    if len(text) > budget:
        text = text[: budget - 20].rsplit("\n", 1)[0] + "\n\u2026 (profile cut)"
    return text
