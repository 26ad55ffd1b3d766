"""Amounts near the largest double (1e308) overflow to infinity when summed. The output
shows that as an Excel error value; the user's terminal shows no numpy RuntimeWarning (the
checking step printed pandas' "overflow encountered in reduceat" in the middle of the
progress lines; run with warnings as errors, that was "xlpmo: unexpected RuntimeWarning",
exit 2 and nothing written)."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import openpyxl
from helpers.paths import TEMPLATE

from xlpmo.cli import main
from xlpmo.errors import XLError
from xlpmo.io.reader import read_workbook


def test_amounts_that_overflow_are_error_values_without_numpy_noise(tmp_path: Path,
                                                                   capsys) -> None:
    path = tmp_path / "Huge.xlsx"
    shutil.copy(TEMPLATE, path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's notes on what it does not keep
        wb = openpyxl.load_workbook(path)
    plan = wb["Plan"]
    assert plan["A2"].value == "PRJ-101" and plan["F1"].value == "Apr 2026"
    for col in "FGH":  # PRJ-101 Labour Apr-Jun 2026: 3 x 1e308 overflows in every sum
        plan[f"{col}2"] = 1e308
    wb.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        code = main(["refresh", str(path), "--no-backup"])
    err = capsys.readouterr().err
    assert "RuntimeWarning" not in err and "unexpected" not in err, err
    assert code in (0, 1)
    t = read_workbook(path).tables["tblEVM"]
    rows = {r[t.header.index("ProjectID")]: dict(zip(t.header, r, strict=True))
            for r in t.rows}
    assert rows["PRJ-101"]["PV"] == XLError.NUM  # the sum overflows: #NUM!, as in Excel
    assert isinstance(rows["PRJ-102"]["PV"], float)  # the other projects are untouched


def _rows(path: Path, table: str) -> list[dict]:
    t = read_workbook(path).tables[table]
    return [dict(zip(t.header, r, strict=True)) for r in t.rows]


def test_a_sum_that_overflows_is_num_in_everything_computed_from_it(tmp_path: Path) -> None:
    """Excel's rule: =SUM(1E308,1E308,1E308) is #NUM!, and so is every formula that uses
    it (=EV/PV, the earned schedule read off that plan, the RAG of that index). Before, PV
    showed #NUM! while SPI = EV/inf showed 0, ES and SPI(t) tiny numbers and ScheduleRAG Red:
    wrong figures with exit 0."""
    plain, huge = tmp_path / "Plain.xlsx", tmp_path / "Huge.xlsx"
    shutil.copy(TEMPLATE, plain)
    shutil.copy(TEMPLATE, huge)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(huge)
    for col in "FGH":  # PRJ-101 Labour Apr-Jun 2026
        wb["Plan"][f"{col}2"] = 1e308
    wb.save(huge)
    for path in (plain, huge):
        assert main(["refresh", str(path), "--no-backup", "--quiet"]) in (0, 1)
    before = {r["ProjectID"]: r for r in _rows(plain, "tblEVM")}
    after = {r["ProjectID"]: r for r in _rows(huge, "tblEVM")}
    p = after["PRJ-101"]
    for col in ("PV", "SV", "SVPct", "SPI", "ES", "SVt", "SPIt", "ForecastFinish",
                "ScheduleRAG"):
        assert p[col] == XLError.NUM, (col, p[col])
    # what does not use the plan is as before: EV 236,500 and AC 228,970 (the template)
    assert p["EV"] == 236500 and p["AC"] == 228970
    assert p["CPI"] == 236500 / 228970 and p["CostRAG"] == before["PRJ-101"]["CostRAG"]
    for other in ("PRJ-102", "PRJ-103"):
        assert after[other] == before[other]
    # tblVariance: April's plan is 1E308 (a number); from May the running sum overflows
    variance = [r for r in _rows(huge, "tblVariance") if r["ProjectID"] == "PRJ-101"]
    april, may = variance[0], variance[1]
    assert april["Planned"] == 1e308 and april["CumPlanned"] == 1e308
    assert may["CumPlanned"] == XLError.NUM
    for col in ("CumVariance", "CumVariancePct", "RAG"):
        assert may[col] == XLError.NUM, (col, may[col])
    # tblTrend: May's PV overflows, and so do the indices read from it
    trend = [r for r in _rows(huge, "tblTrend") if r["ProjectID"] == "PRJ-101"]
    assert trend[0]["PV"] == 1e308
    for col in ("PV", "SPI", "SPIt"):
        assert trend[1][col] == XLError.NUM, (col, trend[1][col])
    assert trend[1]["CPI"] == trend[1]["EV"] / trend[1]["AC"]
    # tblForecastOut: the band comes from the misses against that plan, whose squares
    # overflow: no band (before, High was #NUM! but Low showed AC to date as if known)
    ahead = [r for r in _rows(huge, "tblForecastOut")
             if r["ProjectID"] == "PRJ-101" and r["Kind"] == "Forecast"]
    assert len(ahead) == 2
    for r in ahead:
        assert r["Low"] == r["High"] == XLError.NUM, r
        assert isinstance(r["Cumulative"], float)  # the EAC spread does not use the plan


def test_capacity_that_overflows_is_num_and_over_allocation_unknown(tmp_path: Path,
                                                                   capsys) -> None:
    """HoursPerWeek 1E308 for R001: its capacity (× the working days) overflows, so
    CapacityHours, the ratios and OverAllocated are #NUM! (before, OverAllocated showed
    FALSE: inf − inf is NaN, and NaN > 0 is false). The check warns about the cell."""
    path = tmp_path / "Huge.xlsx"
    shutil.copy(TEMPLATE, path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    res = wb["Resources"]
    assert res["A2"].value == "R001" and res["F1"].value == "HoursPerWeek"
    res["F2"] = 1e308
    wb.save(path)
    assert main(["refresh", str(path), "--no-backup", "--quiet"]) in (0, 1)
    assert "Resources!F2" in capsys.readouterr().out
    rows = _rows(path, "tblUtilisation")
    r001 = [r for r in rows if r["ResourceID"] == "R001"]
    assert r001
    for r in r001:
        for col in ("CapacityHours", "Utilisation", "OverAllocated"):
            assert r[col] == XLError.NUM, (col, r)
    others = [r["OverAllocated"] for r in rows if r["ResourceID"] != "R001"]
    assert others and set(others) <= {True, False}  # the others are still TRUE/FALSE
    # tblCapacityPlan: R001 is the template's one Project Manager; the gap and the status of
    # that group are unknown too (before: GapHours blank from inf − inf, RAG Green or Amber)
    assert res["C2"].value == "Project Manager"
    plan = [r for r in _rows(path, "tblCapacityPlan") if r["Group"] == "Project Manager"]
    assert plan
    for r in plan:
        for col in ("CapacityHours", "GapHours", "Utilisation", "RAG"):
            assert r[col] == XLError.NUM, (col, r)
    assert {r["RAG"] for r in _rows(path, "tblCapacityPlan")
            if r["Group"] != "Project Manager"} <= {"Green", "Amber", "Red"}
