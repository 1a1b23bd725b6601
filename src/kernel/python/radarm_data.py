"""Loads the chosen data files into the kernel's namespace (df, dfs) and builds the data profile for prompts.

Part of Radarm's Python kernel. Reading each format is radarm_loaders' job; profiling a frame is radarm_profile's.
Python 3.8+ with pandas.
"""
import collections
import gc
import json
import os
import time

import radarm_loaders as loaders
import radarm_profile as profiles

LOADED = collections.OrderedDict()  # path -> {"stamp", "frames", "meta", "loadMs", "sections"}
_bound_names = set()


def _stamp(path):
    st = os.stat(path)
    return [getattr(st, "st_mtime_ns", int(st.st_mtime * 1e9)), st.st_size]


def _keys_for(paths, workspace):
    """dfs keys: file names, or paths relative to the workspace when two files share a name."""
    names = [os.path.basename(p) for p in paths]
    keys = []
    for p, n in zip(paths, names):
        if names.count(n) > 1:
            try:
                n = os.path.relpath(p, workspace)
            except ValueError:
                n = p
        keys.append(n.replace(os.sep, "/"))
    return keys


def _details(meta):
    bits = []
    if meta.get("format"):
        bits.append(meta["format"])
    if meta.get("encoding"):
        bits.append("encoding " + meta["encoding"])
    if meta.get("delimiter"):
        bits.append("delimiter " + repr(meta["delimiter"]))
    if meta.get("decimal"):
        bits.append("decimal comma")
    if meta.get("records_key"):
        bits.append("records under key " + repr(meta["records_key"]))
    if meta.get("warning"):
        bits.append(meta["warning"])
    return ", ".join(bits)


def _file_section(key, is_first, entry):
    """Profile text and variable names of one file's frames."""
    frames = entry["frames"]
    details = _details(entry["meta"])
    budget = profiles.FILE_BUDGET
    q = json.dumps(key, ensure_ascii=False)
    if list(frames.keys()) == [None]:
        aliases = ["df"] if is_first else []
        title = "### {} \u2192 {}".format(key, "df (also dfs[{}])".format(q) if is_first else "dfs[{}]".format(q))
        text = profiles.profile_frame(title, frames[None], details, budget)
        return text, aliases + ["dfs[{}]".format(q)]
    names = list(frames.keys())
    variables = (["df"] if is_first else []) + ["dfs[{}]".format(q)]
    head = "### {}: {} sheet{} ({}); dfs[{}] is the first sheet{}".format(
        key, len(names), "" if len(names) == 1 else "s", ", ".join(str(n) for n in names), q,
        ", and so is df" if is_first else "")
    parts = [head]
    used = len(head)
    per_sheet = max(700, (budget - used) // max(1, len(names)))
    for i, sheet in enumerate(names):
        sq = json.dumps("{}:{}".format(key, sheet), ensure_ascii=False)
        variables.append("dfs[{}]".format(sq))
        part = profiles.profile_frame("#### sheet {} \u2192 dfs[{}]".format(json.dumps(str(sheet), ensure_ascii=False), sq),
                                      frames[sheet], details if i == 0 else "", min(per_sheet, budget - used))
        if used + len(part) > budget:
            parts.append("\u2026 and {} more sheet(s), each in dfs[\"{}:<sheet name>\"]".format(len(names) - i, key))
            break
        parts.append(part)
        used += len(part) + 1
    return "\n".join(parts), variables


def load_data(req, ns, workspace, memory_limit_mb, intro):
    """Loads (or keeps, when unchanged) the chosen files, binds df/dfs in `ns` and returns the profile reply."""
    paths = [os.path.abspath(os.path.join(workspace, p)) for p in (req.get("files") or [])]
    keys = _keys_for(paths, workspace)
    # Forget files no longer chosen, so that their memory can go.
    dropped = [p for p in LOADED if p not in paths]
    for path in dropped:
        del LOADED[path]
    if dropped:
        gc.collect()
    files = []
    sections = []
    variables = []
    dfs = collections.OrderedDict()
    first = None
    for path, key in zip(paths, keys):
        info = {"path": path, "name": os.path.basename(path), "key": key}
        files.append(info)
        try:
            stamp = _stamp(path)
        except OSError as exc:
            LOADED.pop(path, None)
            info["error"] = "cannot read {}: {}".format(path, exc.strerror or exc)
            sections.append("### {}: not loaded: {}".format(key, info["error"]))
            continue
        entry = LOADED.get(path)
        if entry is not None and entry["stamp"] == stamp:
            info["cached"] = True
        else:
            t0 = time.perf_counter()
            try:
                frames, meta = loaders.load_file(path)
            except MemoryError:
                frames, meta = None, {"error": "not enough memory to load it{}".format(
                    " (the kernel's memory limit is {} MB: setting radarm.kernel.memoryLimitMb)".format(
                        memory_limit_mb) if memory_limit_mb else "")}
            except loaders.LoadError as exc:
                frames, meta = None, {"error": str(exc)}
            except Exception as exc:
                frames, meta = None, {"error": "{}: {}".format(type(exc).__name__, str(exc).strip()[:500])}
            if frames is None:
                LOADED.pop(path, None)
                info["error"] = meta["error"]
                sections.append("### {}: not loaded: {}".format(key, info["error"]))
                continue
            entry = {"stamp": stamp, "frames": frames, "meta": meta,
                     "loadMs": round((time.perf_counter() - t0) * 1000, 1), "sections": {}}
            LOADED[path] = entry
            info["cached"] = False
        info["loadMs"] = entry["loadMs"]
        meta = entry["meta"]
        for k in ("encoding", "delimiter", "sheets", "warning", "badLines", "read"):
            if k in meta:
                info[k] = meta[k]
        frames = entry["frames"]
        frame_list = list(frames.items())
        if not frame_list:
            info["error"] = "the file holds no sheets"
            continue
        main = frame_list[0][1]
        info["rows"], info["columns"] = int(main.shape[0]), int(main.shape[1])
        is_first = first is None
        if is_first:
            first = main
        dfs[key] = main
        if list(frames.keys()) != [None]:
            for sheet, frame in frame_list:
                dfs["{}:{}".format(key, sheet)] = frame
        # Profiles are cached per entry; only whether the file is `df` changes the text.
        cache_key = "first" if is_first else "other"
        if cache_key not in entry["sections"]:
            entry["sections"][cache_key] = _file_section(key, is_first, entry)
        text, names = entry["sections"][cache_key]
        sections.append(text)
        variables.extend(names)
    # Re-bind on every load: the names match the profile even if earlier code reassigned df.
    ns["dfs"] = dfs
    if first is not None:
        ns["df"] = first
    elif "df" in _bound_names:
        ns.pop("df", None)
    _bound_names.clear()
    _bound_names.update(["dfs"] + (["df"] if first is not None else []))
    text = intro + "\n\n" + "\n\n".join(sections) if sections else intro + "\n(no data files chosen)"
    return {"id": req["id"], "type": "result", "ok": True,
            "profile": {"text": text, "variables": variables, "files": files}}
