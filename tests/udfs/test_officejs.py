"""The JSON book of xlwings Lite / Office.js read and written by column (issue #16) gives
exactly what xlwings' per-cell ``Range.value`` gives: the reads (blank, ISO dates, error
texts, numbers keeping their type) and the writes (every dtype the core returns, split in
blocks within xlwings' cell budget per write), checked against xlwings itself in the
server child; and the output tables without user columns are laid out as
:func:`xlpmo.io.keyed.keep_user_columns` lays them out without reading their old rows.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from helpers.officejs_probes import tricky_sheet_values
from helpers.xlwings_server import VERSION, run_server, table_entry
from hypothesis import given
from hypothesis import strategies as st
from xlpmo_udfs.book import frame_cells
from xlpmo_udfs.keep import _owned_only
from xlpmo_udfs.officejs import convert_texts

from xlpmo.io.keyed import keep_user_columns

pytest.importorskip("xlwings")


def payload(values: list[list]) -> dict:
    sheet = {"name": "Sheet1", "values": values, "pictures": [], "shapes": [], "charts": [],
             "notes": [], "tables": [table_entry("tblX", 1, 1, len(values), len(values[0]))],
             "pivot_tables": [], "show_gridlines": True, "visibility": "Visible",
             "print_area": None}
    return {"client": "Office.js", "version": VERSION,
            "book": {"name": "Book.xlsx", "active_sheet_index": 0, "selection": "A1"},
            "names": [], "sheets": [sheet]}


def test_reads_are_xlwings_reads_cell_for_cell() -> None:
    values = tricky_sheet_values()
    ranges = [(1, 1, 7, 5), (2, 2, 7, 3), (5, 4, 9, 7), (8, 1, 9, 2), (1, 6, 3, 8)]
    [result] = run_server([{"kind": "probe", "name": "reads", "payload": payload(values),
                            "ranges": ranges}])
    for (r1, c1, r2, c2), got in zip(ranges, result["ranges"], strict=True):
        assert len(got["ours"]) == r2 - r1 + 1 and len(got["ours"][0]) == c2 - c1 + 1
        assert got["ours"] == got["xlwings"], (r1, c1, r2, c2)
    first = result["ranges"][0]["ours"]
    assert first[1][1] == ["datetime", "datetime.datetime(2026, 1, 31, 0, 0)"]
    assert first[2][4] == ["XLError", "<XLError.NA: '#N/A'>"]  # error text
    assert first[3][4] == ["XLError", "<XLError.NA: '#N/A'>"]  # " #n/a " as XLError.parse
    assert first[4][4] == ["str", "'#SPILL!'"] and first[3][1] == ["str", "'2026-03-31'"]
    assert first[1][2] == ["int", "1"] and first[2][2] == ["float", "1.0"]  # types kept
    assert first[1][3] == ["bool", "True"] and first[1][4] == ["NoneType", "None"]


@pytest.mark.parametrize("rows", [40, 16_000])
def test_writes_are_xlwings_writes_action_for_action(rows: int) -> None:
    # 16,000 rows x 7 columns pass xlwings' cell budget per write: the same blocks
    [result] = run_server([{"kind": "probe", "name": "writes", "rows": rows,
                            "payload": payload([["a"]])}])
    assert result["ours"] == result["xlwings"]
    values = [v for a in result["ours"] if a["func"] == "setValues" for v in a["values"]]
    assert len(values) == rows + 1
    if rows > 1000:
        assert len([a for a in result["ours"] if a["func"] == "setValues"]) > 1
    assert values[0] == ["ProjectID", "Period", "Amount", "Count", "Over", "Mixed", "'=Header"]
    assert values[1][:5] == ["P000", "2026-01-31", "#N/A", 0, True]
    assert values[6][1] == "2026-02-03 04:05:06"  # row 5: a time of day
    assert values[4][1] == ""  # NaT: blank
    mixed = [r[5] for r in values[1:18]]
    assert mixed == [1.5, "#N/A", "#DIV/0!", "#N/A", "'=cmd", "'0042", "plain", "",
                     "2026-03-31", "#N/A", 2.25, 7, "=[@CPI]*2", "'TRUE", "", "",
                     "2026-04-01 08:30:00"]


# -- each distinct text converted once, nothing else touched ------------------------------------

cells = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True),
                  st.sampled_from(["", "a", "b", "1", "True", "#N/A", "x y"]))


@given(st.lists(cells, max_size=40))
def test_convert_texts_is_the_per_cell_rule(values: list) -> None:
    column = np.empty(len(values), dtype=object)
    column[:] = values
    calls: list[str] = []

    def rule(text: str) -> object:
        calls.append(text)
        return None if text == "" else text.upper()

    convert_texts(column, rule)
    for got, v in zip(column, values, strict=True):
        if isinstance(v, str):
            assert got == rule(v)
        elif v is None or (isinstance(v, float) and math.isnan(v)):
            assert got is None
        else:
            assert got is v  # 1, True and 1.0 keep their own type and object
    texts = [v for v in values if isinstance(v, str)]
    assert sorted(calls[: len(set(texts))]) == sorted(set(texts))  # once per distinct text


# -- output tables without user columns: the old rows are not needed ----------------------------

NEW = ["ProjectID", "CPI", "SPI", "RAG"]


@given(st.permutations(NEW), st.integers(0, 4),
       st.lists(st.sampled_from(["", " ", "U", "l"]), min_size=4, max_size=4),
       st.integers(0, 3))
def test_owned_only_lays_out_as_keep_user_columns(order: list[str], keep: int,
                                                  spacing: list[str], n_rows: int) -> None:
    # the table's header: some of the columns, in its own order, case and spacing
    header = [{"": h, " ": f" {h} ", "U": h.upper(), "l": h.lower()}[s]
              for h, s in zip(order[:keep], spacing, strict=False)]
    frame = pd.DataFrame({"ProjectID": [f"P{i}" for i in range(n_rows)],
                          "CPI": [1.0 + i for i in range(n_rows)],
                          "SPI": [np.nan] * n_rows, "RAG": ["Green"] * n_rows})
    old = [header, *[[f"old{i}"] * len(header) for i in range(2)]]
    kept = keep_user_columns("tblEVM", old, frame_cells(frame), ["ProjectID"],
                             lambda r, c: f"Dashboard!A{r}")
    laid = _owned_only(header, frame)
    assert laid is not None and not kept.user_columns and not kept.notes
    assert frame_cells(laid)[0] == kept.header
    assert [list(map(str, r)) for r in frame_cells(laid)[1:]] == \
        [list(map(str, r)) for r in kept.rows]  # str: NaN is not equal to itself


def test_owned_only_gives_way_to_user_columns() -> None:
    frame = pd.DataFrame({"ProjectID": ["P1"], "CPI": [1.0]})
    assert _owned_only(["ProjectID", "Comment"], frame) is None  # a user column
    assert _owned_only(["ProjectID", "projectid "], frame) is None  # a repeated header
    assert _owned_only(["", "CPI"], frame) is None  # a blank header is a user column
