"""Which engine loads each chosen path: datasets (folders, globs) always come here; single files only when the
engine setting could send them to Dask. Returns None for what the runner's own pandas loader handles.

Part of Radarm's Python kernel. The runner calls `configure` once and `load_entry` per chosen path.
"""
import gc
import json
import os

import pandas as pd

import radarm_dask as daskx
import radarm_datasets as ds
import radarm_loaders as loaders
import radarm_profile as profiles

# Single files below this size stay with pandas under `auto` without sampling them.
AUTO_SMALL_FILE_BYTES = 64 * 1024 * 1024

CONFIG = {"engine": "auto", "scheduler": None, "limit_mb": None}
CACHE = {}  # path -> {"stamp", "frame", "info", "head", "sample", "picked"}


def configure(engine, scheduler, limit_mb):
    CONFIG["engine"] = engine if engine in ("auto", "pandas", "dask") else "auto"
    CONFIG["scheduler"] = (scheduler or "").strip() or None
    CONFIG["limit_mb"] = limit_mb


def forget_except(paths):
    dropped = [p for p in CACHE if p not in paths]
    for p in dropped:
        del CACHE[p]
    if dropped:
        gc.collect()


def _claims(path, dataset):
    if dataset:
        return True
    engine = CONFIG["engine"]
    if engine == "pandas" or not os.path.isfile(path) or ds._format_of(path) is None:
        return False
    return engine == "dask" or os.path.getsize(path) >= AUTO_SMALL_FILE_BYTES


def _stamp(parts):
    out = []
    for p in parts:
        st = os.stat(p)
        out.append((p, st.st_mtime_ns, st.st_size))
    return out


def _load(path, dataset):
    """(frame, info, head, sample, picked) of a dataset or a big file, or None for the runner's own loader."""
    parts, fmt = ds.resolve_parts(path) if dataset else ([path], ds._format_of(path))
    stamp = _stamp(parts)
    settings = (CONFIG["engine"], CONFIG["scheduler"])
    cached = CACHE.get(path)
    if cached and cached["stamp"] == stamp and cached["settings"] == settings and _client_alive(cached):
        cached["info"]["cached"] = True
        return cached
    CACHE.pop(path, None)
    opts = ds._csv_options(parts[0]) if fmt == "csv" else {}
    if len(parts) > 1:
        ds.check_schema(parts, fmt, opts)
    total = sum(s[2] for s in stamp)
    estimate = ds.memory_estimate(parts, fmt, opts, total)
    budget = ds.memory_budget(CONFIG["limit_mb"])
    engine = ds.choose_engine(CONFIG["engine"], estimate, budget, CONFIG["limit_mb"])
    if engine == "pandas" and not dataset:
        return None
    if engine == "pandas":
        frame = pd.concat([loaders.load_file(p)[0][None] for p in parts], ignore_index=True)
        rows, exact = len(frame), True
    else:
        frame = daskx.read(parts, fmt, opts, CONFIG["scheduler"])
        rows, exact = ds.count_rows(parts, fmt, total)
    sample, picked = ds.sample_across(parts, fmt, opts)
    info = {"parts": len(parts), "totalBytes": total, "rows": int(rows), "rowsExact": exact,
            "columns": int(sample.shape[1]), "dataEngine": engine, "format": fmt}
    if fmt == "csv":
        info["encoding"], info["delimiter"] = opts["encoding"], opts["sep"]
    if engine == "dask":
        info["partitions"] = int(frame.npartitions)
        info["scheduler"] = CONFIG["scheduler"] or "local"
        if daskx.STATE["dashboard"]:
            info["dashboard"] = daskx.STATE["dashboard"]
    info["read"] = _read_recipe(path, dataset, parts, fmt, opts, engine)
    head = "{}; {}".format(ds.describe(parts, fmt, total, rows, exact), _details(fmt, opts))
    if engine == "dask":
        head += ("\nengine: Dask \u2014 this name is a LAZY dask.dataframe.DataFrame with {} partitions, computed "
                 "on {}").format(frame.npartitions, daskx.where())
    else:
        head += "\nengine: pandas (the parts concatenated in file-name order)"
    entry = {"stamp": stamp, "settings": settings, "frame": frame, "info": info, "head": head,
             "sample": sample, "picked": picked, "client": daskx.STATE["client"] if engine == "dask" else None}
    CACHE[path] = entry
    info["cached"] = False
    return entry


def _read_recipe(path, dataset, parts, fmt, opts, engine):
    """How to read it again outside Radarm (Insert, notebooks): the parts' pattern, the reader, its arguments
    and, for Dask, the scheduler ("local": a local cluster)."""
    if not dataset:
        pattern = path
    elif os.path.isdir(path):
        nested = any(os.path.dirname(p) != path for p in parts)
        pattern = os.path.join(path, "**" if nested else "", "*" + os.path.splitext(parts[0])[1])
        pattern = pattern.replace(os.sep + os.sep, os.sep)
    else:
        pattern = path
    kwargs = {k: v for k, v in (("encoding", opts.get("encoding")), ("sep", opts.get("sep"))) if v is not None}
    reader = "read_csv" if fmt == "csv" else "read_parquet"
    if engine == "dask":
        if fmt == "csv":
            kwargs.update(blocksize="64MB", assume_missing=True)
        return {"func": "dask.dataframe." + reader, "kwargs": kwargs, "pattern": pattern,
                "scheduler": CONFIG["scheduler"] or "local"}
    return {"func": "concat." + reader, "kwargs": kwargs, "pattern": pattern}


def _client_alive(entry):
    return entry["client"] is None or (entry["client"] is daskx.STATE["client"] and entry["client"].status == "running")


def _details(fmt, opts):
    if fmt == "csv":
        return "CSV, encoding {}, delimiter {!r}".format(opts["encoding"], opts["sep"])
    return "Parquet"


def load_entry(path, key, is_first):
    """None when the runner's pandas loader takes the path; else {"info", "section", "frame", "variables"}."""
    dataset = ds.is_dataset(path)
    if not _claims(path, dataset):
        return None
    q = json.dumps(key, ensure_ascii=False)
    try:
        entry = _load(path, dataset)
    except ds.DatasetError as err:
        return _failed(key, str(err), err.code)
    except MemoryError:
        return _failed(key, "not enough memory to load it with pandas{}; choose the Dask engine (setting "
                       "radarm.engine, CLI --engine dask)".format(
                           " (the kernel's memory limit is {} MB)".format(CONFIG["limit_mb"]) if CONFIG["limit_mb"] else ""),
                       "data")
    except Exception as err:
        return _failed(key, "{}: {}".format(type(err).__name__, str(err).strip()[:500]), "data")
    if entry is None:
        return None
    title = "### {} \u2192 {}".format(key, "df (also dfs[{}])".format(q) if is_first else "dfs[{}]".format(q))
    sample_title = "sample: {} rows from {}".format(len(entry["sample"]), ", ".join(entry["picked"]))
    text = title + "\n" + entry["head"] + "\n" + profiles.profile_frame(
        sample_title, entry["sample"], "", profiles.FILE_BUDGET - len(title) - len(entry["head"]))
    names = (["df"] if is_first else []) + ["dfs[{}]".format(q)]
    if entry["info"]["dataEngine"] == "dask":
        names += ["client", "dd"]
    return {"info": dict(entry["info"]), "section": text, "frame": entry["frame"], "variables": names}


def _failed(key, message, code):
    return {"info": {"error": message, "errorCode": code}, "section": "### {}: not loaded: {}".format(key, message),
            "frame": None, "variables": []}
