"""The ribbon / task-pane commands, written once against an xlwings ``Book``.

Refresh, Validate, Import actuals, Close period, New project and Report (functions.md).
Each ``run_<command>(book, ...)`` works on any xlwings Book: the classic add-in's
``Book.caller()`` (Windows COM) or the book xlwings Lite / xlwings Server hand a script
(built from the JSON the Office.js client sends; its writes go back as actions).

Entry points:

- xlwings Lite / Server: the ``@script`` functions :func:`refresh`, :func:`validate`, ... (only
  decorated in server mode; the classic decorator would turn them into VBA Subs);
- classic ribbon: :func:`run` with the button id (``refresh``, ``validate``,
  ``import_actuals``, ``close_period``, ``new_project``, ``report``) finds the workbook
  with ``xw.Book.caller()``.

What the commands read and write:

- inputs: every contract table found in the book (Excel Tables by name on any sheet, or a
  sheet named like the table without ``tbl``), as :class:`xlpmo.io.reader.RawTable`, then
  the core's coercion, validation and :func:`xlpmo.core.tracker.compute`;
- outputs: values, never formulas, into the output Excel Tables, resized to the result (an
  Excel Table keeps at least one data row: an empty result leaves one blank row); a missing
  output table is created on its contract sheet (the sheet is added when missing), below
  whatever the sheet already holds. A command's tables are written as one step
  (:func:`write_tables`): if one would grow over another table or over non-empty cells
  outside its own range, nothing is written and the message names those cells;
- text that Excel would read as a formula, number or date (``=cmd``, ``0042``) is written
  with a leading apostrophe (:func:`xlpmo.io.importer.protect_text`), so it stays text.

What the xlwings object model of Office.js cannot do (xlwings 0.37.8) and so the commands do
not attempt: reading a cell's number format or formula synchronously, opening local files in
xlwings Lite (Import actuals reads an export pasted into a sheet named ``Import`` there),
chart formatting beyond type, title, source data and position.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw

from xlpmo.contract import periods, tables
from xlpmo.errors import XLError, XlpmoError, occupied_cells_problem, overwrite_refusal
from xlpmo.io.importer import protect_text
from xlpmo.io.keyed import Formula
from xlpmo.io.ooxml.cells import CellRange
from xlpmo.io.reader import quote_sheet
from xlpmo.template import buttons as sheetbuttons

ON_SERVER = getattr(xw.func, "__module__", "").startswith("xlwings.pro")
IMPORT_SHEET = "Import"
REPORT_SHEET = "Report"


def _script(name: str):
    """``xw.script(name=...)`` for xlwings Lite / Server, with the Dashboard button of the
    template when it has one (:mod:`xlpmo.template.buttons`); a no-op elsewhere (classic COM
    would register the function as a VBA Sub, which no ribbon button can call)."""
    if not ON_SERVER:
        return lambda f: f
    button = sheetbuttons.button_for(name)
    if button is None:
        return xw.script(name=name)
    return xw.script(name=name, button=button.reference, show_taskpane=True)


# -- reading the book -------------------------------------------------------------------------


def _values(rng: Any) -> list[list[Any]]:
    """A range's cells as lists of rows; error cells as :class:`XLError`."""
    rows = rng.options(ndim=2, err_to_str=True).value or []
    return [[XLError.parse(v) or v if isinstance(v, str) else v for v in row] for row in rows]


def _origin(sheet: Any, rng: Any) -> str:
    from xlpmo.io.reader import address

    return address(sheet.name, rng.row, rng.column)


def find_table(book: Any, name: str) -> Any | None:
    """The Excel Table called ``name`` (case-insensitive) on any sheet, or None."""
    for sheet in book.sheets:
        for table in sheet.tables:
            if table.name.lower() == name.lower():
                return table
    return None


