"""The pure rules behind "nothing lost around the outputs" (issue #11): matching rows by key
(:mod:`xlpmo.io.keyed`), moving formulas with their row (:mod:`xlpmo.io.ooxml.formula`,
checked against openpyxl's formula translator), re-applying filters and sorts
(:mod:`xlpmo.io.refilter`, expected values worked out by hand from Excel's rules)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlpmo.errors import XLError
from xlpmo.io.keyed import carry, keep_user_columns, key_of, match_rows, orphan_check_rows
from xlpmo.io.ooxml.formula import shift_formula
from xlpmo.io.refilter import (
    Custom,
    DateGroup,
    SortKey,
    Unsupported,
    ValueList,
    keeps,
    sort_order,
)

# -- keys -------------------------------------------------------------------------------------

_keys = st.lists(st.tuples(st.sampled_from(["P1", "P2", "P3", "P4"]),
                           st.sampled_from([1.0, 2.0])), max_size=12)


@given(old=_keys, new=_keys)
def test_each_new_row_takes_an_old_row_with_its_key_k_th_to_k_th(old, new) -> None:
    source = match_rows(old, new)
    taken = [j for j in source if j is not None]
    assert len(taken) == len(set(taken))  # an old row goes to one new row at most
    for i, j in enumerate(source):
        if j is not None:
            assert old[j] == new[i]
            # the k-th new row of a key takes the k-th old row of that key
            k = sum(1 for x in new[:i] if x == new[i])
            assert j == [n for n, x in enumerate(old) if x == new[i]][k]
    matched = Counter(old) & Counter(new)
    assert len(taken) == sum(matched.values())
    gone = carry(old, new).gone
    assert sorted(gone + taken) == list(range(len(old)))


def test_keys_compare_as_values() -> None:
    """A month read back from a cell (datetime, a serial number in a cell that lost its
    format, ISO text from Office.js) equals the month the core computed."""
    month = pd.Timestamp("2026-03-01")
    assert key_of(["P1", dt.datetime(2026, 3, 1)], [False, True]) == ("P1", month)
    assert key_of(["P1", 46082.0], [False, True]) == ("P1", month)  # 1 Mar 2026 serial
    assert key_of(["P1", "2026-03-01T00:00:00.000Z"], [False, True]) == ("P1", month)
    assert key_of([float("nan")]) == key_of([None]) == key_of([""]) == (None,)
    assert key_of([XLError.NA]) == ("#N/A",) and key_of([3]) == key_of([3.0])


def test_keep_user_columns_on_grids() -> None:
    old = [["ProjectID", "CPI", "Comment", "Flag"],
           ["P1", 1.0, "a", "=[@CPI]>1"], ["P2", 0.9, "b", "=[@CPI]>1"],
           ["P3", 1.0, "c", "=[@CPI]>1"]]
    new = [["ProjectID", "CPI", "SPI"], ["P0", 1, 2], ["P1", 2, 3], ["P3", 3, 4]]
    kept = keep_user_columns("tblEVM", old, new, ["ProjectID"],
                             lambda j, c: f"Dashboard!R{j + 2}C{c + 1}")
    assert kept.header == ["ProjectID", "CPI", "Comment", "Flag", "SPI"]
    assert kept.rows == [["P0", 1, None, "=[@CPI]>1", 2], ["P1", 2, "a", "=[@CPI]>1", 3],
                         ["P3", 3, "c", "=[@CPI]>1", 4]]  # Flag: a calculated column
    [note] = kept.notes
    assert (note.column, note.where, note.key, note.text) == (
        "Comment", "Dashboard!R3C3", "ProjectID P2", "b")
    # without the key column the rows are matched by position (ProjectID is then a column
    # the refresh does not write), and what the third row held is reported
    kept = keep_user_columns("tblX", old, [["CPI"], [5], [6]], ["ProjectID"],
                             lambda j, c: f"R{j}C{c}")
    assert [r[2] for r in kept.rows] == ["a", "b"]
    assert [(n.where, n.text) for n in kept.notes] == [("R2C0", "P3"), ("R2C2", "c")]


def test_orphan_rows_keep_the_whole_text() -> None:
    from xlpmo.io.keyed import OrphanNote

    note = OrphanNote("tblEVM", "Comment", "Dashboard!Z7", "ProjectID P9", "x" * 40_000)
    rows = orphan_check_rows([note])
    assert len(rows) == 2 and all(len(r["Message"]) <= 32_767 for r in rows)
    assert "".join(r["Message"].split(" of 2) ", 1)[1] for r in rows) == "x" * 40_000


# -- formulas move with their row ---------------------------------------------------------------

_col = st.sampled_from(["A", "B", "C", "Z", "AA", "XF"])
_row = st.integers(5, 5000)


@st.composite
def _ref(draw: st.DrawFn) -> str:
    cell = f"{draw(st.sampled_from(['', '$']))}{draw(_col)}{draw(st.sampled_from(['', '$']))}"
    cell += str(draw(_row))
    kind = draw(st.sampled_from(["cell", "range", "sheet", "quoted", "rows", "cols"]))
    if kind == "range":
        return f"{cell}:{draw(_col)}{draw(_row)}"
    if kind == "sheet":
        return f"Data!{cell}"
    if kind == "quoted":
        return f"'My data'!{cell}"
    if kind == "rows":
        a = draw(_row)
        return f"{a}:{a + draw(st.integers(0, 9))}"
    if kind == "cols":
        return f"{draw(_col)}:{draw(_col)}"
    return cell


_piece = st.one_of(_ref(), st.sampled_from([
    '"A1 stays text"', "[@CPI]", "tblEVM[[#This Row],[CPI]]", "0.9", "TRUE", "1E5"]))


@given(pieces=st.lists(_piece, min_size=1, max_size=5),
       ops=st.lists(st.sampled_from(["+", "*", "&", ",", "<"]), min_size=4, max_size=4),
       func=st.sampled_from(["", "SUM", "IF", "LOG10"]), delta=st.integers(-4, 60))
def test_formulas_move_as_excel_moves_them(pieces, ops, func, delta) -> None:
    from openpyxl.formula.translate import Translator

    body = pieces[0] + "".join(op + p for op, p in zip(ops, pieces[1:], strict=False))
    formula = f"{func}({body})" if func else body
    expected = Translator("=" + formula, origin="C100").translate_formula(
        row_delta=delta, col_delta=0)[1:]
    assert shift_formula(formula, delta) == expected


def test_a_reference_pushed_off_the_sheet_is_ref_error() -> None:
    assert shift_formula("B3*2+$B$1", -3) == "#REF!*2+$B$1"
    assert shift_formula("B2", 2, 1) == "C4"  # a shared formula's cell: columns too


# -- filters and sorts ----------------------------------------------------------------------------


@pytest.mark.parametrize("value, code, shown", [
    (1234.5, "#,##0", "1,235"),                # half rounds up, as Excel
    (1234.4, "#,##0", "1,234"),
    (-1234.0, "#,##0;[Red]-#,##0", "-1,234"),  # the template's money format
    (-1234.0, "#,##0;(#,##0)", "(1,234)"),
    (0.125, "0.0%", "12.5%"),
    (-0.125, "0.0%", "-12.5%"),
    (2.0, "0.00", "2.00"),
    (1 / 3, "General", "0.333333333333333"),
    (5.0, '"EUR" #,##0', "EUR 5"),
])
def test_a_number_matches_the_text_excel_shows(value, code, shown) -> None:
    assert keeps([(value, code)], ValueList((shown,))) == [True]
    assert keeps([(value + 1, code)], ValueList((shown,))) == [False]


def test_formats_that_cannot_be_worked_out_are_unsupported() -> None:
    for code in ("0.00E+00", "# ?/?", "[>100]0;0", "0.0,,"):
        with pytest.raises(Unsupported):
            keeps([(1.0, code)], ValueList(("1",)))


def test_value_lists_blanks_errors_and_dates() -> None:
    cells = [("Red", ""), (None, ""), (XLError.NA, ""), (True, ""),
             (pd.Timestamp("2026-02-01"), "mmm yyyy"), (pd.Timestamp("2025-02-01"), "")]
    crit = ValueList(("red", "#N/A", "TRUE"), blank=True,
                     dates=(DateGroup("month", 2026, 2),))
    assert keeps(cells, crit) == [True, True, True, True, True, False]


def test_custom_filters_wildcards_and_non_blanks() -> None:
    cells = [("Amber", ""), ("Red*", ""), (None, ""), (3.0, "")]
    assert keeps(cells, Custom((("equal", "R*~*"),))) == [False, True, False, False]
    assert keeps(cells, Custom((("equal", "?mber"),))) == [True, False, False, False]
    assert keeps(cells, Custom((("notEqual", " "),))) == [True, True, False, True]
    assert keeps(cells, Custom((("greaterThan", "2"), ("lessThan", "4")), all=True)) == \
        [False, False, False, True]


def test_sort_order_is_excels() -> None:
    """Ascending: numbers (dates too), text ignoring case, FALSE, TRUE, errors; blanks
    last both ways; equal rows keep their order."""
    values = [None, "b", 2.0, True, XLError.DIV0, "A", False, pd.Timestamp("1900-01-05"),
              "a", 1.0]
    up = sort_order([values], [SortKey(0)])
    assert [values[i] for i in up] == [1.0, 2.0, pd.Timestamp("1900-01-05"), "A", "a", "b",
                                       False, True, XLError.DIV0, None]
    down = sort_order([values], [SortKey(0, descending=True)])
    assert [values[i] for i in down] == [XLError.DIV0, True, False, "b", "A", "a",
                                         pd.Timestamp("1900-01-05"), 2.0, 1.0, None]


@given(st.lists(st.one_of(st.none(), st.integers(0, 3).map(float), st.sampled_from("xyz")),
                max_size=15), st.booleans())
def test_sort_is_a_stable_permutation_with_blanks_last(values, descending) -> None:
    order = sort_order([values], [SortKey(0, descending)])
    assert sorted(order) == list(range(len(values)))
    blanks = [i for i in order if values[i] is None]
    assert order[len(order) - len(blanks):] == sorted(blanks)  # last, in their order
    for a, b in itertools.pairwise(order):
        if values[a] == values[b]:
            assert a < b
