"""Describes the value of a run's final expression (or `result`): a capped repr and charts (its structured table
is radarm_tables' job).

Part of Radarm's Python kernel. Python 3.8+ with pandas.
"""
import collections
import reprlib

import pandas as pd

import radarm_capture as capture
import radarm_charts as charts
import radarm_dask as daskx
import radarm_stats as stats_tools

_NOTHING = object()  # "no value at all", as opposed to None


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


def describe_value(value, reply, cap):
    """Fills reply's value fields from the value of the final expression (or `result`)."""
    if value is None or value is _NOTHING:
        return
    value = daskx.materialize(value)  # a lazy Dask `result`: its computed value or first rows
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
    if stats_tools.describe(value, reply, lambda text: capture.cap_text(text, cap)):
        return  # a fit, test result or metrics report: markdown tables (its DataFrame travels in `tables`)
    with pd.option_context("display.max_rows", 60, "display.min_rows", 20, "display.max_columns", 40,
                           "display.width", 200, "display.max_colwidth", 80):
        try:
            text = _REPR.repr(value) if _is_big_container(value) else repr(value)
        except Exception as err:
            text = "<{} whose repr failed: {}>".format(type(value).__name__, err)
    reply["value"] = capture.cap_text(text, cap)
    reply["valueType"] = type(value).__name__