def read_tables(book: Any) -> dict[str, Any]:
    """Every contract table of the book as a RawTable, keyed by its contract name."""
    from xlpmo.io.reader import RawTable

    found: dict[str, Any] = {}
    sheets_with_tables = set()
    for sheet in book.sheets:
        for table in sheet.tables:
            sheets_with_tables.add(sheet.name)
            try:
                spec = tables.spec(table.name)
            except KeyError:
                continue
            rng = table.range
            found[spec.name] = RawTable.from_values(_values(rng), _origin(sheet, rng),
                                                    spec.name, is_listobject=True)
    for spec in tables.INPUTS.values():  # sheets named like the table, without Excel Tables
        if spec.name in found:
            continue
        for sheet in book.sheets:
            if sheet.name.lower() == spec.sheet.lower() and sheet.name not in sheets_with_tables:
                rng = sheet.used_range
                values = _values(rng)
                if values and any(v is not None for v in values[0]):
                    found[spec.name] = RawTable.from_values(values, _origin(sheet, rng),
                                                            spec.name)
    return found


def load_inputs(book: Any) -> tuple[Any, list[Any], dict[str, Any]]:
    """(Inputs, findings, raw tables) of the open book: coercion plus validation."""
    from xlpmo.io.coerce import coerce_inputs
    from xlpmo.io.validate import validate

    raw = read_tables(book)
    inputs, findings = coerce_inputs(raw)
    return inputs, [*findings, *validate(inputs, raw)], raw


# -- writing the book -------------------------------------------------------------------------


def cell_value(value: Any) -> Any:
    """One value as the cell gets it: errors as their text (Excel enters them as error
    values), missing as blank, Timestamps as datetimes, text protected
    (:func:`xlpmo.io.importer.protect_text`). :func:`write_table` applies it to every cell,
    exactly once."""
    if isinstance(value, XLError):
        return value.value
    if isinstance(value, Formula):  # a user's formula carried with its row (xlpmo_udfs.keep)
        return str(value)
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating)) and np.isnan(value):
        return XLError.NA.value
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, str):
        return protect_text(value)
    return value


def frame_cells(frame: pd.DataFrame) -> list[list[Any]]:
    """A DataFrame as rows of values with its header row first."""
    return [list(map(str, frame.columns)), *frame.to_numpy(dtype=object).tolist()]


def _find_sheet(book: Any, name: str) -> Any | None:
    for sheet in book.sheets:
        if sheet.name.lower() == name.lower():
            return sheet
    return None


def _sheet(book: Any, name: str) -> Any:
    """The sheet called ``name``, added at the end of the book when missing."""
    found = _find_sheet(book, name)
    if found is not None:
        return found
    return book.sheets.add(name=name, after=book.sheets[len(book.sheets) - 1])


def _written_bottoms(book: Any) -> dict[str, int]:
    """The last row each sheet (by lower-case name) got from :func:`write_tables` in this
    run: a script's reads do not see its own writes (xlwings Lite / Server), so two new
    tables on one new sheet (tblEVM and tblPortfolio on Dashboard) were both placed at A1."""
    memo = getattr(book, "_xlpmo_written_bottoms", None)
    if memo is None:
        memo = {}
        with contextlib.suppress(AttributeError, TypeError):
            book._xlpmo_written_bottoms = memo
    return memo


def _content_bottom(sheet: Any) -> int:
    """The last row a sheet holds (its cells and its tables); 0 when it is empty."""
    used = sheet.used_range
    bottom = 0
    if any(v is not None for row in _values(used) for v in row):
        bottom = used.row + used.shape[0] - 1
    for table in sheet.tables:
        rng = table.range
        bottom = max(bottom, rng.row + rng.shape[0] - 1)
    return bottom


def _range_of(rng: Any) -> CellRange:
    return CellRange(rng.row, rng.column, rng.row + rng.shape[0] - 1,
                     rng.column + rng.shape[1] - 1)


