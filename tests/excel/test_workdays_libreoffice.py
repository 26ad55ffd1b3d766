"""WORKDAYS against NETWORKDAYS.INTL as LibreOffice computes it, and Microsoft's rule for a
week without working days.

Microsoft support, "NETWORKDAYS.INTL function"
(https://support.microsoft.com/office/networkdays-intl-function-a9b26239-4f20-46a1-9ab8-4e925bfd5e28):
"Weekend string values are seven characters long ... 1 represents a non-workday and 0
represents a workday ... Using 1111111 will always return 0."
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from helpers.libreoffice import MARKS, convert

import xlpmo.functions as pmo

CASES = [  # start, end, weekend (string or number)
    (dt.date(2026, 1, 1), dt.date(2026, 1, 31), "1111111"),
    (dt.date(2026, 3, 31), dt.date(2026, 1, 1), "1111111"),  # backwards: still 0
    (dt.date(2026, 1, 1), dt.date(2026, 1, 31), "0000000"),
    (dt.date(2026, 1, 1), dt.date(2026, 1, 31), "0000011"),
    (dt.date(2026, 1, 1), dt.date(2026, 3, 31), "1000001"),
    (dt.date(2026, 1, 1), dt.date(2026, 3, 31), 7),
    (dt.date(2026, 1, 1), dt.date(2026, 3, 31), 11),
    (dt.date(2026, 2, 28), dt.date(2026, 1, 31), 1),  # backwards: negative
]
HOLIDAYS = [dt.date(2026, 1, 1), dt.date(2026, 1, 6), dt.date(2026, 2, 16)]


def test_a_week_without_working_days_is_zero_as_microsoft_documents():
    assert pmo.WORKDAYS("2026-01-01", "2026-01-31", None, "1111111") == 0
    assert pmo.WORKDAYS("2026-03-31", "2026-01-01", HOLIDAYS, "1111111") == 0
    assert pmo.WORKDAYS("2026-01-01", "2026-01-31", None, "111111") == "#VALUE!"  # 6 chars


@pytest.fixture(scope="module")
def libreoffice(tmp_path_factory):
    """NETWORKDAYS.INTL of every case, without and with holidays, computed by LibreOffice."""
    tmp = tmp_path_factory.mktemp("lo")
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, day in enumerate(HOLIDAYS, start=1):
        ws.cell(i, 6, day)
    for r, (start, end, weekend) in enumerate(CASES, start=1):
        ws.cell(r, 1, start)
        ws.cell(r, 2, end)
        ws.cell(r, 3, weekend)
        ws.cell(r, 4, f"=NETWORKDAYS.INTL(A{r},B{r},C{r})")
        ws.cell(r, 5, f"=NETWORKDAYS.INTL(A{r},B{r},C{r},$F$1:$F${len(HOLIDAYS)})")
    path = tmp / "networkdays.xlsx"
    wb.save(path)
    (out,) = convert([path], "xlsx:Calc MS Excel 2007 XML", tmp / "out", tmp)
    values = openpyxl.load_workbook(out, data_only=True).active
    return {r: (values.cell(r, 4).value, values.cell(r, 5).value)
            for r in range(1, len(CASES) + 1)}


@pytest.mark.parametrize("r", range(1, len(CASES) + 1))
@MARKS[0]
@MARKS[1]
def test_workdays_equals_libreoffice_networkdays_intl(libreoffice, r):
    start, end, weekend = CASES[r - 1]
    plain, with_holidays = libreoffice[r]
    assert pmo.WORKDAYS(start, end, None, weekend) == plain
    assert pmo.WORKDAYS(start, end, HOLIDAYS, weekend) == with_holidays
