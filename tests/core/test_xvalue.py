"""The core's one error model (xlpmo.core.xvalue): codes, Excel's leftmost-error rule, and the
bridges to the XLError cells of tables (expected values from Excel's rules, by hand)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlpmo.core.arith import divide, error_codes, with_errors
from xlpmo.core.rag import rag_variance
from xlpmo.core.variance import variance, variance_pct
from xlpmo.core.xvalue import DIV0, NA, NUM, OK, XValue, codes_of, errors_of, first_error
from xlpmo.errors import XLError

ERRORS = list(XLError)


def test_codes_and_errors_convert_both_ways_for_every_error() -> None:
    cells = np.array([*ERRORS, None, 1.5, "#N/A", "text"], dtype=object)
    codes = codes_of(cells)
    assert codes.dtype == np.int8
    assert (codes[: len(ERRORS)] != OK).all() and len(set(codes[: len(ERRORS)])) == len(ERRORS)
    assert codes[len(ERRORS):].tolist() == [OK] * 4  # an error's text is not a member
    assert errors_of(codes).tolist() == [*ERRORS, None, None, None, None]
    assert codes_of([]).shape == (0,)
    assert codes_of([[XLError.NA, 1], [2, XLError.DIV0]]).tolist() == [[NA, OK], [OK, DIV0]]


def _oracle(*cells):
    """Excel: the leftmost error of the operands, else none."""
    return next((c for c in cells if isinstance(c, XLError)), None)


cell = st.one_of(st.sampled_from(ERRORS), st.none(), st.integers(-9, 9).map(float))


@given(st.lists(st.tuples(cell, cell, cell), min_size=1, max_size=20))
def test_first_error_is_the_leftmost_operand_error(rows) -> None:
    a, b, c = (np.array(col, dtype=object) for col in zip(*rows, strict=True))
    got = errors_of(first_error(codes_of(a), codes_of(b), codes_of(c)))
    assert got.tolist() == [_oracle(*r) for r in rows]


def test_xvalue_operators_take_the_left_operands_error() -> None:
    left = XValue.of([XLError.NA, 1.0, XLError.REF])
    right = XValue.of([XLError.DIV0, XLError.NUM, 2.0])
    assert (left - right).objects().tolist() == [XLError.NA, XLError.NUM, XLError.REF]
    assert (right / left).objects().tolist() == [XLError.DIV0, XLError.NUM, XLError.REF]


@given(st.lists(st.tuples(cell, cell), min_size=1, max_size=20))
def test_variance_passes_on_the_leftmost_error_and_blank_is_missing(rows) -> None:
    planned, actual = (list(col) for col in zip(*rows, strict=True))
    got = variance(planned, actual).tolist()
    got_pct = variance_pct(planned, actual).tolist()
    for (p, a), v, pct in zip(rows, got, got_pct, strict=True):
        err = _oracle(p, a)
        if err is not None:
            assert v is err and pct is err
        elif p is None or a is None:
            assert v is XLError.NA and pct is XLError.NA
        else:
            assert v == pytest.approx(p - a)
            assert pct is XLError.DIV0 if p == 0 else pct == pytest.approx((p - a) / p)


def test_division_errors_are_codes_and_missing_wins_over_zero() -> None:
    num = np.array([1.0, 1.0, np.nan, np.nan, 6.0])
    den = np.array([0.0, 2.0, 0.0, 3.0, np.nan])
    assert error_codes(num, den).tolist() == [DIV0, OK, NA, NA, NA]
    assert divide(num, den).tolist() == [XLError.DIV0, 0.5, XLError.NA, XLError.NA, XLError.NA]


def test_with_errors_takes_codes_or_members_alike() -> None:
    values = np.array([1.0, np.nan, 3.0, 4.0])
    members = np.array([None, None, XLError.REF, None], dtype=object)
    codes = codes_of(members)
    expected = [1.0, XLError.NA, XLError.REF, 4.0]
    assert with_errors(values, members).tolist() == expected
    assert with_errors(values, codes).tolist() == expected
    assert with_errors(np.array([]), np.array([], dtype=np.int8)).tolist() == []


def test_rag_passes_every_error_on_and_colours_the_rest() -> None:
    values = np.array([XLError.REF, -0.2, XLError.NUM, np.nan, 0.01], dtype=object)
    got = rag_variance(values, 0.05, 0.10).tolist()
    assert got == [XLError.REF, "Red", XLError.NUM, XLError.NA, "Green"]


def test_an_overflow_is_num_and_passes_on_as_excels_does() -> None:
    """Excel: =1E308+1E308 is #NUM!, =1E308/1E-10 is #NUM!, and a formula using either is
    #NUM! too; the largest double is about 1.8E308."""
    big = XValue.of(np.array([1e308, 1e308, 5.0]))
    total = big + np.array([1e308, -1e308, 1.0])
    assert total.err.tolist() == [NUM, OK, OK] and total.val[1:].tolist() == [0.0, 6.0]
    assert (big / np.array([1e-10, 2.0, 2.0])).err.tolist() == [NUM, OK, OK]
    assert (big * 10.0).err.tolist() == [NUM, NUM, OK]
    # a sum that overflowed before it got here (numpy's inf) is #NUM!, never a number
    inf_in = XValue.of(np.array([np.inf, -np.inf, np.nan, 2.0]))
    assert inf_in.err.tolist() == [NUM, NUM, NA, OK]
    assert XValue.of([float("inf"), 1.0]).err.tolist() == [NUM, OK]
    assert (XValue.of(5.0) / inf_in).err.tolist() == [NUM, NUM, NA, OK]  # not 5/inf = 0
    assert error_codes([5.0, np.inf], [np.inf, 2.0]).tolist() == [NUM, NUM]
    assert with_errors([np.inf, -np.inf, 1.0], [OK, OK, OK]).tolist() == [
        XLError.NUM, XLError.NUM, 1.0]
