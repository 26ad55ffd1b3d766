"""Refresh of a file writes tblTrend on its sheet, the ranges in tblEVM and the findings about
left-out months in tblChecks; the demo lists the projects whose budget is at risk."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from xlpmo.app.pipeline import refresh_file
from xlpmo.cli import main
from xlpmo.contract import tables
from xlpmo.io.reader import read_workbook
from xlpmo.template.builder import build_workbook


def _frame(raw) -> pd.DataFrame:
    return pd.DataFrame(raw.rows, columns=raw.header)


def _long(pid_values: dict[str, list[float]], amount: str) -> pd.DataFrame:
    rows = [(pid, pd.Timestamp("2026-01-01") + pd.DateOffset(months=k), "Labour", v)
            for pid, values in pid_values.items() for k, v in enumerate(values)]
    return pd.DataFrame(rows, columns=["ProjectID", "Period", "CostType", amount])


def test_refresh_writes_trend_ranges_and_left_out_months(tmp_path: Path) -> None:
    """P1 books no cost in February: that month is left out of its EAC range (an Info naming
    P1's February row of tblProgress); P2 has only two months: no range (#N/A)."""
    progress = pd.DataFrame(
        [("P1", pd.Timestamp(f"2026-0{m}-01"), None, 90.0 * m) for m in range(1, 6)]
        + [("P2", pd.Timestamp(f"2026-0{m}-01"), 0.2 * (m - 3), None) for m in (4, 5)],
        columns=tables.PROGRESS.column_names)
    data = {
        "tblConfig": pd.DataFrame({"Setting": ["StatusDate", "ForecastConfidence"],
                                   "Value": [pd.Timestamp("2026-05-31"), 0.8]}),
        "tblProjects": pd.DataFrame({"ProjectID": ["P1", "P2"], "ProjectName": ["A", "B"]})
        .reindex(columns=tables.PROJECTS.column_names),
        "tblPlan": _long({"P1": [100.0] * 8, "P2": [0, 0, 0, 50.0, 50.0, 50.0]}, "Planned"),
        "tblActuals": _long({"P1": [100.0, 0, 110, 95, 100], "P2": [0, 0, 0, 40.0, 45.0]},
                            "Actual"),
        "tblProgress": progress,
    }
    path = build_workbook(tmp_path / "t.xlsx", data)
    result = refresh_file(path, backup=False)
    book = read_workbook(path)
    trend = book.tables[tables.TREND.name]
    assert trend.sheet == "Trend" and trend.header == tables.TREND.column_names
    rows = _frame(trend)
    assert rows["ProjectID"].tolist() == ["P1"] * 5 + ["P2"] * 2
    evm = _frame(book.tables[tables.EVM.name]).set_index("ProjectID")
    assert evm.loc["P1", "EACLow"] < evm.loc["P1", "EAC"] < evm.loc["P1", "EACHigh"]
    assert str(evm.loc["P2", "EACLow"]) == "#N/A"
    checks = _frame(book.tables[tables.CHECKS.name])
    found = checks[checks["Message"].str.contains("left out of the statistical EAC range")]
    assert len(found) == 1 and "project 'P1'" in found["Message"].iloc[0]
    sheet, cell = found["Cell"].iloc[0].split("!")
    progress_table = book.tables[tables.PROGRESS.name]
    # the cell holds P1's February row (the second data row of tblProgress)
    assert sheet == progress_table.sheet and cell == "B3"
    assert progress_table.rows[1][:2] == ["P1", pd.Timestamp("2026-02-01").to_pydatetime()]
    assert found["Severity"].iloc[0] == "Info"
    assert any("left out" in f.message for f in result.findings)


def test_demo_lists_the_projects_whose_budget_is_at_risk(tmp_path: Path, capsys) -> None:
    assert main(["demo", str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out
    evm = _frame(read_workbook(tmp_path / "PMO_Sample.xlsx").tables["tblEVM"])
    # the realism test by hand on the written figures: TCPI − CPI above 0.10, or the budget
    # spent while work is left (TCPI negative)
    numbers = evm[evm["TCPI"].map(lambda v: isinstance(v, float))]
    by_hand = set(numbers.loc[(numbers["TCPI"] - numbers["CPI"] > 0.10)
                              | (numbers["AC"] >= numbers["BAC"]) & (numbers["EV"]
                                                                     < numbers["BAC"]),
                              "ProjectID"])
    assert by_hand and set(evm.loc[evm["BACAtRisk"].map(lambda v: v is True),
                                   "ProjectID"]) == by_hand
    listed = out.split("Budget at risk")[1].split("Resource utilisation")[0]
    assert {line.split()[0] for line in listed.splitlines()[3:] if line.strip()} == by_hand


@pytest.mark.parametrize("confidence", [0.5, 0.95])
def test_forecast_confidence_widens_the_range(tmp_path: Path, confidence: float) -> None:
    """A higher ForecastConfidence gives a wider range around the same EAC."""
    from xlpmo.template.sample import example_rows

    widths = {}
    for c in (confidence, 0.9):
        data = example_rows()
        config = data["tblConfig"].copy()
        config.loc[config["Setting"] == "ForecastConfidence", "Value"] = c
        data["tblConfig"] = config
        path = build_workbook(tmp_path / f"c{c}.xlsx", data)
        evm = refresh_file(path, backup=False).outputs[tables.EVM.name]
        widths[c] = (evm["EACHigh"] - evm["EACLow"]).astype(float)
    wider = widths[confidence] > widths[0.9] if confidence > 0.9 else (
        widths[confidence] < widths[0.9])
    assert wider.all()
