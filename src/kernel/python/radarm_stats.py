"""Statistics and machine learning in the kernel: pre-imported names (scipy.stats, statsmodels, scikit-learn) that
import in a background thread after start-up, and `tidy()` / `glance()`, which turn model summaries, test results
and metrics into pandas DataFrames, so that they reach the user as tables instead of a wall of text.

The runner calls install() once (names + availability), start_warmup() after its hello, and render() for the
value of a run: a statistics object becomes markdown tables in the text and a DataFrame for the table view.
"""
import importlib
import importlib.util
import math
import threading
import time
import unicodedata

import numpy as np
import pandas as pd

# alias -> module, in warm-up order (most used first).
MODULES = [
    ("stats", "scipy.stats", "scipy"),
    ("sm", "statsmodels.api", "statsmodels"),
    ("smf", "statsmodels.formula.api", "statsmodels"),
    ("linear_model", "sklearn.linear_model", "sklearn"),
    ("ensemble", "sklearn.ensemble", "sklearn"),
    ("model_selection", "sklearn.model_selection", "sklearn"),
    ("metrics", "sklearn.metrics", "sklearn"),
    ("preprocessing", "sklearn.preprocessing", "sklearn"),
]


def _installed(name):
    try:
        return importlib.util.find_spec(name) is not None
    except Exception:
        return False


class _State(object):
    available = {}
    aliases = []  # (alias, module) actually offered
    busy = False  # a request is being handled
    last_activity = 0.0  # time.monotonic() when the last request started or ended


state = _State()


def install(ns, lazy_module_cls):
    """Binds the lazy names of the installed libraries into ns; returns {library: installed}."""
    state.available = {lib: _installed(lib) for lib in ("scipy", "statsmodels", "sklearn")}
    state.aliases = [(a, m) for a, m, lib in MODULES if state.available[lib]]
    for alias, module in state.aliases:
        ns[alias] = lazy_module_cls(alias, module)
    ns["tidy"] = tidy
    ns["glance"] = glance
    return dict(state.available)


def intro_names():
    """The pre-imported names, as the profile's "Already imported" list names them."""
    names = []
    mods = dict(state.aliases)
    if "stats" in mods:
        names.append("scipy.stats as stats")
    if "sm" in mods:
        names.append("statsmodels.api as sm, statsmodels.formula.api as smf")
    sk = [a for a, m in state.aliases if m.startswith("sklearn.")]
    if sk:
        names.append("from sklearn: " + ", ".join(sk))
    names.append("tidy(x) and glance(x) (statistics results/metrics \u2192 DataFrame)")
    return names


def missing_note():
    """' Not installed (do not use): …' for the profile's intro, or ''."""
    missing = [lib for lib, ok in state.available.items() if not ok]
    if not missing:
        return ""
    return " Not installed (do not use): {}.".format(", ".join(missing))


IDLE_BEFORE_WARMUP = 0.5  # seconds without requests before a module is imported in the background


def activity(busy):
    """Called by the runner around every request: the warm-up imports only while the kernel is idle, so that its
    imports do not compete with a data load or the user's code for the interpreter."""
    state.busy = busy
    state.last_activity = time.monotonic()


def _idle():
    return not state.busy and time.monotonic() - state.last_activity >= IDLE_BEFORE_WARMUP


def start_warmup(resolve, wait_for=None):
    """Imports the statistics modules in a daemon thread, after the runner's own warm-up (wait_for() false) and only
    while no request is being handled, so that neither start-up nor the first requests wait for them. An import
    the user's code starts meanwhile simply waits for the same module lock."""
    def run():
        pause = threading.Event()
        for alias, module in state.aliases:
            while (wait_for is not None and wait_for()) or not _idle():
                pause.wait(0.05)
            try:
                resolve(alias, module)
            except Exception:
                pass  # the user sees the real error when their code uses it
    t = threading.Thread(target=run, name="radarm-stats-warmup", daemon=True)
    t.start()
    return t


# --- tidy / glance ------------------------------------------------------------------------------------------------

def _is_regression_result(x):
    return hasattr(x, "params") and hasattr(x, "bse") and hasattr(x, "model") and callable(getattr(x, "conf_int", None))


def _is_test_result(x):
    return hasattr(x, "statistic") and hasattr(x, "pvalue") and not isinstance(x, (pd.DataFrame, pd.Series))


def _is_summary(x):
    return type(x).__module__.startswith("statsmodels") and hasattr(x, "tables") and isinstance(x.tables, list)


