"""Headless refresh and validation of a workbook file (the ``xlpmo`` command line).

read workbook → coerce + validate → compute (core) → write output tables atomically.
A missing required table or an unreadable file stops with :class:`XlpmoError` and
leaves the file untouched; bad rows become findings in tblChecks and the rest is
refreshed.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from xlpmo.app.progress import Progress
from xlpmo.contract import tables
from xlpmo.contract.model import Inputs
from xlpmo.core.tracker import compute
from xlpmo.errors import Finding, XlpmoError
from xlpmo.io.coerce import coerce_inputs
from xlpmo.io.reader import quote_sheet, read_workbook
from xlpmo.io.safesave import atomic_write
from xlpmo.io.validate import checks_table, validate
from xlpmo.io.writer import write_tables

REQUIRED = tuple(name for name, spec in tables.INPUTS.items() if spec.required)


@dataclass
class RefreshResult:
    path: Path
    inputs: Inputs
    findings: list[Finding]
    outputs: dict[str, pd.DataFrame] = field(default_factory=dict)
    written: bool = False
    backup: Path | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Warning"]


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some service accounts
        return "xlpmo"


def load_and_check(path: Path, status_date: Any = None, progress: Progress | None = None):
    """Read, coerce and validate a workbook: ``(inputs, findings, raw)``."""
    step = progress or (lambda _label: None)
    step("reading workbook")
    raw = read_workbook(path, outputs=False)  # the writer finds the output tables itself
    step("checking inputs")
    inputs, findings = coerce_inputs(raw.tables)
    if status_date is not None:
        inputs.settings = inputs.settings.with_status_date(status_date)
    findings = [*raw.findings, *findings, *validate(inputs, raw.tables)]
    return inputs, findings, raw


def _missing_required(inputs: Inputs) -> list[str]:
    return [name for name in REQUIRED if not inputs.has(name)]


def validate_file(path: str | Path, status_date: Any = None,
                  progress: Progress | None = None) -> RefreshResult:
    """Check a workbook's inputs without writing anything."""
    path = Path(path)
    inputs, findings, _raw = load_and_check(path, status_date, progress)
    return RefreshResult(path, inputs, findings)


def refresh_file(
    path: str | Path,
    *,
    status_date: Any = None,
    backup: bool = True,
    refreshed_by: str | None = None,
    progress: Progress | None = None,
) -> RefreshResult:
    """Recompute every output table of ``path`` and write them into it, in place."""
    path = Path(path)
    step = progress or (lambda _label: None)
    inputs, findings, raw = load_and_check(path, status_date, progress)
    # keep only what the write needs of the raw tables (500,000 timesheet rows of objects
    # would otherwise stay in memory through the write)
    fingerprint = raw.fingerprint
    config = raw.tables.get(tables.CONFIG.name)
    del raw
    missing = _missing_required(inputs)
    if missing:
        raise XlpmoError(
            f"{path.name}: cannot refresh: required table(s) {', '.join(missing)} missing or "
            "unusable (see `xlpmo validate`); the file was not changed"
        )
    computed: list[Finding] = []
    outputs = compute(inputs, step, computed)
    findings = [*findings, *computed]
    stamps = {
        "LastRefreshed": pd.Timestamp.now().floor("s"),
        "RefreshedBy": refreshed_by or _user(),
    }
    if config is not None and not config.is_listobject:
        # A new tblConfig table for the stamps would hide the Config sheet's own settings
        # from the next read (a sheet holding an Excel Table is not read as a table).
        stamps = {}
        findings = [*findings, Finding(
            "Info", tables.CONFIG.name, f"{quote_sheet(config.sheet)}!A1",
            "tblConfig is a plain sheet, not an Excel Table: LastRefreshed and RefreshedBy "
            "are not written (make it an Excel Table named tblConfig to get them)")]
    outputs[tables.CHECKS.name] = checks_table(findings)
    step("writing workbook")
    try:
        saved = atomic_write(
            path,
            lambda tmp: write_tables(path, tmp, outputs, stamps),
            expected=fingerprint,
            backup=backup,
        )
    except XlpmoError as exc:  # the writer's messages name parts: say which workbook too
        if path.name in str(exc):
            raise
        raise XlpmoError(f"{path.name}: {exc}") from None
    return RefreshResult(path, inputs, findings, outputs, written=True, backup=saved.backup)
