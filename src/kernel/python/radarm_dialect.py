"""How a CSV/TSV file is written: its encoding (radarm_sniff's rule), its delimiter, and whether numbers use a
decimal comma. Standard library only, so that Preview Data's pandas-free first screen (radarm_preview_quick.py)
and the pandas readers (radarm_loaders.py, radarm_preview.py) decide every file alike.

Part of Radarm's Python kernel. Python 3.8+.
"""
import collections
import csv
import glob
import os
import re

import radarm_sniff as sniff


class DialectError(Exception):
    """A file that is not a readable text data file; `code` is machine-readable (see PREVIEW_ERROR_CODES in
    src/protocol/preview.ts): not-found, folder, empty, binary."""

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


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


DECIMAL_COMMA = re.compile(r"(^|;)\s*-?\d+,\d+\s*(?=;|$)", re.M)  # per line: a decimal in the last column too


def decimal_of(text, delim):
    """"," for European CSVs ("1,5;2,25" means decimals with commas), else "."."""
    if delim == ";" and DECIMAL_COMMA.search("\n".join(text.splitlines()[1:30])):
        return ","
    return "."


def refuse_binary(name, decision, expected):
    hint = sniff.HINTS.get(decision["format"], "")
    raise DialectError("{} is not {}: it looks like {} (its first bytes are {}){}".format(
        name, expected, decision["looksLike"], decision["magic"], "; " + hint if hint else ""), "binary")


def text_decision(path, name):
    """Encoding decision for a text file; a DialectError for a missing, empty or binary one."""
    if not os.path.exists(path):
        raise DialectError("{}: file not found (it may have been moved or deleted)".format(name), "not-found")
    if os.path.isdir(path):
        raise DialectError("{}: this is a folder, not a data file".format(name), "folder")
    decision = sniff.sniff_file(path)
    if decision["kind"] == "empty":
        raise DialectError("{} is empty (0 bytes): choose a file that holds data".format(name), "empty")
    if decision["kind"] == "binary":
        refuse_binary(name, decision, "a text data file")
    return decision


def csv_dialect(path, ext=None):
    """{"encoding", "delimiter", "decimal", "badBytes"} of a CSV/TSV file, from its samples and first 64 KB."""
    ext = ext if ext is not None else os.path.splitext(path)[1].lower()
    decision = text_decision(path, os.path.basename(path))
    enc = decision["encoding"]
    with open(path, "rb") as f:
        head = f.read(sniff.SAMPLE_BYTES)
    text = head.decode(enc, "replace")
    delim = sniff_delimiter(text, ext)
    return {"encoding": enc, "delimiter": delim, "decimal": decimal_of(text, delim), "badBytes": decision["badBytes"],
            "head": head}


def bytes_per_line(path, head):
    """Average line length for a row-count estimate: from the first 64 KB, or, when that holds few lines (very
    wide rows), from up to the first 4 MB."""
    lines = head.count(b"\n")
    if lines >= 20 or len(head) < sniff.SAMPLE_BYTES:
        return len(head) / max(lines, 1)
    with open(path, "rb") as f:
        more = f.read(4 << 20)
    return len(more) / max(more.count(b"\n"), 1)


def candidate_files(path):
    """A dataset's candidate part files, the one rule of the kernel and of the quick preview: a folder's files
    recursively (e.g. Hive-style year=2024/ folders), skipping names that start with "." or "_", or a glob's files."""
    if os.path.isdir(path):
        found = []
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
            found.extend(os.path.join(root, f) for f in files if not f.startswith((".", "_")))
        return found
    return [p for p in glob.glob(path, recursive=True) if os.path.isfile(p)]
