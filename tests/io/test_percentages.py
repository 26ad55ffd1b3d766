"""Percentages (workbook.md v2 "Reading values"): one cell never changes how another is read.

The scenarios are issue #10's: a 150 % typo in a percent-formatted PercentComplete column
rescaled every other value by 1/100 (EV 100-fold off); one 300 % booking rescaled every other
allocation and was itself no longer over-allocated. Expected EV is hand arithmetic:
EV = PercentComplete x BAC of the latest usable progress row.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers.tracker_books import TYPO_PROGRESS as PROGRESS
from helpers.tracker_books import base, tracker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlpmo.app.pipeline import refresh_file, validate_file
from xlpmo.contract import tables
from xlpmo.io.coerce import coerce_table
from xlpmo.io.raw import RawTable
from xlpmo.io.reader import read_workbook

D = dt.datetime
def ev(result: Any) -> dict[str, float]:
    frame = result.outputs["tblEVM"]
    return dict(zip(frame["ProjectID"], frame["EV"].astype(float), strict=True))


def test_a_150_percent_typo_leaves_the_other_projects_alone(tmp_path: Path) -> None:
    path = tracker(tmp_path / "t.xlsx", base(tblProgress=PROGRESS),
                   formats={"tblProgress": {"PercentComplete": "0%"}})
    result = refresh_file(path, backup=False)
    got = ev(result)
    assert got["P1"] == pytest.approx(720.0)  # 0.72 x 1000, not 7.2
    assert got["P3"] == pytest.approx(800.0)  # 0.4 x 2000
    assert got["P2"] == pytest.approx(300.0)  # the typo is left out: February's 30 % counts
    [error] = [f for f in result.findings if f.severity == "Error"]
    assert (error.table, error.cell) == ("tblProgress", "Progress!C4")
    assert error.message == ("PercentComplete 150 % is above 100 %; left out (the project's "
                             "previous progress row counts)")
    assert not [f for f in result.findings if f.severity == "Warning"]


def test_a_column_of_whole_percentages_is_read_0_to_100_with_a_warning(tmp_path: Path) -> None:
    rows = [["ProjectID", "Period", "PercentComplete"], ["P1", D(2026, 3, 1), 72],
            ["P2", D(2026, 3, 1), 30], ["P3", D(2026, 3, 1), 40]]
    path = tracker(tmp_path / "t.xlsx", base(tblProgress=rows))  # no percent formats
    result = validate_file(path)
    [warning] = [f for f in result.findings if f.severity != "Info"]
    assert (warning.severity, warning.cell) == ("Warning", "Progress!C1")  # the column
    assert "0–100 scale" in warning.message and warning.changed_number
    assert result.inputs.progress["PercentComplete"].tolist() == pytest.approx([0.72, 0.3, 0.4])


@pytest.mark.parametrize("dropped", [
    ["abc-typed-as-id", None, 0.5],  # no Period: the row is ignored
    [True, D(2026, 3, 1), 0.5],      # TRUE is no ProjectID: the row is ignored
])
def test_a_row_that_is_ignored_has_no_say_in_the_scale(tmp_path: Path, dropped: list) -> None:
    """Found by the slow fuzz: a row ignored for its ID or period still held 0.5, which put
    the whole plain column on the fraction scale, so 72 (72 %) became 7,200 % and was left
    out: EV #N/A. The ignored row must not change how the other rows are read."""
    rows = [["ProjectID", "Period", "PercentComplete"], ["P1", D(2026, 3, 1), 72],
            ["P2", D(2026, 3, 1), 30], ["P3", D(2026, 3, 1), 40], dropped]
    result = refresh_file(tracker(tmp_path / "t.xlsx", base(tblProgress=rows)), backup=False)
    assert ev(result) == pytest.approx({"P1": 720.0, "P2": 300.0, "P3": 800.0})
    errors = [f for f in result.findings if f.severity == "Error"]
    assert [f.cell for f in errors] == ["Progress!B5" if dropped[1] is None else "Progress!A5"]