@dataclass
class Placement:
    """Where one table's cells go: ``region`` on the sheet ``sheet_name`` (``sheet`` None
    when the sheet is still to be added), into the Excel Table ``table`` (None: a new
    table is added there)."""

    name: str
    rows: list[list[Any]]
    sheet_name: str
    sheet: Any | None
    table: Any | None
    region: CellRange

    @property
    def old(self) -> CellRange | None:
        return None if self.table is None else _range_of(self.table.range)


def plan_table(book: Any, name: str, cells: list[list[Any]], sheet_name: str | None = None,
               planned: Sequence[Placement] = ()) -> Placement:
    """Where ``cells`` (header first) go: the Excel Table ``name`` resized from its top-left
    cell, or a new table on ``sheet_name`` (default: its contract sheet) at column A, two
    rows below what the sheet holds and what ``planned`` puts there."""
    rows = [[cell_value(v) for v in r] for r in cells]
    if len(rows) == 1:
        rows.append([None] * len(rows[0]))  # an Excel Table keeps one data row
    height, width = len(rows), len(rows[0])
    table = find_table(book, name)
    if table is not None:
        sheet = table.parent
        top = table.range
        region = CellRange(top.row, top.column, top.row + height - 1, top.column + width - 1)
        return Placement(name, rows, sheet.name, sheet, table, region)
    sheet_name = sheet_name or tables.spec(name).sheet
    sheet = _find_sheet(book, sheet_name)
    key = sheet_name.lower()
    bottom = _written_bottoms(book).get(key, 0)
    if sheet is not None:
        bottom = max(bottom, _content_bottom(sheet))
    for other in planned:
        if other.sheet_name.lower() == key:
            bottom = max(bottom, other.region.r2)
    first = 1 if bottom == 0 else bottom + 3
    return Placement(name, rows, sheet_name, sheet, None,
                     CellRange(first, 1, first + height - 1, width))


def placement_problems(place: Placement, earlier: Sequence[Placement]) -> list[str]:
    """What ``place`` would overwrite that is not its own: another table on its sheet (where
    it is, or where an ``earlier`` placement of this run puts it) or non-empty cells
    outside its table's current range."""
    where = f"{place.name} needs {quote_sheet(place.sheet_name)}!{place.region}"
    try:
        place.region.check_bounds(where)
    except XlpmoError as exc:
        return [str(exc)]
    problems = []
    if place.sheet is not None:
        for other in place.sheet.tables:
            if place.table is not None and other.name.lower() == place.table.name.lower():
                continue
            rng = _range_of(other.range)
            if rng.intersects(place.region):
                problems.append(f"the table {other.name} ({rng})")
        taken = [cell for area in _new_ground(place.region, place.old)
                 for cell in _occupied(place.sheet, area)]
        if taken:
            problems.append(occupied_cells_problem(quote_sheet(place.sheet_name), taken))
    for other in earlier:
        if (other.name.lower() != place.name.lower()
                and other.sheet_name.lower() == place.sheet_name.lower()
                and other.region.intersects(place.region)):
            problems.append(f"the table {other.name} ({other.region}, after this run)")
    if not problems:
        return []
    return [overwrite_refusal(where, problems, "run the command again")]


def _new_ground(region: CellRange, old: CellRange | None) -> list[CellRange]:
    """The parts of ``region`` outside ``old`` (a table's current range, same top-left)."""
    if old is None:
        return [region]
    areas = []
    if region.r2 > old.r2:
        areas.append(CellRange(old.r2 + 1, region.c1, region.r2, region.c2))
    if region.c2 > old.c2:
        areas.append(CellRange(region.r1, old.c2 + 1, min(region.r2, old.r2), region.c2))
    return areas


def _occupied(sheet: Any, area: CellRange) -> list[CellRange]:
    """The non-empty cells of ``area`` on ``sheet``, as one-cell ranges."""
    grid = _values(sheet.range((area.r1, area.c1), (area.r2, area.c2)))
    return [CellRange(area.r1 + i, area.c1 + j, area.r1 + i, area.c1 + j)
            for i, row in enumerate(grid) for j, v in enumerate(row) if v not in (None, "")]


