"""Headless Report (``xlpmo report BOOK [--pdf FILE]``).

read workbook -> check -> compute the output tables (core) -> :func:`~xlpmo.report.definition.
build_report` -> write the Report sheet into the file (:func:`xlpmo.io.canvaswriter.
write_canvas`, through the safe writer: atomic, lock files, backup, nothing else touched) and,
with ``pdf``, the printable pack (:mod:`xlpmo.report.pdf`).

The figures come from the output tables computed from the inputs now, as the Report button
in Excel does, so the Report never shows figures older than the inputs. A required table
missing or unusable, or an unreadable StatusDate (:func:`xlpmo.io.validate.refusal`, the rule
of Refresh) stops with :class:`XlpmoError` before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlpmo.app.loading import load
from xlpmo.app.progress import Progress
from xlpmo.app.session import FileSession
from xlpmo.core.tracker import compute
from xlpmo.errors import Finding, InputError
from xlpmo.io.canvaswriter import write_canvas
from xlpmo.io.validate import refusal
from xlpmo.report.definition import Report, build_report
from xlpmo.report.sheet import canvas

__all__ = ["ReportResult", "report_file"]


@dataclass
class ReportResult:
    path: Path
    report: Report
    findings: list[Finding]
    charts: list[str]
    pdf: Path | None = None
    pages: int = 0
    backup: Path | None = None


def report_file(path: str | Path, *, pdf: str | Path | None = None, status_date: Any = None,
                backup: bool = True, progress: Progress | None = None) -> ReportResult:
    """Write the Report sheet into ``path`` (in place) and, with ``pdf``, the PDF pack."""
    session = FileSession.writing(path, backup=backup, progress=progress)
    checked = load(session, status_date=status_date)
    inputs, findings = checked.inputs, list(checked.findings)
    del checked  # the raw tables need not stay through the write
    problem = refusal(inputs)  # a required table missing or unusable, no StatusDate
    if problem:
        raise InputError(f"{session.name}: cannot report: {problem} (see `xlpmo validate`); "
                         "the file was not changed")
    outputs = compute(inputs, session.step, findings)
    report = build_report(inputs, outputs)
    plan = canvas(report)
    session.step("writing the Report sheet")
    session.save(lambda tmp: write_canvas(session.path, tmp, plan))
    result = ReportResult(session.path, report, findings, [c.name for c in plan.charts],
                          backup=session.backup_path)
    if pdf is not None:
        from xlpmo.report.pdf import write_pack

        session.step("writing the PDF pack")
        result.pdf = Path(pdf)
        result.pages = write_pack(report, result.pdf, title=session.path.stem)
    return result
