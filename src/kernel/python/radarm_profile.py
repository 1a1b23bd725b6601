"""Compact text profiles of DataFrames for LLM prompts: shape, columns with dtypes and nulls, sample rows and a
numeric summary, capped in size so that wide tables do not flood the prompt.

Part of Radarm's Python kernel. Python 3.8+.
"""
import warnings

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


def _looks_like_dates(series):
    sample = series.dropna().head(20)
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


def _column_entry(df, i, col, nulls, compact):
    s = df.iloc[:, i]
    extra = []
    n = int(nulls.iloc[i])
    if n:
        extra.append("{:,} null".format(n))
    if s.dtype == object and _looks_like_dates(s):
        extra.append("dates as text")
    if compact:
        return _clip_line("{} {}{}".format(col, s.dtype, " (" + ", ".join(extra) + ")" if extra else ""), 80)
    return _clip_line("  {} ({}{})".format(col, s.dtype, ", " + ", ".join(extra) if extra else ""), 120)


def _columns_section(df, budget):
    """One column per line; wide tables (over 20 columns) as a compact comma-separated list, so that more names
    fit the budget."""
    nulls = df.isna().sum()
    compact = df.shape[1] > 20
    entries = []
    used = 0
    for i, col in enumerate(df.columns):
        entry = _column_entry(df, i, col, nulls, compact)
        if (not compact and i >= MAX_COLUMNS_LISTED) or used + len(entry) + 2 > budget:
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


def _summary_section(df):
    num = df.select_dtypes(include="number")
    if num.shape[1] == 0:
        return ""
    cols = list(num.columns[:SUMMARY_COLUMNS])
    num = num[cols]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = pd.DataFrame({"mean": num.mean(), "std": num.std(), "min": num.min(), "max": num.max()})
    with pd.option_context("display.float_format", "{:.4g}".format, "display.width", 10000):
        text = table.to_string()
    lines = [_clip_line(ln) for ln in text.splitlines()]
    more = df.select_dtypes(include="number").shape[1] - len(cols)
    if more > 0:
        lines.append("(and {} more numeric columns)".format(more))
    return "numeric summary:\n" + "\n".join(lines)


def profile_frame(title, df, details, budget):
    """Profile text of one frame within about `budget` characters."""
    head = [title]
    if details:
        head.append("(" + details + ")")
    head.append("shape: {:,} rows \u00d7 {:,} columns".format(df.shape[0], df.shape[1]))
    parts = ["\n".join(head)]
    fixed = len(parts[0])
    sample = _sample_section(df)
    summary = _summary_section(df)
    col_budget = max(300, budget - fixed - len(sample) - len(summary) - 10)
    parts.append(_columns_section(df, col_budget))
    for extra in (sample, summary):
        if extra and sum(len(p) + 1 for p in parts) + len(extra) <= budget:
            parts.append(extra)
    text = "\n".join(parts)
    if len(text) > budget:
        text = text[: budget - 20].rsplit("\n", 1)[0] + "\n\u2026 (profile cut)"
    return text
