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
    from test_udfs_server import book_payload, read_table, run_server, written_values

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
