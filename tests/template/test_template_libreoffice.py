"""The template in LibreOffice: it opens and prints, and the ChartData formulas compute.

LibreOffice recalculates every formula on load (:mod:`helpers.libreoffice`), so the values
come from LibreOffice, not from the cached values XlsxWriter wrote.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from helpers.libreoffice import MARKS, convert

from xlpmo.contract import tables
from xlpmo.contract.periods import period_columns, wide_to_long
from xlpmo.template.builder import build_workbook
from xlpmo.template.layout import PICKER_CELL
from xlpmo.template.sample import sample_portfolio

pytestmark = MARKS
TEMPLATE = Path(__file__).resolve().parents[2] / "workbook" / "PMO_Tracker.xlsx"
STATUS_PERIOD = pd.Timestamp("2026-10-01")
S_FIRST_ROW = 13  # Excel row of the first month of the S-curve block (ChartData)


def test_libreoffice_opens_the_template_and_prints_it(tmp_path):
    (pdf,) = convert([TEMPLATE], "pdf", tmp_path / "out", tmp_path)
    data = pdf.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert data.startswith(b"%PDF") and pages >= 20


# -- the ChartData helper block against numbers computed here ---------------------------------


def _long(frame: pd.DataFrame, amount: str) -> pd.DataFrame:
    months = period_columns(frame.columns[2:])
    long = wide_to_long(frame, amount, ["ProjectID"], months)
    return long.groupby(["ProjectID", "Period"], as_index=False)[amount].sum()


def _variance(data: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """A tblVariance as refresh would write it: every plan month, actuals to the status."""
    v = _long(data["tblPlan"], "Planned").merge(
        _long(data["tblActuals"], "Actual"), on=["ProjectID", "Period"], how="outer"
    ).fillna({"Planned": 0.0, "Actual": 0.0}).sort_values(["ProjectID", "Period"])
    v["Actual"] = v["Actual"].where(v["Period"] <= STATUS_PERIOD)
    v["Variance"] = v["Planned"] - v["Actual"]
    v["VariancePct"] = v["Variance"] / v["Planned"].replace(0, np.nan)
    v["CumPlanned"] = v.groupby("ProjectID")["Planned"].cumsum()
    v["CumActual"] = v.groupby("ProjectID")["Actual"].cumsum()
    v["CumVariance"] = v["CumPlanned"] - v["CumActual"]
    v["CumVariancePct"] = v["CumVariance"] / v["CumPlanned"]
    v["RAG"] = "Green"
    return v[tables.VARIANCE.column_names].reset_index(drop=True)


def _utilisation(rng: np.random.Generator) -> pd.DataFrame:
    months = pd.date_range("2025-09-01", "2027-03-01", freq="MS")
    rows = pd.MultiIndex.from_product([["R1", "R2", "R3"], months]).to_frame(index=False)
    rows.columns = ["ResourceID", "Period"]
    n = len(rows)
    cap = rng.uniform(100, 170, n)
    cap[rng.random(n) < 0.1] = 0.0
    out = pd.DataFrame({
        "ResourceID": rows["ResourceID"], "Period": rows["Period"], "CapacityHours": cap,
        "AllocatedHours": cap * rng.uniform(0.5, 1.2, n),
        "ActualHours": np.where(rows["Period"] <= STATUS_PERIOD, cap * rng.uniform(0.4, 1.1, n),
                                0.0),
        "BillableHours": 0.0, "Utilisation": np.nan, "BillableUtilisation": np.nan,
        "Allocation": np.nan, "OverAllocated": False,
    })
    return out[tables.UTILISATION.column_names]


def _expected_scurve(data: dict[str, pd.DataFrame], var: pd.DataFrame, pid: str) -> pd.DataFrame:
    v = var[var["ProjectID"] == pid].set_index("Period")
    first = v.index[v["Planned"] > 0].min()
    last = max(v.index[v["Planned"] > 0].max(),
               min(STATUS_PERIOD, v.index[v["Actual"] > 0].max()))
    months = pd.date_range(first, last, freq="MS")
    projects = data["tblProjects"].set_index("ProjectID")
    bac = projects.loc[pid, "BAC"]
    if np.isnan(bac):
        bac = v["Planned"].sum()
    prog = data["tblProgress"][data["tblProgress"]["ProjectID"] == pid]
    rows = []
    for m in months:
        done = prog[prog["Period"] <= m]
        if prog["Earned"].notna().any():
            ev = done["Earned"].max() if len(done) else 0.0
        else:
            ev = (done["PercentComplete"].max() if len(done) else 0.0) * bac
        past = m <= STATUS_PERIOD
        rows.append({
            "Month": m,
            "PV": v.loc[v.index <= m, "Planned"].sum(),
            "EV": ev if past else "#N/A",
            "AC": v.loc[v.index <= m, "Actual"].sum() if past else "#N/A",
        })
    return pd.DataFrame(rows)


def test_chart_data_formulas_compute_in_libreoffice(tmp_path):
    full = sample_portfolio()
    keep = ("tblConfig", "tblProjects", "tblPlan", "tblActuals", "tblProgress")
    data = {k: full[k] for k in keep}
    data["tblVariance"] = var = _variance(full)
    data["tblUtilisation"] = util = _utilisation(np.random.default_rng(5))
    # earned in money, re-plan credit, blank BAC, not started, late
    projects = ["PRJ-109", "PRJ-111", "PRJ-112", "PRJ-113", "PRJ-125"]
    files = [build_workbook(tmp_path / f"{p}.xlsx", data, project=p) for p in projects]
    results = convert(files, "xlsx:Calc MS Excel 2007 XML", tmp_path / "out", tmp_path)

    for pid, path in zip(projects, results, strict=True):
        ws = openpyxl.load_workbook(path, data_only=True)["ChartData"]
        assert ws["B3"].value == pid
        want = _expected_scurve(full, var, pid)
        got = [[ws.cell(S_FIRST_ROW + i, c).value for c in (1, 3, 4, 5)] for i in range(48)]
        months = [r[0] for r in got if r[0] not in (None, "")]
        assert [pd.Timestamp(m) for m in months] == list(want["Month"]), pid
        for i, row in want.iterrows():
            _, pv, ev, ac = got[i]
            assert pv == pytest.approx(row["PV"]), (pid, row["Month"])
            for name, value in (("EV", ev), ("AC", ac)):
                if row[name] == "#N/A":
                    assert value == "#N/A", (pid, name, row["Month"])
                else:
                    assert value == pytest.approx(row[name]), (pid, name, row["Month"])
        assert all(r[1] == "#N/A" for r in got[len(want):])  # beyond the last month

    ws = openpyxl.load_workbook(results[0], data_only=True)["ChartData"]
    months = pd.date_range(STATUS_PERIOD - pd.DateOffset(months=11), periods=18, freq="MS")
    for i, m in enumerate(months):
        month, cap, actual, alloc, u, a, target = (
            ws.cell(S_FIRST_ROW + i, c).value for c in range(7, 14))
        rows = util[util["Period"] == m]
        assert pd.Timestamp(month) == m
        assert cap == pytest.approx(rows["CapacityHours"].sum())
        assert actual == pytest.approx(rows["ActualHours"].sum())
        assert alloc == pytest.approx(rows["AllocatedHours"].sum())
        if rows["CapacityHours"].sum() == 0:  # no capacity (a month without rows): a gap
            assert u == a == "#N/A", m
            continue
        want_u = rows["ActualHours"].sum() / rows["CapacityHours"].sum()
        assert (u == "#N/A") if m > STATUS_PERIOD else u == pytest.approx(want_u)
        assert a == pytest.approx(rows["AllocatedHours"].sum() / rows["CapacityHours"].sum())
        assert target == pytest.approx(0.8)
    picker = openpyxl.utils.get_column_letter(PICKER_CELL[1] + 1) + str(PICKER_CELL[0] + 1)
    dash = openpyxl.load_workbook(results[0], data_only=True)["Dashboard"]
    assert dash[picker].value == projects[0]
    assert pd.Timestamp(dash["B2"].value) == pd.Timestamp("2026-10-31")  # from tblConfig
