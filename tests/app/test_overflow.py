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