def write_tables(book: Any, jobs: list[tuple[str, list[list[Any]], str | None]]) -> list[Any]:
    """Write several tables as one step: ``(name, cells with header, sheet)`` each, into
    the Excel Table ``name`` (resized) or a new one (see :func:`plan_table`). Values only.

    Every placement is checked before the first cell is written: when one would overwrite
    another table or cells outside its own table, nothing is written and
    :class:`XlpmoError` names the cells (as the file writer refuses it).
    """
    planned: list[Placement] = []
    for name, cells, sheet_name in jobs:
        planned.append(plan_table(book, name, cells, sheet_name, planned))
    problems = [p for i, place in enumerate(planned)
                for p in placement_problems(place, planned[:i])]
    if problems:
        raise XlpmoError("nothing was written: " + " ".join(problems))
    return [_apply(book, place) for place in planned]


def _apply(book: Any, place: Placement) -> Any:
    region = place.region
    if place.table is not None:
        sheet, table, old = place.sheet, place.table, place.old
        body = table.data_body_range
        if body is not None:
            body.clear_contents()
        target = sheet.range((region.r1, region.c1), (region.r2, region.c2))
        table.resize(target)
        if old.c2 > region.c2:  # columns beyond the contract's: cleared, not kept stale
            sheet.range((old.r1, region.c2 + 1), (old.r2, old.c2)).clear_contents()
        target.value = place.rows
    else:
        sheet = _sheet(book, place.sheet_name)
        target = sheet.range((region.r1, region.c1), (region.r2, region.c2))
        target.value = place.rows
        table = sheet.tables.add(source=target, name=place.name, has_headers=True)
    memo = _written_bottoms(book)
    key = place.sheet_name.lower()
    memo[key] = max(memo.get(key, 0), region.r2)
    return table


def write_table(book: Any, name: str, cells: list[list[Any]], sheet_name: str | None = None
                ) -> Any:
    """:func:`write_tables` for one table."""
    return write_tables(book, [(name, cells, sheet_name)])[0]


def output_job(frame: pd.DataFrame, spec: tables.TableSpec
               ) -> tuple[str, list[list[Any]], str | None]:
    """The :func:`write_tables` job of one output table."""
    return spec.name, frame_cells(frame[spec.column_names]), spec.sheet


def settings_job(book: Any, settings: dict[str, Any]
                 ) -> tuple[str, list[list[Any]], str | None]:
    """The :func:`write_tables` job that sets tblConfig settings (their Value cells),
    adding rows for missing ones: the whole table, as a script's reads do not see its own
    earlier writes."""
    table = find_table(book, tables.CONFIG.name)
    if table is None:
        raise XlpmoError("the workbook has no tblConfig table")
    values = _values(table.range)
    header = [str(h or "").strip().lower() for h in values[0]]
    s_col, v_col = header.index("setting"), header.index("value")
    rows = [list(r) for r in values[1:] if any(c is not None for c in r)]
    todo = dict(settings)
    for row in rows:
        key = str(row[s_col] or "").strip().lower()
        for name in list(todo):
            if name.lower() == key:
                row[v_col] = todo.pop(name)
    for name, value in todo.items():
        new = [None] * len(header)
        new[s_col], new[v_col] = name, value
        rows.append(new)
    return tables.CONFIG.name, [values[0], *rows], None


def _user() -> str:
    for key in ("USERNAME", "USER"):
        if os.environ.get(key):
            return os.environ[key]
    try:
        return getpass.getuser()
    except Exception:  # no login name (xlwings Lite's browser sandbox, services)
        return "xlwings"


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def notify(book: Any, message: str) -> None:
    """Tell the user: a message box where the runtime has one, else the output pane."""
    print(message)
    # not every runtime/version can show a box; the print is enough then
    with contextlib.suppress(Exception):
        book.app.alert(message, title="xlpmo")


