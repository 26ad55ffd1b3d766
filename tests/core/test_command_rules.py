"""The commands' arithmetic (xlpmo.core.commands): next status date, tblHistory rows, new
IDs and plan months, and importing exactly once (which rows are new; amounts added to a
wide table's cells). Expected values by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlpmo.contract import tables
from xlpmo.core import commands


@pytest.mark.parametrize(("status", "following"), [
    ("2026-02-28", "2026-03-31"), ("2026-01-15", "2026-02-28"), ("2026-12-31", "2027-01-31"),
    ("2028-01-31", "2028-02-29"),
])
def test_next_month_end(status, following):
    assert commands.next_month_end(pd.Timestamp(status)) == pd.Timestamp(following)


def test_history_rows_put_closed_on_first():
    evm = pd.DataFrame({c: [None] for c in tables.EVM.column_names})
    evm["ProjectID"] = ["P1"]
    rows = commands.history_rows(evm, "2026-03-01 09:00")
    assert rows.columns.tolist() == tables.HISTORY.column_names
    assert rows["ClosedOn"].iloc[0] == pd.Timestamp("2026-03-01 09:00")


@pytest.mark.parametrize(("existing", "expected"), [
    ([], "P-001"), (["P-001", "P-009"], "P-010"), (["0042", "7"], "0043"),
    (["PRJ-2026-07"], "PRJ-2026-08"), (["Alpha"], "P-001"),
])
def test_next_id(existing, expected):
    assert commands.next_id(existing) == expected



def test_plan_months_from_start_to_finish():
    assert commands.plan_months(pd.Timestamp("2026-11-15"), pd.Timestamp("2027-02-01")) == [
        pd.Timestamp(d) for d in ("2026-11-01", "2026-12-01", "2027-01-01", "2027-02-01")]
    assert commands.plan_months(None, pd.Timestamp("2027-02-01")) == []
    assert commands.plan_months(pd.Timestamp("2027-02-01"), pd.Timestamp("2027-01-01")) == []


@pytest.mark.parametrize(("existing", "header"), [
    (["Oct 2026"], "Nov 2026"), (["2026-09", "2026-10"], "2026-11"),
    (["Oct-26"], "Nov-26"), ([], "Nov 2026"), (["Oct 2026", "2026-10"], "Nov 2026"),
])
def test_a_new_month_header_is_written_like_the_others(existing, header):
    assert commands.month_header(existing, pd.Timestamp("2026-11-01")) == header


def test_row_key_is_the_row_as_readable_text():
    kinds = [c.kind for c in tables.ACTUALS.columns]
    assert commands.row_key(["P-1", pd.Timestamp("2026-11-01"), "Labour", 12500.0],
                            kinds) == "P-1 | 2026-11 | Labour | 12500"
    assert commands.row_key(["P-1", pd.Timestamp("2026-11-01"), None, 0.1 + 0.2],
                            kinds) == "P-1 | 2026-11 |  | 0.3"
    kinds = [c.kind for c in tables.TIMESHEETS.columns]
    assert commands.row_key(["R1", "P1", pd.Timestamp("2026-03-02"), 7.5, True],
                            kinds) == "R1 | P1 | 2026-03-02 | 7.5 | TRUE"
    # a blank last column: no trailing space (the log's cell is read back trimmed)
    assert commands.row_key(["R1", "P1", pd.Timestamp("2026-03-02"), 7.5, None],
                            kinds) == "R1 | P1 | 2026-03-02 | 7.5 |"


def test_pick_new_skips_known_references_whole():
    picked = commands.pick_new(["INV-1", "INV-1", "INV-2", "INV-3"], [True] * 4,
                               {"INV-1": 1, "INV-3": 5})
    assert picked.new.tolist() == [False, False, True, False]
    assert picked.skipped == [0, 1, 3]
    assert picked.log == {"INV-2": 1}


def test_pick_new_counts_whole_rows():
    keys = ["a", "a", "a", "b"]
    picked = commands.pick_new(keys, [False] * 4, {"a": 2})
    assert picked.new.tolist() == [False, False, True, True]  # the third 'a' is new
    assert picked.log == {"a": 1, "b": 1}


@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=10),
       st.lists(st.sampled_from(["a", "b", "c"]), max_size=10),
       st.booleans())
def test_importing_again_imports_nothing_and_never_loses_a_row(first, second, by_ref):
    """Import ``first`` then ``second`` (an export that may repeat rows of it): importing
    ``second`` again adds nothing. By reference, each reference counts as many rows as the
    export that brought it; by whole row, each row as often as the export holding the most
    copies of it (equal postings are kept, none counted twice)."""
    log: dict[str, int] = {}
    for export in (first, second):
        picked = commands.pick_new(export, [by_ref] * len(export), log)
        for k, n in picked.log.items():
            log[k] = log.get(k, 0) + n
    assert not commands.pick_new(second, [by_ref] * len(second), log).new.any()
    for key in set(first) | set(second):
        if by_ref:
            assert log[key] == (first.count(key) or second.count(key))
        else:
            assert log[key] == max(first.count(key), second.count(key))


def long_rows(*rows):
    return pd.DataFrame(rows, columns=["ProjectID", "CostType", "Period", "Actual"]).astype(
        {"Period": "datetime64[ns]", "Actual": float})


def test_add_to_wide_adds_to_the_month_cell():
    """A late invoice of 2,000 on a month holding 59,000 makes 61,000 (functions.md)."""
    header = ["ProjectID", "CostType", "Feb 2026", "Mar 2026"]
    rows = [["P05", "Labour", 50000.0, 59000.0], ["P06", "Labour", None, None]]
    keys = [("P05", "Labour"), ("P06", "Labour")]
    add = commands.add_to_wide(header, rows, keys, long_rows(
        ("P05", "Labour", "2026-03-01", 2000.0), ("P06", "Labour", "2026-03-01", 10.0),
        ("P06", "Labour", "2026-03-01", 5.0)), "Actual", True)
    assert add.cells == {(0, "Mar 2026"): 61000.0, (1, "Mar 2026"): 15.0}  # blank = 0
    assert add.rows == [] and add.columns == [] and add.problems == []


def test_add_to_wide_makes_rows_and_months_and_reports_cells_it_cannot_add_to():
    header = ["ProjectID", "CostType", "Mar 2026"]
    rows = [["P05", "Labour", "59k"]]
    add = commands.add_to_wide(header, rows, [("P05", "Labour")], long_rows(
        ("P05", "Labour", "2026-03-01", 1.0), ("P05", "Labour", "2026-04-01", 2.0),
        ("P07", None, "2026-04-01", 3.0), ("P07", None, "2026-03-01", 4.0)), "Actual", True)
    assert add.problems == [(0, "Mar 2026", "59k")]
    assert add.columns == ["Apr 2026"]
    assert add.cells == {(0, "Apr 2026"): 2.0}
    assert add.rows == [{"ProjectID": "P07", "CostType": None, "Apr 2026": 3.0,
                         "Mar 2026": 4.0}]


def test_add_to_wide_without_cost_types_goes_to_the_projects_row():
    header = ["ProjectID", "Mar 2026"]
    add = commands.add_to_wide(header, [["P05", 100.0]], [("P05", None)], long_rows(
        ("P05", "Labour", "2026-03-01", 1.0), ("P05", "Travel", "2026-03-01", 2.0)),
        "Actual", False)
    assert add.cells == {(0, "Mar 2026"): 103.0}
