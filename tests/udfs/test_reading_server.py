"""The in-Excel Refresh reads values by the same rules as the file refresh (issue #10),
through xlwings' own server code (:mod:`helpers.xlwings_server`, as xlwings Lite runs it).

Office.js gives a range's values without their number formats, so in Excel every number in a
percentage column is a fraction as Excel stores it (a percent-formatted 150 % is 1.5): a
column is never rescaled, and a number that fits no fraction is an Error naming its cell.
"""

from __future__ import annotations

import datetime as dt

import pytest
from helpers.tracker_books import TYPO_PROGRESS as PROGRESS
from helpers.tracker_books import base, tracker
from helpers.xlwings_server import book_payload, records, run_server

D = dt.datetime
WHOLE = [["ProjectID", "Period", "PercentComplete"], ["P1", D(2026, 3, 1), 72],
         ["P2", D(2026, 3, 1), 30], ["P3", D(2026, 3, 1), 40]]
BOOKS = {
    "typo": dict(tables=base(tblProgress=PROGRESS),
                 formats={"tblProgress": {"PercentComplete": "0%"}}),
    "whole": dict(tables=base(tblProgress=WHOLE)),
    "status": dict(tables=base(tblConfig=[["Setting", "Value"], ["StatusDate", "2026-13-45"]],
                               tblProgress=PROGRESS)),
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("books")
    requests = [{"kind": "scripts", "payload": book_payload(str(tracker(folder / f"{k}.xlsx",
                                                                       **spec))),
                 "steps": [{"script": "refresh"}]} for k, spec in BOOKS.items()]
    return dict(zip(BOOKS, run_server(requests), strict=True))


def checks(run: dict) -> list[tuple[str, str, str]]:
    return [(c["Severity"], c["Cell"], c["Message"]) for c in records(run["payload"], "tblChecks")
            if c["Severity"] != "Info"]


def ev(run: dict) -> dict[str, object]:
    return {r["ProjectID"]: r["EV"] for r in records(run["payload"], "tblEVM")}


def test_a_150_percent_typo_in_excel_leaves_the_other_projects_alone(runs) -> None:
    run = runs["typo"]
    assert "exception" not in run["steps"][0]
    assert ev(run) == {"P1": 720, "P2": 300, "P3": 800}
    assert checks(run) == [("Error", "Progress!C4", "PercentComplete 1.5 (150 %) is above 100 % "
                            "(if you meant 1.5 %, type 1.5%); left out (the project's previous "
                            "progress row counts)")]


def test_excel_never_rescales_a_column(runs) -> None:
    """The file refresh reads 72, 30, 40 on the 0–100 scale (it sees no percent format and
    says so); in Excel the formats are not known, so each is an Error naming its cell."""
    run = runs["whole"]
    assert ev(run) == {"P1": "#N/A", "P2": "#N/A", "P3": "#N/A"}
    assert [(s, c) for s, c, _ in checks(run)] == [
        ("Error", "Progress!C2"), ("Error", "Progress!C3"), ("Error", "Progress!C4")]
    assert checks(run)[0][2].startswith("PercentComplete 72 (7,200 %) is above 100 % (if you "
                                        "meant 72 %, type 72%)")


def test_an_unreadable_status_date_stops_the_refresh_in_excel(runs) -> None:
    """Nothing is written (a command writes all or nothing); the message names the cell."""
    [step] = runs["status"]["steps"]
    assert "exception" not in step  # a message, not a traceback
    [alert] = step["actions"]
    assert alert["func"] == "alert" and "StatusDate '2026-13-45' in Config!B2 cannot be " \
        "read" in alert["args"][0] and "not changed" in alert["args"][0]
