"""The bulk (array) paths of :mod:`xlpmo.excel.args` give exactly what cell-by-cell
conversion gives: table arguments (:func:`xa.table`, :func:`xa.table_array`) and results
(:func:`xa.to_excel` of rows and DataFrames).

The references below convert one cell at a time with the single-value functions
(:func:`xa.is_blank`, :func:`xa.to_excel` of a scalar), as excelargs did before the bulk
paths; values are compared with their types (1 is not 1.0 is not True)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xlpmo.excel.args as xa
from xlpmo.errors import XLError


def ref_table(value: Any) -> list[list[Any]]:
    dims = xa.shape(value)
    if dims is None:
        raise xa.ArgError(XLError.VALUE)
    rows = [list(r) for r in value] if dims[1] else [list(value)]
    return [[None if xa.is_blank(c) else c for c in row] for row in rows]


def ref_to_excel(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [ref_to_excel(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return ref_to_excel(xa.frame_rows(value))
    return xa.to_excel(value)  # a single value: the unchanged scalar conversion


def same(a: Any, b: Any) -> bool:
    """Equal values of the same type (NaN equals NaN, an array cell compared as a list)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return type(a) is type(b) and same(a.tolist(), b.tolist())
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if a is pd.NaT or b is pd.NaT:
        return a is b
    if isinstance(a, np.datetime64) and np.isnat(a):
        return bool(np.isnat(b))
    if isinstance(a, (float, np.floating)) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, float) and a == 0:
        return math.copysign(1, a) == math.copysign(1, b)
    return bool(a == b)


#: what a cell can hold from Office.js, COM, plain Python or a core result
CELLS = st.one_of(
    st.none(), st.just(""), st.text(max_size=4), st.sampled_from(["#N/A", " #div/0! ", "x "]),
    st.floats(allow_nan=True, allow_infinity=True), st.just(-0.0),
    st.integers(-2**40, 2**40), st.just(xa.COM_MISSING), st.just(float(xa.COM_MISSING)),
    st.booleans(), st.sampled_from(list(XLError)),
    st.builds(np.float64, st.floats(allow_nan=True)), st.builds(np.int64, st.just(xa.COM_MISSING)),
    st.builds(np.int64, st.integers(-1000, 1000)), st.just(np.bool_(True)), st.just(np.str_("")),
    st.just(pd.NaT), st.just(np.datetime64("NaT")), st.just(np.datetime64("2026-03-01")),
    st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2100, 1, 1)),
    st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1)),
    st.builds(pd.Timestamp, st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2100, 1, 1))),
    st.just({"type": "Error", "basicValue": "#REF!"}),
    st.lists(st.integers(0, 3), max_size=2),  # a list inside a cell stays one cell
)


@st.composite
def ranges(draw: st.DrawFn) -> Any:
    """Lists of rows (mostly rectangular), tuples of rows, flat lists, ragged or empty."""
    kind = draw(st.sampled_from(["rows", "rows", "rows", "tuples", "flat", "ragged", "empty"]))
    if kind == "empty":
        return draw(st.sampled_from([[], [[]], [[], []]]))
    if kind == "flat":
        return draw(st.lists(CELLS, min_size=1, max_size=6))
    width = draw(st.integers(1, 5))
    rows = draw(st.lists(st.lists(CELLS, min_size=width, max_size=width), min_size=1,
                         max_size=6))
    if kind == "ragged" and len(rows) > 1:
        rows[-1] = rows[-1][:-1] if width > 1 else rows[-1] + [None]
    if kind == "tuples":
        return tuple(tuple(r) for r in rows)
    return rows


@settings(max_examples=400, deadline=None)
@given(ranges())
def test_table_matches_cell_by_cell(value):
    try:
        expected = ref_table(value)
    except xa.ArgError as exc:
        with pytest.raises(xa.ArgError) as got:
            xa.table(value)
        assert got.value.error == exc.error
        return
    got = xa.table(value)
    assert same(got, expected)
    arr = xa.table_array(value)
    assert arr.dtype == object and arr.ndim == 2
    assert same(arr.tolist(), expected)


@settings(max_examples=400, deadline=None)
@given(ranges())
def test_to_excel_of_rows_matches_cell_by_cell(value):
    assert same(xa.to_excel(value), ref_to_excel(value))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(allow_nan=True, allow_infinity=True),
                          st.sampled_from([1.5, XLError.DIV0, XLError.NA, np.nan, None]),
                          st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2050, 1, 1)),
                          st.booleans(), st.integers(-5, 5), st.text(max_size=3)),
                max_size=8),
       st.booleans())
def test_to_excel_of_a_table_result_matches_cell_by_cell(rows, header):
    frame = pd.DataFrame(rows, columns=["F", "Obj", "Date", "Flag", "Int", "Text"])
    frame.loc[frame.index[::3], "Date"] = pd.NaT
    assert same(xa.to_excel(frame), ref_to_excel(frame))
    assert same(xa.to_excel(xa.frame_rows(frame, header)),
                ref_to_excel(xa.frame_rows(frame, header)))


def test_bulk_conversion_examples():
    """Hand-checked cells: blanks (incl. COM's omitted argument as int, not as float) and
    result cells (NaN -> #N/A, inf -> #NUM!, errors -> text, Timestamps -> datetime)."""
    table = xa.table([["A", "B", "C"], ["", np.nan, xa.COM_MISSING],
                      [float(xa.COM_MISSING), pd.NaT, "x"]])
    assert table == [["A", "B", "C"], [None, None, None], [float(xa.COM_MISSING), None, "x"]]
    rows = xa.to_excel([[1.0, np.nan, -np.inf], [XLError.DIV0, pd.Timestamp("2026-01-31"), 3]])
    assert rows == [[1.0, "#N/A", "#NUM!"], ["#DIV/0!", dt.datetime(2026, 1, 31), 3]]
    assert type(rows[1][2]) is int and type(rows[0][0]) is float


def test_a_dataframe_table_keeps_its_cells_and_tuple_headers():
    frame = pd.DataFrame([[1, ""]], columns=[("a", 1), "B"])
    assert xa.table(frame) == [[("a", 1), "B"], [1, ""]]


@settings(max_examples=300, deadline=None)
@given(ranges())
def test_raw_table_cleaned_once_reads_the_same(value):
    """``table_array(clean=False)`` leaves blanks to RawTable's own cleaning: the table the
    functions read is the one read from the fully cleaned rows."""
    from xlpmo.io.raw import RawTable

    try:
        full = xa.table_array(value)
    except xa.ArgError:
        with pytest.raises(xa.ArgError):
            xa.table_array(value, clean=False)
        return
    half = xa.table_array(value, clean=False)
    try:
        expected = RawTable.from_values(full, "Plan!A1", "tblPlan")
    except Exception as exc:  # the same refusal either way
        with pytest.raises(type(exc)):
            RawTable.from_values(half, "Plan!A1", "tblPlan")
        return
    got = RawTable.from_values(half, "Plan!A1", "tblPlan")
    assert got.header == expected.header
    assert same(got.data.tolist(), expected.data.tolist())