# -- commands ---------------------------------------------------------------------------------


def run_refresh(book: Any) -> dict[str, pd.DataFrame]:
    """Recompute every output table, write them and tblChecks, stamp LastRefreshed."""
    from xlpmo.core.tracker import compute
    from xlpmo.io.validate import checks_table

    inputs, findings, _raw = load_inputs(book)
    missing = [n for n, s in tables.INPUTS.items() if s.required and not inputs.has(n)]
    checks = output_job(checks_table(findings), tables.CHECKS)
    if missing:
        write_tables(book, [checks])
        raise XlpmoError(f"cannot refresh: required table(s) {', '.join(missing)} missing "
                         "(see tblChecks)")
    outputs = compute(inputs)
    from . import keep  # user columns by key, filters, pivots (xlpmo_udfs.keep)

    before = keep.before_write(book, [checks[0], *outputs])
    jobs = keep.output_jobs(book, outputs, findings, before.findings)
    if find_table(book, tables.CONFIG.name) is not None:  # a plain Config sheet: no stamps
        jobs.append(settings_job(book, {"LastRefreshed": _now(), "RefreshedBy": _user()}))
    write_tables(book, jobs)
    keep.after_write(book, jobs, before)
    return outputs


def first_problem_cell(findings: list[Any]) -> tuple[str, str] | None:
    """(sheet, A1 cell) of the first Error finding that names a cell (else the first
    Warning), or None."""
    from xlpmo.io.reader import split_address

    for severity in ("Error", "Warning"):
        for f in findings:
            if f.severity == severity and "!" in f.cell:
                sheet, ref = split_address(f.cell)
                return sheet, ref.replace("$", "")
    return None


def run_validate(book: Any) -> list[Any]:
    """Check the inputs, write tblChecks and select the first bad cell."""

    from . import keep  # notes typed beside the findings stay with them

    _inputs, findings, _raw = load_inputs(book)
    write_tables(book, [keep.checks_job(book, findings)])
    where = first_problem_cell(findings)
    if where is not None:
        sheet = _sheet(book, where[0])
        sheet.activate()
        sheet.range(where[1]).select()
    return findings


def next_month_end(date: Any) -> pd.Timestamp:
    """The last day of the month after ``date``'s month (the next status date)."""
    return periods.month_start_scalar(date) + pd.DateOffset(months=2) - pd.Timedelta(days=1)


def history_rows(evm: pd.DataFrame, closed_on: Any) -> pd.DataFrame:
    """tblEVM rows as tblHistory rows: ``ClosedOn`` first, then the tblEVM columns."""
    rows = evm[tables.EVM.column_names].copy()
    rows.insert(0, "ClosedOn", pd.Timestamp(closed_on))
    return rows[tables.HISTORY.column_names]


def run_close_period(book: Any) -> pd.Timestamp:
    """Snapshot tblEVM (recomputed at the status date) into tblHistory, then move StatusDate
    to the end of the next month. Returns the new status date."""
    from xlpmo.core.evm import evm_table

    inputs, _findings, raw = load_inputs(book)
    if not inputs.has(tables.PROJECTS.name):
        raise XlpmoError("cannot close the period: tblProjects is missing")
    evm = evm_table(inputs)
    new = history_rows(evm, _now())
    old = raw.get(tables.HISTORY.name)
    cells = frame_cells(new)
    if old is not None and len(old):
        kept = [r for r in old.rows if any(c is not None for c in r)]
        cells = [cells[0], *kept, *cells[1:]]
    status = next_month_end(inputs.settings.StatusDate)
    write_tables(book, [(tables.HISTORY.name, cells, tables.HISTORY.sheet),
                        settings_job(book, {"StatusDate": status.to_pydatetime()})])
    return status


