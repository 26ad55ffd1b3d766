"""The file commands on a workbook that carries what people added: New project, Close period
and Refresh one after the other, each through the one command core (#12), keep notes typed
in a user column of an output table with their project and a user column of an input table
with its row (#11). Expected values are the notes as typed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
from helpers.paths import TEMPLATE

from xlpmo.cli import main
from xlpmo.io.reader import read_workbook
from xlpmo.io.writer import write_tables


def table(path: Path, name: str) -> pd.DataFrame:
    t = read_workbook(path).tables[name]
    return pd.DataFrame(t.rows, columns=t.header, dtype=object)


def test_notes_stay_through_new_project_close_period_and_refresh(tmp_path: Path,
                                                                capsys) -> None:
    path = tmp_path / "Tracker.xlsx"
    shutil.copy(TEMPLATE, path)
    quiet = ["--quiet", "--no-backup"]
    assert main(["refresh", str(path), *quiet]) == 0
    evm, projects = table(path, "tblEVM"), table(path, "tblProjects")
    ids = list(evm["ProjectID"])
    assert ids == list(projects["ProjectID"]) == ["PRJ-101", "PRJ-102", "PRJ-103"]
    # comments typed beside tblEVM; tblProjects sorted Z to A with a Sponsor column added
    write_tables(path, path, {
        "tblEVM": evm.assign(Comment=[f"ask about {p}" for p in ids]),
        "tblProjects": projects.assign(Sponsor=["Ann", "Bob", "Cy"]).iloc[::-1]})

    assert main(["new-project", str(path), "--id", "PRJ-100", "--name", "First", *quiet]) == 0
    assert main(["close-period", str(path), *quiet]) == 0
    assert main(["refresh", str(path), *quiet]) == 0
    capsys.readouterr()

    projects = table(path, "tblProjects")
    assert dict(zip(projects["ProjectID"], projects["Sponsor"], strict=True)) == {
        "PRJ-101": "Ann", "PRJ-102": "Bob", "PRJ-103": "Cy", "PRJ-100": None}
    evm = table(path, "tblEVM")
    assert list(evm["ProjectID"]) == ["PRJ-103", "PRJ-102", "PRJ-101", "PRJ-100"]
    assert list(evm.columns)[-1] == "Comment"
    assert dict(zip(evm["ProjectID"], evm["Comment"], strict=True)) == {
        "PRJ-100": None, "PRJ-101": "ask about PRJ-101", "PRJ-102": "ask about PRJ-102",
        "PRJ-103": "ask about PRJ-103"}
    history = table(path, "tblHistory")
    assert sorted(history["ProjectID"]) == ["PRJ-100", *ids]
    assert "Comment" not in history.columns  # the snapshot takes the contract's columns
