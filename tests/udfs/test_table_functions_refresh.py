"""The table worksheet functions (EVM, VARTABLE, FORECASTTABLE, UTILTABLE, CAPACITYPLAN) given
the whole input tables return exactly the tables Refresh writes: one engine, whatever the
door."""

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