def _is_classification_report(x):
    return (isinstance(x, dict) and "accuracy" in x and "macro avg" in x
            and isinstance(x.get("macro avg"), dict))


def _coef_table(res):
    params = pd.Series(res.params)
    frame = pd.DataFrame({"coef": params})
    frame["std err"] = pd.Series(res.bse, index=params.index).values
    stat = getattr(res, "tvalues", None)
    use_t = getattr(res, "use_t", True)
    if stat is not None:
        frame["t" if use_t else "z"] = pd.Series(stat, index=params.index).values
    pv = getattr(res, "pvalues", None)
    if pv is not None:
        frame["P>|t|" if use_t else "P>|z|"] = pd.Series(pv, index=params.index).values
    ci = res.conf_int()
    ci = ci.values if hasattr(ci, "values") else np.asarray(ci)
    frame["[0.025"] = ci[:, 0]
    frame["0.975]"] = ci[:, 1]
    frame.index = [str(i) for i in params.index]
    frame.index.name = "term"
    return frame


_FIT_STATS = [("nobs", "observations"), ("df_model", "df model"), ("df_resid", "df residuals"), ("rsquared", "R²"),
              ("rsquared_adj", "adjusted R²"), ("fvalue", "F statistic"), ("f_pvalue", "p-value (F)"),
              ("prsquared", "pseudo R²"), ("llf", "log-likelihood"), ("aic", "AIC"), ("bic", "BIC")]


def _fit_stats(res):
    rows = []
    for attr, label in _FIT_STATS:
        try:
            v = getattr(res, attr)
        except Exception:
            continue
        if v is None or callable(v):
            continue
        try:
            v = float(np.asarray(v).item())
        except Exception:
            continue
        rows.append((label, v))
    frame = pd.DataFrame(rows, columns=["statistic", "value"]).set_index("statistic")
    return frame


def _test_table(res):
    row = {"statistic": float(np.asarray(res.statistic).item()) if np.ndim(res.statistic) == 0 else res.statistic,
           "p-value": float(np.asarray(res.pvalue).item()) if np.ndim(res.pvalue) == 0 else res.pvalue}
    df = getattr(res, "df", getattr(res, "dof", None))
    if df is not None and np.ndim(df) == 0:
        row["df"] = float(df)
    ci = getattr(res, "confidence_interval", None)
    if callable(ci):
        try:
            low, high = ci()
            row["CI low (95%)"] = float(low)
            row["CI high (95%)"] = float(high)
        except Exception:
            pass
    name = type(res).__name__.replace("Result", "").rstrip("_") or "test"
    return pd.DataFrame([row], index=pd.Index([name], name="test"))


def _summary_tables(summary):
    """statsmodels Summary → DataFrames (one per SimpleTable)."""
    out = []
    for t in summary.tables:
        if isinstance(t, pd.DataFrame):
            out.append(t)
            continue
        data = [[str(c).strip() for c in row] for row in getattr(t, "data", [])]
        if not data:
            continue
        header = data[0]
        if header and not header[0] and len(data) > 1:  # a coefficient table: first row is the header
            frame = pd.DataFrame(data[1:], columns=[h or "term" for h in header]).set_index("term")
        else:  # a key/value block (Dep. Variable: y, R-squared: …) in several column pairs
            rows = []
            for r in data:
                for i in range(0, len(r) - 1, 2):
                    if r[i]:
                        rows.append((r[i].rstrip(":"), r[i + 1]))
            frame = pd.DataFrame(rows, columns=["field", "value"]).set_index("field")
        out.append(frame)
    return out


