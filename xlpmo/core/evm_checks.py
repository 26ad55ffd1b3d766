"""Findings of the compute step: what the earned value figures cannot say on their own.

io.validate checks the inputs cell by cell before anything is computed; some problems only
show once the figures are: under EACMethod BOTTOMUP a project without tblForecast rows has
no EAC, a complete project's leftover forecast is not counted. :func:`evm_findings` turns
them into :class:`~xlpmo.errors.Finding` rows for tblChecks, naming the project's
tblProjects cell.

The core does not import io: the cell comes from ``Inputs.sources`` (the reader's map of
sheet cells, any object with ``cell(row, column) -> "Sheet!A1"``: :class:`CellSource`).
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import pandas as pd

from xlpmo.contract import tables
from xlpmo.contract.model import Inputs
from xlpmo.contract.periods import status_period
from xlpmo.errors import Finding

LIMIT = 20  # projects named per finding kind; then one finding with the count


class CellSource(Protocol):
    """The sheet cells behind the rows of an input table (``xlpmo.io.coerce.SourceMap``)."""

    def __len__(self) -> int: ...

    def cell(self, i: int, column: str | None = None) -> str: ...


def project_cells(inputs: Inputs) -> dict[Any, str]:
    """ProjectID -> its tblProjects ProjectID cell (``Projects!A5``; the first row of a
    repeated ID, the one that counts); the table name when the rows have no cells."""
    projects = inputs.projects
    source: CellSource | None = inputs.sources.get(tables.PROJECTS.name)
    if source is None or len(source) != len(projects):
        return {}
    ids = projects["ProjectID"].to_numpy(dtype=object)
    cells: dict[Any, str] = {}
    for i, pid in enumerate(ids):
        if pid is not None and pid not in cells:
            cells[pid] = source.cell(i, "ProjectID")
    return cells


def evm_findings(inputs: Inputs, measures: pd.DataFrame) -> list[Finding]:
    """Findings about tblEVM's figures (``measures``: :func:`xlpmo.core.evm.project_measures`).

    - Warning: EACMethod BOTTOMUP and a project that is not complete has no tblForecast rows
      (EAC, ETC, VAC are #N/A), or none after the status period (ETC = 0, EAC = AC, although
      EV < BAC). Without a tblForecast table at all, one finding says so.
    - Info: a complete project (EV ≥ BAC) with tblForecast amounts after the status period:
      not counted, its EAC is its AC.
    """
    out: list[Finding] = []
    cells = project_cells(inputs)
    ids = measures.index.to_numpy(dtype=object)
    complete = measures["Complete"].to_numpy(dtype=bool)
    etc = measures["ETC"].to_numpy(dtype=float)
    status = f"{status_period(inputs.settings.StatusDate):%Y-%m}"
    bottom_up = str(inputs.settings.EACMethod).strip().upper() == "BOTTOMUP"
    if bottom_up and not inputs.has(tables.FORECAST.name) and inputs.forecast.empty:
        if (~complete).any():
            out.append(Finding(
                "Warning", tables.FORECAST.name, tables.FORECAST.name,
                "EACMethod is BOTTOMUP but the workbook has no tblForecast: the EAC, ETC "
                "and VAC of every project that is not complete are #N/A (add tblForecast "
                "with the amounts still to spend, or choose another EACMethod)"))
    elif bottom_up:
        _name(out, cells, ids[~complete & np.isnan(etc)], "Warning", lambda pid: (
            f"EACMethod BOTTOMUP: project {pid!r} has no rows in tblForecast, so its EAC, "
            "ETC and VAC are #N/A (add its forecast after the status period, or choose "
            "another EACMethod)"))
        _name(out, cells, ids[~complete & (etc == 0)], "Warning", lambda pid: (
            f"EACMethod BOTTOMUP: project {pid!r} has no tblForecast amounts after the status "
            f"period {status}, so its ETC is 0 and its EAC is its AC, although it is not "
            "complete (EV < BAC)"))
    _name(out, cells, ids[complete & ~np.isnan(etc) & (etc != 0)], "Info", lambda pid: (
        f"project {pid!r} is complete (EV ≥ BAC): its tblForecast amounts after the status "
        f"period {status} are not counted; its EAC is its AC"))
    return out


def _name(out: list[Finding], cells: dict[Any, str], ids: np.ndarray, severity: str,
          message: Any) -> None:
    """One finding per project (up to LIMIT, then one with the count of the rest)."""
    table = tables.PROJECTS.name
    for pid in ids[:LIMIT]:
        out.append(Finding(severity, table, cells.get(pid, table), message(pid)))
    if len(ids) > LIMIT:
        pid = ids[LIMIT]
        out.append(Finding(severity, table, cells.get(pid, table),
                           f"{len(ids) - LIMIT:,} more projects the same: {message(pid)}"))
