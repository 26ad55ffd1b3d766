"""Dates typed as text (workbook.md v2 "Reading values", DateOrder in "Settings").

Issue #10 item 5, on real files: US month headers (1/1/2026, 2/1/2026 ...) all landed in
January and PV became the whole BAC; 02/01/26 headers left tblPlan unread with exit 0; a
StatusDate 10/01/2026 was silently 10 January; an unreadable StatusDate silently became
today; 2026-13-45 was "an unexpected internal error". PV below is hand arithmetic: the plan
is 250 a month, so PV to March is 750 for P1.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from helpers.tracker_books import CONFIG, base, tracker

from xlpmo.app.pipeline import refresh_file, validate_file
from xlpmo.cli import main
from xlpmo.errors import XlpmoError

D = dt.datetime
T = pd.Timestamp


def plan(headers: list[str]) -> list[list]:
    return [["ProjectID", *headers], ["P1", 250, 250, 250, 250], ["P2", 250, 250, 250, 250],
            ["P3", 500, 500, 500, 500]]


def config(*rows: list) -> list[list]:
    return [*CONFIG, *rows]


def pv(result) -> dict[str, float]:
    frame = result.outputs["tblEVM"]
    return dict(zip(frame["ProjectID"], frame["PV"].astype(float), strict=True))


def months(result) -> list[str]:
    return sorted({f"{m:%Y-%m}" for m in result.inputs.plan["Period"]})


US = ["1/1/2026", "2/1/2026", "3/1/2026", "4/1/2026"]
UK_SHORT = ["01/01/26", "01/02/26", "01/03/26", "01/04/26"]


@pytest.mark.parametrize(("headers", "order"), [(US, "month-first"), (UK_SHORT, "day-first")])
def test_month_headers_are_read_as_one_set(tmp_path: Path, headers: list[str],
                                           order: str) -> None:
    path = tracker(tmp_path / "t.xlsx", base(tblPlan=plan(headers)))
    result = refresh_file(path, backup=False)
    assert months(result) == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert pv(result) == {"P1": 750.0, "P2": 750.0, "P3": 1500.0}
    [w] = [f for f in result.findings if f.table == "tblPlan" and f.severity == "Warning"]
    assert w.cell == "Plan!C1:E1" and order in w.message and w.changed_number  # the doubtful
    assert "only that order gives each header its own month" in w.message


def test_date_order_says_which_and_silences_the_warning(tmp_path: Path) -> None:
    path = tracker(tmp_path / "t.xlsx",
                   base(tblConfig=config(["DateOrder", "MDY"]), tblPlan=plan(US)))
    result = refresh_file(path, backup=False)
    assert months(result) == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert not [f for f in result.findings if f.severity != "Info"]


def test_two_headers_in_one_month_are_an_error_naming_both(tmp_path: Path) -> None:
    path = tracker(tmp_path / "t.xlsx",  # DMY says 1/1 and 2/1 are 1 and 2 January
                   base(tblConfig=config(["DateOrder", "DMY"]), tblPlan=plan(US)))
    result = validate_file(path)
    errors = [f for f in result.findings if f.severity == "Error"]
    assert [(f.cell, f.message) for f in errors] == [
        ("Plan!B1", "headers Plan!B1 ('1/1/2026'), Plan!C1 ('2/1/2026'), Plan!D1 ('3/1/2026') "
         "and Plan!E1 ('4/1/2026') all fall in 2026-01: none of these columns is read (fix "
         "the headers, or set DateOrder in tblConfig)"),
        ("tblPlan", "tblPlan has no month column left to read (see the Errors on its "
         "headers); the table is not read")]
    assert main(["refresh", str(path), "--quiet"]) == 2  # a required table unusable


def test_an_ambiguous_text_date_reads_day_first_with_a_warning(tmp_path: Path) -> None:
    projects = [["ProjectID", "BAC", "BaselineStart"], ["P1", 1000, "02/03/2026"],
                ["P2", 1000, "15/01/2026"], ["P3", 2000, None]]
    path = tracker(tmp_path / "t.xlsx", base(tblProjects=projects))
    result = validate_file(path)
    assert result.inputs.projects["BaselineStart"].tolist()[:2] == [T(2026, 3, 2),
                                                                    T(2026, 1, 15)]
    [w] = [f for f in result.findings if f.severity == "Warning"]
    assert (w.cell, w.message) == (
        "Projects!C2", "text date '02/03/2026' is read day-first as 02 March 2026 (month-first "
        "it is 03 February 2026): set DateOrder in tblConfig to DMY or MDY to say which")
    assert main(["validate", str(path), "--quiet"]) == 1  # the Warning changed a number
    path = tracker(tmp_path / "mdy.xlsx", base(tblProjects=projects,
                                              tblConfig=config(["DateOrder", "MDY"])))
    result = validate_file(path)
    assert result.inputs.projects["BaselineStart"].tolist()[:2] == [T(2026, 2, 3),
                                                                    T(2026, 1, 15)]
    assert not [f for f in result.findings if f.severity == "Warning"]


@pytest.mark.parametrize(("order", "expected", "warned"), [
    ("MDY", T(2026, 10, 1), False), ("DMY", T(2026, 1, 10), False), (None, T(2026, 1, 10), True),
])
def test_status_date_as_text_follows_date_order(tmp_path: Path, order: str | None,
                                                expected: pd.Timestamp, warned: bool) -> None:
    rows = [["Setting", "Value"], ["StatusDate", "10/01/2026"]]
    if order:
        rows.append(["DateOrder", order])
    path = tracker(tmp_path / "t.xlsx", base(tblConfig=rows))
    result = validate_file(path)
    assert result.inputs.settings.StatusDate == expected
    cells = [f.cell for f in result.findings if f.severity == "Warning"]
    assert cells == (["Config!B2"] if warned else [])


@pytest.mark.parametrize(("value", "why"), [
    ("2026-13-45", "there is no month 13"), ("31/02/2026", "February 2026 has no day 31"),
    ("soon", "it is not a date"), (True, "it is not a date"),
])
def test_an_unreadable_status_date_stops_refresh(tmp_path: Path, capsys, value,
                                                 why: str) -> None:
    path = tracker(tmp_path / "t.xlsx",
                   base(tblConfig=[["Setting", "Value"], ["StatusDate", value]]))
    before = path.read_bytes()
    result = validate_file(path)
    [error] = [f for f in result.findings if f.severity == "Error"]
    assert (error.table, error.cell) == ("tblConfig", "Config!B2")
    assert why in error.message and "refresh stops" in error.message
    with pytest.raises(XlpmoError, match="StatusDate"):
        refresh_file(path, backup=False)
    assert main(["refresh", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Config!B2" in err and "unexpected" not in err and "not changed" in err
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]  # no backup, no temp file
    assert main(["validate", str(path), "--quiet"]) == 1
    # the StatusDate given on the command line stands in for it: nothing is left out, exit 0,
    # and tblChecks says the cell was not used
    assert main(["refresh", str(path), "--quiet", "--status-date", "2026-03-31"]) == 0
    [said] = [f for f in validate_file(path, "2026-03-31").findings if f.cell == "Config!B2"]
    assert said.severity == "Info" and "2026-03-31, stands in for it" in said.message


def test_an_impossible_status_date_argument_is_a_clear_message(tmp_path: Path, capsys) -> None:
    path = tracker(tmp_path / "t.xlsx", base())
    assert main(["refresh", str(path), "--quiet", "--status-date", "2026-13-45"]) == 2
    err = capsys.readouterr().err
    assert "cannot read status date '2026-13-45'" in err and "unexpected" not in err
