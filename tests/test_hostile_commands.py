"""The ribbon commands on books the contract allows but few test: plain sheets instead of
Excel Tables, and hostile cells, through xlwings' own server code (as xlwings Lite runs them;
machinery in test_udfs_server.py). A command that worked must not tell the user it failed,
and no command may write a formula."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from xlpmo import tables

pytest.importorskip("xlwings")


def plain_book(path: Path) -> Path:
    """tblConfig, tblProjects and tblPlan as plain sheets (headers in row 1, no Tables),
    with hostile cells in the plan."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Config"
    for row in [["Setting", "Value"], ["StatusDate", dt.datetime(2026, 6, 30)]]:
        ws.append(row)
    ws = wb.create_sheet("Projects")
    for row in [["ProjectID", "ProjectName"], ["P1", "Alpha"], ["=cmd|' /C calc'!A0", "Evil"]]:
        ws.append(row)
    ws["A3"].data_type = "s"  # text, as typed with a leading apostrophe
    ws = wb.create_sheet("Plan")
    for row in [["ProjectID", "Period", "Planned"], ["P1", dt.datetime(2026, 1, 1), 100],
                ["P1", dt.datetime(2026, 2, 1), "1e999"], ["P1", dt.datetime(2026, 3, 1), 50]]:
        ws.append(row)
    wb.save(path)
    return path


def test_refresh_of_plain_sheets_succeeds_without_an_alert(tmp_path: Path) -> None:
    from jsonbook import book_payload
    from test_udfs_server import read_table, run_server, written_values

    payload = book_payload(str(plain_book(tmp_path / "plain.xlsx")))
    [run] = run_server([{"kind": "scripts", "payload": payload,
                         "steps": [{"script": "refresh"}, {"script": "refresh"}]}])
    for step in run["steps"]:
        assert "exception" not in step, step
        alerts = [a["args"][0] for a in step["actions"] if a["func"] == "alert"]
        assert alerts == [], alerts  # it worked: no "no tblConfig table" box
    payload = run["payload"]
    _sheet, evm = read_table(payload, "tblEVM")
    assert evm[0] == tables.EVM.column_names
    assert read_table(payload, "tblPortfolio")[1][0] == tables.PORTFOLIO.column_names
    ids = [row[0] for row in evm[1:]]
    assert "P1" in ids and "=cmd|' /C calc'!A0" in ids  # the text, as text
    config = next(s for s in payload["sheets"] if s["name"] == "Config")
    assert config["tables"] == [] and config["values"][1][0] == "StatusDate"  # untouched
    _sheet, checks = read_table(payload, "tblChecks")
    assert any(row[2] == "Plan!C3" for row in checks[1:]), checks  # the 1e999 cell
    written = [v for v in written_values(run) if isinstance(v, str)]
    assert "'=cmd|' /C calc'!A0" in written and "=cmd|' /C calc'!A0" not in written


def crowded_book(path: Path, blocker: str) -> Path:
    """A book whose stale one-row tblEVM has something of the user's two rows below it:
    a table (``blocker="table"``) or a typed note (``"text"``). Refresh needs four rows."""
    import openpyxl
    from test_udfs_server import _table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Config"
    _table(ws, "tblConfig", [["Setting", "Value"], ["StatusDate", dt.datetime(2026, 2, 28)]])
    _table(wb.create_sheet("Projects"), "tblProjects", [
        ["ProjectID", "ProjectName", "BAC"], ["P1", "Alpha", 100], ["P2", "Beta", 200],
        ["P3", "Gamma", 300]])
    _table(wb.create_sheet("Plan"), "tblPlan", [
        ["ProjectID", "Period", "Planned"], ["P1", dt.datetime(2026, 1, 1), 100],
        ["P2", dt.datetime(2026, 1, 1), 200], ["P3", dt.datetime(2026, 1, 1), 300]])
    dash = wb.create_sheet("Dashboard")
    evm = tables.EVM.column_names
    _table(dash, "tblEVM", [evm, ["OLD", *[None] * (len(evm) - 1)]])
    if blocker == "table":
        _table(dash, "tblNotes", [["Note", "Owner"], ["keep me", "Ann"]], top=4, left=2)
    else:
        dash["C4"] = "keep me"
    wb.save(path)
    return path


@pytest.mark.parametrize("blocker, named", [("table", "the table tblNotes (B4:C5)"),
                                            ("text", "non-empty cells Dashboard!C4")])
def test_refresh_refuses_to_grow_a_table_over_the_users_cells(tmp_path: Path, blocker: str,
                                                              named: str) -> None:
    from jsonbook import book_payload
    from test_udfs_server import run_server

    payload = book_payload(str(crowded_book(tmp_path / "crowded.xlsx", blocker)))
    [run] = run_server([{"kind": "scripts", "payload": payload,
                         "steps": [{"script": "refresh"}]}])
    [step] = run["steps"]
    assert "exception" not in step, step
    alerts = [a["args"][0] for a in step["actions"] if a["func"] == "alert"]
    assert len(alerts) == 1, step["actions"]
    assert "nothing was written" in alerts[0]
    assert "tblEVM needs Dashboard!A1:" in alerts[0] and named in alerts[0], alerts[0]
    writes = [a["func"] for a in step["actions"] if a["func"] != "alert"]
    assert writes == [], writes  # not even tblChecks: refused before the first write
    assert run["payload"]["sheets"] == payload["sheets"]  # the book as it was
