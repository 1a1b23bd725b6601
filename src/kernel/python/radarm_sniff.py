"""What a data file's bytes are: empty, a known binary format (by its magic bytes), binary noise, or text in
which encoding. Decided from samples of the start, the middle and the end of the file.

The same rule is written in TypeScript in src/agent/data-sniff.ts (the Ask preview); test/fixtures/decoding-cases.ts
holds the table of files both must decide alike. Change both together.

Part of Radarm's Python kernel. Python 3.8+, standard library only.
"""
import os
import re

SAMPLE_BYTES = 65536

# (prefix bytes, format id, what it looks like). Checked in order.
MAGIC = (
    (b"PK\x03\x04", "zip", "a ZIP archive (an Excel .xlsx workbook is one)"),
    (b"PK\x05\x06", "zip", "an empty ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2", "an old-style Office file (an Excel .xls workbook is one)"),
    (b"PAR1", "parquet", "a Parquet file"),
    (b"ARROW1", "arrow", "an Arrow/Feather file"),
    (b"\x89PNG\r\n\x1a\n", "png", "a PNG image"),
    (b"\xff\xd8\xff", "jpeg", "a JPEG image"),
    (b"GIF87a", "gif", "a GIF image"),
    (b"GIF89a", "gif", "a GIF image"),
    (b"%PDF-", "pdf", "a PDF document"),
    (b"\x1f\x8b", "gzip", "gzip-compressed data"),
    (b"BZh", "bzip2", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz", "xz-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "7z", "a 7-Zip archive"),
    (b"\x28\xb5\x2f\xfd", "zstd", "zstd-compressed data"),
    (b"SQLite format 3\x00", "sqlite", "an SQLite database"),
    (b"\x7fELF", "elf", "a program (ELF executable)"),
)

# What to do, per format, when a file of that format has a text-data extension.
HINTS = {
    "zip": "if it is an Excel workbook, rename it to .xlsx; if it is a zipped CSV, unzip it first",
    "ole2": "if it is an Excel workbook, rename it to .xls",
    "parquet": "rename it to .parquet",
    "arrow": "read it with pd.read_feather, or convert it to Parquet or CSV",
    "gzip": "decompress it first (gunzip)",
    "bzip2": "decompress it first (bunzip2)",
    "xz": "decompress it first (unxz)",
    "7z": "extract it first",
    "zstd": "decompress it first (unzstd)",
    "sqlite": "query it with the sqlite3 module, or export the table to CSV",
}

_UTF8_SEQ = re.compile(
    b"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    b"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}")
