"""Radarm's Python kernel: a persistent namespace that loads the workspace's data files and runs analysis code.

This file is the protocol loop and the start-up; the work is done beside it: radarm_channel (the private reply
channel), radarm_exec (running code), radarm_describe (describing values), radarm_data (loading files and
profiles), radarm_loaders / radarm_profile / radarm_charts / radarm_capture.

Protocol: one JSON object per line. The first stdin line is a secret for this process; then requests arrive on
stdin ({"id", "op", ...}; {"op":"interrupt"} interrupts the running code). Replies go to the process's ORIGINAL
stdout, which is moved to a private fd at start-up, while fd 1 is pointed at stderr so that nothing the user's code
(or a C library) prints can corrupt the protocol. Each reply line is "<secret> <json>", so the host can tell a
genuine line from one the code forged. Replies: {"id", "type": "output"|"result", ...}; a {"type": "hello"} line
is sent once at start-up.

usage: python runner.py '{"cwd": "...", "maxOutputChars": 100000, "memoryLimitMb": 0, "warmup": true}'
Python 3.8+. Runs without pandas only far enough to say that pandas is missing.
"""
import builtins
import collections
import importlib
import importlib.util
import io
import json
import os
import queue
import signal
import sys
import threading
import traceback
import types

CONFIG = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
WORKSPACE = CONFIG.get("cwd") or os.getcwd()
OUTPUT_CAP = int(CONFIG.get("maxOutputChars") or 100000)
sys.argv = ["radarm"]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# Unsandboxed on Linux: a supervisor parent that ends whatever the code started, even if this process crashes.
import radarm_supervisor as supervisor  # noqa: E402

if CONFIG.get("supervise"):
    supervisor.supervise()

# The protocol channel next, before anything can print.
import radarm_channel as channel  # noqa: E402
from radarm_channel import send  # noqa: E402


def _exit_now(code=0):
    """Ends the kernel and anything it started: its descendants on Linux, its process group on POSIX."""
    if sys.platform.startswith("linux"):
        supervisor.kill_descendants(os.getpid())
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

channel.install_interrupt_handler()

# --- requests: a reader thread, so that idle time can warm up imports and EOF (parent gone) ends us at once ---------

_requests = queue.Queue()


def _read_requests():
    stdin = sys.stdin.buffer
    while True:
        line = stdin.readline()
        if not line:
            _exit_now(0)  # the extension closed the pipe or died: no orphans
        line = line.strip()
        if line == channel.INTERRUPT_REQUEST:
            channel.interrupt_main()  # handled here, not queued: the main thread is busy running the code
        elif line:
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

import radarm_capture as capture  # noqa: E402
import radarm_charts as charts  # noqa: E402
import radarm_data as data  # noqa: E402
import radarm_exec as execution  # noqa: E402
import radarm_dask as daskx  # noqa: E402
import radarm_sources as sources  # noqa: E402
import radarm_sql_run as sql_sources  # noqa: E402
import radarm_tables as tables  # noqa: E402
import radarm_preview as preview  # noqa: E402
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
             ("matplotlib", "plotly", "openpyxl", "xlrd", "pyarrow", "fastparquet", "seaborn", "scipy", "dask",
              "distributed")}


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
NS["display"] = tables.make_display(lambda text: sys.stdout.write(text))
LAZY = collections.OrderedDict()
if AVAILABLE["matplotlib"]:
    LAZY["plt"] = "matplotlib.pyplot"
if AVAILABLE["plotly"]:
    LAZY["px"] = "plotly.express"
    LAZY["go"] = "plotly.graph_objects"
for _alias, _name in LAZY.items():
    NS[_alias] = LazyModule(_alias, _name)
# Datasets (folders, globs) and the Dask engine: radarm_sources decides per path, radarm_dask runs the client.
daskx.bind(send, NS)
sources.configure(CONFIG.get("engine"), CONFIG.get("daskScheduler"), MEMORY_LIMIT_MB)
AVAILABLE.update(stats_tools.install(NS, LazyModule))  # stats, sm, smf, sklearn modules, tidy(), glance()


def _chdir_workspace():
    try:
        os.chdir(WORKSPACE)
    except OSError:
        pass


_chdir_workspace()

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

HANDLERS = {
    "exec": lambda req: execution.run_code(req, NS, OUTPUT_CAP, _chdir_workspace),
    # Database files and servers become sources beside the data files (radarm_sql_run).
    "load": sql_sources.wrap_load(lambda req: data.load_data(req, NS, WORKSPACE, MEMORY_LIMIT_MB, _intro()), NS, WORKSPACE),
    "preview": preview.handle,  # Radarm: Preview Data (radarm_preview.py)
}


def handle(line):
    stats_tools.activity(True)  # the statistics warm-up waits while requests are handled
    try:
        _handle(line)
    finally:
        stats_tools.activity(False)


def _handle(line):
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
                 "error": {"name": type(exc).__name__, "message": capture.cap_text("radarm runner: {}".format(exc), OUTPUT_CAP),
                           "traceback": capture.cap_text(traceback.format_exc(), OUTPUT_CAP)}}
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
