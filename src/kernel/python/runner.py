"""Radarm's Python kernel: a persistent namespace that loads the workspace's data files and runs analysis code.

Protocol: one JSON object per line. Requests arrive on stdin ({"id", "op", ...}); replies go to the process's
ORIGINAL stdout, which is moved to a private fd at start-up, while fd 1 is pointed at stderr so that nothing the
user's code (or a C library) prints can corrupt the protocol. Replies: {"id", "type": "output"|"result", ...};
a {"type": "hello"} line is sent once at start-up.

usage: python runner.py '{"cwd": "...", "maxOutputChars": 100000, "memoryLimitMb": 0, "warmup": true}'
Python 3.8+. Runs without pandas only far enough to say that pandas is missing.
"""
import ast
import builtins
import collections
import gc
import importlib
import importlib.util
import io
import json
import linecache
import os
import queue
import reprlib
import signal
import sys
import threading
import time
import traceback
import types

# --- the protocol channel (before anything can print) -----------------------------------------------------------

_proto_fd = os.dup(1)
os.dup2(2, 1)
_proto_lock = threading.Lock()


class _Flags(object):
    in_user_code = False
    main_in_protocol = False
    deferred_interrupt = False


FLAGS = _Flags()

_MAIN_THREAD = threading.main_thread()


def send(obj):
    data = (json.dumps(obj, ensure_ascii=True, default=str) + "\n").encode("ascii")
    on_main = threading.current_thread() is _MAIN_THREAD
    if on_main:
        FLAGS.main_in_protocol = True  # an interrupt now must not cut a line in half: it waits
    try:
        with _proto_lock:
            view = memoryview(data)
            while view:
                n = os.write(_proto_fd, view)
                view = view[n:]
    finally:
        if on_main:
            FLAGS.main_in_protocol = False
    if on_main and FLAGS.deferred_interrupt and FLAGS.in_user_code:
        FLAGS.deferred_interrupt = False
        raise KeyboardInterrupt()


CONFIG = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
WORKSPACE = CONFIG.get("cwd") or os.getcwd()
OUTPUT_CAP = int(CONFIG.get("maxOutputChars") or 100000)
sys.argv = ["radarm"]


def _exit_now(code=0):
    """Ends the kernel and anything it started: the runner leads its own process group on POSIX."""
    try:
        if hasattr(os, "killpg") and os.getpgid(0) == os.getpid():
            os.killpg(os.getpid(), signal.SIGKILL)
    except Exception:
        pass
    os._exit(code)


def _apply_memory_limit():
    mb = int(CONFIG.get("memoryLimitMb") or 0)
    if mb <= 0:
        return None
    try:
        import resource
        limit = mb * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        return mb
    except Exception:  # not on this OS (Windows, some macOS versions): no cap
        return None


MEMORY_LIMIT_MB = _apply_memory_limit()

# --- interrupts: SIGINT only ever interrupts the user's code, never the protocol ------------------------------------


def _on_sigint(signum, frame):
    if not FLAGS.in_user_code:
        return
    if FLAGS.main_in_protocol:
        FLAGS.deferred_interrupt = True  # raised once the protocol line is complete
        return
    raise KeyboardInterrupt()


signal.signal(signal.SIGINT, _on_sigint)

# --- requests: a reader thread, so that idle time can warm up imports and EOF (parent gone) ends us at once ---------

_requests = queue.Queue()


def _read_requests():
    stdin = sys.stdin.buffer
    while True:
        line = stdin.readline()
        if not line:
            _exit_now(0)  # the extension closed the pipe or died: no orphans
        line = line.strip()
        if line:
            _requests.put(line)


# --- start-up: pandas is required ---------------------------------------------------------------------------------


def _hello_without_pandas(err):
    send({"type": "hello", "ok": False, "python": list(sys.version_info[:3]), "executable": sys.executable,
          "error": "{}: {}".format(type(err).__name__, err), "memoryLimitMb": MEMORY_LIMIT_MB})
    sys.stderr.flush()
    os._exit(3)


