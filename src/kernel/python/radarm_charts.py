"""Charts: matplotlib on the Agg backend with a CJK-capable font, figures captured as PNG data URLs, Plotly
figures captured as JSON (fig.show() is patched), all set up by post-import hooks so that it applies however the
user's code imports the libraries.

Part of Radarm's Python kernel. Python 3.8+.
"""
import base64
import importlib.abc
import io
import re
import sys
import warnings

# Fonts that cover Chinese, in order of preference (matplotlib sees the first face of .ttc collections, so the
# Noto CJK families may appear as JP/KR/TC; they all cover the CJK ideographs).
CJK_FONTS = (
    "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Sans CJK KR", "Noto Sans CJK HK",
    "Source Han Sans SC", "Source Han Sans CN", "Source Han Sans", "Microsoft YaHei", "SimHei", "PingFang SC",
    "Hiragino Sans GB", "Heiti SC", "Heiti TC", "STHeiti", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
    "Noto Sans SC", "Droid Sans Fallback", "Arial Unicode MS", "Noto Serif CJK SC", "Noto Serif CJK JP",
    "Source Han Serif SC", "SimSun", "AR PL UMing CN", "AR PL UKai CN",
)
_CJK_NAME = re.compile(r"CJK|Hei|YaHei|PingFang|WenQuanYi|Source Han|Song|Ming|Kai|Fang|Gothic|Unicode", re.I)

MAX_FIGURES = 20
MAX_PLOTLY_CHARS = 20 * 1024 * 1024


class ChartState(object):
    def __init__(self):
        self.cjk_font = None  # chosen family, once matplotlib is configured
        self.matplotlib_ready = False
        self.plotly_ready = False
        self.plotly = []  # JSON of figures shown during the current execution
        self.notes = []
        self.captured = set()  # ids of the figures captured after the current execution


state = ChartState()


# --- matplotlib -------------------------------------------------------------------------------------------------

def _has_cjk_glyph(fname):
    try:
        from matplotlib.ft2font import FT2Font
        return 0x4E2D in FT2Font(fname).get_charmap()  # 中
    except Exception:
        return False


def _find_cjk_font():
    from matplotlib import font_manager
    by_name = {}
    for entry in font_manager.fontManager.ttflist:
        by_name.setdefault(entry.name, entry.fname)
    for name in CJK_FONTS:
        if name in by_name:
            return name
    for name in sorted(by_name):
        if _CJK_NAME.search(name) and _has_cjk_glyph(by_name[name]):
            return name
    return None


def configure_matplotlib(mpl):
    """Called right after `import matplotlib`: Agg backend, CJK font first, ASCII minus signs."""
    if state.matplotlib_ready:
        return
    state.matplotlib_ready = True
    try:
        mpl.use("Agg")
    except Exception:
        pass
    try:
        font = _find_cjk_font()
    except Exception:
        font = None
    state.cjk_font = font
    rc = mpl.rcParams
    if font:
        rc["font.sans-serif"] = [font] + [f for f in rc["font.sans-serif"] if f != font]
        rc["font.family"] = ["sans-serif"]
        # CJK fonts lack U+2212 (the typographic minus): use "-" so negative ticks are not boxes.
        rc["axes.unicode_minus"] = False
    rc["figure.max_open_warning"] = 0


def patch_pyplot(plt):
    """plt.show() under Agg only warns; make it a quiet no-op (figures are captured after the code ran)."""
    plt.show = lambda *args, **kwargs: None


def figure_to_data_url(fig):
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=100, bbox_inches="tight", facecolor="white")
    except Exception as err:  # a figure that cannot draw must not lose the others
        warnings.warn("a figure could not be drawn: {}: {}".format(type(err).__name__, err))
        return None
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def capture_figures():
    """Every open pyplot figure as a PNG data URL; closes them all."""
    state.captured = set()
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return []
    images = []
    nums = plt.get_fignums()
    for num in nums[:MAX_FIGURES]:
        fig = plt.figure(num)
        state.captured.add(id(fig))
        url = figure_to_data_url(fig)
        if url:
            images.append(url)
    if len(nums) > MAX_FIGURES:
        state.notes.append("{} figures were made; only the first {} are shown".format(len(nums), MAX_FIGURES))
    plt.close("all")
    return images


def is_matplotlib_object(value):
    mod = type(value).__module__ or ""
    if mod.startswith("matplotlib"):
        return True
    # df.hist() and plt.subplots() return arrays or lists of Axes.
    if type(value).__name__ == "ndarray" and getattr(value, "dtype", None) == object and value.size:
        return (type(value.flat[0]).__module__ or "").startswith("matplotlib")
    if isinstance(value, (list, tuple)) and value:
        return all((type(v).__module__ or "").startswith("matplotlib") for v in value)
    return False


# --- Plotly -----------------------------------------------------------------------------------------------------

def add_plotly(fig):
    try:
        text = fig.to_json() if hasattr(fig, "to_json") else __import__("plotly.io").io.to_json(fig)
    except Exception as err:
        warnings.warn("a Plotly figure could not be converted to JSON: {}".format(err))
        return
    if len(text) > MAX_PLOTLY_CHARS:
        state.notes.append("a Plotly figure of {:,} characters was too big to show; aggregate or sample the data "
                           "first".format(len(text)))
        return
    state.plotly.append(text)


def patch_plotly_figures(basedatatypes):
    basedatatypes.BaseFigure.show = lambda self, *args, **kwargs: add_plotly(self)
    state.plotly_ready = True


def patch_plotly_io(pio):
    pio.show = lambda fig, *args, **kwargs: add_plotly(fig)


def is_plotly_figure(value):
    bd = sys.modules.get("plotly.basedatatypes")
    return bd is not None and isinstance(value, bd.BaseFigure)


# --- post-import hooks ------------------------------------------------------------------------------------------

class PostImportHooks(importlib.abc.MetaPathFinder):
    """Runs a function right after a module is first imported, whoever imports it."""

    def __init__(self, hooks):
        self.hooks = dict(hooks)
        self._busy = set()

    def find_spec(self, name, path, target=None):
        if name not in self.hooks or name in self._busy:
            return None
        self._busy.add(name)
        try:
            spec = None
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    break
        finally:
            self._busy.discard(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        original = spec.loader.exec_module
        hooks = self.hooks

        # find_spec alone (importlib.util.find_spec) must not use the hook up: it runs when the module executes.
        def exec_module(module):
            original(module)
            hook = hooks.pop(name, None)
            if hook is None:
                return
            try:
                hook(module)
            except Exception as err:  # never break the user's import
                state.notes.append("chart set-up after importing {} failed: {}".format(name, err))

        spec.loader.exec_module = exec_module
        return spec


def install_hooks():
    hooks = {
        "matplotlib": configure_matplotlib,
        "matplotlib.pyplot": patch_pyplot,
        "plotly.basedatatypes": patch_plotly_figures,
        "plotly.io": patch_plotly_io,
    }
    # Already imported (e.g. by pandas): apply now.
    for name in list(hooks):
        if name in sys.modules:
            hooks.pop(name)(sys.modules[name])
    sys.meta_path.insert(0, PostImportHooks(hooks))
