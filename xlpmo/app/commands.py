"""The commands, written once for Excel and for a file (functions.md, "Ribbon / task-pane
commands" and "Command line verbs").

Each command works on a :class:`xlpmo.app.session.Session`: the ribbon / task pane hands
it an xlwings Book (:class:`xlpmo_udfs.book.BookSession`), the command line a file
(:class:`xlpmo.app.session.FileSession`). Same rules, same messages:

- :func:`load`: the one read-and-check path (read -> coerce -> validate) of every command;
- :func:`refresh`: every output table, tblChecks and the LastRefreshed / RefreshedBy stamps;
- :func:`validate`: the findings (tblChecks when asked);
- :func:`import_export` (Import actuals): an export's rows added to tblActuals or
  tblTimesheets exactly once, recorded in tblImportLog (:mod:`xlpmo.app.importing`);
- :func:`close_period`: tblEVM at the status date into tblHistory, StatusDate moved on;
- :func:`new_project`: a tblProjects row and its tblPlan rows.

A command either writes all its changes in one step or, with an
:class:`~xlpmo.errors.XlpmoError` saying why, nothing. The arithmetic lives in the core
(:mod:`xlpmo.core.commands`): next month end, history rows, next ID, plan months.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from xlpmo.app.importing import Export, Imported, import_export
from xlpmo.app.loading import (
    Checked,
    WithFindings,
    check,
    frame_rows,
    load,
    now,
    plain_config_note,
    settings_change,
)
from xlpmo.app.session import Session
from xlpmo.contract import periods, tables
from xlpmo.contract.model import Inputs
from xlpmo.core import commands as rules
from xlpmo.errors import Finding, InputError
from xlpmo.io.a1 import quote_sheet
from xlpmo.io.changes import append_edit, column_position
from xlpmo.io.importer import key_text, read_number
from xlpmo.io.raw import RawTable
from xlpmo.io.validate import checks_table, refusal
from xlpmo.user import user_name

# -- Refresh and Validate -------------------------------------------------------------------------


@dataclass
class Refreshed(WithFindings):
    """What Refresh computed (and wrote), with every finding."""

    inputs: Inputs
    findings: list[Finding]
    outputs: dict[str, pd.DataFrame] = field(default_factory=dict)


def refresh(session: Session, *, status_date: Any = None,
            refreshed_by: str | None = None) -> Refreshed:
    """Recompute every output table of workbook.md, write them with tblChecks and stamp
    LastRefreshed and RefreshedBy in tblConfig. A required input table missing or unusable,
    or a StatusDate that cannot be read, stops it before anything is written
    (:func:`xlpmo.io.validate.refusal`)."""
    from xlpmo.core.tracker import compute

    checked = load(session, status_date=status_date)
    inputs, findings = checked.inputs, checked.findings
    raw = {tables.CONFIG.name: checked.raw[tables.CONFIG.name]} \
        if tables.CONFIG.name in checked.raw else {}
    del checked  # 500,000 timesheet rows of raw objects need not stay through the write
    problem = refusal(inputs)  # a required table missing or unusable, no StatusDate
    if problem:
        raise InputError(
            f"{session.name}: cannot refresh: {problem} (Validate lists why); the workbook "
            "was not changed")
    findings = list(findings)
    outputs = compute(inputs, session.step, findings)  # adds the compute step's findings
    stamps = settings_change(raw, {"LastRefreshed": now(),
                                   "RefreshedBy": refreshed_by or user_name()})
    if stamps is None:
        findings = [*findings, Finding(
            "Info", tables.CONFIG.name, f"{quote_sheet(raw[tables.CONFIG.name].sheet)}!A1",
            plain_config_note(raw, "LastRefreshed and RefreshedBy are not written (make it an "
                                   "Excel Table named tblConfig to get them)"))]
    outputs[tables.CHECKS.name] = checks_table(findings)
    session.step("writing workbook")
    # what the write added to tblChecks: notes whose row is gone, filters or sorts it
    # could not re-apply, tables too big for a sheet
    findings = [*findings, *session.write(outputs, [stamps] if stamps else [])]
    return Refreshed(inputs, findings, outputs)


def validate(session: Session, *, status_date: Any = None,
             write_checks: bool = False) -> Checked:
    """Check the inputs; with ``write_checks`` (the ribbon's Validate) write tblChecks."""
    checked = load(session, status_date=status_date)
    if write_checks:
        session.write({tables.CHECKS.name: checks_table(checked.findings)}, [])
    return checked


def first_problem_cell(findings: Sequence[Finding]) -> tuple[str, str] | None:
    """(sheet, A1 cell) of the first Error finding that names a cell (else the first
    Warning), or None: where Validate takes the user."""
    from xlpmo.io.a1 import split_address

    for severity in ("Error", "Warning"):
        for f in findings:
            if f.severity == severity and "!" in f.cell:
                sheet, ref = split_address(f.cell)
                return sheet, ref.replace("$", "")
    return None


# -- Close period ---------------------------------------------------------------------------------


@dataclass
class Closed:
    """What Close period did (``message`` says it in a line)."""

    status_date: pd.Timestamp  # the status date that was closed
    next_status_date: pd.Timestamp
    projects: int
    message: str
    findings: list[Finding] = field(default_factory=list)


def close_period(session: Session) -> Closed:
    """Snapshot tblEVM, computed at the status date, into tblHistory (``ClosedOn`` = now),
    then move StatusDate to the end of the next month (functions.md). A status date whose
    snapshot tblHistory already holds is not closed twice; what stops a refresh (a required
    table missing or unusable, an unreadable StatusDate) stops it too."""
    from xlpmo.core.evm import evm_table
    from xlpmo.core.tracker import first_project_rows

    checked = load(session, extra=[tables.HISTORY.name])
    raw, inputs = checked.raw, checked.inputs
    problem = refusal(inputs)  # as refresh: which period, and what would the snapshot be?
    if problem:
        raise InputError(f"{session.name}: cannot close the period: {problem} (Validate lists "
                         "why); the workbook was not changed")
    status = pd.Timestamp(inputs.settings.StatusDate).normalize()
    history = raw.get(tables.HISTORY.name)
    if history is not None:
        j = column_position(history.header, "StatusDate")
        dates = (periods.parse_date(r[j]) for r in history.rows) if j is not None else ()
        closed = {d.normalize() for d in dates if d is not None}
        if status in closed:
            raise InputError(
                f"{session.name}: the period of {status:%Y-%m-%d} is already closed (tblHistory "
                "holds its snapshot): nothing was changed. To close it again, delete those "
                "tblHistory rows first.")
    config_change = settings_change(raw, {"StatusDate": rules.next_month_end(status)})
    if config_change is None:
        raise InputError(f"{session.name}: " + plain_config_note(
            raw, "xlpmo cannot move StatusDate there, so nothing was changed. Make it an "
                 "Excel Table named tblConfig, or change StatusDate by hand."))
    session.step("earned value")
    evm = evm_table(first_project_rows(inputs))
    rows = rules.history_rows(evm, now())
    new_rows = frame_rows(rows)
    snapshot = append_edit(tables.HISTORY.name, None if history is None else history.header,
                           [] if history is None else history.rows, new_rows,
                           tables.HISTORY.column_names)
    session.step("writing workbook")
    written = session.write({}, [snapshot, config_change])  # a chart series left alone ...
    following = rules.next_month_end(status)
    errors = len(checked.errors)
    note = (f" ({errors} error(s) in the inputs were left out of the figures: run Validate)"
            if errors else "")
    message = (f"period closed: {len(rows)} project(s) at {status:%Y-%m-%d} copied into "
               f"tblHistory; StatusDate is now {following:%Y-%m-%d}{note}")
    return Closed(status, following, len(rows), message, [*checked.findings, *written])


# -- New project ----------------------------------------------------------------------------------


@dataclass
class NewProject:
    """What the user gives for a new project (any may be left out)."""

    project_id: str | None = None
    name: str | None = None
    portfolio: str | None = None
    manager: str | None = None
    status: str | None = None
    start: Any = None
    finish: Any = None
    bac: Any = None


@dataclass
class Added:
    """What New project added (``message`` says it in a line)."""

    project_id: str
    plan_rows: int
    message: str
    findings: list[Finding] = field(default_factory=list)  # what the write said


def new_project(session: Session, project: NewProject, like_row: int | None = None) -> Added:
    """Add a project row to tblProjects and its plan rows to tblPlan.

    Without an ID, the next free one in the book's pattern (:func:`xlpmo.core.commands.
    next_id`); a blank Portfolio, Manager or Status is taken from the tblProjects data row
    ``like_row`` (the row selected in Excel), when given. Plan rows: a wide tblPlan gets a
    row with the ID (months blank); a long one a row per month from start to finish
    (Planned blank = 0; none without both dates).
    """
    checked = load(session)
    projects = checked.raw.get(tables.PROJECTS.name)
    if projects is None or not projects.is_listobject:
        raise InputError(f"{session.name}: the workbook has no tblProjects table")
    start, finish, bac = _project_values(project)
    pid_col = column_position(projects.header, "ProjectID")
    if pid_col is None:
        raise InputError(f"{session.name}: tblProjects has no ProjectID column")
    existing = [t for t in (key_text(r[pid_col]) for r in projects.rows) if t is not None]
    project_id = (key_text(project.project_id) if project.project_id else None) \
        or rules.next_id(existing)
    if project_id in existing:
        raise InputError(f"{session.name}: project {project_id} already exists in tblProjects; "
                         "nothing was changed")
    given = {"ProjectID": project_id, "ProjectName": project.name,
             "Portfolio": project.portfolio, "Manager": project.manager,
             "Status": project.status, "BaselineStart": start, "BaselineFinish": finish,
             "BAC": bac}
    template = projects.rows[like_row] if like_row is not None and \
        0 <= like_row < len(projects.rows) else None
    row: dict[str, Any] = {}
    for column, value in given.items():
        j = column_position(projects.header, column)
        if j is None:
            if value is not None and column != "Status":
                raise InputError(f"{session.name}: tblProjects has no {column} column for "
                                 f"{value!r}; add the column or leave the value out")
            continue
        if value is None and template is not None and column in ("Portfolio", "Manager",
                                                                  "Status"):
            value = template[j]
        if value is not None:
            row[str(projects.header[j])] = value
    edits = [append_edit(tables.PROJECTS.name, projects.header, projects.rows, [row],
                         tables.PROJECTS.column_names)]
    plan_rows = _plan_rows(checked.raw.get(tables.PLAN.name), project_id, start, finish)
    if plan_rows:
        plan = checked.raw[tables.PLAN.name]
        edits.append(append_edit(tables.PLAN.name, plan.header, plan.rows, plan_rows,
                                 tables.PLAN.column_names))
    written = session.write({}, edits)
    name = f" ({project.name})" if project.name else ""
    plan_note = (f" and {len(plan_rows)} plan row(s) to tblPlan" if plan_rows else
                 "; add its plan to tblPlan")
    return Added(project_id, len(plan_rows),
                 f"added project {project_id}{name} to tblProjects{plan_note}", written)


def _project_values(project: NewProject) -> tuple[Any, Any, Any]:
    """The new project's dates and BAC, read and checked."""
    dates = []
    for label, value in (("start", project.start), ("finish", project.finish)):
        if value in (None, ""):
            dates.append(None)
            continue
        ts = periods.parse_date(value)
        if ts is None:
            raise InputError(f"the {label} date {value!r} is not a date (use 2026-01-31)")
        dates.append(ts.normalize())
    start, finish = dates
    if start is not None and finish is not None and finish < start:
        raise InputError(f"the finish {finish:%Y-%m-%d} is before the start {start:%Y-%m-%d}")
    bac = None
    if project.bac not in (None, ""):
        bac = read_number(project.bac)
        if bac is None or bac < 0:
            raise InputError(f"the BAC {project.bac!r} is not an amount of money (use 250000)")
    return start, finish, bac


def _plan_rows(plan: RawTable | None, project_id: str, start: Any, finish: Any
               ) -> list[dict[str, Any]]:
    if plan is None or not plan.is_listobject:
        return []
    if column_position(plan.header, "Period") is None:  # wide: one row, months blank
        return [{"ProjectID": project_id}]
    return [{"ProjectID": project_id, "Period": month}
            for month in rules.plan_months(start, finish)]


__all__ = [
    "Added", "Checked", "Closed", "Export", "Imported", "NewProject", "Refreshed", "check",
    "close_period", "first_problem_cell", "import_export", "load", "new_project", "now",
    "refresh", "settings_change", "validate",
]
