"""The Excel side's own parts: a value as a cell takes it (errors as errors, text as text)
and where Validate takes the user. (The commands run through xlwings in
test_udfs_server.py; their rules are tested in tests/core/test_commands.py and
tests/app.)"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from xlpmo_udfs import book

from xlpmo.app.commands import first_problem_cell
from xlpmo.errors import Finding


def test_cell_value_writes_errors_as_errors_and_text_as_text():
    from xlpmo.errors import XLError

    assert book.cell_value(XLError.DIV0) == "#DIV/0!"
    assert book.cell_value("#DIV/0!") == "'#DIV/0!"  # text that looks like an error
    assert book.cell_value(float("nan")) == "#N/A"
    assert book.cell_value(pd.Timestamp("2026-01-31")) == dt.datetime(2026, 1, 31)
    assert book.cell_value(pd.NaT) is None


def test_first_problem_cell_prefers_errors_with_a_cell():
    findings = [Finding("Warning", "tblPlan", "Plan!C3", "odd"),
                Finding("Error", "tblPlan", "tblPlan", "missing column"),
                Finding("Error", "tblActuals", "'My Actuals'!$D$5", "text")]
    assert first_problem_cell(findings) == ("My Actuals", "D5")
    assert first_problem_cell(findings[:1]) == ("Plan", "C3")
    assert first_problem_cell([]) is None
