"""Refresh of a workbook file: the compute step's findings reach tblChecks naming the cell,
and a negative BAC is an Error whose project shows #VALUE!, not a negative EV (issue #10
item 10)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from helpers.reader_books import write_book

from xlpmo.app.pipeline import refresh_file
from xlpmo.errors import XLError

PLAN = [["ProjectID", "Period", "Planned"],
        *[["P1", f"2026-{m:02d}", 100.0] for m in range(1, 7)],
        *[["P2", f"2026-{m:02d}", 50.0] for m in range(1, 5)],
        *[["P3", f"2026-{m:02d}", 50_000.0] for m in range(1, 7)]]
ACTUALS = [["ProjectID", "Period", "Actual"],
           *[["P1", f"2026-{m:02d}", 110.0] for m in range(1, 4)],
           *[["P2", f"2026-{m:02d}", 40.0] for m in range(1, 4)],
           *[["P3", f"2026-{m:02d}", 45_000.0] for m in range(1, 4)]]
PROGRESS = [["ProjectID", "Period", "PercentComplete"], ["P1", "2026-03", 0.5],
            ["P2", "2026-03", 0.6], ["P3", "2026-03", 0.4]]
FORECAST = [["ProjectID", "Period", "Forecast"], ["P1", "2026-04", 120.0],
            ["P1", "2026-05", 120.0], ["P1", "2026-06", 120.0]]


def _book(path: Path, bac_p3: float | None, method: str = "BOTTOMUP") -> Path:
    config = [["Setting", "Value"], ["StatusDate", "2026-03-31"], ["EACMethod", method]]
    projects = [["ProjectID", "ProjectName", "BAC"], ["P1", "Alpha", None],
                ["P2", "Beta", None], ["P3", "Gamma", bac_p3]]
    sheets = {"Config": [("A1", config)], "Projects": [("A1", projects)],
              "Plan": [("A1", PLAN)], "Actuals": [("A1", ACTUALS)],
              "Progress": [("A1", PROGRESS)], "Forecast": [("A1", FORECAST)]}
    refs = {"Config": ("tblConfig", "A1:B3"), "Projects": ("tblProjects", "A1:C4"),
            "Plan": ("tblPlan", f"A1:C{len(PLAN)}"), "Actuals": ("tblActuals",
                                                              f"A1:C{len(ACTUALS)}"),
            "Progress": ("tblProgress", "A1:C4"), "Forecast": ("tblForecast", "A1:C4")}
    return write_book(path, sheets, [(sheet, name, ref) for sheet, (name, ref) in refs.items()])


def _evm(result) -> pd.DataFrame:
    return result.outputs["tblEVM"].set_index("ProjectID")


def test_bottom_up_without_forecast_rows_is_explained_in_tblchecks(tmp_path):
    """P2 and P3 have no tblForecast rows under EACMethod BOTTOMUP: their EAC is #N/A and
    tblChecks says why, naming each project's cell (Projects!A3, Projects!A4)."""
    result = refresh_file(_book(tmp_path / "t.xlsx", None), backup=False)
    evm = _evm(result)
    assert evm.loc["P1", "EAC"] == 330 + 360  # AC + the bottom-up total
    assert evm.loc["P2", "EAC"] is XLError.NA and evm.loc["P3", "EAC"] is XLError.NA
    about = [f for f in result.findings if "BOTTOMUP" in f.message]
    assert [(f.severity, f.table, f.cell) for f in about] == [
        ("Warning", "tblProjects", "Projects!A3"), ("Warning", "tblProjects", "Projects!A4")]
    assert "'P2' has no rows in tblForecast" in about[0].message
    checks = result.outputs["tblChecks"]
    assert "Projects!A3" in checks["Cell"].tolist()


def test_negative_bac_is_an_error_naming_the_cell_and_value_in_tblevm(tmp_path):
    """BAC typed as −139,500 (40 % complete): an Error naming Projects!C4, and the
    project's BAC, EV, CPI, EAC are #VALUE! instead of EV −55,800 and CPI −1.24."""
    result = refresh_file(_book(tmp_path / "t.xlsx", -139_500.0, method="CPI"), backup=False)
    errors = [f for f in result.errors if f.cell == "Projects!C4"]
    assert len(errors) == 1 and "negative BAC (-139,500)" in errors[0].message
    p3 = _evm(result).loc["P3"]
    for name in ("BAC", "EV", "CPI", "EAC", "VAC", "SPIt"):
        assert p3[name] is XLError.VALUE, name
    assert p3["AC"] == 135_000
    assert _evm(result).loc["P1", "EAC"] == 600 / (300 / 330)  # the others are computed
