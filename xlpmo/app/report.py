"""Headless Report (``xlpmo report BOOK [--pdf FILE]``).

read workbook -> check -> compute the output tables (core) -> :func:`~xlpmo.report.definition.
build_report` -> write the Report sheet into the file (:func:`xlpmo.io.canvaswriter.
write_canvas`, through the safe writer: atomic, lock files, backup, nothing else touched) and,
with ``pdf``, the printable pack (:mod:`xlpmo.report.pdf`).

The figures come from the output tables computed from the inputs now, as the Report button
in Excel does, so the Report never shows figures older than the inputs. A missing required
table stops with :class:`XlpmoError` before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlpmo.app.pipeline import REQUIRED, load_and_check
from xlpmo.app.progress import Progress
from xlpmo.core.tracker import compute
from xlpmo.errors import Finding, XlpmoError
from xlpmo.io.canvaswriter import write_canvas
from xlpmo.io.safesave import atomic_write
from xlpmo.report.definition import Report, build_report
from xlpmo.report.sheet import canvas


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
    path = Path(path)
    step = progress or (lambda _label: None)
    inputs, findings, raw = load_and_check(path, status_date, progress)
    fingerprint = raw.fingerprint
    del raw
    missing = [name for name in REQUIRED if not inputs.has(name)]
    if missing:
        raise XlpmoError(f"{path.name}: cannot report: required table(s) {', '.join(missing)} "
                         "missing or unusable (see `xlpmo validate`); the file was not changed")
    outputs = compute(inputs, step)
    report = build_report(inputs, outputs)
    plan = canvas(report)
    step("writing the Report sheet")
    try:
        saved = atomic_write(path, lambda tmp: write_canvas(path, tmp, plan),
                             expected=fingerprint, backup=backup)
    except XlpmoError as exc:
        if path.name in str(exc):
            raise
        raise XlpmoError(f"{path.name}: {exc}") from None
    result = ReportResult(path, report, findings, [c.name for c in plan.charts],
                          backup=saved.backup)
    if pdf is not None:
        from xlpmo.report.pdf import write_pack

        step("writing the PDF pack")
        result.pdf = Path(pdf)
        result.pages = write_pack(report, result.pdf, title=path.stem)
    return result
