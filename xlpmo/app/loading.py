"""The one read-and-check path of every command, and the tblConfig settings they write.

:func:`load` reads a :class:`xlpmo.app.session.Session`'s tables and checks them
(:func:`check`: coerce -> validate), the same for Excel and for a file; the commands
(:mod:`xlpmo.app.commands`, :mod:`xlpmo.app.importing`) start from its :class:`Checked`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.app.session import Session
from xlpmo.contract import tables
from xlpmo.contract.model import Inputs
from xlpmo.errors import Finding, InputError
from xlpmo.io.a1 import quote_sheet
from xlpmo.io.changes import TableEdit, settings_edit
from xlpmo.io.coerce import coerce_inputs
from xlpmo.io.raw import RawTable
from xlpmo.io.validate import validate as validate_inputs


def now() -> pd.Timestamp:
    """The time a command stamps (LastRefreshed, ClosedOn, ImportedAt), to the second."""
    return pd.Timestamp.now().floor("s")


# -- reading and checking ------------------------------------------------------------------------


class WithFindings:
    """The Errors and Warnings among a result's ``findings``."""

    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Warning"]


@dataclass
class Checked(WithFindings):
    """A workbook read and checked: its raw tables, the typed inputs and every finding."""

    raw: dict[str, RawTable]
    inputs: Inputs
    findings: list[Finding]


def check(raw: dict[str, RawTable], notes: Sequence[Finding] = (),
          status_date: Any = None) -> Checked:
    """Coerce and validate raw tables (the reader's ``notes`` first); ``status_date``
    overrides tblConfig's StatusDate.

    Amounts near 1e308 overflow to infinity in sums and percentages (an Excel error value
    in the output, as in compute): numpy's RuntimeWarnings about it would only be noise on
    the user's terminal, so they are silenced here, as the core silences them.
    """
    with np.errstate(all="ignore"):
        return _check(raw, notes, status_date)


def _check(raw: dict[str, RawTable], notes: Sequence[Finding], status_date: Any) -> Checked:
    inputs, findings = coerce_inputs({n: t for n, t in raw.items() if n in tables.INPUTS})
    if status_date is not None:
        try:
            inputs.settings = inputs.settings.with_status_date(status_date)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        inputs.unusable.pop("StatusDate", None)  # the given date stands in for tblConfig's
        findings = [_stood_in(f, inputs.settings.StatusDate) for f in findings]
    return Checked(raw, inputs, [*notes, *findings, *validate_inputs(inputs, raw)])


def _stood_in(finding: Finding, status: Any) -> Finding:
    """A finding on tblConfig's StatusDate cell when a status date was given: that cell is
    not used, so nothing is left out of the figures; an Info says so (not an Error, which
    would make the command exit 1 for a value it never needed)."""
    if (finding.table.lower() != tables.CONFIG.name.lower() or finding.severity == "Info"
            or not finding.message.startswith("StatusDate")):
        return finding
    said = finding.message.split(": refresh stops")[0]
    return Finding("Info", finding.table, finding.cell,
                   f"{said}; not used: the status date given, "
                   f"{pd.Timestamp(status):%Y-%m-%d}, stands in for it")


def load(session: Session, extra: Sequence[str] = (), status_date: Any = None) -> Checked:
    """Read the session's workbook and check it: the one read-and-check path."""
    session.step("reading workbook")
    raw, notes = session.read(extra)
    session.step("checking inputs")
    return check(raw, notes, status_date)


def frame_rows(frame: pd.DataFrame, columns: Sequence[str] | None = None
               ) -> list[dict[str, Any]]:
    """A DataFrame's rows (of ``columns``) as column -> value, as cells take them: NaN and
    NaT blank (None); Excel errors stay (the writers make error cells of them)."""
    columns = list(frame.columns if columns is None else columns)

    def cell(value: Any) -> Any:
        if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
            return None
        return value

    return [{c: cell(v) for c, v in zip(columns, row, strict=True)}
            for row in frame[columns].itertuples(index=False, name=None)]


# -- settings -------------------------------------------------------------------------------------


def settings_change(raw: dict[str, RawTable], updates: dict[str, Any]) -> TableEdit | None:
    """The tblConfig edit that sets ``updates`` (:func:`xlpmo.io.changes.settings_edit`);
    a new tblConfig when the workbook has none; None when tblConfig is a plain sheet (its
    cells are not a table xlpmo may grow)."""
    config = raw.get(tables.CONFIG.name)
    if config is None:
        return TableEdit(tables.CONFIG.name, rows=[{"Setting": k, "Value": v}
                                                   for k, v in updates.items()],
                         header=tables.CONFIG.column_names)
    if not config.is_listobject:
        return None
    return settings_edit(tables.CONFIG.name, config.header, config.rows, updates)


def plain_config_note(raw: dict[str, RawTable], what: str) -> str:
    """Why a setting is not written: tblConfig is a plain sheet (``what`` says which)."""
    config = raw[tables.CONFIG.name]
    return f"tblConfig is a plain sheet ({quote_sheet(config.sheet)}), not an Excel Table: {what}"
