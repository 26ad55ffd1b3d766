"""The in-Excel Refresh keeps what people add to and do with the output tables (issue #11,
items 1-3), through xlwings' own server code (the layer xlwings Lite and Office.js use).

The book's tblEVM has a Comment column typed by an analyst; since the last refresh a
project was inserted before the others and one removed. After Refresh every comment is
beside its project, the removed project's comment is in tblChecks with its text, the
filter of the existing output table is cleared (Office.js cannot re-apply it) with an
Info, and the pivot table over tblEVM is refreshed (the other one is not)."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers.xlwings_server import _table, book_payload, read_table, records, run_server

from xlpmo.contract import tables

EVM = tables.EVM.column_names


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Config"
    _table(ws, "tblConfig", [["Setting", "Value"], ["StatusDate", dt.datetime(2026, 2, 28)]])
    _table(wb.create_sheet("Projects"), "tblProjects", [
        ["ProjectID", "ProjectName", "Portfolio", "BAC"],
        ["P0", "New", "Core", 100], ["P1", "Alpha", "Core", 1000], ["P3", "Gamma", "Core", 300]])
    _table(wb.create_sheet("Plan"), "tblPlan", [
        ["ProjectID", "CostType", "2026-01", "2026-02"],
        ["P0", "Labour", 50, 50], ["P1", "Labour", 500, 500], ["P3", "Labour", 150, 150]])
    old = [[*EVM, "Comment"]] + [[pid, *[None] * (len(EVM) - 1), f"ask about {pid}"]
                                 for pid in ("P1", "P2", "P3")]
    _table(wb.create_sheet("Dashboard"), "tblEVM", old)
    path = tmp_path_factory.mktemp("keep") / "pmo.xlsx"
    wb.save(path)
    payload = book_payload(str(path))
    dashboard = next(s for s in payload["sheets"] if s["name"] == "Dashboard")
    pivot = {"rows": [], "columns": [], "filters": [], "values": [], "layout": "Compact",
             "show_row_grand_totals": True, "show_column_grand_totals": True}
    dashboard["pivot_tables"] = [
        {**pivot, "name": "PivotEVM", "field_names": ["ProjectID", "Portfolio", "CPI"]},
        {**pivot, "name": "PivotRegions", "field_names": ["Region", "Sales"]}]
    [result] = run_server([{"kind": "scripts", "payload": payload,
                            "steps": [{"script": "refresh"}]}])
    assert "exception" not in result["steps"][0], result["steps"][0]
    return result


def test_comments_stay_with_their_project(run: dict) -> None:
    _sheet, cells = read_table(run["payload"], "tblEVM")
    assert cells[0] == [*EVM, "Comment"]
    got = {row[0]: row[-1] for row in cells[1:]}
    assert got == {"P0": None, "P1": "ask about P1", "P3": "ask about P3"}


def test_a_comment_whose_project_is_gone_is_in_tbl_checks(run: dict) -> None:
    checks = records(run["payload"], "tblChecks")
    [note] = [c for c in checks if "ask about P2" in c["Message"]]
    comment_column = len(EVM) + 1  # tblEVM at A1: P2 was on row 3
    letters = ""
    n = comment_column
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    assert (note["Severity"], note["Table"], note["Cell"]) == ("Info", "tblEVM",
                                                               f"Dashboard!{letters}3")
    assert "ProjectID P2" in note["Message"]
    assert note["Message"].endswith(": ask about P2")


def test_the_filter_it_cannot_reapply_is_cleared_with_an_info(run: dict) -> None:
    actions = run["steps"][0]["actions"]
    cleared = [a for a in actions if a["func"] == "clearAutoFilterTable"]
    dashboard = [s["name"] for s in run["payload"]["sheets"]].index("Dashboard")
    assert [(a["sheet_position"], a["args"]) for a in cleared] == [(dashboard, [0, None])]
    checks = records(run["payload"], "tblChecks")
    assert [c["Severity"] for c in checks if "cleared any filter on tblEVM" in c["Message"]] \
        == ["Info"]


def test_the_pivot_over_tbl_evm_is_refreshed(run: dict) -> None:
    actions = run["steps"][0]["actions"]
    refreshed = [a.get("pivot_name") for a in actions if a["func"] == "refreshPivotTable"]
    assert refreshed == ["PivotEVM"]


def test_validate_keeps_a_note_beside_its_finding(tmp_path) -> None:
    """Validate rewrites tblChecks: an Action typed beside a finding stays beside it."""
    import openpyxl
    from helpers.xlwings_server import parse_a1, table_entry

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Config"
    _table(ws, "tblConfig", [["Setting", "Value"], ["StatusDate", dt.datetime(2026, 2, 28)]])
    _table(wb.create_sheet("Projects"), "tblProjects", [
        ["ProjectID", "ProjectName", "BAC"], ["P1", "Alpha", 1000], ["P2", "Beta", "lots"]])
    _table(wb.create_sheet("Plan"), "tblPlan", [
        ["ProjectID", "CostType", "2026-01"], ["P1", "Labour", 500]])
    wb.save(tmp_path / "v.xlsx")
    [first] = run_server([{"kind": "scripts", "payload": book_payload(str(tmp_path / "v.xlsx")),
                           "steps": [{"script": "validate"}]}])
    payload = first["payload"]
    sheet = next(s for s in payload["sheets"] if any(t["name"] == "tblChecks"
                                                      for t in s["tables"]))
    entry = next(t for t in sheet["tables"] if t["name"] == "tblChecks")
    r1, c1, r2, c2 = parse_a1(entry["range_address"])
    rows = sheet["values"]
    bad = next(i for i in range(r1, r2) if rows[i][c1 + 1] == "Projects!C3")  # "lots"
    for i, row in enumerate(rows):
        row.extend([""] * (c2 + 1 - len(row)))
        if i == r1 - 1:
            row[c2] = "Action"
        elif i == bad:
            row[c2] = "Ann asks finance"
    sheet["tables"] = [table_entry("tblChecks", r1, c1, r2, c2 + 1)]
    [second] = run_server([{"kind": "scripts", "payload": payload,
                            "steps": [{"script": "validate"}]}])
    assert "exception" not in second["steps"][0], second["steps"][0]
    checks = records(second["payload"], "tblChecks")
    assert [c["Action"] for c in checks if c["Cell"] == "Projects!C3"] == ["Ann asks finance"]
