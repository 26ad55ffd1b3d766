"""Headless refresh and validation of a workbook file (the ``xlpmo`` command line).

read workbook → coerce + validate → compute (core) → write output tables atomically, by the
very commands the ribbon runs (:mod:`xlpmo.app.commands`) on a
:class:`~xlpmo.app.session.FileSession`. A missing required table or an unreadable file
stops with :class:`XlpmoError` and leaves the file untouched; bad rows become findings in
tblChecks and the rest is refreshed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from xlpmo.app import commands
from xlpmo.app.loading import WithFindings
from xlpmo.app.progress import Progress
from xlpmo.app.session import FileSession
from xlpmo.contract.model import Inputs
from xlpmo.errors import Finding


@dataclass
class RefreshResult(WithFindings):
    path: Path
    inputs: Inputs
    findings: list[Finding]
    outputs: dict[str, pd.DataFrame] = field(default_factory=dict)
    written: bool = False
    backup: Path | None = None


def validate_file(path: str | Path, status_date: Any = None,
                  progress: Progress | None = None) -> RefreshResult:
    """Check a workbook's inputs without writing anything."""
    path = Path(path)
    checked = commands.validate(FileSession(path, progress=progress), status_date=status_date)
    return RefreshResult(path, checked.inputs, checked.findings)


def refresh_file(
    path: str | Path,
    *,
    status_date: Any = None,
    backup: bool = True,
    refreshed_by: str | None = None,
    progress: Progress | None = None,
) -> RefreshResult:
    """Recompute every output table of ``path`` and write them into it, in place."""
    session = FileSession.writing(path, backup=backup, progress=progress)
    done = commands.refresh(session, status_date=status_date, refreshed_by=refreshed_by)
    return RefreshResult(session.path, done.inputs, done.findings, done.outputs,
                         written=True, backup=session.backup_path)