if sys.version_info < (3, 8):
    send({"type": "hello", "ok": False, "python": list(sys.version_info[:3]), "executable": sys.executable,
          "error": "Python 3.8 or newer is required"})
    os._exit(3)

try:
    import numpy as np
    import pandas as pd
except BaseException as _err:  # ImportError, or a broken install raising anything
    _hello_without_pandas(_err)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import radarm_capture as capture  # noqa: E402
import radarm_charts as charts  # noqa: E402
import radarm_loaders as loaders  # noqa: E402
import radarm_profile as profiles  # noqa: E402
import radarm_sql_run as sql_sources  # noqa: E402
import radarm_stats as stats_tools  # noqa: E402

sys.path.pop(0)
# The workspace folder comes last, so that local helper modules import without shadowing installed packages.
sys.path.append(WORKSPACE)
charts.install_hooks()


def _installed(name):
    try:
        return importlib.util.find_spec(name) is not None
    except Exception:
        return False


AVAILABLE = {name: _installed(name) for name in
             ("matplotlib", "plotly", "openpyxl", "xlrd", "pyarrow", "fastparquet", "seaborn", "scipy")}


class LazyModule(types.ModuleType):
    """A pre-imported name (plt, px, go) that imports on first use, so that start-up stays fast."""

    def __init__(self, alias, module_name):
        super().__init__(module_name)
        self.__dict__["_radarm_alias"] = alias

    def __getattr__(self, attr):
        module = _resolve_lazy(self.__dict__["_radarm_alias"], self.__name__)
        return getattr(module, attr)

    def __repr__(self):
        return "<module {!r} (imported on first use)>".format(self.__name__)


def _resolve_lazy(alias, module_name):
    module = importlib.import_module(module_name)
    if isinstance(NS.get(alias), LazyModule):
        NS[alias] = module
    return module


NS = {"__name__": "__main__", "__builtins__": builtins, "pd": pd, "np": np}
LAZY = collections.OrderedDict()
if AVAILABLE["matplotlib"]:
    LAZY["plt"] = "matplotlib.pyplot"
if AVAILABLE["plotly"]:
    LAZY["px"] = "plotly.express"
    LAZY["go"] = "plotly.graph_objects"
for _alias, _name in LAZY.items():
    NS[_alias] = LazyModule(_alias, _name)
AVAILABLE.update(stats_tools.install(NS, LazyModule))  # stats, sm, smf, sklearn modules, tidy(), glance()


def _chdir_workspace():
    try:
        os.chdir(WORKSPACE)
    except OSError:
        pass


_chdir_workspace()

# --- output streaming ---------------------------------------------------------------------------------------------


class Streamer(object):
    """Sends output pieces live, at most every 30 ms (a ticker thread flushes what a quiet pause leaves)."""

    INTERVAL = 0.03

    def __init__(self, req_id):
        self.req_id = req_id
        self.lock = threading.Lock()
        self.pending = {"stdout": [], "stderr": []}
        self.last = 0.0
        self.closed = False
        self.ticker = threading.Thread(target=self._tick, daemon=True)
        self.ticker.start()

    def stdout(self, text):
        self._add("stdout", text)

    def stderr(self, text):
        self._add("stderr", text)

    def _add(self, stream, text):
        with self.lock:
            self.pending[stream].append(text)
            due = time.monotonic() - self.last >= self.INTERVAL
        if due:
            self.flush()

    def flush(self):
        # Sent under the lock, so that close() waits for a flush of the ticker: no output after the result.
        with self.lock:
            pieces = [(s, "".join(p)) for s, p in self.pending.items() if p]
            for p in self.pending.values():
                del p[:]
            self.last = time.monotonic()
            for stream, text in pieces:
                send({"id": self.req_id, "type": "output", "stream": stream, "text": text})

    def _tick(self):
        while not self.closed:
            time.sleep(0.1)
            if not self.closed and any(self.pending.values()):
                self.flush()

    def close(self):
        self.flush()
        self.closed = True


