"""xlpmo.errors: the error classes callers tell apart, and Excel's leftmost-error rule."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xlpmo.cli import EXIT_ERROR, cmd_new, main
from xlpmo.errors import (
    FileChanged,
    FileRefused,
    InputError,
    LimitExceeded,
    WriteConflict,
    XLError,
    XlpmoError,
)
from xlpmo.template.builder import build_workbook


@pytest.mark.parametrize("kind", [InputError, FileRefused, FileChanged, WriteConflict,
                                  LimitExceeded])
def test_every_refusal_is_caught_as_xlpmo_error_and_is_no_other_kind(kind) -> None:
    # callers that catch XlpmoError (the CLI, the commands) keep catching every refusal
    with pytest.raises(XlpmoError):
        raise kind("x")
    others = {InputError, FileRefused, FileChanged, WriteConflict, LimitExceeded} - {kind}
    assert not any(issubclass(kind, other) for other in others)


def test_build_workbook_refuses_bad_tables_as_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown table"):
        build_workbook(tmp_path / "x.xlsx", {"tblNope": pd.DataFrame()})
    with pytest.raises(InputError, match="tblEVM: columns must be exactly"):
        build_workbook(tmp_path / "y.xlsx", {"tblEVM": pd.DataFrame({"ProjectID": ["P"]})})
    twice = pd.DataFrame([["P1", "Alpha"]], columns=["ProjectID", "projectid"])
    with pytest.raises(InputError, match="tblProjects: two columns have the same header"):
        build_workbook(tmp_path / "z.xlsx", {"tblProjects": twice})


def test_new_refuses_to_replace_a_file_as_a_write_conflict(tmp_path: Path, capsys) -> None:
    path = tmp_path / "Taken.xlsx"
    path.write_bytes(b"someone's work")
    with pytest.raises(WriteConflict, match=r"Taken\.xlsx exists"):
        cmd_new(argparse.Namespace(path=str(path), force=False))
    assert main(["new", str(path)]) == EXIT_ERROR
    assert "exists" in capsys.readouterr().err
    assert path.read_bytes() == b"someone's work"


def test_first_error_is_the_leftmost_member() -> None:
    # Excel: =#N/A+#DIV/0! is #N/A; the error text is not an error member
    assert XLError.first([1.0, None, XLError.NA, XLError.DIV0]) is XLError.NA
    assert XLError.first(np.array([XLError.DIV0, XLError.NA], dtype=object)) is XLError.DIV0
    assert XLError.first([1.0, "#N/A", None]) is None
    assert XLError.first([]) is None


TEMPLATE = Path(__file__).resolve().parents[1] / "workbook" / "PMO_Tracker.xlsx"


def test_refusals_keep_the_kind_that_says_why(tmp_path: Path) -> None:
    """Each refusal a user meets is raised as the kind that says why, and the session's
    "name the workbook" wrapper keeps that kind (it used to make every one a bare
    XlpmoError)."""
    import shutil

    from xlpmo.app.commands import NewProject, new_project
    from xlpmo.app.importing import Export
    from xlpmo.app.pipeline import refresh_file
    from xlpmo.app.session import FileSession

    book = tmp_path / "Tracker.xlsx"
    shutil.copy(TEMPLATE, book)
    # open in Excel: Excel's owner file ~$Tracker.xlsx beside it
    lock = tmp_path / "~$Tracker.xlsx"
    lock.write_bytes(b"\x05alice" + b" " * 48)
    with pytest.raises(WriteConflict, match="open in"):
        refresh_file(book, backup=False)
    lock.unlink()
    # saved by someone else between the read and the write
    session = FileSession(book, backup=False)
    session.read()
    book.write_bytes(book.read_bytes() + b"\0")
    with pytest.raises(FileChanged, match=r"Tracker\.xlsx.*changed since xlpmo read it"):
        session.write({}, [])
    shutil.copy(TEMPLATE, book)
    # an export that is no spreadsheet
    pdf = tmp_path / "export.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(FileRefused, match=r"export\.pdf: an export must be a \.csv"):
        Export.from_file(pdf, None, {})
    # a project argument that is no amount
    with pytest.raises(InputError, match="'lots' is not an amount"):
        new_project(FileSession(book, backup=False), NewProject("N-1", "New", bac="lots"))
    assert book.read_bytes() == TEMPLATE.read_bytes()