def run_import_actuals(book: Any, source: Any = None) -> str:
    """Map an export's columns and add its rows to tblActuals or tblTimesheets, without
    duplicates. ``source``: a CSV/XLSX path; default: the sheet ``Import`` (an export
    pasted there, header in its first row). Returns a one-line summary."""
    from xlpmo.io import importer

    if source:
        export = importer.read_export(source)
    else:
        sheet = next((s for s in book.sheets if s.name.lower() == IMPORT_SHEET.lower()), None)
        if sheet is None:
            raise XlpmoError(f"paste the export into a sheet named {IMPORT_SHEET!r} "
                             "(header in row 1), or give the file")
        export = importer.frame_from_values(_values(sheet.used_range))
    prepared = importer.prepare(export)
    spec = importer.TARGETS[prepared.target]
    table = find_table(book, spec.name)
    current = _values(table.range) if table is not None else [spec.column_names]
    header = [importer.normalise_header(h) for h in current[0]]
    amount = spec.amount or "Hours"
    wide = spec is tables.ACTUALS and "period" not in header and "actual" not in header
    if wide:
        merged = importer.merge_wide(current, prepared.rows, amount)
        write_table(book, spec.name, merged.values, spec.sheet)
        summary = (f"{spec.name}: {merged.updated} cell(s) set, {merged.unchanged} already "
                   f"there, {merged.added_rows} new row(s), {merged.added_columns} new month(s)")
    else:
        existing = _existing_long(current, spec)
        add = importer.new_rows(existing, prepared.rows)
        order = [h for h in current[0]]
        by_norm = {importer.normalise_header(c): c for c in spec.column_names}
        new_cells = [[row.get(by_norm.get(importer.normalise_header(h))) for h in order]
                     for row in add.to_dict("records")]
        kept = [r for r in current[1:] if any(c is not None for c in r)]
        write_table(book, spec.name, [list(order), *kept, *new_cells], spec.sheet)
        summary = (f"{spec.name}: {len(add)} new row(s), "
                   f"{len(prepared.rows) - len(add)} already there")
    if prepared.skipped:
        summary += f"; {len(prepared.skipped)} export row(s) left out (first: row " \
                   f"{prepared.skipped[0][0]}: {prepared.skipped[0][1]})"
    if prepared.repeated:
        summary += (f"; {len(prepared.repeated)} export row(s) repeat an earlier row exactly "
                    f"(first: row {prepared.repeated[0]}), imported as separate postings")
    return summary


def _existing_long(current: list[list[Any]], spec: tables.TableSpec) -> pd.DataFrame:
    """A long table's current rows typed like :func:`xlpmo.io.importer.prepare` makes them."""
    from xlpmo.io import importer

    frame = importer.frame_from_values(current)
    if frame.empty:
        return pd.DataFrame(columns=spec.column_names)
    typed = importer.prepare(frame, spec.name)
    return typed.rows


def run_new_project(book: Any, project_id: str | None = None, project_name: str | None = None,
                    portfolio: str | None = None, manager: str | None = None,
                    start: Any = None, finish: Any = None, bac: Any = None) -> str:
    """Add a project row to tblProjects and its plan rows to tblPlan.

    Without an ID, the next free one in the book's pattern (``P-007`` after ``P-006``);
    blank portfolio / manager / status are taken from the selected tblProjects row, if the
    selection is in one. Plan rows: wide tblPlan gets one row with the ID (months blank);
    long tblPlan one row per month from start to finish (Planned blank = 0).
    """
    projects = find_table(book, tables.PROJECTS.name)
    if projects is None:
        raise XlpmoError("the workbook has no tblProjects table")
    values = _values(projects.range)
    header = [str(h or "") for h in values[0]]
    norm = [h.strip().lower() for h in header]
    rows = [r for r in values[1:] if any(c is not None for c in r)]
    pid = norm.index("projectid")
    existing = [str(r[pid]) for r in rows if r[pid] is not None]
    project_id = project_id or next_id(existing)
    if project_id in existing:
        raise XlpmoError(f"project {project_id} already exists")
    template = _selected_row(book, projects, values)
    given = {"projectid": project_id, "projectname": project_name, "portfolio": portfolio,
             "manager": manager, "baselinestart": _date_or_none(start),
             "baselinefinish": _date_or_none(finish), "bac": bac}
    new = []
    for j, h in enumerate(norm):
        v = given.get(h)
        if v is None and template is not None and h in ("portfolio", "manager", "status"):
            v = template[j]
        new.append(v)
    jobs = [(tables.PROJECTS.name, [header, *rows, new], None)]
    plan = _plan_rows_job(book, project_id, given["baselinestart"], given["baselinefinish"])
    write_tables(book, jobs if plan is None else [*jobs, plan])
    return project_id