# --- execution ------------------------------------------------------------------------------------------------------

_NOTHING = object()
_cell_counter = [0]
MAX_LIBRARY_FRAMES = 3


def _is_cell(filename):
    return filename.startswith("<cell-")


def format_error(exc):
    """Name, message and a traceback that starts at the user's code (runner frames dropped) and keeps only the
    last few frames inside libraries."""
    name = type(exc).__name__
    message = str(exc)
    if isinstance(exc, SyntaxError):
        text = "".join(traceback.format_exception_only(type(exc), exc))
        return {"name": name, "message": exc.msg or message, "traceback": text.rstrip()}
    frames = traceback.extract_tb(exc.__traceback__)
    first_user = next((i for i, f in enumerate(frames) if _is_cell(f.filename)), None)
    if first_user is None:
        frames = []
    else:
        frames = frames[first_user:]
    last_user = max((i for i, f in enumerate(frames) if _is_cell(f.filename)), default=-1)
    omitted = 0
    library_tail = frames[last_user + 1:]
    if len(library_tail) > MAX_LIBRARY_FRAMES:
        omitted = len(library_tail) - MAX_LIBRARY_FRAMES
        frames = frames[:last_user + 1] + library_tail[-MAX_LIBRARY_FRAMES:]
    lines = []
    if frames:
        lines.append("Traceback (most recent call last):\n")
        formatted = traceback.StackSummary.from_list(frames).format()
        for i, entry in enumerate(formatted):
            lines.append(entry)
            if omitted and i == last_user:
                lines.append("  [\u2026 {} frames inside libraries omitted \u2026]\n".format(omitted))
    lines.extend(traceback.format_exception_only(type(exc), exc))
    return {"name": name, "message": message, "traceback": "".join(lines).rstrip()}


def _table(value):
    """First rows of a DataFrame/Series as JSON-safe columns and rows, for a table view."""
    try:
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        part = frame.iloc[:100, :50]
        split = json.loads(part.to_json(orient="split", date_format="iso", default_handler=str))
        return {"columns": [str(c) for c in part.columns], "index": [str(i) for i in part.index],
                "rows": split["data"], "totalRows": int(frame.shape[0]), "totalColumns": int(frame.shape[1])}
    except Exception:
        return None


def _make_repr():
    r = reprlib.Repr()
    r.maxlist = r.maxtuple = r.maxset = r.maxfrozenset = r.maxdeque = r.maxarray = 200
    r.maxdict = 100
    r.maxstring = r.maxother = 2000
    r.maxlevel = 4
    return r


_REPR = _make_repr()


def _is_big_container(value):
    """Plain containers too long to repr in full (a 10-million-item list would take seconds and gigabytes)."""
    return isinstance(value, (list, tuple, dict, set, frozenset, collections.deque)) and len(value) > 2000


def describe_value(value, reply):
    """Fills reply's value fields from the value of the final expression (or `result`)."""
    if value is None or value is _NOTHING:
        return
    if charts.is_plotly_figure(value):
        charts.add_plotly(value)
        return
    if charts.is_matplotlib_object(value):
        # A Figure made without pyplot is not among the captured figures: render it here.
        if type(value).__name__ == "Figure" and id(value) not in charts.state.captured:
            url = charts.figure_to_data_url(value)
            if url:
                reply["images"].append(url)
        return
    if stats_tools.describe(value, reply, lambda text: capture.cap_text(text, OUTPUT_CAP), _table):
        return  # a fit, test result or metrics report: markdown tables, and its DataFrame as the table preview
    with pd.option_context("display.max_rows", 60, "display.min_rows", 20, "display.max_columns", 40,
                           "display.width", 200, "display.max_colwidth", 80):
        try:
            text = _REPR.repr(value) if _is_big_container(value) else repr(value)
        except Exception as err:
            text = "<{} whose repr failed: {}>".format(type(value).__name__, err)
    reply["value"] = capture.cap_text(text, OUTPUT_CAP)
    reply["valueType"] = type(value).__name__
    if isinstance(value, (pd.DataFrame, pd.Series)):
        table = _table(value)
        if table:
            reply["table"] = table


