"""Excel's two date systems (issue #10 item 12).

- ``date1904`` is an xsd:boolean: ``"true"`` as well as ``"1"`` is the 1904 system, and the
  workbook's system applies to every serial read as a date: a StatusDate typed as a number,
  month headers given as serial numbers (they were read in the 1900 system whatever the
  workbook said).
- In the 1900 system Excel counts a 29 February 1900 that never was (serial 60): 1900-01-01
  is 1, 1900-02-28 is 59, 1900-03-01 is 61 (Microsoft, "Differences between the 1900 and the
  1904 date system in Excel"; "Excel incorrectly assumes that the year 1900 is a leap year").
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from helpers.reader_books import rezip
from helpers.tracker_books import PROJECTS, base, tracker

from xlpmo.app.pipeline import refresh_file
from xlpmo.contract import tables
from xlpmo.io.coerce import coerce_table
from xlpmo.io.ooxml.cells import excel_serial, serials
from xlpmo.io.raw import RawTable
from xlpmo.io.reader import read_workbook

D = dt.datetime
T = pd.Timestamp
# 1904 system: serial = days since 1904-01-01 (1900 serial - 1462)
S1904 = {"2026-01": 44561, "2026-02": 44592, "2026-03": 44620, "2026-04": 44651}
STATUS_1904 = 44650  # 2026-03-31


@pytest.mark.parametrize("flag", [b'date1904="true"', b'date1904="1"'])
def test_a_1904_workbook_reads_serials_in_its_system(tmp_path: Path, flag: bytes) -> None:
    plan = [["ProjectID", *map(str, S1904.values())], ["P1", 250, 250, 250, 250],
            ["P2", 250, 250, 250, 250], ["P3", 500, 500, 500, 500]]
    config = [["Setting", "Value"], ["StatusDate", STATUS_1904]]
    made = tracker(tmp_path / "m.xlsx", base(tblConfig=config, tblPlan=plan, tblActuals=None,
                                              tblProjects=PROJECTS), date1904=True)
    path = rezip(made, tmp_path / "t.xlsx", {"xl/workbook.xml": lambda x: x.replace(
        b'date1904="1"', flag)})
    result = refresh_file(path, backup=False)
    assert result.inputs.settings.StatusDate == T(2026, 3, 31)
    assert sorted({f"{m:%Y-%m}" for m in result.inputs.plan["Period"]}) == list(S1904)
    evm = result.outputs["tblEVM"].set_index("ProjectID")
    assert evm.loc["P1", "PV"] == 750.0  # January to March
    written = read_workbook(path).tables["tblEVM"]  # dates written in the 1904 system
    assert written.rows[0][written.header.index("StatusDate")] == D(2026, 3, 31)


@pytest.mark.parametrize(("date", "serial"), [
    ("1900-01-01", 1), ("1900-01-31", 31), ("1900-02-28", 59), ("1900-03-01", 61),
    ("1900-12-31", 366), ("2026-01-01", 46023),
])
def test_dates_early_in_1900_are_written_across_the_leap_year_gap(date: str,
                                                                  serial: int) -> None:
    assert excel_serial(T(date)) == serial
    got, _ = serials(pd.Series([T(date)]))
    assert got.tolist() == [serial]


def test_before_1900_there_is_no_serial() -> None:
    assert excel_serial(T("1899-12-31")) is None


@pytest.mark.parametrize(("serial", "date"), [
    (1, "1900-01-01"), (59, "1900-02-28"), (61, "1900-03-01"), (46023, "2026-01-01"),
])
def test_serials_early_in_1900_are_read_across_the_gap(serial: int, date: str) -> None:
    raw = RawTable.from_values([["Date", "Name"], [serial, "x"]], "Holidays!A1", "tblHolidays")
    frame, _, findings = coerce_table(raw, tables.HOLIDAYS)
    assert frame["Date"].tolist() == [T(date)] and not findings
