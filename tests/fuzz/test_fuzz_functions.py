"""Every catalogue function of :mod:`xlpmo.functions` with hostile arguments (Hypothesis).

A worksheet function must never raise into Excel and never hang it: whatever the cells hold
(text, errors as text or Office.js error objects, NaN, ±inf, 1e308, NUL characters, dates out
of range, ragged ranges, COM's omitted-argument marker, objects no runtime sends), the result
is a worksheet value (number, text, boolean, date, blank, or a list of them) or an Excel
error text, within a few seconds.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xlpmo.functions as pmo
from xlpmo.contract import tables
from xlpmo.errors import XLError
from xlpmo.excel.args import COM_MISSING

ERROR_TEXTS = {e.value for e in XLError}
SECONDS = 20  # per call; Excel users would call anything longer a hang

scalars = st.one_of(
    st.sampled_from([0, -0.0, 1, -1, 0.5, 1e308, -1e308, 5e-324, 2**53 + 1, 10**30,
                     COM_MISSING, 2958465, 2958466, 46000, 1e18, -1e18, 7, 12]),
    st.floats(), st.integers(-(2**63), 2**63), st.booleans(), st.none(),
    st.sampled_from(["", " ", "abc", "1,234.5", "(300)", "12%", "nan", "inf", "-Infinity",
                     "1e999", "=1+1", "@SUM(A1)", "\x00", "a\x01b", "مشروع", "🚀", "x" * 32767,
                     "2026-01-15", "Jan-2026", "15/01/2026", "0000011", "Mon-Fri", "CPI",
                     "WEIGHTED", "HOLT", "LINEAR", "RUNRATE", "PLAN", "BELL", "FRONT", "TRUE",
                     "FALSE", *ERROR_TEXTS, "#SPILL!", "#CALC!"]),
    st.sampled_from(list(XLError)),
    st.sampled_from([{"type": "Error", "basicValue": "#DIV/0!"}, {"type": "Error"},
                     {"type": "Double", "basicValue": 1}, {}]),
    st.sampled_from([dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59),
                     dt.datetime(2026, 2, 28), dt.date(2026, 1, 1), dt.time(12, 30),
                     dt.timedelta(days=3), pd.NaT, pd.Timestamp("2262-04-11"),
                     np.datetime64("NaT"), np.float64("nan"), np.int64(5), np.float32(1e38),
                     Decimal("1e400"), Decimal("NaN"), complex(1, 2), b"bytes", object()]),
)
rows_of = st.lists(st.lists(scalars, min_size=0, max_size=5), min_size=0, max_size=6)
arrays = st.one_of(
    st.lists(scalars, max_size=8),
    rows_of,  # ragged ranges included
    st.lists(st.lists(scalars, min_size=3, max_size=3), min_size=1, max_size=5),
    st.builds(lambda xs: np.array(xs, dtype=object), st.lists(scalars, max_size=5)),
    st.just([]), st.just([[]]), st.just([[[1, 2]], [[3]]]),
)


@st.composite
def table_arg(draw: st.DrawFn, name: str) -> list[list[Any]]:
    """A range with a header row: a contract table's columns (some missing, some renamed),
    then hostile rows."""
    header: list[Any] = list(tables.spec(name).column_names)
    header = draw(st.permutations(header))
    if draw(st.booleans()) and len(header) > 1:
        header = header[: draw(st.integers(1, len(header)))]
    if draw(st.booleans()):
        header.append(draw(scalars))
    rows = draw(st.lists(st.lists(scalars, min_size=len(header), max_size=len(header)),
                         max_size=5))
    return [header, *rows]


TABLE_PARAMS = {
    "projects": "tblProjects", "plan": "tblPlan", "actuals": "tblActuals",
    "progress": "tblProgress", "forecast": "tblForecast", "resources": "tblResources",
    "timesheets": "tblTimesheets", "allocations": "tblAllocations",
    "holidays": "tblHolidays", "config": "tblConfig",
}


def argument(name: str) -> st.SearchStrategy[Any]:
    options = [scalars, arrays]
    if name in TABLE_PARAMS:
        options.append(table_arg(TABLE_PARAMS[name]))
    return st.one_of(*options)


class Hang(BaseException):
    """Raised by the alarm: a BaseException, so no ``except Exception`` can swallow it."""


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def fire(_signum: int, _frame: Any) -> None:
        raise Hang(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def worksheet_value(value: Any, depth: int = 0) -> bool:
    """True when ``value`` is what a cell (or a spilled range of cells) can show."""
    if isinstance(value, list):
        return depth < 2 and all(worksheet_value(v, depth + 1) for v in value)
    if value is None or isinstance(value, (bool, int, dt.datetime)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str)  # text, or an Excel error as its text


FUNCTIONS = [name for name in pmo.__all__]


def test_the_catalogue_is_all_here() -> None:
    assert len(FUNCTIONS) == 37
    assert all(callable(getattr(pmo, n)) for n in FUNCTIONS)


@pytest.mark.parametrize("name", FUNCTIONS)
@settings(max_examples=max(10, settings.default.max_examples // 2), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_function_survives_hostile_arguments(name: str, data: st.DataObject) -> None:
    func = getattr(pmo, name)
    params = list(inspect.signature(func).parameters.values())
    args: list[Any] = []
    for p in params:
        optional = p.default is not inspect.Parameter.empty
        if optional and data.draw(st.booleans(), label=f"omit {p.name}"):
            break  # trailing optional arguments left out, as in a formula
        args.append(data.draw(argument(p.name), label=p.name))
    with time_limit(SECONDS):
        result = func(*args)
    assert worksheet_value(result), f"{name}{tuple(args)!r:.300} -> {result!r:.300}"


@pytest.mark.parametrize(("name", "args"), [
    ("SCURVE", (100, 10**7)), ("FORECAST", ([1, 2, 3], 10**9)),
    ("FORECASTRANGE", ([1, 2, 3], 10**9)), ("SCURVE", (100, 1e308)),
    ("FORECAST", ([1, 2, 3], float("inf"))), ("PERIODS", (1, 2958465)),
    ("WORKDAYS", (1, 2958465)), ("CAPACITY", ("1900-01", 1e308)),
])
def test_huge_counts_answer_at_once(name: str, args: tuple) -> None:
    """A typo such as ten million periods is an error at once, not minutes of work (a
    result cannot spill past the sheet's 1,048,576 rows anyway)."""
    with time_limit(10):
        result = getattr(pmo, name)(*args)
    assert worksheet_value(result)
    if name in ("SCURVE", "FORECAST", "FORECASTRANGE"):
        assert result == "#NUM!"
