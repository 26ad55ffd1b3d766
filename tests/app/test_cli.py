"""The command line end to end on real files: demo, new, validate, refresh."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from xlpmo.cli import main
from xlpmo.contract import tables
from xlpmo.io.reader import read_workbook

TEMPLATE = Path(__file__).resolve().parents[2] / "workbook" / "PMO_Tracker.xlsx"


def _frame(raw_table) -> pd.DataFrame:
    return pd.DataFrame(raw_table.rows, columns=raw_table.header)


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    path = tmp_path / "Tracker.xlsx"
    shutil.copy(TEMPLATE, path)
    return path


def test_demo_writes_a_refreshed_sample(tmp_path: Path, capsys, monkeypatch):
    home, here = tmp_path / "home", tmp_path / "checkout"
    home.mkdir()
    here.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(here)
    assert main(["demo", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert list(here.iterdir()) == []  # nothing left in the folder it ran in
    path = home / "xlpmo-demo" / "PMO_Sample.xlsx"
    assert f"wrote {path} " in out  # and it says where it went
    assert "Portfolio earned value" in out and "Total" in out
    book = read_workbook(path)
    evm = _frame(book.tables["tblEVM"])
    assert len(evm) == 25 and list(evm.columns) == tables.EVM.column_names
    assert set(evm["CostRAG"]) <= {"Green", "Amber", "Red", "#N/A", "#DIV/0!"}
    portfolio = _frame(book.tables["tblPortfolio"])
    assert portfolio["Portfolio"].iloc[-1] == "Total"
    # the roll-up sums money first: the Total row's CPI is ΣEV/ΣAC of the project rows
    total = portfolio.iloc[-1]
    assert total["CPI"] == pytest.approx(total["EV"] / total["AC"])
    for name in ("tblVariance", "tblForecastOut", "tblUtilisation", "tblCapacityPlan"):
        assert len(book.tables[name]) > 100, name
    assert book.tables["tblCapacityPlan"].sheet == "CapacityPlan"
    # the sample's story: data engineers are short next quarter (two full-time placeholders
    # for PRJ-103 and one for PRJ-108 on top of their named work), worst of all groups
    gaps = out[out.index("the three worst gaps"):].splitlines()[3:6]
    assert gaps[0].startswith("Data Engineer ") and gaps[0].rstrip().endswith("Red")
    assert all(line.split()[-1] == "Red" for line in gaps) and len(gaps) == 3
    config = dict(book.tables["tblConfig"].rows)
    assert "LastRefreshed" in config and config["RefreshedBy"]
    # which projects are Red and why: each Red row of tblEVM, with its index and threshold
    red = evm[(evm["CostRAG"] == "Red") | (evm["ScheduleRAG"] == "Red")]
    assert len(red) >= 2
    assert f"Red projects: {len(red)} of 25" in out
    for row in red.itertuples():
        line = next(x for x in out.splitlines() if x.startswith(f"  {row.ProjectID} "))
        assert row.ProjectName in line
        if row.CostRAG == "Red":
            assert f"cost: CPI {row.CPI:.2f} < CPIRed {config['CPIRed']:.2f}" in line
        if row.ScheduleRAG == "Red":
            assert f"schedule: SPI(t) {row.SPIt:.2f} < SPIRed {config['SPIRed']:.2f}" in line


def test_refresh_template_in_place_keeps_a_backup(tracker: Path, capsys):
    before = tracker.read_bytes()
    assert main(["refresh", str(tracker), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "refreshed" in out
    backups = [p for p in tracker.parent.rglob("*") if p.is_file() and p != tracker]
    assert [p for p in backups if p.read_bytes() == before], "previous version kept"
    assert f"previous version kept as {backups[0]}" in out
    evm = _frame(read_workbook(tracker).tables["tblEVM"])
    projects = _frame(read_workbook(tracker).tables["tblProjects"])
    assert sorted(evm["ProjectID"]) == sorted(projects["ProjectID"])


def test_refresh_no_backup_and_status_date_override(tracker: Path):
    assert main(["refresh", str(tracker), "--quiet", "--no-backup",
                 "--status-date", "2026-03-15"]) == 0
    assert [p.name for p in tracker.parent.iterdir()] == [tracker.name]
    evm = _frame(read_workbook(tracker).tables["tblEVM"])
    assert set(pd.to_datetime(evm["StatusDate"])) == {pd.Timestamp("2026-03-15")}


def test_refresh_keeps_every_other_part_byte_identical(tracker: Path):
    with zipfile.ZipFile(tracker) as z:
        before = {n: z.read(n) for n in z.namelist()}
    assert main(["refresh", str(tracker), "--quiet", "--no-backup"]) == 0
    with zipfile.ZipFile(tracker) as z:
        after = {n: z.read(n) for n in z.namelist()}
    changed = {n for n in before if after.get(n) != before[n]}
    # only output sheets/tables, the Config sheet (stamps), package bookkeeping and the
    # CPI/SPI chart (its series follow tblEVM) may change
    allowed_prefixes = ("xl/worksheets/sheet", "xl/tables/table", "xl/workbook.xml",
                        "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml",
                        "xl/calcChain.xml", "docProps/app.xml", "xl/charts/chart2.xml")
    assert all(n.startswith(allowed_prefixes) for n in changed), changed
    for part in ("xl/drawings/drawing1.xml", "xl/charts/chart1.xml", "xl/theme/theme1.xml"):
        if part in before:
            assert after[part] == before[part]


def _broken_book(path: Path) -> Path:
    """A small workbook with typing mistakes: Plan!C2 'abc', a duplicated ProjectID with
    BAC 'lots' (Projects!A3)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Config"
    ws.append(["Setting", "Value"])
    ws.append(["StatusDate", "2026-06-30"])
    ws = wb.create_sheet("Projects")
    ws.append(["ProjectID", "ProjectName", "BAC"])
    ws.append(["P1", "One", 1000])
    ws.append(["P1", "Dup", "lots"])
    ws = wb.create_sheet("Plan")
    ws.append(["ProjectID", "Jan 2026", "Feb 2026"])
    ws.append(["P1", 100, "abc"])
    wb.save(path)
    return path


