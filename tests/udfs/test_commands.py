"""The commands' pure parts: the import mapping and dedupe (xlpmo.io.importer), text that must
stay text, the next status date, tblHistory rows, new project IDs, the first problem cell.
(The commands themselves run through xlwings in tests/test_udfs_server.py.)"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from xlpmo_udfs import commands

from xlpmo.contract import tables
from xlpmo.errors import Finding, XlpmoError
from xlpmo.io import importer


def export(**columns):
    return pd.DataFrame(columns, dtype=object)


def test_finance_export_maps_to_actuals_and_types_rows():
    e = export(**{"Project Code": ["0042", "P-2", "P-2", "=cmd"],
                  "Posting Date": ["2026-01-15", "15/02/2026", "2026-02-03", "2026-02-01"],
                  "Amount (GBP)": ["1,200.50", "(100)", "50", ""],
                  "Cost Category": ["Labour", "Labour", "Labour", "x"]})
    p = importer.prepare(e)
    assert p.target == "tblActuals"
    assert p.rows["ProjectID"].tolist() == ["0042", "P-2", "P-2"]  # text kept, blank amount out
    assert p.rows["Period"].tolist() == [pd.Timestamp("2026-01-01"),
                                         pd.Timestamp("2026-02-01"), pd.Timestamp("2026-02-01")]
    assert p.rows["Actual"].tolist() == [1200.5, -100.0, 50.0]
    assert p.skipped == [(5, "Actual is blank or unreadable ('')")]


def test_timesheet_export_maps_to_timesheets():
    e = export(Employee=["E1", "E1"], Project=["P1", "P1"], Date=["2026-01-05", "2026-01-06"],
               Hours=["7.5", "8"], Billable=["Y", ""])
    p = importer.prepare(e)
    assert p.target == "tblTimesheets"
    assert p.rows.columns.tolist() == tables.TIMESHEETS.column_names
    assert p.rows["Hours"].tolist() == [7.5, 8.0]
    assert p.rows["Billable"].tolist() == [True, None]


def test_missing_required_column_names_it():
    with pytest.raises(XlpmoError, match="Actual"):
        importer.prepare(export(Project=["P1"], Month=["2026-01"]))


def test_new_rows_is_a_multiset_difference():
    rows = pd.DataFrame({"ProjectID": ["P1", "P1", "P2"], "Actual": [5.0, 5.0, 7.0]})
    existing = rows.iloc[:1]
    added = importer.new_rows(existing, rows)
    assert added.to_dict("records") == [{"ProjectID": "P1", "Actual": 5.0},
                                        {"ProjectID": "P2", "Actual": 7.0}]
    assert importer.new_rows(rows, rows).empty  # re-import adds nothing


@given(st.lists(st.tuples(st.sampled_from(["A", "B"]), st.integers(0, 3)), max_size=12),
       st.lists(st.tuples(st.sampled_from(["A", "B"]), st.integers(0, 3)), max_size=12))
def test_import_then_reimport_is_idempotent(before, export_rows):
    cols = ["ProjectID", "Actual"]
    existing = pd.DataFrame(before, columns=cols).astype({"Actual": float})
    incoming = pd.DataFrame(export_rows, columns=cols).astype({"Actual": float})
    once = pd.concat([existing, importer.new_rows(existing, incoming)], ignore_index=True)
    assert importer.new_rows(once, incoming).empty
    # every export row is represented at least as often as it occurs in the export
    for key, n in incoming.value_counts().items():
        assert (once[cols].apply(tuple, axis=1) == key).sum() >= n


def test_merge_wide_sets_cells_adds_rows_and_months():
    rows = importer.prepare(export(Project=["0042", "P-2", "P-2"],
                                   Date=["2026-01-15", "2026-02-03", "2026-02-20"],
                                   Amount=["1200", "-100", "50"],
                                   Category=["Labour"] * 3)).rows
    values = [["ProjectID", "CostType", "2026-01"], ["0042", "Labour", 5]]
    merged = importer.merge_wide(values, rows)
    assert merged.values[0][:3] == ["ProjectID", "CostType", "2026-01"]
    assert merged.values[0][3] == dt.datetime(2026, 2, 1)
    assert merged.values[1] == ["0042", "Labour", 1200.0, None]
    assert merged.values[2] == ["P-2", "Labour", None, -50.0]
    assert (merged.updated, merged.added_rows, merged.added_columns) == (2, 1, 1)
    again = importer.merge_wide(merged.values, rows)
    assert again.values == merged.values and again.updated == 0 and again.unchanged == 2


@pytest.mark.parametrize(("text", "protected"), [
    ("=1+1", "'=1+1"), ("+44 20", "'+44 20"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
    ("0042", "'0042"), ("2026-01", "'2026-01"), ("1,200", "'1,200"), ("TRUE", "'TRUE"),
    ("#N/A", "'#N/A"), ("'quoted", "''quoted"), ("P-001", "P-001"), ("Labour", "Labour"),
])
def test_protect_text(text, protected):
    assert importer.protect_text(text) == protected


def test_cell_value_writes_errors_as_errors_and_text_as_text():
    from xlpmo.errors import XLError

    assert commands.cell_value(XLError.DIV0) == "#DIV/0!"
    assert commands.cell_value("#DIV/0!") == "'#DIV/0!"  # text that looks like an error
    assert commands.cell_value(float("nan")) == "#N/A"
    assert commands.cell_value(pd.Timestamp("2026-01-31")) == dt.datetime(2026, 1, 31)
    assert commands.cell_value(pd.NaT) is None


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


def test_first_problem_cell_prefers_errors_with_a_cell():
    findings = [Finding("Warning", "tblPlan", "Plan!C3", "odd"),
                Finding("Error", "tblPlan", "tblPlan", "missing column"),
                Finding("Error", "tblActuals", "'My Actuals'!$D$5", "text")]
    assert commands.first_problem_cell(findings) == ("My Actuals", "D5")
    assert commands.first_problem_cell(findings[:1]) == ("Plan", "C3")
    assert commands.first_problem_cell([]) is None
