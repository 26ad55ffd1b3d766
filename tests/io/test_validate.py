"""validate: cross-table checks naming cells; checks_table; check_workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers.reader_books import CONFIG, PLAN_LONG, PROJECTS, write_book

from xlpmo.contract import tables
from xlpmo.contract.model import Inputs
from xlpmo.errors import Finding
from xlpmo.io.coerce import coerce_inputs
from xlpmo.io.raw import RawTable
from xlpmo.io.validate import LIMIT, check_workbook, checks_table, validate

D = dt.datetime
BASE = {"tblConfig": CONFIG, "tblProjects": PROJECTS, "tblPlan": PLAN_LONG}


def check(**extra: list[list[Any]]) -> list[Finding]:
    """Validate the base workbook plus/over the given tables (``tblX=rows``)."""
    found = {**BASE, **extra}
    raw = {name: RawTable.from_values(rows, f"{tables.spec(name).sheet}!A1", name=name)
           for name, rows in found.items() if rows is not None}
    inputs, _ = coerce_inputs(raw)
    return validate(inputs, raw)


def about(findings: list[Finding], table: str, severity: str | None = None) -> list[Finding]:
    return [f for f in findings if f.table == table and severity in (None, f.severity)]


def test_clean_workbook_has_no_findings() -> None:
    assert check() == []


def test_required_tables_missing() -> None:
    inputs, _ = coerce_inputs({})
    findings = validate(inputs)
    assert [(f.severity, f.table, f.cell) for f in findings] == [
        ("Error", "tblConfig", "tblConfig"), ("Error", "tblProjects", "tblProjects"),
        ("Error", "tblPlan", "tblPlan")]
    assert findings[2].message == (
        "required table tblPlan is missing: add an Excel Table named tblPlan "
        "(or a sheet named Plan with the headers in row 1)")
    # only the missing table: no "project has no plan" findings on top of it
    assert [(f.severity, f.table) for f in check(tblPlan=None)] == [("Error", "tblPlan")]


def test_duplicate_and_blank_project_ids() -> None:
    findings = check(tblProjects=[["ProjectID", "BAC"], ["P1", 1], ["P2", 2], ["P1", 3],
                                  ["P1", 4]])
    dups = about(findings, "tblProjects", "Error")
    assert [(f.cell, f.message) for f in dups] == [
        ("Projects!A4", "duplicate ProjectID 'P1' (first at Projects!A2)"),
        ("Projects!A5", "duplicate ProjectID 'P1' (first at Projects!A2)"),
    ]
    projects = pd.DataFrame({"ProjectID": pd.Series(["P1", None, " "], dtype=object)})
    inputs = Inputs(projects=projects, present=frozenset(BASE))
    blank = about(validate(inputs), "tblProjects", "Error")
    assert [(f.cell, f.message) for f in blank] == [("tblProjects", "blank ProjectID")] * 2


def test_unknown_project_ids_one_finding_per_key() -> None:
    findings = check(tblTimesheets=[
        ["ResourceID", "ProjectID", "Date", "Hours"],
        ["R1", "P1", "2026-01-05", 8], ["R1", "P9", "2026-01-06", 8], ["R1", "P9", "2026-01-07", 8],
        ["R1", "p2", "2026-01-08", 8],
    ])
    ts = about(findings, "tblTimesheets", "Warning")
    assert [(f.cell, f.message) for f in ts] == [
        ("Timesheets!B3", "ProjectID 'P9' is not in tblProjects (2 rows)"),
        ("Timesheets!B5", "ProjectID 'p2' is not in tblProjects (1 row) "
                          "(tblProjects has 'P2': IDs must match exactly)"),
    ]
    assert about(findings, "tblTimesheets", "Info")[0].message == (
        "tblTimesheets has rows but the workbook has no tblResources")


def test_unknown_keys_are_capped() -> None:
    rows = [["ProjectID", "Milestone"]] + [[f"X{i}", "m"] for i in range(LIMIT + 5)]
    found = about(check(tblMilestones=rows), "tblMilestones")
    assert len(found) == LIMIT + 1 and found[-1].message == (
        "5 more ProjectIDs of tblMilestones are not in tblProjects")


def test_unknown_project_in_a_wide_plan_counts_the_rows_typed() -> None:
    """A wide row is one row the user typed, not one per month (it was "(2 rows)")."""
    wide = [["ProjectID", "2026-01", "2026-02"], ["P1", 1, 2], ["P2", 3, 4], ["Z", 5, 6]]
    [f] = about(check(tblPlan=wide), "tblPlan")
    assert (f.cell, f.message) == ("Plan!A4", "ProjectID 'Z' is not in tblProjects (1 row)")
    [f] = about(check(tblActuals=[["ProjectID", "CostType", "2026-01", "2026-02"],
                                  ["Z", "Labour", 1, 2], ["P1", "Labour", 1, 1],
                                  ["Z", "Travel", 5, 6]]), "tblActuals", "Warning")
    assert (f.cell, f.message) == ("Actuals!A2", "ProjectID 'Z' is not in tblProjects (2 rows)")
    [f] = about(check(tblActuals=[["ProjectID", "2026-02", "2026-03", "2026-04"],
                                  ["P1", 1, 2, 3], ["P2", 1, 2, 3]]), "tblActuals", "Info")
    assert f.message == ("2 rows of tblActuals hold actual cost after the status period 2026-02 "
                         "(not counted)")  # two rows typed, four cells after February


def test_resources() -> None:
    findings = check(
        tblResources=[["ResourceID", "StartDate", "EndDate", "HoursPerWeek", "FTE"],
                      ["R1", "2026-01-01", "2025-12-31", 0, -1], ["R1", None, None, 40, 1],
                      ["R2", None, None, 375, 1], ["R3", None, None, 168, 1]],
        tblLeave=[["ResourceID", "Start", "End", "Hours"], ["R1", "2026-02-10", "2026-02-09", -8],
                  ["R7", "2026-02-01", "2026-02-01", None]],
    )
    res = [(f.severity, f.cell, f.message) for f in about(findings, "tblResources")]
    assert res == [
        ("Error", "Resources!A3", "duplicate ResourceID 'R1' (first at Resources!A2)"),
        ("Error", "Resources!C2", "EndDate 2025-12-31 is before StartDate 2026-01-01"),
        ("Warning", "Resources!E2", "negative FTE (-1)"),
        ("Warning", "Resources!D2", "HoursPerWeek 0 is not positive"),
        # 37.5 typed as 375: ten times the capacity, and utilisation a tenth (168 = 7 × 24)
        ("Warning", "Resources!D4",
         "HoursPerWeek 375 is more than a week has (168 hours): capacity and utilisation "
         "use it as it is"),
    ]
    leave = [(f.severity, f.cell, f.message) for f in about(findings, "tblLeave")]
    assert leave == [
        ("Warning", "Leave!A3", "ResourceID 'R7' is not in tblResources (1 row)"),
        ("Error", "Leave!C2", "End 2026-02-09 is before Start 2026-02-10"),
        ("Warning", "Leave!D2", "negative Hours (-8)"),
    ]


def test_progress_checks() -> None:
    findings = check(tblProgress=[
        ["ProjectID", "Period", "PercentComplete", "Earned"],
        ["P1", "2026-01", 0.5, None],
        ["P1", "2026-02", 0.4, None],
        ["P1", "2026-02", None, 10],
        ["P2", "2026-01", "150%", None],
        ["P2", "2026-02", None, None],
        ["P2", "2026-03", None, 300],
        ["P1", "2026-03", -0.1, 260],
    ])
    got = [(f.cell, f.message) for f in about(findings, "tblProgress")]
    # 150% and -0.1 are coercion's Errors (v2): C5's row is left out, C8 keeps its Earned
    assert got == [
        ("Progress!C6", "neither PercentComplete nor Earned is given"),
        ("Progress!B4", "a second progress row for 'P1' in 2026-02"),
        ("Progress!C3", "cumulative PercentComplete goes down from the previous period"),
        ("Progress!D7", "EV above BAC: Earned 300 > BAC 80"),  # P2: BAC = its Planned
        ("Progress!D8", "EV above BAC: Earned 260 > BAC 250"),
        ("Progress!B7", "2 rows of tblProgress report progress after the status period "
                        "2026-02 (not counted)"),
    ]
    hand_built = Inputs(progress=pd.DataFrame({  # frames built without coercion: still checked
        "ProjectID": ["P1"], "Period": [pd.Timestamp("2026-01-01")], "CostType": [None],
        "PercentComplete": [1.5], "Earned": [np.nan]}), present=frozenset({"tblProgress"}))
    assert [f.message for f in validate(hand_built) if f.table == "tblProgress"] == [
        "PercentComplete 1.5 is outside 0..1 (0–100 %)"]


def test_hours_allocations_and_dates_after_status() -> None:
    findings = check(
        tblResources=[["ResourceID"], ["R1"]],
        tblTimesheets=[["ResourceID", "ProjectID", "Date", "Hours"],
                       ["R1", "P1", "2026-02-14", -2], ["R1", "P1", "2026-02-16", 30],
                       ["R1", "P1", "2026-03-01", 1]],
        tblAllocations=[["ResourceID", "ProjectID", "Period", "Hours", "Percent"],
                        ["R1", "P1", "2026-01", None, None], ["R1", "P1", "2026-02", 10, 0.5],
                        ["R1", "P1", "2026-03", -4, None]],
    )
    ts = [(f.severity, f.cell, f.message) for f in about(findings, "tblTimesheets")]
    assert ts == [
        ("Warning", "Timesheets!D2", "negative Hours (-2)"),
        ("Warning", "Timesheets!D3", "30 hours in one day"),
        ("Info", "Timesheets!C3", "2 rows of tblTimesheets are dated after the status date "
                                  "2026-02-15"),
    ]
    al = [(f.cell, f.message) for f in about(findings, "tblAllocations")]
    assert al == [
        ("Allocations!D4", "negative Hours (-4)"),
        ("Allocations!D2", "neither Hours nor Percent is given"),
        ("Allocations!E3", "both Hours and Percent are given (one of the two belongs here)"),
    ]


def test_status_date_and_periods() -> None:
    early = [["Setting", "Value"], ["StatusDate", "2025-06-30"]]
    [f] = check(tblConfig=early)
    assert (f.severity, f.table) == ("Warning", "tblConfig")
    assert f.message == ("StatusDate 2025-06-30 is before every planned period (the plan "
                         "starts 2026-01): nothing is planned to date")
    findings = check(
        tblActuals=[["ProjectID", "Period", "Actual"], ["P1", "2026-02", 5], ["P1", "2026-03", 7],
                    ["P1", "2026-04", 0]],
        tblForecast=[["ProjectID", "Period", "Forecast"], ["P1", "2026-02", 9],
                     ["P1", "2026-03", 9]],
    )
    assert [(f.severity, f.cell, f.message) for f in findings] == [
        ("Info", "Actuals!C3", "1 row of tblActuals hold actual cost after the status period "
                               "2026-02 (not counted)"),
        ("Info", "Forecast!C2", "1 row of tblForecast forecast the status period 2026-02 or "
                                "earlier (only later periods are forecast)"),
    ]


def test_progress_after_the_status_period_is_an_info_as_actual_cost_is() -> None:
    """Progress typed for a month after the status period does not count (EV is read at the
    status date), as actual cost there does not; both say so (before: actual cost did,
    progress was left out without a word, e.g. when StatusDate was not moved on)."""
    findings = check(tblProgress=[
        ["ProjectID", "Period", "PercentComplete", "Earned"],
        ["P1", "2026-02-28", 0.3, None],  # the status month (BASE: StatusDate in 2026-02)
        ["P1", "2026-03-15", 0.5, None],
        ["P1", "2026-04-01", None, 120],
    ])
    assert [(f.severity, f.cell, f.message) for f in about(findings, "tblProgress")] == [
        ("Info", "Progress!B3", "2 rows of tblProgress report progress after the status "
                                "period 2026-02 (not counted)"),
    ]


def test_a_wide_row_pasted_twice_is_a_warning_naming_both() -> None:
    """A row of a wide table pasted twice (the same project, cost type and amount in every
    month) doubles that project's plan or cost; each row is counted, as typed, and a Warning
    names the copy and the row it repeats. Rows that share a key but not every amount (two
    Labour lines) are no copy; nor are equal rows of the long layout (two equal invoices)."""
    findings = check(
        tblPlan=[["ProjectID", "CostType", "2026-01", "2026-02", "2026-03"],
                 ["P1", "Labour", 100, 150, None],
                 ["P1", "Labour", 100, 150, None],  # pasted twice
                 ["P1", "Labour", 100, 150, 5],  # another Labour line
                 ["P2", "Labour", 100, 150, None],
                 ["P1", "Travel", None, None, None],
                 ["P1", "Travel", None, None, None]],  # empty rows repeat harmlessly
        tblActuals=[["ProjectID", "Period", "Actual"], ["P1", "2026-01", 7],
                    ["P1", "2026-01", 7]],
    )
    assert [(f.severity, f.cell, f.message) for f in about(findings, "tblPlan")] == [
        ("Warning", "Plan!A3", "the same row as Plan!A2 (P1, Labour, the same amount in "
                               "every month): both are counted; delete one if it was pasted "
                               "twice"),
    ]
    assert about(findings, "tblActuals") == []


def test_a_bac_that_is_not_the_plans_total_is_a_warning() -> None:
    """PMI: BAC is the total of the time-phased plan (PV at completion). A BAC of 275 against a
    plan of 100 + 150 = 250 makes EV (PercentComplete x BAC) and PV two budgets apart, so
    SPI is 10 % off at any progress; the cell is named. Half a percent is rounding."""
    findings = check(tblProjects=[["ProjectID", "ProjectName", "BAC"],
                                  ["P1", "Alpha", 275], ["P2", "Beta", 80.2],
                                  ["P3", "Gamma", None]])
    got = [(f.severity, f.cell, f.message) for f in about(findings, "tblProjects")
           if "total of" in f.message]
    assert got == [("Warning", "Projects!C2",
                    "BAC 275 is not the total of P1's plan in tblPlan (250): EV is measured "
                    "against BAC and PV against the plan, so SPI, the earned schedule and "
                    "ScheduleRAG compare two budgets; make them agree (BAC is the total of "
                    "the time-phased plan, PMI)")]


def test_projects_without_plan_and_baseline_spans() -> None:
    findings = check(tblProjects=[
        ["ProjectID", "BaselineStart", "BaselineFinish", "BAC"],
        ["P1", "2026-03-01", "2026-01-31", 250], ["P2", None, None, -5], ["P3", None, None, 10],
    ])
    assert [(f.severity, f.cell, f.message) for f in findings] == [
        ("Error", "Projects!C2", "BaselineFinish 2026-01-31 is before BaselineStart 2026-03-01"),
        ("Error", "Projects!D3", "negative BAC (-5): a budget cannot be negative, so BAC "
                                 "and the figures computed from it are #VALUE! in tblEVM"),
        ("Warning", "Projects!A4", "project 'P3' has no planned amounts in tblPlan (PV is 0)"),
    ]


def test_thresholds_the_wrong_way_round() -> None:
    config = [["Setting", "Value"], ["StatusDate", "2026-02-15"], ["CPIAmber", 0.8],
              ["CPIRed", 0.9], ["VarianceRed", 0.01]]
    messages = [f.message for f in check(tblConfig=config)]
    assert messages == [
        "CPIRed (0.9) and CPIAmber (0.8) are the wrong way round: Red should be below Amber",
        "VarianceRed (0.01) and VarianceAmber (0.05) are the wrong way round: Red should be "
        "above Amber",
    ]


def test_checks_table() -> None:
    findings = [Finding("Info", "tblPlan", "tblPlan", "i"), Finding("Warning", "a", "b", "w1"),
                Finding("Error", "t", "Plan!A1", "e"), Finding("Warning", "c", "d", "w2")]
    out = checks_table(findings)
    assert list(out.columns) == tables.CHECKS.column_names
    assert out["Severity"].tolist() == ["Error", "Warning", "Warning", "Info"]
    assert out["Message"].tolist() == ["e", "w1", "w2", "i"]
    assert all(out[c].dtype == object for c in out)
    empty = checks_table([])
    assert empty.empty and list(empty.columns) == tables.CHECKS.column_names


def test_check_workbook_end_to_end(tmp_path: Path) -> None:
    plan = [*PLAN_LONG, ["P9", "2026-01", None, "lots"]]
    path = write_book(
        tmp_path / "b.xlsx",
        {"Config": [("A1", CONFIG)], "Data": [("C5", plan)], "Projects": [("A1", PROJECTS)]},
        [("Data", "tblPlan", "C5:F9"), ("Projects", "tblProjects", "A1:C3")],
    )
    inputs, findings = check_workbook(path)
    assert [(f.severity, f.cell, f.message) for f in findings] == [
        ("Error", "Data!F9", "text 'lots' where a number belongs; read as blank"),
        ("Warning", "Data!C9", "ProjectID 'P9' is not in tblProjects (1 row)"),
        ("Info", "tblPlan", "tblPlan: long layout, 4 rows"),
    ]
    assert inputs.plan["Planned"].tolist() == [100.0, 150.0, 80.0, 0.0]


@pytest.mark.slow
def test_validate_500k_timesheet_rows_caps_its_findings() -> None:
    # (how fast: benchmarks/, not a timed test)
    n = 500_000
    rng = np.random.default_rng(3)
    body = np.empty((n, 4), dtype=object)
    body[:, 0] = "R1"
    body[:, 1] = np.char.add("P", rng.integers(1, 3, n).astype(str)).astype(object)
    body[:, 2] = (np.datetime64("2026-01-01") + rng.integers(0, 60, n)).astype(
        "datetime64[us]").astype(object)
    body[:, 3] = rng.integers(-1, 9, n).astype(float).astype(object)
    raw = {name: RawTable.from_values(rows, f"{name[3:]}!A1", name=name)
           for name, rows in BASE.items()}
    raw["tblTimesheets"] = RawTable("tblTimesheets", "Timesheets",
                                    ["ResourceID", "ProjectID", "Date", "Hours"], body)
    inputs, _ = coerce_inputs(raw)
    findings = validate(inputs, raw)
    negative = [f for f in findings if "negative Hours" in f.message]
    assert len(negative) == LIMIT + 1