def next_id(existing: list[str]) -> str:
    """The next ID after the highest ``<prefix><number>`` (zero padding kept); ``P-001``
    for an empty list."""
    import re

    best: tuple[int, str, int] | None = None
    for text in existing:
        m = re.match(r"^(.*?)(\d+)$", text.strip())
        if m and (best is None or int(m[2]) > best[0]):
            best = (int(m[2]), m[1], len(m[2]))
    if best is None:
        return "P-001"
    number, prefix, width = best
    candidate = f"{prefix}{number + 1:0{width}d}"
    return candidate if candidate not in existing else f"{candidate}-new"


def _date_or_none(value: Any) -> dt.datetime | None:
    ts = periods.parse_date(value) if value not in (None, "") else None
    return None if ts is None else ts.to_pydatetime()


def _selected_row(book: Any, table: Any, values: list[list[Any]]) -> list[Any] | None:
    try:
        sel = book.selection
    except Exception:  # no selection in this runtime
        return None
    if sel is None or sel.sheet.name != table.parent.name:
        return None
    top = table.range.row
    i = sel.row - top
    if 1 <= i < len(values):
        return values[i]
    return None


def _plan_rows_job(book: Any, project_id: str, start: Any, finish: Any
                   ) -> tuple[str, list[list[Any]], str | None] | None:
    """The tblPlan job for a new project: wide tblPlan one row with the ID, long tblPlan a
    row per month from start to finish; None without tblPlan (or dates for a long one)."""
    plan = find_table(book, tables.PLAN.name)
    if plan is None:
        return None
    values = _values(plan.range)
    header = values[0]
    norm = [str(h or "").strip().lower() for h in header]
    rows = [r for r in values[1:] if any(c is not None for c in r)]
    pid = norm.index("projectid")
    long = "period" in norm
    new_rows: list[list[Any]] = []
    if not long:
        row = [None] * len(header)
        row[pid] = project_id
        new_rows.append(row)
    elif start is not None and finish is not None:
        for month in periods.period_range(start, finish):
            row = [None] * len(header)
            row[pid] = project_id
            row[norm.index("period")] = month.to_pydatetime()
            new_rows.append(row)
    if not new_rows:
        return None
    return tables.PLAN.name, [header, *rows, *new_rows], None


def run_report(book: Any) -> list[str]:
    """Build the Report sheet: an S-curve per project (cumulative planned vs actual and
    forecast), portfolio CPI/SPI, and a utilisation heatmap. Returns the chart names."""
    from xlpmo.core.tracker import compute

    from . import report

    inputs, _findings, _raw = load_inputs(book)
    outputs = compute(inputs)
    return report.build(book, outputs)


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
    _guarded(book, lambda: f"period closed; StatusDate is now "
                           f"{run_close_period(book):%Y-%m-%d}")


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
        return call()
    except XlpmoError as exc:
        notify(book, f"xlpmo: {exc}")
        return None


def _ask_for_export(book: Any) -> str | None:
    """Classic Excel's file dialog (COM ``GetOpenFilename``); None when cancelled."""
    try:
        path = book.app.api.GetOpenFilename("Exports (*.csv;*.xlsx),*.csv;*.xlsx")
    except Exception:  # not classic COM
        return None
    return path if isinstance(path, str) and path else None