def test_a_300_percent_booking_stays_over_allocated(tmp_path: Path) -> None:
    rows = [["ResourceID", "ProjectID", "Period", "Percent"],
            ["R1", "P1", D(2026, 3, 1), 0.5], ["R1", "P2", D(2026, 3, 1), 3.0],
            ["R2", "P3", D(2026, 3, 1), 0.25]]
    resources = [["ResourceID", "Name", "FTE"], ["R1", "Ann", 1], ["R2", "Bob", 1]]
    path = tracker(tmp_path / "t.xlsx", base(tblResources=resources, tblAllocations=rows),
                   formats={"tblAllocations": {"Percent": "0%"}})
    result = refresh_file(path, backup=False)
    assert result.inputs.allocations["Percent"].tolist() == [0.5, 3.0, 0.25]
    assert not [f for f in result.findings if f.table == "tblAllocations"]
    util = result.outputs["tblUtilisation"]
    march = util[util["Period"] == np.datetime64("2026-03-01")].set_index("ResourceID")
    assert march.loc["R1", "Allocation"] == pytest.approx(3.5)  # 50 % + 300 % of capacity
    assert bool(march.loc["R1", "OverAllocated"]) is True
    assert march.loc["R2", "Allocation"] == pytest.approx(0.25)


def test_the_reader_reports_percent_formatted_cells(tmp_path: Path) -> None:
    path = tracker(tmp_path / "t.xlsx", base(tblProgress=PROGRESS),
                   cell_formats={"tblProgress": {(1, "PercentComplete"): "0.0%",
                                                 (3, "PercentComplete"): '#,##0.00" %"'}})
    raw = read_workbook(path, outputs=False).tables["tblProgress"]
    mask = raw.percent_mask(2, np.arange(4))
    assert mask.tolist() == [False, True, False, False]  # '" %"' is quoted text, not percent


# -- property: one cell never changes another row's result ------------------------------------

FRACTION = st.floats(0, 1, allow_nan=False).map(lambda x: round(x, 4))
ANY_CELL = st.one_of(st.floats(-300, 300, allow_nan=False), st.integers(-300, 300),
                     st.sampled_from(["150%", "abc", "", None, "45 %", True]))


def read(name: str, column: str, values: list[Any], percent_cells: bool) -> tuple[dict, list]:
    head = (["ProjectID", "Period", column] if name == "tblProgress"
            else ["ResourceID", "ProjectID", "Period", column])
    j = len(head) - 1
    rows = [head] + [([f"P{i}", "2026-01"] if name == "tblProgress" else ["R1", f"P{i}", "2026-01"])
                     + [v] for i, v in enumerate(values)]
    cells = [(i, j) for i in range(len(values))] if percent_cells else []
    raw = RawTable.from_values(rows, f"{name[3:]}!A1", name, percent=cells)
    frame, source, findings = coerce_table(raw, tables.spec(name))
    return dict(zip(source.rows.tolist(), frame[column].tolist(), strict=True)), findings


def change_one(which: tuple[str, str], values: list[Any], data: st.DataObject,
               percent_cells: bool) -> tuple[int, dict, dict, list]:
    """Read a column, change one of its cells (drawn) and read it again: (the changed cell's
    sheet row, values before and after by sheet row, findings after)."""
    name, column = which
    k = data.draw(st.integers(0, len(values) - 1))
    before, _ = read(name, column, values, percent_cells)
    changed = list(values)
    changed[k] = data.draw(ANY_CELL)
    after, findings = read(name, column, changed, percent_cells)
    return k + 2, before, after, findings


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([("tblProgress", "PercentComplete"), ("tblAllocations", "Percent")]),
       st.lists(FRACTION, min_size=2, max_size=8), st.data())
def test_changing_one_percent_formatted_cell_changes_no_other_row(which, values, data) -> None:
    row_k, before, after, _ = change_one(which, values, data, percent_cells=True)
    assert {r: v for r, v in before.items() if r != row_k} == \
        {r: v for r, v in after.items() if r != row_k}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([("tblProgress", "PercentComplete"), ("tblAllocations", "Percent")]),
       st.lists(st.one_of(FRACTION, st.integers(2, 100)), min_size=2, max_size=8), st.data())
def test_in_a_plain_column_one_cell_never_silently_changes_another(which, values, data) -> None:
    """Without percent formats the column's scale depends on all its numbers (workbook.md
    v2: 0–100 "only when its values leave no doubt"), so one cell may change how another
    row reads, but never silently: that row's cell is named by an Error, or the column by
    a Warning saying how it is read (on the 0–100 scale, as fractions above 100 %)."""
    row_k, before, after, findings = change_one(which, values, data, percent_cells=False)
    name = which[0]
    letter = "C" if name == "tblProgress" else "D"
    named = {f.cell for f in findings if f.severity == "Error" or f.cell.endswith("1")}
    for row, value in before.items():
        if row == row_k or (row in after and same(after[row], value)):
            continue
        assert {f"{name[3:]}!{letter}{row}", f"{name[3:]}!{letter}1"} & named, (
            row, value, after.get(row), findings)


def same(a: float, b: float) -> bool:
    return a == b or (a != a and b != b)