def _assigns_result(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "result" and isinstance(node.ctx, ast.Store):
            return True
    return False


def run_code(req):
    _cell_counter[0] += 1
    filename = "<cell-{}>".format(_cell_counter[0])
    code = req.get("code") or ""
    streamer = Streamer(req["id"]) if req.get("stream") else None
    out = capture.CappedText(OUTPUT_CAP, streamer.stdout if streamer else None, "<stdout>")
    err = capture.CappedText(OUTPUT_CAP, streamer.stderr if streamer else None, "<stderr>")
    charts.state.plotly = []
    charts.state.notes = []
    reply = {"id": req["id"], "type": "result", "ok": True, "images": []}
    value = _NOTHING
    _chdir_workspace()
    saved = sys.stdout, sys.stderr, sys.stdin
    sys.stdout, sys.stderr, sys.stdin = out, err, io.StringIO("")
    before_result = NS.get("result", _NOTHING)
    assigns_result = False
    t0 = time.perf_counter()
    try:
        try:
            tree = ast.parse(code, filename, "exec")
            assigns_result = _assigns_result(tree)
            linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            body = compile(tree, filename, "exec")
            last_code = compile(ast.Expression(last.value), filename, "eval") if last is not None else None
            FLAGS.deferred_interrupt = False
            FLAGS.in_user_code = True
            try:
                exec(body, NS)
                if last_code is not None:
                    value = eval(last_code, NS)
            finally:
                FLAGS.in_user_code = False
        except KeyboardInterrupt as exc:
            reply["interrupted"] = True
            reply["ok"] = False
            reply["error"] = format_error(exc)
        except BaseException as exc:  # SystemExit too: the kernel stays up
            reply["ok"] = False
            reply["error"] = format_error(exc)
        reply["execMs"] = round((time.perf_counter() - t0) * 1000, 3)
        # Figures and values are rendered with the capture still on, so that their warnings (missing glyphs, …)
        # are reported too.
        try:
            reply["images"].extend(charts.capture_figures())
            if value is _NOTHING or value is None:
                current = NS.get("result", _NOTHING)
                # A failed run shows `result` only if it really set it (not a stale one from an earlier run).
                changed = current is not before_result or (assigns_result and reply["ok"])
                if current is not _NOTHING and changed:
                    value = current
                    reply["valueSource"] = "result"
            elif value is not _NOTHING:
                reply["valueSource"] = "expression"
            describe_value(value, reply)
        except BaseException as exc:
            sys.stderr.write("radarm: could not render the output: {}: {}\n".format(type(exc).__name__, exc))
    finally:
        sys.stdout, sys.stderr, sys.stdin = saved
        if streamer:
            streamer.close()
    reply["stdout"] = out.getvalue()
    reply["stderr"] = err.getvalue()
    reply["plotly"] = charts.state.plotly
    charts.state.plotly = []
    if out.cut or err.cut:
        reply["outputCut"] = out.cut + err.cut
    if "matplotlib" in sys.modules:
        reply["matplotlib"] = {"cjkFont": charts.state.cjk_font}
    if charts.state.notes:
        reply["notes"] = list(charts.state.notes)
    return reply


# --- data loading ---------------------------------------------------------------------------------------------------

LOADED = collections.OrderedDict()  # path -> {"stamp", "frames", "meta", "loadMs", "sections"}
_bound_names = set()


def _stamp(path):
    st = os.stat(path)
    return [getattr(st, "st_mtime_ns", int(st.st_mtime * 1e9)), st.st_size]


def _keys_for(paths):
    """dfs keys: file names, or paths relative to the workspace when two files share a name."""
    names = [os.path.basename(p) for p in paths]
    keys = []
    for p, n in zip(paths, names):
        if names.count(n) > 1:
            try:
                n = os.path.relpath(p, WORKSPACE)
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


def load_data(req):
    paths = [os.path.abspath(os.path.join(WORKSPACE, p)) for p in (req.get("files") or [])]
    keys = _keys_for(paths)
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
                        MEMORY_LIMIT_MB) if MEMORY_LIMIT_MB else "")}
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
    NS["dfs"] = dfs
    if first is not None:
        NS["df"] = first
    elif "df" in _bound_names:
        NS.pop("df", None)
    _bound_names.clear()
    _bound_names.update(["dfs"] + (["df"] if first is not None else []))
    intro = _intro()
    text = intro + "\n\n" + "\n\n".join(sections) if sections else intro + "\n(no data files chosen)"
    return {"id": req["id"], "type": "result", "ok": True,
            "profile": {"text": text, "variables": variables, "files": files}}


