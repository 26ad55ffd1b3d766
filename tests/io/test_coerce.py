"""coerce_inputs: raw cells -> canonical typed Inputs, with findings naming cells."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers.reader_books import CONFIG, PLAN_LONG, PROJECTS, write_book
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlpmo.contract import periods, tables
from xlpmo.contract.model import TABLE_FIELDS, empty_frame
from xlpmo.errors import Finding, XLError
from xlpmo.io.coerce import LIMIT, coerce_inputs, coerce_table, load_inputs
from xlpmo.io.raw import RawTable

D = dt.datetime


def raw(name: str, rows: list[list[Any]], origin: str | None = None) -> RawTable:
    return RawTable.from_values(rows, origin or f"{name[3:]}!A1", name=name)


def coerce(name: str, rows: list[list[Any]], origin: str | None = None
           ) -> tuple[pd.DataFrame, list[Finding]]:
    frame, _, findings = coerce_table(raw(name, rows, origin), tables.spec(name))
    return frame, findings


def at(findings: list[Finding], cell: str) -> Finding:
    [f] = [f for f in findings if f.cell == cell]
    return f


def assert_canonical(frame: pd.DataFrame, spec: tables.TableSpec) -> None:
    assert list(frame.columns) == spec.column_names
    assert frame.dtypes.to_dict() == empty_frame(spec).dtypes.to_dict()


# -- numbers ----------------------------------------------------------------------------------


def test_numbers_in_money_columns_name_the_cells() -> None:
    frame, findings = coerce("tblProjects", [
        ["ProjectID", "BAC"],
        ["P1", 1000],
        ["P2", "1,234.50"],
        ["P3", "abc"],
        ["P4", "12%"],
        ["P5", True],
        ["P6", D(2026, 1, 1)],
        ["P7", XLError.NA],
        ["P8", "#REF!"],
        ["P9", None],
        ["P10", float("inf")],
    ], origin="Projects!C12")
    assert frame["BAC"].tolist()[:2] == [1000.0, 1234.5]
    assert all(math.isnan(x) for x in frame["BAC"].tolist()[2:])
    assert at(findings, "Projects!D14").severity == "Warning"
    assert "read as 1234.5" in at(findings, "Projects!D14").message
    bad = at(findings, "Projects!D15")
    assert (bad.severity, bad.message) == (
        "Error", "text 'abc' where a number belongs; read as blank")
    assert "percentage '12%'" in at(findings, "Projects!D16").message
    assert "TRUE where a number belongs" in at(findings, "Projects!D17").message
    assert "a date (2026-01-01)" in at(findings, "Projects!D18").message
    assert at(findings, "Projects!D19").message == "#N/A in an input cell; read as blank"
    assert at(findings, "Projects!D20").message.startswith("#REF! in an input cell")
    assert not [f for f in findings if f.cell == "Projects!D21"]  # blank BAC is fine
    assert at(findings, "Projects!D22").severity == "Error"
    assert len(findings) == 8


def test_findings_are_capped_per_column_and_problem() -> None:
    rows = [["ProjectID", "BAC"]] + [[f"P{i}", "x"] for i in range(LIMIT + 15)]
    _, findings = coerce("tblProjects", rows)
    assert len(findings) == LIMIT + 1
    assert findings[-1].cell == f"Projects!B{LIMIT + 2}"
    assert findings[-1].message.startswith("15 more cells in column BAC")


def test_percent_complete_mixed_scales_is_never_a_rescale() -> None:
    # v2: a 0.25 beside a 60 leaves doubt, so the 60 (6,000 %) is an Error, not a reason
    # to read 0.25 as 0.25 % (the old rule rescaled the whole column)
    rows = [["ProjectID", "Period", "PercentComplete"],
            ["P1", "2026-01", 0.25], ["P1", "2026-02", "45%"], ["P2", "2026-01", 60]]
    frame, _, findings = coerce_table(  # a file: formats known, none a percent
        RawTable.from_values(rows, "Progress!A1", "tblProgress", percent=[]), tables.PROGRESS)
    assert frame["PercentComplete"].tolist() == pytest.approx([0.25, 0.45])
    [f] = [f for f in findings if f.severity == "Error"]
    assert (f.severity, f.cell) == ("Error", "Progress!C4")
    assert f.message.startswith("PercentComplete 60 is above 100 % (percentages are fractions: "
                                 "60 is 6,000 %; type 60% or format the cell as a percentage)")
    assert f.message.endswith("; left out (the project's previous progress row counts)")
    frame, findings = coerce("tblProgress", [
        ["ProjectID", "Period", "PercentComplete"], ["P1", "2026-01", 0.25], ["P1", "2026-02", 1],
    ])
    assert frame["PercentComplete"].tolist() == [0.25, 1.0] and not findings


def test_allocation_percent_allows_over_allocation() -> None:
    head = ["ResourceID", "ProjectID", "Period", "Percent"]
    frame, _ = coerce("tblAllocations", [head, ["R1", "P1", "2026-01", 1.2]])
    assert frame["Percent"].tolist() == [1.2]
    rows = [head, ["R1", "P1", "2026-01", 120], ["R1", "P2", "2026-01", 50]]
    frame, findings = coerce("tblAllocations", rows)  # formats unknown (the Excel layer):
    assert frame["Percent"].isna().all()  # never rescaled; 12,000 % is a doubt: left out
    assert [(f.severity, f.cell) for f in findings] == [
        ("Warning", "Allocations!D1"), ("Error", "Allocations!D2"), ("Error", "Allocations!D3")]
    frame, findings = coerce_table(  # formats known, none a percent: 0–100, with a Warning
        RawTable.from_values(rows, "Allocations!A1", "tblAllocations", percent=[]),
        tables.ALLOCATIONS)[::2]
    assert frame["Percent"].tolist() == pytest.approx([1.2, 0.5])
    assert [(f.severity, f.cell) for f in findings] == [("Warning", "Allocations!D1")]


def test_fte_accepts_percent_text() -> None:
    frame, findings = coerce("tblResources", [["ResourceID", "FTE"], ["R1", "50%"]])
    assert frame["FTE"].tolist() == [0.5]
    assert [(f.severity, f.message) for f in findings] == [
        ("Warning", "number stored as text '50%', read as 0.5")]


# -- dates, periods, booleans, ids ------------------------------------------------------------


def test_dates_from_cells_serials_and_text() -> None:
    frame, findings = coerce("tblLeave", [
        ["ResourceID", "Start", "End", "Hours"],
        ["R1", D(2026, 3, 2, 13, 30), 46087, None],
        ["R1", "2026-03-09", "16/03/2026", 4],
        ["R1", "next week", 2026.5, None],
        ["R1", False, XLError.VALUE, None],
    ])
    assert frame["Start"].tolist() == [pd.Timestamp("2026-03-02"), pd.Timestamp("2026-03-09")]
    assert frame["End"].tolist() == [pd.Timestamp("2026-03-06"), pd.Timestamp("2026-03-16")]
    assert at(findings, "Leave!B4").message == "text 'next week' where a date belongs; row ignored"
    assert at(findings, "Leave!B5").message == "FALSE where a date belongs; row ignored"
    assert at(findings, "Leave!C5").message == "#VALUE! in an input cell; row ignored"
    assert len(findings) == 3  # 2026.5 is a serial (1905-07-18): a date, if an odd one


def test_date_serials_follow_the_workbook_date_system() -> None:
    t = raw("tblHolidays", [["Date"], [46016]])
    t.date1904 = True
    frame, _, _ = coerce_table(t, tables.HOLIDAYS)
    assert frame["Date"].tolist() == [periods.from_serial(46016 + 1462)]


def test_placeholder_dates_beyond_datetime64() -> None:
    frame, findings = coerce("tblResources", [
        ["ResourceID", "StartDate", "EndDate"],
        ["R1", D(2026, 1, 5), D(9999, 12, 31)], ["R2", 46023, "9999-12-31"],
    ])
    assert frame["EndDate"].isna().all() and frame["StartDate"].notna().all()
    assert [f.severity for f in findings] == ["Warning", "Warning"]
    assert "outside the years" in findings[0].message


def test_periods_are_month_starts() -> None:
    frame, findings = coerce("tblPlan", [
        ["ProjectID", "Period", "Planned"],
        ["P1", D(2026, 1, 31), 1], ["P1", "Feb-26", 2], ["P1", 46097, 3], ["P1", "2026-04-15", 4],
        ["P1", "Q2", 5], ["P2", None, 6],
    ])
    assert frame["Period"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    assert at(findings, "Plan!B6").message == "text 'Q2' where a month belongs; row ignored"
    assert at(findings, "Plan!B7").message == "blank Period; row ignored"


def test_billable_booleans() -> None:
    frame, findings = coerce("tblTimesheets", [
        ["ResourceID", "ProjectID", "Date", "Hours", "Billable"],
        *[["R1", "P1", "2026-01-05", 8, v] for v in
          (True, False, "yes", "No", 1, 0, None, "  ", "maybe", 2, "FALSE")],
    ])
    assert frame["Billable"].tolist() == [
        True, False, True, False, True, False, True, True, True, True, False]
    assert at(findings, "Timesheets!E10").message == (
        "text 'maybe' is not TRUE or FALSE; read as blank")
    assert at(findings, "Timesheets!E11").severity == "Error"
    frame, _ = coerce("tblTimesheets", [
        ["ResourceID", "ProjectID", "Date", "Hours"], ["R1", "P1", "2026-01-05", 8]])
    assert frame["Billable"].tolist() == [True]  # no Billable column: TRUE


def test_ids_and_text() -> None:
    frame, findings = coerce("tblProjects", [
        ["ProjectID", "ProjectName", "Status"],
        [101.0, 42, True], [" P2 ", "  Beta  ", None], [D(2026, 1, 2), "=1+1", 1.5],
        [True, "x", "y"], [None, "orphan", "z"], ["#N/A", "a", "b"],
    ])
    assert frame["ProjectID"].tolist() == ["101", "P2", "2026-01-02"]
    assert frame["ProjectName"].tolist() == ["42", "Beta", "=1+1"]
    assert frame["Status"].tolist() == ["TRUE", None, "1.5"]
    assert "a date (2026-01-02) as an ID" in at(findings, "Projects!A4").message
    assert at(findings, "Projects!A5").message == "TRUE is not an ID; row ignored"
    assert at(findings, "Projects!A6").message == "blank ProjectID; row ignored"
    assert at(findings, "Projects!A7").message == "#N/A in an input cell; row ignored"
    assert_canonical(frame, tables.PROJECTS)


# -- headers ----------------------------------------------------------------------------------


def test_headers_match_loosely_and_duplicates_warn() -> None:
    frame, findings = coerce("tblProjects", [
        ["  projectid ", "BAC", "Extra", "bac"], ["P1", 10, "kept in file", 99],
    ], origin="Projects!B2")
    assert frame["BAC"].tolist() == [10.0]
    [dup] = findings
    assert dup.severity == "Warning" and dup.cell == "Projects!E2"
    assert "(Projects!C2 and Projects!E2)" in dup.message


def test_missing_required_column_makes_table_unusable() -> None:
    frame, findings = coerce("tblProjects", [["Project", "BAC"], ["P1", 10]])
    assert frame.empty
    assert_canonical(frame, tables.PROJECTS)
    [f] = findings  # the header close to the name is named, with the name to use
    assert (f.severity, f.cell) == ("Error", "Projects!A1")
    assert f.message == ("tblProjects has no ProjectID column (is 'Project' meant to be "
                         "ProjectID?); the table is not read")


# -- time-phased layouts ----------------------------------------------------------------------


def test_long_layout() -> None:
    frame, findings = coerce("tblPlan", PLAN_LONG)
    assert_canonical(frame, tables.PLAN)
    assert frame.to_dict("list") == {
        "ProjectID": ["P1", "P1", "P2"],
        "Period": [pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01"),
                   pd.Timestamp("2026-01-01")],
        "CostType": ["Labour", "Labour", None], "Planned": [100.0, 150.0, 80.0],
    }
    assert findings == [Finding("Info", "tblPlan", "tblPlan", "tblPlan: long layout, 3 rows")]


def test_wide_layout_equals_long_layout() -> None:
    wide = [
        ["ProjectID", "CostType", "Total", "2026-01", "Feb-26", D(2026, 3, 1), "46113"],
        ["P1", "Labour", 999, 100, 150, None, 5],
        ["P2", None, 0, 80, "", 0, None],
    ]
    frame, source, findings = coerce_table(raw("tblPlan", wide, "Plan!B3"), tables.PLAN)
    assert_canonical(frame, tables.PLAN)
    assert findings == [Finding("Info", "tblPlan", "tblPlan",
                                "tblPlan: wide layout, 4 months (2026-01 to 2026-04), 2 rows")]
    long = frame.set_index(["ProjectID", "Period"])["Planned"]
    assert long[("P1", pd.Timestamp("2026-02-01"))] == 150.0
    assert long[("P1", pd.Timestamp("2026-04-01"))] == 5.0
    assert long[("P2", pd.Timestamp("2026-03-01"))] == 0.0  # blank means 0
    assert frame["Planned"].sum() == 335.0
    assert frame.loc[frame["ProjectID"] == "P2", "CostType"].tolist() == [None] * 4
    i = int(np.flatnonzero((frame["ProjectID"] == "P2") & (frame["Period"] == "2026-02-01"))[0])
    assert source.cell(i, "Planned") == "Plan!F5"
    assert source.cell(i, "ProjectID") == "Plan!B5"


def test_wide_layout_problems() -> None:
    frame, findings = coerce("tblActuals", [
        ["ProjectID", "2026-01", "Jan 2026", "2026-02"],
        ["P1", 10, 5, "n/a"], ["P1", 1, 1, 1], [None, 3, None, 4],
    ])
    by = frame.groupby("Period")["Actual"].sum()
    # v2: two headers in one month are an Error naming both, and neither column is read
    assert by.to_dict() == {pd.Timestamp("2026-02-01"): 1.0}  # the two P1 rows added
    dup = at(findings, "Actuals!B1")
    assert dup.severity == "Error" and "Actuals!B1 ('2026-01') and Actuals!C1" in dup.message
    assert at(findings, "Actuals!D2").message == "text 'n/a' where a number belongs; read as 0"
    assert at(findings, "Actuals!A4").message == "blank ProjectID; row ignored"


def test_layout_not_recognised() -> None:
    for header, words in ((["ProjectID", "Amount"], "neither Period and Planned"),
                          (["ProjectID", "Period"], "has a Period column but no Planned")):
        frame, findings = coerce("tblPlan", [header, ["P1", 1]])
        assert frame.empty
        [f] = findings
        assert f.severity == "Error" and words in f.message


# -- config, the whole workbook ---------------------------------------------------------------


def test_config_settings_name_value_cells() -> None:
    inputs, findings = coerce_inputs({"TBLCONFIG": raw("tblConfig", [
        ["Setting", "Value"], ["StatusDate", D(2026, 2, 15)], ["EACMethod", "bogus"],
        ["LastRefreshed", "x"], [None, None], ["HoursPerDay", "7.5"],
    ], "Config!D3")})
    assert inputs.settings.StatusDate == pd.Timestamp("2026-02-15")
    assert inputs.settings.HoursPerDay == 7.5 and inputs.settings.EACMethod == "CPI"
    [f] = findings
    assert (f.severity, f.table, f.cell) == ("Warning", "tblConfig", "Config!E5")
    assert inputs.present == frozenset({"tblConfig"})


def test_load_inputs_end_to_end(tmp_path: Path) -> None:
    path = write_book(
        tmp_path / "b.xlsx",
        {"Config": [("A1", CONFIG)], "Data": [("C5", PLAN_LONG)], "Projects": [("A1", PROJECTS)]},
        [("Data", "tblPlan", "C5:F8"), ("Projects", "tblProjects", "A1:C3")],
    )
    inputs, findings, book = load_inputs(path)
    assert inputs.present == frozenset({"tblConfig", "tblPlan", "tblProjects"})
    assert inputs.settings.StatusDate == pd.Timestamp("2026-02-15")
    assert inputs.plan["Planned"].sum() == 330.0
    assert inputs.sources["tblPlan"].cell(2, "Planned") == "Data!F8"
    assert inputs.sources["tblProjects"].cell(1, "BAC") == "Projects!C3"
    assert [f.severity for f in findings] == ["Info"]
    assert book.fingerprint.size == path.stat().st_size
    for name, field in TABLE_FIELDS.items():
        assert_canonical(getattr(inputs, field), tables.INPUTS[name])


def test_blank_rows_are_dropped_and_sources_follow() -> None:
    inputs, _ = coerce_inputs({"tblProjects": raw("tblProjects", [
        ["ProjectID", "BAC"], [None, None], ["P1", 1], ["  ", None], [None, None], ["P2", 2],
    ])})
    assert inputs.projects["ProjectID"].tolist() == ["P1", "P2"]
    src = inputs.sources["tblProjects"]
    assert [src.cell(i, "ProjectID") for i in range(2)] == ["Projects!A3", "Projects!A6"]


# -- hostile values ---------------------------------------------------------------------------

cells = st.one_of(
    st.none(), st.booleans(), st.text(max_size=12), st.floats(allow_nan=True),
    st.integers(-10**20, 10**20), st.sampled_from(list(XLError)),
    st.datetimes(min_value=D(1, 1, 1), max_value=D(9999, 12, 31)),
    st.sampled_from(["#N/A", " ", "1,000", "12%", "2026-01", "TRUE", "Jan-26", "(5)", "1e400"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(tables.INPUTS)), st.lists(st.lists(cells, min_size=6, max_size=6),
                                                         max_size=8))
def test_any_cells_coerce_without_raising(name: str, body: list[list[Any]]) -> None:
    spec = tables.INPUTS[name]
    header = [*spec.column_names[:5], "2026-01"][:6]
    t = raw(name, [header, *body], f"{spec.sheet}!B2")
    inputs, findings = coerce_inputs({name: t})
    if name != "tblConfig":
        frame = getattr(inputs, TABLE_FIELDS[name])
        assert_canonical(frame, spec)
        assert len(frame) <= len(body) * (2 if spec.amount else 1)
    for f in findings:
        assert f.severity in ("Error", "Warning", "Info")
        assert f.cell == name or f.cell.startswith(f"{spec.sheet}!")


@pytest.mark.slow
def test_coercion_of_500k_timesheets_and_a_60k_x_24_plan() -> None:
    # (how fast: benchmarks/, not a timed test)
    rng = np.random.default_rng(7)
    n = 500_000
    dates = (np.datetime64("2025-01-01") + rng.integers(0, 600, n)).astype("datetime64[us]")
    body = np.empty((n, 5), dtype=object)
    body[:, 0] = np.char.add("R", rng.integers(1, 300, n).astype(str)).astype(object)
    body[:, 1] = np.char.add("P", rng.integers(1, 2000, n).astype(str)).astype(object)
    body[:, 2] = dates.astype(object)
    body[:, 3] = rng.choice([1.0, 2.0, 7.5, 8.0], n).astype(object)
    body[:, 4] = rng.random(n) < 0.8
    ts = RawTable("tblTimesheets", "Timesheets", tables.TIMESHEETS.column_names, body)
    months = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)]
    plan = np.empty((60_000, 26), dtype=object)
    plan[:, 0] = np.char.add("P", np.arange(60_000).astype(str)).astype(object)
    plan[:, 1] = "Labour"
    plan[:, 2:] = rng.random((60_000, 24)).round(2).astype(object)
    wide = RawTable("tblPlan", "Plan", ["ProjectID", "CostType", *months], plan)
    inputs, findings = coerce_inputs({"tblTimesheets": ts})
    inputs2, _ = coerce_inputs({"tblPlan": wide})
    assert len(inputs.timesheets) == n and findings == []
    assert len(inputs2.plan) == 60_000 * 24