def tidy(x):
    """A statistics object as a DataFrame: a statsmodels fit → one row per term (coef, std err, t, p, 95% CI);
    a scipy test → statistic, p-value (and df, CI when the test gives them); a classification_report dict →
    one row per class; a dict of metrics → metric/value; a confusion matrix → a labelled frame."""
    if isinstance(x, (pd.DataFrame, pd.Series)):
        return x if isinstance(x, pd.DataFrame) else x.to_frame()
    if _is_regression_result(x):
        return _coef_table(x)
    if _is_test_result(x):
        return _test_table(x)
    if _is_summary(x):
        tables = _summary_tables(x)
        coef = [t for t in tables if t.index.name == "term"]
        return coef[0] if coef else tables[0]
    if _is_classification_report(x):
        rows = {k: v for k, v in x.items() if isinstance(v, dict)}
        frame = pd.DataFrame(rows).T
        frame.index.name = "class"
        frame.loc["accuracy"] = [np.nan, np.nan, x["accuracy"], frame["support"].get("macro avg", np.nan)]
        return frame
    if isinstance(x, dict) and x and all(isinstance(v, (int, float, np.number)) for v in x.values()):
        return pd.DataFrame({"value": [float(v) for v in x.values()]},
                            index=pd.Index([str(k) for k in x.keys()], name="metric"))
    if isinstance(x, np.ndarray) and x.ndim == 2:
        return pd.DataFrame(x)
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return pd.DataFrame([dict(zip(x._fields, x))])
    raise TypeError("tidy() does not know {} (statsmodels results, scipy test results, classification_report("
                    "output_dict=True), dicts of metrics and 2-D arrays)".format(type(x).__name__))


def glance(x):
    """Model-level statistics of a statsmodels fit (observations, R², F, AIC, …) as a DataFrame."""
    if _is_regression_result(x):
        return _fit_stats(x)
    return tidy(x)


# --- rendering a run's value -----------------------------------------------------------------------------------------

def _fmt(v):
    if isinstance(v, (bool, np.bool_)):
        return str(v)
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isnan(f):
            return ""
        if f != 0 and (abs(f) < 1e-4 or abs(f) >= 1e7):
            return "{:.3e}".format(f)
        if f == int(f) and abs(f) < 1e7:
            return str(int(f))
        return "{:.4g}".format(f) if abs(f) < 1 else "{:.4f}".format(f).rstrip("0").rstrip(".")
    return str(v).replace("|", "\\|").replace("\n", " ")


def _width(text):
    """Display width in a monospace font: East Asian wide characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text, width, right):
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


def markdown_table(frame, max_rows=60):
    """A DataFrame as a GitHub markdown table (numbers to 4 significant digits, tiny p-values in e-notation), its
    columns padded so that it also reads as a table in plain monospace text (the panel's output, a terminal)."""
    index_name = frame.index.name or ""
    head = [_fmt(index_name)] + [_fmt(str(c)) for c in frame.columns]
    body = [[_fmt(idx)] + [_fmt(v) for v in row.tolist()] for idx, row in frame.head(max_rows).iterrows()]
    widths = [max([3] + [_width(r[i]) for r in [head] + body]) for i in range(len(head))]
    line = lambda cells: "| " + " | ".join(_pad(c, widths[i], i > 0) for i, c in enumerate(cells)) + " |"
    rule = "|" + "|".join(("-" * (w + 2)) if i == 0 else ("-" * (w + 1) + ":") for i, w in enumerate(widths)) + "|"
    lines = [line(head), rule] + [line(r) for r in body]
    if len(frame) > max_rows:
        lines.append("\u2026 {} more rows".format(len(frame) - max_rows))
    return "\n".join(lines)


def describe(value, reply, cap):
    """Fills reply's value fields for a statistics value (True), or leaves them to the generic repr (False)."""
    rendered = render(value)
    if not rendered:
        return False
    text, _frame, type_name = rendered
    reply["value"] = cap(text)
    reply["valueType"] = type_name
    return True


def as_frame(value):
    """The DataFrame a statistics value is shown as (its tidy() form), or the value itself: lets a fit or a test
    result travel through the same table path as a DataFrame."""
    rendered = render(value)
    return rendered[1] if rendered else value


def render(value):
    """(text, frame, type name) for a statistics value, or None for anything else."""
    try:
        if _is_regression_result(value):
            coef = _coef_table(value)
            fit = _fit_stats(value)
            dep = ""
            try:
                dep = " of {}".format(value.model.endog_names)
            except Exception:
                pass
            text = "{}{}\n\n{}\n\n{}".format(type(value.model).__name__, dep, markdown_table(coef), markdown_table(fit))
            return text, coef, type(value).__name__
        if _is_summary(value):
            tables = _summary_tables(value)
            text = "\n\n".join(markdown_table(t) for t in tables)
            coef = [t for t in tables if t.index.name == "term"]
            return text, (coef[0] if coef else tables[0]), "Summary"
        if _is_test_result(value):
            frame = _test_table(value)
            return markdown_table(frame), frame, type(value).__name__
        if _is_classification_report(value):
            frame = tidy(value)
            return markdown_table(frame), frame, "classification_report"
    except Exception:
        return None
    return None
