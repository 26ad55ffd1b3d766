"""The ribbon / task-pane commands in Excel: thin adapters over :mod:`xlpmo.app.commands`.

Refresh, Validate, Import actuals, Close period, New project and Report (functions.md). The
rules live in :mod:`xlpmo.app.commands` (and the arithmetic in :mod:`xlpmo.core.commands`),
written once for Excel and for a file; here an xlwings Book becomes a workbook session
(:class:`xlpmo_udfs.keep.KeepingSession`: a :class:`xlpmo_udfs.book.BookSession` that keeps
what people add to the output tables) and the results become messages. Each
``run_<command>(book, ...)`` works on any xlwings Book: the classic add-in's
``Book.caller()`` (Windows COM) or the book xlwings Lite / xlwings Server hand a script.

Entry points:

- xlwings Lite / Server: the ``@script`` functions :func:`refresh`, :func:`validate`, ... (only
  decorated in server mode; the classic decorator would turn them into VBA Subs);
- classic ribbon: :func:`run` with the button id (``refresh``, ``validate``,
  ``import_actuals``, ``close_period``, ``new_project``, ``report``) finds the workbook
  with ``xw.Book.caller()``.

Excel only: Validate selects the first bad cell; New project takes a blank Portfolio,
Manager and Status from the selected tblProjects row; Import actuals reads an export
pasted into a sheet named ``Import`` (xlwings Lite cannot open local files), or in the
classic add-in asks for the file when there is no such sheet.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import xlwings as xw

from xlpmo.app import commands as app
from xlpmo.contract import tables
from xlpmo.errors import InputError, XlpmoError
from xlpmo.template import buttons as sheetbuttons

from .book import find_table, notify, range_values, selected_row, sheet_named
from .keep import KeepingSession  # user columns by key, filters, pivots (issue #11)

ON_SERVER = getattr(xw.func, "__module__", "").startswith("xlwings.pro")
IMPORT_SHEET = "Import"
REPORT_SHEET = "Report"
#: the sheets each script never reads: xlwings Lite / Office.js do not send their cells or
#: tables to it (``@script(exclude=...)``). A pasted export and the Report sheet can be
#: large; a contract table kept on one of them is not seen by these scripts (README).
NOT_READ = {
    "Refresh": (IMPORT_SHEET, REPORT_SHEET), "Validate": (IMPORT_SHEET, REPORT_SHEET),
    "Close period": (IMPORT_SHEET, REPORT_SHEET), "New project": (IMPORT_SHEET, REPORT_SHEET),
    "Import actuals": (REPORT_SHEET,), "Report": (IMPORT_SHEET,),
}


def _script(name: str):
    """``xw.script(name=..., exclude=...)`` for xlwings Lite / Server (the sheets of
    :data:`NOT_READ` left out), with the Dashboard button of the template when it has one
    (:mod:`xlpmo.template.buttons`); a no-op elsewhere (classic COM would register the
    function as a VBA Sub, which no ribbon button can call)."""
    if not ON_SERVER:
        return lambda f: f
    exclude = list(NOT_READ[name])
    button = sheetbuttons.button_for(name)
    if button is None:
        return xw.script(name=name, exclude=exclude)
    return xw.script(name=name, exclude=exclude, button=button.reference,
                     show_taskpane=True)


# -- commands ---------------------------------------------------------------------------------


def run_refresh(book: Any) -> dict[str, pd.DataFrame]:
    """Recompute every output table, write them and tblChecks, stamp LastRefreshed."""
    return app.refresh(KeepingSession(book)).outputs


def run_validate(book: Any) -> list[Any]:
    """Check the inputs, write tblChecks and select the first bad cell."""
    findings = app.validate(KeepingSession(book), write_checks=True).findings
    where = app.first_problem_cell(findings)
    if where is not None:
        sheet = sheet_named(book, where[0])
        sheet.activate()
        sheet.range(where[1]).select()
    return findings


def run_close_period(book: Any) -> str:
    """Snapshot tblEVM into tblHistory, move StatusDate to the next month end."""
    return app.close_period(KeepingSession(book)).message


def run_import_actuals(book: Any, source: Any = None) -> str:
    """Add an export's rows to tblActuals or tblTimesheets, exactly once. ``source``: a
    CSV/XLSX path; default: the sheet ``Import`` (an export pasted there). Returns the
    message, with the export rows left out and the unknown IDs on further lines."""
    if source:
        export = app.Export.from_file(source)
    else:
        sheet = next((s for s in book.sheets if s.name.lower() == IMPORT_SHEET.lower()), None)
        if sheet is None:
            raise InputError(f"paste the export into a sheet named {IMPORT_SHEET!r}, or give "
                             "the file")
        export = app.Export.from_values(range_values(sheet.used_range), f"sheet {sheet.name}")
    done = app.import_export(KeepingSession(book), export)
    return "\n".join([done.message, *done.details, *map(str, done.findings)])


def run_new_project(book: Any, project_id: str | None = None, project_name: str | None = None,
                    portfolio: str | None = None, manager: str | None = None,
                    start: Any = None, finish: Any = None, bac: Any = None) -> str:
    """Add a project row to tblProjects and its plan rows to tblPlan (see
    :func:`xlpmo.app.commands.new_project`); a blank portfolio / manager / status comes
    from the selected tblProjects row, if the selection is in one. Returns the new ID."""
    if find_table(book, tables.PROJECTS.name) is None:
        raise InputError("the workbook has no tblProjects table")
    project = app.NewProject(project_id, project_name, portfolio, manager, None, start,
                             finish, bac)
    like = selected_row(book, tables.PROJECTS.name)
    return app.new_project(KeepingSession(book), project, like).project_id


def run_report(book: Any) -> list[str]:
    """Build the Report sheet: an S-curve per project (cumulative planned vs actual and
    forecast), portfolio CPI/SPI, and a utilisation heatmap. Returns the chart names."""
    from xlpmo.core.tracker import compute

    from . import report

    checked = app.load(KeepingSession(book))
    return report.build(book, compute(checked.inputs), checked.inputs)


# -- Lite / Server scripts ----------------------------------------------------------------------


def _guarded(book: Any, action: Any) -> None:
    try:
        message = action()
    except XlpmoError as exc:
        notify(book, f"xlpmo: {exc}")
        return
    if message:
        print(message)


@_script(name="Refresh")
def refresh(book: xw.Book):
    """Recompute every output table and stamp LastRefreshed."""
    _guarded(book, lambda: f"refreshed: {', '.join(run_refresh(book))}")


@_script(name="Validate")
def validate(book: xw.Book):
    """Check the inputs, write tblChecks and select the first bad cell."""
    _guarded(book, lambda: f"{len(run_validate(book))} finding(s) in tblChecks")


@_script(name="Import actuals")
def import_actuals(book: xw.Book):
    """Add the export pasted into the Import sheet to tblActuals / tblTimesheets."""
    _guarded(book, lambda: run_import_actuals(book))


@_script(name="Close period")
def close_period(book: xw.Book):
    """Snapshot tblEVM into tblHistory and move StatusDate to the next month end."""
    _guarded(book, lambda: run_close_period(book))


@_script(name="New project")
def new_project(book: xw.Book, project_id: str = "", project_name: str = "",
                portfolio: str = "", manager: str = ""):
    """Add a project row and its plan rows."""
    _guarded(book, lambda: "added project " + run_new_project(
        book, project_id or None, project_name or None, portfolio or None, manager or None))


@_script(name="Report")
def report(book: xw.Book):
    """Build the charts on the Report sheet."""
    _guarded(book, lambda: f"{len(run_report(book))} chart(s) on {REPORT_SHEET}")


# -- classic ribbon -------------------------------------------------------------------------------

COMMANDS = {
    "refresh": run_refresh, "validate": run_validate, "import_actuals": run_import_actuals,
    "close_period": run_close_period, "new_project": run_new_project, "report": run_report,
}


def run(command_id: str, book: Any = None) -> Any:
    """The classic ribbon's dispatcher: ``run("refresh")`` runs Refresh on the calling
    workbook (``xw.Book.caller()``). A user-facing problem is shown in a message box, never
    as a traceback."""
    action = COMMANDS.get(command_id)
    if action is None:
        raise ValueError(f"unknown command {command_id!r}; one of {', '.join(COMMANDS)}")
    book = book if book is not None else xw.Book.caller()
    if command_id == "import_actuals" and not any(
            s.name.lower() == IMPORT_SHEET.lower() for s in book.sheets):
        path = _ask_for_export(book)
        if not path:
            return None
        return _run_guarded(book, lambda: action(book, path))
    return _run_guarded(book, lambda: action(book))


def _run_guarded(book: Any, call: Any) -> Any:
    try:
        result = call()
    except XlpmoError as exc:
        notify(book, f"xlpmo: {exc}")
        return None
    if isinstance(result, str):  # Import actuals, Close period: what was done
        notify(book, result)
    return result


def _ask_for_export(book: Any) -> str | None:
    """Classic Excel's file dialog (COM ``GetOpenFilename``); None when cancelled."""
    try:
        path = book.app.api.GetOpenFilename("Exports (*.csv;*.xlsx),*.csv;*.xlsx")
    except Exception:  # not classic COM
        return None
    return path if isinstance(path, str) and path else None
