"""validate._ids (blank keys of 500,000-row tables) gives what the per-row check gave."""

from __future__ import annotations

import decimal

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from xlpmo.errors import XLError
from xlpmo.io.validate import _ids


def per_row(values) -> np.ndarray:
    """The check as it was: NaN/None/NaT, or text of white space only."""
    arr = np.asarray(values, dtype=object).copy()
    if len(arr):
        blank = pd.isna(arr) | np.array([isinstance(v, str) and not v.strip() for v in arr],
                                        dtype=bool)
        arr[blank] = None
    return arr


KEYS = st.one_of(
    st.none(), st.just(np.nan), st.just(pd.NaT), st.just(pd.NA), st.just(""),
    st.sampled_from([" ", "\t", "\u00a0", " P1 ", "P1", "p1", "R00001"]), st.text(max_size=3),
    st.integers(-3, 3), st.floats(allow_nan=True), st.booleans(), st.sampled_from(list(XLError)),
    st.just(np.str_(" ")), st.just(decimal.Decimal("NaN")), st.just(["a list"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(KEYS, max_size=12))
def test_ids_match_the_per_row_check(values):
    column = np.empty(len(values), dtype=object)  # a frame column, as validate reads it
    for i, v in enumerate(values):
        column[i] = v
    got, expected = _ids(column), per_row(column)
    assert got.dtype == object and len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        assert a is b or ((a is None) == (b is None) and (a is b or a == b or a != a))


def test_ids_examples():
    assert _ids(["P1", " ", None, np.nan, "P1", "\t\n", 3]).tolist() == [
        "P1", None, None, None, "P1", None, 3]