_HIGH_RUN = re.compile(b"[\x80-\xff]+")
_CONTROL = re.compile(b"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_CP1252_UNDEFINED = frozenset((0x81, 0x8D, 0x8F, 0x90, 0x9D))
_CP1252_LETTERS = frozenset((0x83, 0x8A, 0x8C, 0x8E, 0x9A, 0x9C, 0x9E, 0x9F))


def magic_of(head):
    """(format id, description) of a known binary format, or None."""
    for prefix, fmt, what in MAGIC:
        if head.startswith(prefix):
            return fmt, what
    return None


def hex_prefix(head, n=8):
    return " ".join("{:02X}".format(b) for b in head[:n])


def read_samples(path, size=None):
    """The file's samples: the whole file when small, else line-aligned pieces of its start, middle and end."""
    size = os.path.getsize(path) if size is None else size
    with open(path, "rb") as f:
        if size <= 3 * SAMPLE_BYTES:
            return [f.read()], size
        pieces = []
        for offset in (0, size // 2 - SAMPLE_BYTES // 2, size - SAMPLE_BYTES):
            f.seek(offset)
            pieces.append((offset, f.read(SAMPLE_BYTES)))
    samples = []
    for offset, raw in pieces:
        if offset > 0 and b"\n" in raw:
            raw = raw[raw.index(b"\n") + 1:]  # a middle piece starts after a line break: no cut character
        if offset + SAMPLE_BYTES < size and b"\n" in raw:
            raw = raw[:raw.rindex(b"\n") + 1]
        samples.append(raw)
    return samples, size


def _utf8_counts(sample):
    """(valid multi-byte sequences, high bytes that are not part of one)."""
    high = len(sample) - len(sample.translate(None, bytes(range(0x80, 0x100))))
    if not high:
        return 0, 0
    seqs = _UTF8_SEQ.findall(sample)
    return len(seqs), high - sum(len(s) for s in seqs)


def _gb_score(sample):
    """Plausibility of the sample as GB18030: GB2312 characters (hanzi and full-width punctuation, both bytes in
    A1-FE) score, rare extension characters are neutral, pairs that swallow an ASCII byte and invalid bytes cost."""
    score = 0.0
    for m in _HIGH_RUN.finditer(sample):
        i, end = m.start(), len(sample)
        while i < m.end():
            lead = sample[i]
            trail = sample[i + 1] if i + 1 < end else -1
            if lead in (0x80, 0xFF) or trail < 0:
                score -= 10
                i += 1
            elif 0x30 <= trail <= 0x39:
                ok = i + 3 < end and 0x81 <= sample[i + 2] <= 0xFE and 0x30 <= sample[i + 3] <= 0x39
                score += -2 if ok else -10
                i += 4 if ok else 1
            elif 0x40 <= trail <= 0xFE and trail != 0x7F:
                if trail >= 0xA1 and (0xA1 <= lead <= 0xA9 or 0xB0 <= lead <= 0xF7):
                    score += 1
                elif trail < 0x80:
                    score -= 1
                i += 2
            else:
                score -= 10
                i += 1
    return score


def _single_byte_score(sample, latin1):
    """Plausibility as cp1252 (latin1=False) or Latin-1: accented letters alone between ASCII score, long runs of
    high bytes (what Chinese text looks like) cost, undefined bytes (cp1252) or C1 controls (Latin-1) cost."""
    score = 0.0
    for m in _HIGH_RUN.finditer(sample):
        run = m.group()
        for b in run:
            if 0x80 <= b <= 0x9F:
                if latin1:
                    score -= 3
                    continue
                if b in _CP1252_UNDEFINED:
                    score -= 10
                    continue
            if len(run) == 1:
                if b >= 0xC0 and b not in (0xD7, 0xF7) or b in _CP1252_LETTERS:
                    score += 1
            elif len(run) >= 3:
                score -= 1
    return score


def decide(samples, size):
    """The decision on samples (bytes; the first is the file's start). Returns a dict:
    {"kind": "empty"} | {"kind": "binary", "format", "looksLike", "magic"} |
    {"kind": "text", "encoding", "badBytes"} — badBytes > 0 only for UTF-8 read with replacement characters."""
    if size == 0:
        return {"kind": "empty"}
    head = samples[0][:16]
    magic = magic_of(head)
    if magic:
        return {"kind": "binary", "format": magic[0], "looksLike": magic[1], "magic": hex_prefix(head)}
    if head.startswith(b"\xef\xbb\xbf"):
        return {"kind": "text", "encoding": "utf-8-sig", "badBytes": 0}
    if head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"):
        return {"kind": "text", "encoding": "utf-16", "badBytes": 0}
    total = sum(len(s) for s in samples) or 1
    nul = sum(s.count(b"\x00") for s in samples)
    control = sum(len(_CONTROL.findall(s)) for s in samples)
    if nul * 1000 > total or control * 20 > total:
        return {"kind": "binary", "format": "unknown",
                "looksLike": "binary data ({}% of the sampled bytes are NUL or control bytes)".format(
                    max(1, round(100.0 * control / total))),
                "magic": hex_prefix(head)}
    try:  # the common case, at C speed; the counts below are needed only when this fails
        for s in samples:
            s.decode("utf-8")
        return {"kind": "text", "encoding": "utf-8", "badBytes": 0}
    except UnicodeDecodeError:
        pass
    multi = bad = 0
    for s in samples:
        m, b = _utf8_counts(s)
        multi, bad = multi + m, bad + b
    if bad == 0:
        return {"kind": "text", "encoding": "utf-8", "badBytes": 0}
    if multi >= 2 * bad:
        return {"kind": "text", "encoding": "utf-8", "badBytes": bad}
    gb = sum(_gb_score(s) for s in samples)
    cp = sum(_single_byte_score(s, False) for s in samples)
    latin = sum(_single_byte_score(s, True) for s in samples)
    if gb > cp and gb > latin:
        enc = "gb18030"
    elif latin > cp:
        enc = "latin-1"
    else:
        enc = "cp1252"
    return {"kind": "text", "encoding": enc, "badBytes": 0}


def sniff_file(path):
    samples, size = read_samples(path)
    return decide(samples, size)


CHUNK_BYTES = 8 << 20


def count_bad_lines(path, encoding, keep=0):
    """Lines of the file that do not decode in `encoding` (newline-split: valid for UTF-8, GB18030 and
    single-byte encodings, whose multi-byte characters never contain a newline byte). With `keep`, also returns
    up to that many bytes of those lines, to decide again on them."""
    bad = 0
    kept = []
    kept_bytes = 0
    with open(path, "rb") as f:
        rest = b""
        while True:
            chunk = f.read(CHUNK_BYTES)
            data = rest + chunk
            if chunk:
                cut = data.rfind(b"\n") + 1
                data, rest = data[:cut], data[cut:]
            if data:
                try:
                    data.decode(encoding)
                except UnicodeDecodeError:
                    for line in data.split(b"\n"):
                        try:
                            line.decode(encoding)
                        except UnicodeDecodeError:
                            bad += 1
                            if kept_bytes < keep:
                                kept.append(line[: keep - kept_bytes])
                                kept_bytes += len(kept[-1]) + 1
            if not chunk:
                return (bad, b"\n".join(kept)) if keep else bad
