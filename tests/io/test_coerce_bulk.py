"""Bulk paths of the coercion give what the column-by-column paths give.

- ``TableCells.classify_numbers`` (the month columns of a wide table in one pass) against
  ``_classify`` of each column;
- ``periods.wide_to_long`` on numeric columns (no ``to_numeric`` pass) against text and
  object columns of the same numbers.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from xlpmo.contract import periods
from xlpmo.io import values
from xlpmo.io.coerce import coerce_inputs
from xlpmo.io.raw import RawTable
from xlpmo.io.values import Report, TableCells

NUMERIC = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                    st.integers(-10**6, 10**6))
ANY = st.one_of(NUMERIC, st.sampled_from(["", " ", "12", "x", "#N/A", True, False]),
                st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2030, 1, 1)))


@st.composite
def blocks(draw: st.DrawFn) -> list[list]:
    rows, width = draw(st.integers(1, 8)), draw(st.integers(2, 6))
    cell = draw(st.sampled_from([NUMERIC, NUMERIC, ANY]))  # mostly numbers and blanks
    return [[f"P{i}", *draw(st.lists(cell, min_size=width, max_size=width))]
            for i in range(rows)]


def raw_of(rows: list[list]) -> RawTable:
    header = ["ProjectID", *(f"2026-{m:02d}" for m in range(1, len(rows[0])))]
    return RawTable.from_values([header, *rows], "Plan!A1", "tblPlan", is_listobject=True)


@settings(max_examples=300, deadline=None)
@given(blocks())
def test_classify_numbers_matches_classify_per_column(rows):
    raw = raw_of(rows)
    cols = list(range(1, raw.data.shape[1]))
    bulk, single = TableCells(raw, Report()), TableCells(raw, Report())
    bulk.classify_numbers(cols)
    for j in cols:
        a, b = bulk.kinds(j), single.kinds(j)
        for name in a.__dataclass_fields__:
            assert np.array_equal(getattr(a, name), getattr(b, name)), (j, name)
            assert getattr(a, name).dtype == getattr(b, name).dtype


@settings(max_examples=150, deadline=None)
@given(blocks())
def test_wide_plan_reads_the_same_with_and_without_the_bulk_paths(rows):
    """The whole coercion of a wide tblPlan: frames, row sources and findings."""
    raw = raw_of(rows)
    inputs, findings = coerce_inputs({"tblPlan": raw})
    original = values.TableCells.classify_numbers
    try:
        values.TableCells.classify_numbers = lambda self, cols: None
        ref_inputs, ref_findings = coerce_inputs({"tblPlan": raw_of(rows)})
    finally:
        values.TableCells.classify_numbers = original
    pd.testing.assert_frame_equal(inputs.plan, ref_inputs.plan)
    assert findings == ref_findings
    a, b = inputs.sources["tblPlan"], ref_inputs.sources["tblPlan"]
    assert np.array_equal(a.rows, b.rows) and np.array_equal(a.amount_cols, b.amount_cols)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.one_of(st.floats(allow_nan=True), st.integers(-99, 99),
                                   st.booleans()), min_size=3, max_size=3),
                min_size=1, max_size=6))
def test_wide_to_long_of_numeric_columns_equals_the_to_numeric_pass(values):
    months = [pd.Timestamp(2026, m, 1) for m in (1, 2, 3)]
    numeric = pd.DataFrame(values, columns=["a", "b", "c"])
    numeric.insert(0, "ProjectID", [f"P{i}" for i in range(len(values))])
    as_object = numeric.astype({c: object for c in "abc"})  # the to_numeric path
    period_of = dict(zip("abc", months, strict=True))
    for frame in (numeric, numeric.astype({c: float for c in "abc"})):
        got = periods.wide_to_long(frame, "Planned", ["ProjectID"], period_of)
        ref = periods.wide_to_long(as_object, "Planned", ["ProjectID"], period_of)
        pd.testing.assert_frame_equal(got, ref)
