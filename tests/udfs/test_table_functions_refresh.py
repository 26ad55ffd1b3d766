"""The table worksheet functions (EVM, VARTABLE, FORECASTTABLE, UTILTABLE, CAPACITYPLAN,
TREND) given the whole input tables return exactly the tables Refresh writes: one engine,
whatever the door."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import xlpmo.functions as pmo
from xlpmo.app.pipeline import refresh_file
from xlpmo.contract import tables
from xlpmo.io.reader import read_workbook


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The sample portfolio workbook after a refresh, read back: table -> header + rows."""
    from xlpmo.template.builder import build_workbook
    from xlpmo.template.sample import sample_portfolio

    path: Path = tmp_path_factory.mktemp("sample") / "Tracker.xlsx"
    build_workbook(path, sample_portfolio())
    refresh_file(path, backup=False)
    book = read_workbook(path)
    return {name: [t.header, *t.rows] for name, t in book.tables.items()}


def _same(got: list[list[Any]], written: list[list[Any]]) -> None:
    """Cell by cell: numbers to 1e-9 relative (the file stores 17 significant digits),
    dates as days, errors and text exactly."""
    assert got[0] == written[0]
    assert len(got) == len(written), (len(got), len(written))
    for i, (a_row, b_row) in enumerate(zip(got[1:], written[1:], strict=True), start=2):
        for col, a, b in zip(got[0], a_row, b_row, strict=True):
            if isinstance(a, (pd.Timestamp, np.datetime64)) or hasattr(a, "year"):
                a, b = pd.Timestamp(a).normalize(), pd.Timestamp(b).normalize()
            if isinstance(a, (int, float)) and not isinstance(a, bool) and isinstance(
                    b, (int, float)):
                assert np.isclose(a, b, rtol=1e-9, atol=1e-9), (i, col, a, b)
            else:
                assert str(a) == str(b), (i, col, a, b)


def test_table_functions_return_the_tables_refresh_writes(refreshed: dict[str, Any]) -> None:
    t = refreshed
    cfg = t[tables.CONFIG.name]
    evm = pmo.EVM(t["tblProjects"], t["tblPlan"], t["tblActuals"], t["tblProgress"], None, cfg)
    _same(evm, t[tables.EVM.name])
    var = pmo.VARTABLE(t["tblPlan"], t["tblActuals"], None, cfg)
    _same(var, t[tables.VARIANCE.name])
    fc = pmo.FORECASTTABLE(t["tblPlan"], t["tblActuals"], t["tblForecast"], None, cfg,
                           t["tblProjects"], t["tblProgress"])
    _same(fc, t[tables.FORECAST_OUT.name])
    util = pmo.UTILTABLE(t["tblResources"], t["tblTimesheets"], t["tblAllocations"],
                         t["tblHolidays"], t["tblLeave"], None, cfg)
    _same(util, t[tables.UTILISATION.name])
    plan = pmo.CAPACITYPLAN(t["tblResources"], t["tblAllocations"], t["tblHolidays"],
                            t["tblLeave"], cfg)
    _same(plan, t[tables.CAPACITY_PLAN.name])
    assert len(plan) > 200 and any(row[0] == "Data Scientist" for row in plan)


def _by_project(rows: list[list[Any]]) -> dict[Any, list[dict[str, Any]]]:
    out: dict[Any, list[dict[str, Any]]] = {}
    for r in rows[1:]:
        record = dict(zip(rows[0], r, strict=True))
        out.setdefault(record["ProjectID"], []).append(record)
    return out


def test_trend_and_the_range_functions_return_what_refresh_writes(refreshed: dict[str, Any]
                                                                   ) -> None:
    """TREND is Refresh's tblTrend; EACRANGE on a project's tblTrend PeriodCPI cells and
    FINISHRANGE on its plan and EV month by month give Refresh's EACLow/EACHigh and
    FinishLow/FinishHigh, project by project."""
    t = refreshed
    cfg = t[tables.CONFIG.name]
    trend = pmo.TREND(t["tblProjects"], t["tblPlan"], t["tblActuals"], t["tblProgress"], None,
                      cfg)
    _same(trend, t[tables.TREND.name])
    status = pd.Timestamp(next(r[1] for r in cfg[1:] if r[0] == "StatusDate"))
    rows = _by_project(t[tables.TREND.name])
    projects = {r["ProjectID"]: r for r in _by_project(t["tblProjects"]).values()
                for r in r}
    plan = t["tblPlan"]
    months = {c: pd.Timestamp(c) for c in plan[0] if _is_month(c)}
    checked = 0
    for evm in _by_project(t[tables.EVM.name]).values():
        (e,) = evm
        pid = e["ProjectID"]
        if pid not in rows:
            continue
        p = projects[pid]
        start, finish = pd.Timestamp(p["BaselineStart"]), pd.Timestamp(p["BaselineFinish"])
        duration = (finish.year - start.year) * 12 + finish.month - start.month + 1
        cpis = [r["PeriodCPI"] for r in rows[pid]]
        got = pmo.EACRANGE(e["BAC"], e["EV"], e["AC"], [[c] for c in cpis], duration)
        _same([["EACLow", "EACHigh"], *got], [["EACLow", "EACHigh"],
                                              [e["EACLow"], e["EACHigh"]]])
        # the plan per month from Start (the wide tblPlan summed over cost types) and the
        # cumulative EV of each month to the status month (blank: no progress row)
        span = pd.period_range(start, finish, freq="M")
        pv = [sum(float(r[plan[0].index(c)] or 0) for r in plan[1:] if r[0] == pid)
              for c in (next(h for h, m in months.items() if m.to_period("M") == s)
                        for s in span)]
        reported = {pd.Timestamp(r["Period"]).to_period("M"): r["EV"] for r in rows[pid]}
        ev = [reported.get(s) for s in pd.period_range(start, status, freq="M")]
        got = pmo.FINISHRANGE(start, [pv], [ev])
        _same([["FinishLow", "FinishHigh"], *got], [["FinishLow", "FinishHigh"],
                                                    [e["FinishLow"], e["FinishHigh"]]])
        checked += 1
    assert checked >= 20  # every project with progress


def _is_month(header: Any) -> bool:
    try:
        pd.Timestamp(header)
    except (ValueError, TypeError):
        return False
    return not isinstance(header, str) or header[:1].isupper() or header[:1].isdigit()
