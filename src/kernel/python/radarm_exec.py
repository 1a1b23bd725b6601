"""Runs one piece of analysis code in the kernel's namespace: captured output, live streaming, a trimmed
traceback, figures and the described value of the last expression.

Part of Radarm's Python kernel. Python 3.8+ with pandas.
"""
import ast
import io
import linecache
import sys
import threading
import time
import traceback

import radarm_dask as daskx
import radarm_capture as capture
import radarm_charts as charts
import radarm_stats as stats_tools
import radarm_tables as tables
from radarm_channel import FLAGS, send
from radarm_describe import _NOTHING, describe_value


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


_cell_counter = [0]
MAX_LIBRARY_FRAMES = 3
# Characters of chart data (PNG data URLs and Plotly JSON together) one run may return; a chart beyond it is
# dropped with a note. Generous: a typical PNG is 30-300 KB, a Plotly figure with 100k points about 5 MB.
MEDIA_BUDGET = 50 * 1024 * 1024


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


def _cap_error(error, cap):
    """Everything the kernel returns is bounded like stdout: a 10 MB exception message stays about `cap`."""
    for field in ("message", "traceback"):
        if isinstance(error.get(field), str):
            error[field] = capture.cap_text(error[field], cap)
    return error


def _cap_media(reply):
    """Keeps charts, in order, while they fit MEDIA_BUDGET; says how many were dropped."""
    room = MEDIA_BUDGET
    dropped = 0
    for key in ("images", "plotly"):
        kept = []
        for item in reply.get(key) or []:
            if len(item) <= room:
                kept.append(item)
                room -= len(item)
            else:
                dropped += 1
        reply[key] = kept
    if dropped:
        reply.setdefault("notes", []).append(
            "{} chart(s) not shown: the charts of one run may take {} MB at most (fewer points, a smaller figure "
            "or a lower dpi help)".format(dropped, MEDIA_BUDGET // (1024 * 1024)))


def _assigns_result(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "result" and isinstance(node.ctx, ast.Store):
            return True
    return False


def run_code(req, ns, cap, enter_workspace):
    """Runs req["code"] in the namespace `ns`; returns the reply. `cap` bounds every text output."""
    _cell_counter[0] += 1
    filename = "<cell-{}>".format(_cell_counter[0])
    code = req.get("code") or ""
    streamer = Streamer(req["id"]) if req.get("stream") else None
    out = capture.CappedText(cap, streamer.stdout if streamer else None, "<stdout>")
    err = capture.CappedText(cap, streamer.stderr if streamer else None, "<stderr>")
    charts.state.plotly = []
    charts.state.notes = []
    tables.reset()
    reply = {"id": req["id"], "type": "result", "ok": True, "images": []}
    daskx.begin_run(req["id"])  # Dask progress lines of this run carry its id
    value = _NOTHING
    enter_workspace()
    saved = sys.stdout, sys.stderr, sys.stdin
    sys.stdout, sys.stderr, sys.stdin = out, err, io.StringIO("")
    before_result = ns.get("result", _NOTHING)
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
                exec(body, ns)
                if last_code is not None:
                    value = eval(last_code, ns)
                    value = daskx.materialize(value)  # computed while Stop can still interrupt it
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
                current = ns.get("result", _NOTHING)
                # A failed run shows `result` only if it really set it (not a stale one from an earlier run).
                changed = current is not before_result or (assigns_result and reply["ok"])
                if current is not _NOTHING and changed:
                    value = current
                    reply["valueSource"] = "result"
            elif value is not _NOTHING:
                reply["valueSource"] = "expression"
            describe_value(value, reply, cap)
            # A fit, a test result or a classification report travels as its tidy() table.
            tables.attach(reply, stats_tools.as_frame(value), reply.get("valueSource"))
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
    if "error" in reply:
        _cap_error(reply["error"], cap)
    _cap_media(reply)
    return reply
