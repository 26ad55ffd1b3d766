"""`xlpmo close-period` and `xlpmo new-project` on the template and on the demo workbook,
`--help` of every verb, and who the workbook says ran a command."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest
from helpers.paths import TEMPLATE

from xlpmo.cli import build_parser, main
from xlpmo.io.reader import read_workbook


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def records(path: Path, name: str) -> list[dict]:
    t = read_workbook(path).tables[name]
    return [dict(zip(t.header, r, strict=True)) for r in t.rows]


def setting(path: Path, name: str):
    return next(r["Value"] for r in records(path, "tblConfig") if r["Setting"] == name)


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    path = tmp_path / "Tracker.xlsx"
    shutil.copy(TEMPLATE, path)
    return path


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    assert main(["demo", str(folder), "--quiet"]) == 0
    return folder / "PMO_Sample.xlsx"


def test_close_period_on_the_template(tracker: Path, capsys) -> None:
    assert main(["refresh", str(tracker), "--quiet", "--no-backup"]) == 0
    evm = records(tracker, "tblEVM")
    assert setting(tracker, "StatusDate") == dt.datetime(2026, 10, 31)
    assert main(["close-period", str(tracker), "--quiet", "--no-backup"]) == 0
    out = capsys.readouterr().out
    assert "3 project(s) at 2026-10-31 copied into tblHistory; StatusDate is now 2026-11-30" \
        in out
    history = records(tracker, "tblHistory")
    assert [r["ProjectID"] for r in history] == [r["ProjectID"] for r in evm]
    for h, e in zip(history, evm, strict=True):  # the snapshot is tblEVM at the status date
        assert h["StatusDate"] == dt.datetime(2026, 10, 31)
        assert (h["EV"], h["AC"], h["CPI"]) == (e["EV"], e["AC"], e["CPI"])
        assert isinstance(h["ClosedOn"], dt.datetime)
    assert setting(tracker, "StatusDate") == dt.datetime(2026, 11, 30)
    # the next close is the next month's: tblHistory grows by one snapshot per month
    assert main(["close-period", str(tracker), "--quiet", "--no-backup"]) == 0
    assert setting(tracker, "StatusDate") == dt.datetime(2026, 12, 31)
    assert [r["StatusDate"] for r in records(tracker, "tblHistory")] == \
        [dt.datetime(2026, 10, 31)] * 3 + [dt.datetime(2026, 11, 30)] * 3


def test_a_closed_period_is_not_closed_twice(tracker: Path, capsys) -> None:
    import openpyxl

    assert main(["close-period", str(tracker), "--quiet", "--no-backup"]) == 0
    wb = openpyxl.load_workbook(tracker)  # StatusDate put back to the closed month by hand
    ws = wb["Config"]
    row = next(r for r in ws.iter_rows() if r[0].value == "StatusDate")
    row[1].value = dt.datetime(2026, 10, 31)
    wb.save(tracker)
    before = sha(tracker)
    assert main(["close-period", str(tracker), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "the period of 2026-10-31 is already closed" in err and "nothing was changed" in err
    assert sha(tracker) == before


def test_close_period_on_the_demo_workbook(demo: Path, tmp_path: Path, capsys) -> None:
    book = tmp_path / demo.name
    shutil.copy(demo, book)
    assert main(["close-period", str(book), "--quiet", "--no-backup"]) == 0
    assert len(records(book, "tblHistory")) == 25
    assert setting(book, "StatusDate") == dt.datetime(2026, 11, 30)
    assert "25 project(s) at 2026-10-31" in capsys.readouterr().out


def test_new_project_on_the_template(tracker: Path, capsys) -> None:
    args = ["new-project", str(tracker), "--id", "PRJ-104", "--name", "CRM upgrade", "--bac",
            "250,000", "--start", "2026-11-01", "--finish", "2027-06-30", "--quiet",
            "--no-backup"]
    assert main(args) == 0
    assert "added project PRJ-104 (CRM upgrade) to tblProjects and 1 plan row(s)" in \
        capsys.readouterr().out
    project = records(tracker, "tblProjects")[-1]
    assert project == {"ProjectID": "PRJ-104", "ProjectName": "CRM upgrade", "Portfolio": None,
                       "Manager": None, "Status": None,
                       "BaselineStart": dt.datetime(2026, 11, 1),
                       "BaselineFinish": dt.datetime(2027, 6, 30), "BAC": 250000.0}
    plan = records(tracker, "tblPlan")  # wide: one row with the ID, months blank
    assert plan[-1]["ProjectID"] == "PRJ-104"
    assert all(v is None for k, v in plan[-1].items() if k not in ("ProjectID",))
    # without --id: the next in the book's pattern; an ID taken is refused
    assert main(["new-project", str(tracker), "--name", "Next", "--quiet", "--no-backup"]) == 0
    assert records(tracker, "tblProjects")[-1]["ProjectID"] == "PRJ-105"
    before = sha(tracker)
    assert main(["new-project", str(tracker), "--id", "PRJ-101", "--quiet"]) == 2
    assert "project PRJ-101 already exists" in capsys.readouterr().err
    assert main(["new-project", str(tracker), "--start", "2026-05-01", "--finish",
                 "2026-04-01", "--quiet"]) == 2
    assert "before the start" in capsys.readouterr().err
    assert main(["new-project", str(tracker), "--bac", "lots", "--quiet"]) == 2
    assert sha(tracker) == before
    assert main(["refresh", str(tracker), "--quiet", "--no-backup"]) == 0
    assert "PRJ-104" in {r["ProjectID"] for r in records(tracker, "tblEVM")}


def test_new_project_in_a_long_plan_gets_a_row_per_month(tmp_path: Path, capsys) -> None:
    from xlpmo.template.builder import build_workbook
    from xlpmo.template.sample import example_rows

    data = example_rows()
    data["tblPlan"] = pd.DataFrame({"ProjectID": ["PRJ-101"],
                                    "Period": pd.to_datetime(["2026-01-01"]),
                                    "CostType": ["Labour"], "Planned": [100.0]})
    path = build_workbook(tmp_path / "Long.xlsx", data)
    assert main(["new-project", str(path), "--id", "N1", "--start", "2026-11-15",
                 "--finish", "2027-01-10", "--quiet", "--no-backup"]) == 0
    plan = records(path, "tblPlan")
    assert [(r["ProjectID"], r["Period"], r["Planned"]) for r in plan[1:]] == [
        ("N1", dt.datetime(2026, 11, 1), None), ("N1", dt.datetime(2026, 12, 1), None),
        ("N1", dt.datetime(2027, 1, 1), None)]
    assert "and 3 plan row(s) to tblPlan" in capsys.readouterr().out


def test_new_project_on_the_demo_workbook(demo: Path, tmp_path: Path) -> None:
    book = tmp_path / demo.name
    shutil.copy(demo, book)
    assert main(["new-project", str(book), "--name", "Pilot", "--bac", "1000", "--quiet",
                 "--no-backup"]) == 0
    projects = records(book, "tblProjects")
    assert len(projects) == 26 and projects[-1]["ProjectID"] == "PRJ-126"


@pytest.mark.parametrize("verb", ["demo", "validate", "refresh", "import", "close-period",
                                  "new-project"])
def test_every_verb_has_help_with_an_example(verb: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([verb, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert f"xlpmo {verb} " in out.split("example")[1]


def test_one_name_for_the_user_wherever_xlpmo_records_one(tracker: Path, monkeypatch) -> None:
    """No login name (xlwings Lite's sandbox, some services): the stamp, the lock file and
    the import log say the same thing (they said 'xlpmo', 'unknown' and 'xlwings')."""
    import xlpmo.io.safesave as safesave

    def no_login() -> str:
        raise OSError("no login name")

    monkeypatch.setattr(getpass, "getuser", no_login)
    seen = []
    real = safesave._Lock.acquire

    def acquire(lock) -> None:
        real(lock)
        seen.append(safesave._read_lock(lock.lock)["user"])

    monkeypatch.setattr(safesave._Lock, "acquire", acquire)
    assert main(["refresh", str(tracker), "--quiet", "--no-backup"]) == 0
    assert seen == [setting(tracker, "RefreshedBy")] == ["unknown"]


def test_import_on_the_demo_workbook(demo: Path, tmp_path: Path, capsys) -> None:
    """A timesheet export into the demo's ~22,000 timesheet rows and a finance export into
    its wide Actuals; imported twice, counted once."""
    from helpers.exports import csv_bytes

    book = tmp_path / demo.name
    shutil.copy(demo, book)
    n = len(records(book, "tblTimesheets"))
    sheets = tmp_path / "timesheets_nov.csv"
    sheets.write_bytes(csv_bytes([["Employee", "Project", "Date", "Hours", "Billable"],
                                  ["R001", "PRJ-106", "2026-11-02", "7.5", "TRUE"],
                                  ["R002", "PRJ-107", "2026-11-02", "6", "FALSE"],
                                  ["R999", "PRJ-107", "2026-11-03", "1", ""]]))
    finance = tmp_path / "finance_nov.csv"
    finance.write_bytes(csv_bytes([["Invoice", "Project", "Date", "Cost type", "Amount"],
                                   ["INV-1", "PRJ-101", "2026-10-30", "Labour", "1000"]]))
    oct_labour = next(r["Oct 2026"] for r in records(book, "tblActuals")
                      if (r["ProjectID"], r["CostType"]) == ("PRJ-101", "Labour"))
    for _ in range(2):
        assert main(["import", str(book), str(sheets), "--quiet", "--no-backup"]) == 0
        assert main(["import", str(book), str(finance), "--quiet", "--no-backup"]) == 0
    out = capsys.readouterr().out
    assert "ResourceID 'R999' imported into tblTimesheets is not in tblResources" in out
    rows = records(book, "tblTimesheets")
    assert len(rows) == n + 3
    assert (rows[-3]["ResourceID"], rows[-3]["Date"], rows[-3]["Hours"]) == (
        "R001", dt.datetime(2026, 11, 2), 7.5)
    assert next(r["Oct 2026"] for r in records(book, "tblActuals")
                if (r["ProjectID"], r["CostType"]) == ("PRJ-101", "Labour")) == oct_labour + 1000
    assert main(["refresh", str(book), "--quiet", "--no-backup"]) == 0



def charted(path: Path, table: str, header: list[str], rows: list[list]) -> Path:
    """A small tracker (tblConfig, tblProjects, tblPlan, ``table``) whose chart draws ``table``'s
    second column against its first: categories over the whole column, values over all
    rows but the last (a range a user typed), so xlpmo leaves the series as it is."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    config = wb.add_worksheet("Config")
    config.add_table("A1:B2", {"name": "tblConfig", "columns": [
        {"header": "Setting"}, {"header": "Value"}], "data": [["StatusDate", "2026-03-31"]]})
    if table != "tblProjects":
        projects = wb.add_worksheet("Projects")
        projects.add_table("A1:C2", {"name": "tblProjects", "columns": [
            {"header": h} for h in ("ProjectID", "ProjectName", "BAC")],
            "data": [["P1", "Alpha", 1000]]})
    plan = wb.add_worksheet("Plan")
    plan.add_table("A1:D2", {"name": "tblPlan", "columns": [
        {"header": h} for h in ("ProjectID", "2026-01", "2026-02", "2026-03")],
        "data": [["P1", 300, 300, 400]]})
    ws = wb.add_worksheet(table[3:])
    end = xlsxwriter.utility.xl_rowcol_to_cell(len(rows), len(header) - 1)
    ws.add_table(f"A1:{end}", {"name": table, "columns": [{"header": h} for h in header],
                               "data": rows})
    chart = wb.add_chart({"type": "column"})
    sheet = table[3:]
    chart.add_series({"categories": f"={sheet}!$A$2:$A${len(rows) + 1}",
                      "values": f"={sheet}!$B$2:$B${len(rows)}"})
    ws.insert_chart("H2", chart)
    wb.close()
    return path


def test_what_the_write_says_is_printed(tmp_path: Path, capsys) -> None:
    """close-period and new-project add rows to a table a chart draws in part: the series is
    left as it was and the command says so (as refresh does in tblChecks), not silently."""
    from xlpmo.contract import tables

    history = tables.HISTORY.column_names
    old = dict.fromkeys(history)
    old.update(ClosedOn=dt.datetime(2026, 3, 1), ProjectID="P1", StatusDate=dt.datetime(
        2026, 2, 28), BAC=1000, PV=1, EV=1, AC=1)
    earlier = {**old, "StatusDate": dt.datetime(2026, 1, 31)}
    book = charted(tmp_path / "h.xlsx", "tblHistory",
                   history, [[r[c] for c in history] for r in (earlier, old)])
    assert main(["close-period", str(book), "--quiet", "--no-backup"]) == 0
    out = capsys.readouterr().out
    assert "copied into tblHistory" in out
    assert "Info: History:" in out and "was not stretched with tblHistory" in out, out

    book = charted(tmp_path / "p.xlsx", "tblProjects", ["ProjectID", "ProjectName", "BAC"],
                   [["P1", "Alpha", 1000], ["P2", "Beta", 2000]])
    assert main(["new-project", str(book), "--id", "P3", "--name", "Gamma", "--quiet",
                 "--no-backup"]) == 0
    out = capsys.readouterr().out
    assert "added project P3" in out
    assert "Info: Projects:" in out and "was not stretched with tblProjects" in out, out


def test_close_period_with_a_value_left_out_exits_1(tmp_path: Path, capsys) -> None:
    """The snapshot leaves out an actual typed as text: written, the cell named, exit 1
    (exit 0 means the figures are right)."""
    from helpers.tracker_books import ACTUALS, base, tracker

    actuals = [*ACTUALS, ["P2", dt.datetime(2026, 3, 1), "abc"]]
    book = tracker(tmp_path / "t.xlsx", base(tblActuals=actuals))
    assert main(["close-period", str(book), "--quiet", "--no-backup"]) == 1
    out = capsys.readouterr().out
    assert "3 project(s) at 2026-03-31 copied into tblHistory" in out
    assert "Error: Actuals!C5: text 'abc' where" in out, out
    assert len(records(book, "tblHistory")) == 3


@pytest.mark.parametrize(("tables_", "said"), [
    ({"tblConfig": [["Setting", "Value"], ["StatusDate", "2026-13-45"]]},
     "StatusDate '2026-13-45' in Config!B2 cannot be read"),
    ({"tblPlan": None}, "required table(s) tblPlan missing"),
])
def test_close_period_refuses_what_refresh_refuses(tmp_path: Path, capsys, tables_: dict,
                                                   said: str) -> None:
    """An unreadable StatusDate (which period would it close?) or a missing required table
    stops close-period as it stops refresh: exit 2, the file untouched."""
    from helpers.tracker_books import base, tracker

    book = tracker(tmp_path / "t.xlsx", base(**tables_))
    before = sha(book)
    assert main(["close-period", str(book), "--quiet", "--no-backup"]) == 2
    err = capsys.readouterr().err
    assert "cannot close the period" in err and said in err and "not changed" in err, err
    assert sha(book) == before