def test_validate_names_bad_cells_and_exits_1(tmp_path: Path, capsys):
    path = _broken_book(tmp_path / "Broken.xlsx")
    before = path.read_bytes()
    assert main(["validate", str(path), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "Plan!C2" in out and "abc" in out
    assert "Projects!A3" in out  # the duplicated ProjectID
    assert "Traceback" not in out
    assert path.read_bytes() == before


@pytest.mark.parametrize("verb", ["refresh", "report"])
def test_refresh_and_report_with_a_cell_left_out_write_and_exit_1(verb: str, tmp_path: Path,
                                                                     capsys):
    # exit 0 must mean the figures are right: Plan!C2 ('abc') is left out of P1's plan, so
    # the file is written (tblChecks names the cell) but the exit code says so
    path = _broken_book(tmp_path / "Broken.xlsx")
    before = path.read_bytes()
    assert main([verb, str(path), "--quiet", "--no-backup"]) == 1
    out = capsys.readouterr().out
    assert "Plan!C2" in out and "exit 1" in out and "Traceback" not in out
    assert path.read_bytes() != before
    book = read_workbook(path)
    if verb == "refresh":
        checks = _frame(book.tables["tblChecks"])
        assert "Plan!C2" in set(checks["Cell"])
    else:
        assert "Report" in book.sheet_names


def test_refresh_refuses_missing_required_table_and_leaves_file(tmp_path: Path, capsys):
    import openpyxl

    path = tmp_path / "NoPlan.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Projects"
    wb.active.append(["ProjectID"])
    wb.active.append(["P1"])
    wb.save(path)
    before = path.read_bytes()
    assert main(["refresh", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "tblPlan" in err and "not changed" in err
    assert path.read_bytes() == before


@pytest.mark.parametrize("content, words", [
    (b"not a workbook at all", "not"),
    (b"PK\x03\x04" + b"\x00" * 40, "zip"),
])
def test_refresh_unreadable_file_is_a_message(tmp_path: Path, capsys, content, words):
    path = tmp_path / "Bad.xlsx"
    path.write_bytes(content)
    assert main(["refresh", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Bad.xlsx" in err and words in err.lower() and "Traceback" not in err
    assert path.read_bytes() == content


def test_refresh_refuses_a_workbook_open_in_excel(tracker: Path, capsys):
    (tracker.parent / f"~${tracker.name}").write_bytes(b"\x05alice" + b" " * 50)
    before = tracker.read_bytes()
    assert main(["refresh", str(tracker), "--quiet"]) == 2
    assert "open" in capsys.readouterr().err.lower()
    assert tracker.read_bytes() == before


def test_new_creates_a_workbook_that_refreshes(tmp_path: Path):
    path = tmp_path / "Fresh.xlsx"
    assert main(["new", str(path)]) == 0
    assert main(["new", str(path)]) == 2  # refuses to overwrite
    assert main(["refresh", str(path), "--quiet", "--no-backup"]) == 0


def test_console_script_entry_point(tmp_path: Path):
    exe = Path(sys.executable).with_name("xlpmo")
    proc = subprocess.run([str(exe), "validate", str(TEMPLATE), "--quiet"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "0 error(s)" in proc.stdout


def test_functions_lists_the_catalogue_with_optional_arguments_bracketed(capsys):
    import xlpmo.functions as pmo

    assert main(["functions"]) == 0
    text = capsys.readouterr().out
    heads = [line for line in text.splitlines() if not line.startswith(" ")]
    assert [h.split("(")[0] for h in heads] == [f"PMO.{n}" for n in pmo.__all__]
    assert ("PMO.EAC(bac, ev, ac, [method], [pv], [weight], [etc])  classic: PMO_EAC"
            in heads), heads
    assert main(["functions", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    cpi = next(e for e in entries if e["name"] == "CPI")
    assert cpi["classic_name"] == "PMO_CPI" and not any(p["optional"]
                                                        for p in cpi["parameters"])

