"""Findings people can act on, and refusals (issue #10 items 7 and 11), on real files.

- A required table present but unusable (no ProjectID column, every row rejected) exited 0
  and overwrote every output: now exit 2 and the file is not touched, as for a missing one.
- A blank required column gave one Error per row: now one naming the column.
- The console printed 20 findings in file order (21 identical "hours in one day" warnings
  buried the rest): now findings alike are one line.
- ``validate`` exited 0 when only Warnings were found, even when one of them changed a number
  (a column read on the 0–100 scale): now 1.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers.tracker_books import base, tracker

from xlpmo.app.pipeline import validate_file
from xlpmo.cli import group_findings, main
from xlpmo.errors import Finding

D = dt.datetime


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize(("projects", "words"), [
    ([["Name", "BAC"], ["Alpha", 1000]], "tblProjects cannot be used: it has no ProjectID"),
    ([["ProjectID", "BAC"], [None, 1000], ["#N/A", 1000]],
     "tblProjects cannot be used: every one of its 2 rows was rejected"),
])
def test_an_unusable_required_table_stops_refresh(tmp_path: Path, capsys, projects,
                                                  words: str) -> None:
    path = tracker(tmp_path / "t.xlsx", base(tblProjects=projects))
    before = listing(tmp_path)
    assert main(["refresh", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert words in err and "the workbook was not changed" in err
    assert listing(tmp_path) == before


def test_a_blank_required_column_is_one_finding(tmp_path: Path) -> None:
    progress = [["ProjectID", "Period", "PercentComplete"], ["P1", None, 0.5],
                ["P2", None, 0.5], ["P3", None, 0.5]]
    result = validate_file(tracker(tmp_path / "t.xlsx", base(tblProgress=progress)))
    found = [(f.severity, f.cell, f.message) for f in result.findings
             if f.table == "tblProgress"]
    assert found == [("Error", "Progress!B1",
                      "column Period is blank in every row (3 rows): no row is read")]


def test_the_console_groups_findings_alike() -> None:
    many = [Finding("Warning", "tblTimesheets", f"Timesheets!D{i}", f"{20 + i % 3} hours in "
                    "one day") for i in range(2, 23)]
    lines = group_findings([Finding("Error", "tblPlan", "Plan!C3", "text 'x' where a number "
                                    "belongs; read as 0"), *many])
    assert lines == [
        "Error: Plan!C3: text 'x' where a number belongs; read as 0",
        "Warning: 21 cells (Timesheets!D2, Timesheets!D3, Timesheets!D4, ...): 22 hours in one "
        "day (and alike)",
    ]


def test_validate_prints_grouped_findings(tmp_path: Path, capsys) -> None:
    sheets = [["ResourceID", "ProjectID", "Date", "Hours"],
              *[["R1", "P1", D(2026, 3, 2), 30] for _ in range(25)]]
    path = tracker(tmp_path / "t.xlsx", base(tblResources=[["ResourceID"], ["R1"]],
                                           tblTimesheets=sheets))
    assert main(["validate", str(path), "--quiet"]) == 0  # Warnings that change no number
    out = capsys.readouterr().out
    assert "Warning: 20 cells (Timesheets!D2, Timesheets!D3, Timesheets!D4, ...): 30 hours in " \
        "one day" in out
    assert out.count("hours in one day") == 2  # the 20 named cells, and "5 more rows ..."


def test_validate_exits_1_when_a_warning_changed_a_number(tmp_path: Path, capsys) -> None:
    progress = [["ProjectID", "Period", "PercentComplete"], ["P1", D(2026, 3, 1), 72],
                ["P2", D(2026, 3, 1), 30], ["P3", D(2026, 3, 1), 40]]
    path = tracker(tmp_path / "t.xlsx", base(tblProgress=progress))
    assert main(["validate", str(path), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "0 error(s), 1 warning(s)" in out and "0–100 scale" in out