def _intro():
    names = ["pandas as pd", "numpy as np"]
    if "plt" in LAZY:
        names.append("matplotlib.pyplot as plt")
    if "px" in LAZY:
        names.append("plotly.express as px, plotly.graph_objects as go")
    names.extend(stats_tools.intro_names())
    return "Python {}, pandas {}. Already imported: {}.".format(
        ".".join(str(v) for v in sys.version_info[:3]), pd.__version__, ", ".join(names)) + stats_tools.missing_note()


# --- idle warm-up ---------------------------------------------------------------------------------------------------

WARMUP = collections.deque(LAZY.items()) if CONFIG.get("warmup", True) else collections.deque()


def _warm_one():
    alias, module_name = WARMUP.popleft()
    saved = sys.stdout, sys.stderr
    try:
        sys.stdout = sys.stderr = io.StringIO()
        _resolve_lazy(alias, module_name)
    except Exception:
        pass  # the user will see the real error when their code uses it
    finally:
        sys.stdout, sys.stderr = saved


# --- main loop ------------------------------------------------------------------------------------------------------

HANDLERS = {"exec": run_code, "load": sql_sources.wrap_load(load_data, NS, WORKSPACE)}


def handle(line):
    try:
        req = json.loads(line)
    except ValueError:
        send({"type": "log", "text": "bad request line ignored"})
        return
    handler = HANDLERS.get(req.get("op"))
    if handler is None:
        send({"id": req.get("id"), "type": "result", "ok": False,
              "error": {"name": "ProtocolError", "message": "unknown op {!r}".format(req.get("op")), "traceback": ""}})
        return
    try:
        reply = handler(req)
    except BaseException as exc:  # a bug in the runner must not kill the kernel
        reply = {"id": req.get("id"), "type": "result", "ok": False,
                 "error": {"name": type(exc).__name__, "message": "radarm runner: {}".format(exc),
                           "traceback": traceback.format_exc()}}
    send(reply)


def main():
    threading.Thread(target=_read_requests, daemon=True).start()
    send({"type": "hello", "ok": True, "pid": os.getpid(), "executable": sys.executable,
          "python": list(sys.version_info[:3]), "pandas": pd.__version__, "numpy": np.__version__,
          "available": AVAILABLE, "memoryLimitMb": MEMORY_LIMIT_MB})
    if CONFIG.get("warmup", True):
        stats_tools.start_warmup(_resolve_lazy, lambda: bool(WARMUP))
    while True:
        try:
            if WARMUP:
                try:
                    line = _requests.get(timeout=0.02)
                except queue.Empty:
                    _warm_one()
                    continue
            else:
                line = _requests.get()
            handle(line)
        except KeyboardInterrupt:
            continue  # an interrupt that arrived between requests


if __name__ == "__main__":
    main()
