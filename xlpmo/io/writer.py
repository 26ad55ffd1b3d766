"""Write Excel Tables into a workbook without losing anything else in it.

:func:`write_tables` edits the xlsx/xlsm package directly (zipfile + lxml): every part it
does not need to change is copied byte for byte, so charts, pivots, VBA, customUI ribbons,
comments, threaded comments, slicers, images, defined names, 2010+ conditional formats and
validations, web extensions and everything Excel adds in future survive.

Parts it may rewrite (listed in :attr:`WriteReport.rewritten`):

- the worksheet parts holding the tables it writes (only ``sheetData`` rows of those tables,
  their ``hidden`` flags under a filter, ``dimension`` and ``tableParts`` change), their
  ``_rels`` when a table is added;
- the table parts of the tables it writes (range, new columns, a filter or sort it could
  not re-apply removed);
- ``xl/workbook.xml`` (a new sheet, ``calcPr fullCalcOnLoad="1"``), its rels (new sheet,
  calcChain removed), ``[Content_Types].xml`` (new parts, calcChain removed);
- ``xl/styles.xml`` when a number format style must be added;
- ``docProps/app.xml`` when it adds sheets: their names join the list of worksheet names
  (:mod:`xlpmo.io.ooxml.docprops`);
- chart parts (``xl/charts/chart*.xml``, on any sheet or chartsheet) with a series over a
  resized table column, and ``xl/workbook.xml`` for a defined name over one (see below);
- pivot cache definitions (``xl/pivotCache/pivotCacheDefinition*.xml``) over a table it
  writes: ``refreshOnLoad="1"``, and a source range that covered the table grows with it
  (:mod:`xlpmo.io.ooxml.pivots`).

References that follow a resized table (listed in :attr:`WriteReport.followed`): when an
existing table gets more or fewer data rows, every chart series reference (``c:f`` of a
series name, categories, values, x/y values, bubble sizes, data-label range), defined name
and conditional-format / data-validation ``sqref`` range (on the table's sheet, 2010
extensions included) that covers exactly the old data rows of one or more of the table's
columns is rewritten to cover the new data rows, as Excel does for a Table column. The
stale point caches of a rewritten series are removed (Excel reads the points from the
cells on open, LibreOffice from the range). A chart series follows whole or not at all: one
whose categories cover a whole column but whose values cover only part of one is left as
it was, with an Info. Charts and names that reference anything else are copied byte for
byte. Details in :mod:`xlpmo.io.ooxml.follow`.

``xl/calcChain.xml`` is removed when formula cells are overwritten, cleared or added (a
stale chain makes Excel repair the file); sharedStrings is never touched (text is written
as inline strings).

Placement rules: an existing table (found by name on any sheet) is rewritten in place and
resized; a missing table is created on its contract sheet (created when missing), below the
sheet's content with one blank row between, or at A1 on an empty sheet. Growth that would
overwrite a non-empty cell, a merged cell, another table or an array/spill range is refused
before anything is written. An output table that would pass Excel's last row or column is
left out with an Error and the others are written (:mod:`xlpmo.io.sheetlimits`); an edit
that would (rows an import adds) refuses the whole write, as a command's edits go together.

Memory: when a DataFrame writes exactly an existing table's columns, the table's data rows
are left out when its sheet is parsed (they are replaced anyway, and lxml nodes cost ~18
times the XML: a 26,000-row output table ~250 MB), and each sheet is serialised into the
package, its tree and rendered rows freed, as soon as its last table is rendered. The
result is byte for byte what parsing every row gives (tests/test_writer_rewrite.py).

Existing tables: DataFrame columns are matched to table columns by name
(case-insensitively; month headers by month, so ``2026-01`` matches ``Jan 2026``), so
extra columns a user added to a table are kept. In an output table with a row key
(:data:`xlpmo.contract.tables.ROW_KEYS`) each of their cells stays with its row's key when
rows are added, removed or reordered; elsewhere the cells of rows that stay are untouched.
New rows get the calculated-column formula or a blank cell in the column's style; cells
whose key is gone are listed in tblChecks with their text. A filter on the table is
re-applied to the new rows (their ``hidden`` flags) and a sort to their order, or removed
with an Info (:mod:`xlpmo.io.rowplan`). The writer's own findings (these Infos, a table too
big for a sheet) are added to tblChecks when it is written and listed in
:attr:`WriteReport.findings`. DataFrame columns the table lacks are appended at its right.
A table always keeps at least one data row (Excel requires it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import tables as contract
from xlpmo.errors import Finding, InputError, WriteConflict
from xlpmo.io.a1 import CellRange, cell_ref, quote_sheet
from xlpmo.io.changes import TableEdit
from xlpmo.io.jobs import (
    Job,
    announce_rewrites,
    cell_style,
    config_job,
    conflicts,
    data_rows,
    edit_job,
    geometry,
    merge_config,
    new_table_frame,
    place_new,
    prepare,
    resize_of,
)
from xlpmo.io.keyed import orphan_check_rows
from xlpmo.io.ooxml.follow import Followed, Resize
from xlpmo.io.ooxml.pivots import WrittenTable, refresh_pivots_on_load
from xlpmo.io.ooxml.render import ColumnStyle, render_column, render_header, render_value
from xlpmo.io.ooxml.rowblock import Renderer
from xlpmo.io.ooxml.sheet import CLEAR, copy_cell
from xlpmo.io.ooxml.workbook import Book
from xlpmo.io.rowplan import RowPlan, apply_clears, patch_user_cells, plan_rows
from xlpmo.io.sheetlimits import too_big_finding

__all__ = ["TableWritten", "WriteReport", "save_tables", "write_tables"]

CHECKS = contract.CHECKS.name


@dataclass(frozen=True)
class TableWritten:
    name: str
    sheet: str
    ref: str
    rows: int
    columns: int
    created: bool
    sheet_created: bool


@dataclass
class WriteReport:
    """What :func:`write_tables` did."""

    tables: list[TableWritten] = field(default_factory=list)
    rewritten: list[str] = field(default_factory=list)  # pre-existing parts replaced
    # chart series, defined names and CF/DV ranges rewritten to follow resized tables
    followed: list[Followed] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    copied: int = 0  # parts copied raw (byte for byte)
    formulas_changed: bool = False
    # what the writer itself reports (tables too big for a sheet, notes whose row is gone,
    # filters or sorts it could not re-apply, chart series it did not stretch); also added
    # to tblChecks when that table is written
    findings: list[Finding] = field(default_factory=list)
    not_written: list[str] = field(default_factory=list)  # tables too big for a sheet
    timings: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [f"{t.name} -> {t.sheet}!{t.ref} ({t.rows} rows{', new' if t.created else ''})"
                 for t in self.tables]
        lines.append(f"copied {self.copied} parts; rewrote {', '.join(self.rewritten) or '-'}; "
                     f"added {', '.join(self.added) or '-'}; removed "
                     f"{', '.join(self.removed) or '-'}")
        lines += [f"followed {f}" for f in self.followed]
        lines.append("timings: " + ", ".join(f"{k} {v:.3f}s" for k, v in self.timings.items()))
        return "\n".join(lines)


# -- rendering ------------------------------------------------------------------------------

def _render_job(job: Job, book: Book) -> bool:
    """Queue the job's cell patches and table edits; returns True when formulas were added."""
    ws, new = job.ws, job.new
    assert new is not None
    table = job.table
    styles = book.styles
    header_rows = table.header_rows if table is not None else 1
    totals = table.totals_rows if table is not None else 0
    data_top = new.r1 + header_rows
    n_data = new.rows - header_rows - totals
    old = table.ref if table is not None else None
    old_data_end = (old.r2 - totals) if old is not None else 0
    first_data = (old.r1 + header_rows) if old is not None else data_top
    formulas_added = False

    def base_style(col: int) -> int:
        if old is None or col > old.c2:
            return 0
        return cell_style(ws, first_data, col)

    # rows that leave the table: clear every old column
    if old is not None:
        for r in range(new.r2 + 1, old.r2 + 1):
            ws.patch_row(r, dict.fromkeys(range(old.c1, old.c2 + 1), CLEAR))
        # totals row moves with the bottom edge
        if totals and new.r2 != old.r2:
            row_el = ws.row(old.r2)
            moved: dict[int, Any] = {}
            if row_el is not None:
                for col, c in ws.cells(row_el):
                    if old.c1 <= col <= old.c2:
                        copy = copy_cell(c, cell_ref(new.r2, col))
                        moved[col] = copy
            for col in range(new.c1, new.c2 + 1):
                moved.setdefault(col, CLEAR if ws.cell(new.r2, col) is not None else None)
            ws.patch_row(new.r2, moved)

    for plan in job.plans:
        if (plan.existing is None) and any(ord(ch) < 32 and ch != "\n" for ch in plan.header):
            raise InputError(f"{job.name}: the column name {plan.header!r} holds a control "
                             "character; a table header cannot")

    # header cells of new columns
    if header_rows:
        header_style = cell_style(ws, new.r1, old.c2) if old is not None else 0
        for plan in job.plans:
            if plan.existing is None:
                ref = cell_ref(new.r1, plan.col)
                ws.patch(new.r1, plan.col, render_header(plan.header, ref, header_style))

    # data cells of the DataFrame's columns (in the order of the table's sort, if any)
    rows = range(data_top, data_top + n_data)
    rowplan = job.rowplan or RowPlan()
    if job.full:
        ws.patch_block(data_top, n_data, [plan.col for plan in job.plans],
                       _column_renderer(job, book, data_top, n_data, base_style))
        for plan in job.plans:
            if plan.existing is not None and plan.existing.calculated_formula is not None:
                table.drop_calculated_formula(plan.existing)

    # explicit cell values (edits): a cell keeps its own style; a row an edit appends takes
    # the column's (its first data row's), except in tblConfig, where each row is its own
    # kind of value and a new row starts from the default style
    for (r, col), value in job.cell_values.items():
        base = base_style(col) if job.rows_styled and r > old_data_end else cell_style(ws, r, col)
        plan_kind = next((p.kind for p in job.plans if p.col == col), "text")
        try:
            cell = render_value(value, cell_ref(r, col), ColumnStyle(styles, base, plan_kind),
                                book.date1904)
        except (ValueError, TypeError) as exc:
            raise InputError(f"{job.name}: {ws.where(r, col)}: {exc}") from None
        ws.patch(r, col, cell)

    # table columns the DataFrame does not write (user columns): each cell stays with its
    # row's key; new rows get the column's formula or style
    if table is not None:
        apply_clears(table, rowplan)
        formulas_added |= patch_user_cells(job.name, ws, table, book, job.plans, rows,
                                           rowplan.source, set(job.cell_values), base_style)
        if rowplan.hidden is not None:  # the filter re-applied: every row's flag from it
            for i, r in enumerate(rows):
                ws.set_row_hidden(r, rowplan.hidden[i] if i < len(rowplan.hidden) else False)
            for r in range(new.r2 + 1, old.r2 + 1):
                ws.set_row_hidden(r, False)
        for plan in job.plans:
            if plan.existing is None:
                table.add_column(plan.header)
        table.resize(new)
    else:
        for plan in job.plans:
            ref = cell_ref(new.r1, plan.col)
            ws.patch(new.r1, plan.col, render_header(plan.header, ref, 0))
        job.table = book.add_table(ws, job.name, new, [p.header for p in job.plans])
    ws.extend_dimension(new)
    return formulas_added


def _column_renderer(job: Job, book: Book, data_top: int, n_data: int,
                     base_style: Callable[[int], int]) -> Renderer:
    """The renderer of a full job's data cells, a run of rows at a time when the sheet is
    saved (:class:`~xlpmo.io.ooxml.rowblock.RowBlock`): each column's values in the order
    of the table's sort, if any; an empty DataFrame keeps one blank data row."""
    order = (job.rowplan or RowPlan()).order
    columns = [(plan.series, plan.col, ColumnStyle(book.styles, base_style(plan.col), plan.kind),
                f"{job.name}[{plan.header}] on {job.ws.label}") for plan in job.plans]

    def render(start: int, stop: int) -> list[list[str | None]]:
        out = []
        for series, col, style, where in columns:
            if len(series) < n_data:
                part = pd.Series([None] * (stop - start), dtype=object)
            elif order is not None:
                part = series.iloc[order[start:stop]]
            else:
                part = series.iloc[start:stop]
            out.append(render_column(part, col, data_top + start, style, book.date1904,
                                     where, origin=data_top))
        return out

    return render


def _too_big(job: Job, findings: list[Finding], skipped: list[str]) -> bool:
    """Is the job's new range past the sheet? Then it is left out with an Error. Not an
    edit's: a command's edits are written together or not at all (:func:`conflicts` then
    refuses the write)."""
    assert job.new is not None
    if job.edit or job.new.beyond_sheet() is None:
        return False
    findings.append(too_big_finding(job.name, quote_sheet(job.entry.name), job.new,
                                    existed=job.table is not None))
    skipped.append(job.name)
    return True


def _plan_rows(job: Job, book: Book) -> RowPlan:
    table = job.table
    assert table is not None
    first = table.ref.r1 + table.header_rows
    return plan_rows(job.name, job.ws, table, book, job.plans, job.n_rows,
                     lambda col: cell_style(job.ws, first, col))


def _check_rows(findings: list[Finding], notes: list[dict[str, str]]) -> list[dict[str, str]]:
    """tblChecks rows for the writer's findings: orphaned notes with their whole text."""
    noted = {(n["Table"], n["Cell"]) for n in notes}
    rows = [{"Severity": f.severity, "Table": f.table, "Cell": f.cell, "Message": f.message}
            for f in findings if not (f.severity == "Info" and (f.table, f.cell) in noted)]
    return rows + notes


def _with_rows(book: Book, name: str, frame: pd.DataFrame, rows: list[dict[str, str]]) -> Job:
    """The tblChecks job with the writer's rows added (Errors, Warnings, Infos in order)."""
    names = {str(c).lower(): c for c in frame.columns}
    if rows and all(k.lower() in names for k in rows[0]):
        extra = pd.DataFrame([{names[k.lower()]: v for k, v in r.items()} for r in rows],
                             columns=frame.columns, dtype=object)
        frame = pd.concat([frame.astype(object), extra], ignore_index=True)
        rank = {"error": 0, "warning": 1, "info": 2}
        order = frame[names["severity"]].map(lambda s: rank.get(str(s).lower(), 3))
        frame = frame.iloc[np.argsort(order.to_numpy(), kind="stable")].reset_index(drop=True)
    return prepare(book, name, frame)


def _charts_left(book: Book, resizes: list[Resize]) -> list[Finding]:
    """Infos for the chart series that cover a resized table in part only (left alone)."""
    sheets = book.chart_sheets() if resizes else {}
    return [Finding("Info", left.table, quote_sheet(sheets.get(left.part, left.part)), (
        f"A chart series on {sheets.get(left.part, left.part)} ({left.series}) was not "
        f"stretched with {left.table}: {left.why}. Neither was changed, so the chart shows "
        f"the rows it showed before; point all of the series at whole columns of "
        f"{left.table} to have it follow the table.")) for left in book.series_left_alone(
            resizes)]


def _plan_jobs(book: Book, jobs: list[Job], frames: Mapping[str, pd.DataFrame]
               ) -> tuple[list[Job], dict[str, CellRange], list[Finding], list[str]]:
    """New ranges and row plans of every job; tables too big for a sheet left out.

    tblChecks is planned last, with the writer's own findings added to it (tables left
    out, notes whose row is gone, filters and sorts not re-applied). Returns the jobs to
    write, the new ranges of the existing tables, the findings and the tables left out.
    """
    findings: list[Finding] = []
    notes: list[dict[str, str]] = []
    skipped: list[str] = []
    checks = next((j for j in jobs if j.full and j.name.lower() == CHECKS.lower()), None)
    planned: dict[str, CellRange] = {}
    live = []
    for job in jobs:
        if job is checks:
            continue
        if job.table is not None:
            geometry(job)
            if _too_big(job, findings, skipped):
                continue
            planned[job.name.lower()] = job.new  # type: ignore[assignment]
        live.append(job)
    shared = checks.entry.part if checks is not None else None  # parsed whole: it changes
    announce_rewrites(book, [j for j in live if j.entry.part != shared], planned)
    for job in live:
        if job.table is not None and job.full:
            job.rowplan = _plan_rows(job, book)
            findings += job.rowplan.findings
            notes += orphan_check_rows(job.rowplan.notes)
    findings += _charts_left(book, [rz for rz in map(resize_of, live) if rz is not None])
    placed: dict[str, list[CellRange]] = {}
    out = []
    for job in live:
        if job.table is None:
            place_new(job, book, planned, placed.setdefault(job.entry.part, []))
            if _too_big(job, findings, skipped):
                continue
            placed[job.entry.part].append(job.new)  # type: ignore[arg-type]
        out.append(job)
    if checks is not None:
        frame = frames[next(k for k in frames if k.lower() == checks.name.lower())]
        rows = _check_rows(findings, notes)
        sheet_created = checks.sheet_created  # prepared again: the sheet exists by now
        checks = _with_rows(book, checks.name, frame, rows)
        if checks.table is not None:
            geometry(checks)
            own = _plan_rows(checks, book)
            if own.findings:  # notes typed on findings that are gone, its filter, its sort
                findings += own.findings
                rows += _check_rows(own.findings, orphan_check_rows(own.notes))
                checks = _with_rows(book, checks.name, frame, rows)
                geometry(checks)
                plan = _plan_rows(checks, book)
                plan.clear_sort |= own.clear_sort
                if own.clear_filter:
                    plan.clear_filter, plan.hidden = True, [False] * checks.n_rows
                own = plan
            checks.rowplan = own
            planned[checks.name.lower()] = checks.new  # type: ignore[assignment]
        else:
            place_new(checks, book, planned, placed.setdefault(checks.entry.part, []))
        checks.sheet_created = sheet_created
        out.append(checks)
    return out, planned, findings, skipped


# -- entry point ----------------------------------------------------------------------------


def write_tables(
    src: Path, dst: Path, tables: Mapping[str, pd.DataFrame],
    config_updates: Mapping[str, Any] | None = None, edits: Sequence[TableEdit] = (),
) -> WriteReport:
    """Write DataFrames as Excel Tables into a copy of ``src`` saved as ``dst``.

    ``tables`` maps table names (contract names such as ``tblEVM``, or any existing table)
    to the full content (header = DataFrame columns, then rows). ``config_updates``
    (``{"LastRefreshed": Timestamp, "RefreshedBy": "name"}``) sets the Value of matching
    Setting rows of tblConfig, appending rows for missing settings. ``edits`` change
    tables in place (:class:`~xlpmo.io.changes.TableEdit`: cells, added rows, new columns;
    a table that does not exist is created with the edit's rows); a table may be named
    only once across ``tables``, ``edits`` and the config updates.

    Raises XlpmoError (and writes nothing) when a table cannot be written; see the module
    docstring for the rules. ``dst`` may equal ``src``: the result is written to a temporary
    file beside ``dst`` and moved over it.
    """
    src, dst = Path(src), Path(dst)
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    lowered = [n.lower() for n in [*tables, *(e.name for e in edits)]]
    if len(set(lowered)) != len(lowered):
        raise InputError("the same table name is given twice (names are case-insensitive)")
    book = Book(src)
    try:
        tables = dict(tables)
        updates = dict(config_updates or {})
        cfg_key = next((k for k in tables if k.lower() == "tblconfig"), None)
        if updates and cfg_key is not None:
            tables[cfg_key] = merge_config(tables[cfg_key], updates)
            updates = {}
        jobs = [prepare(book, name, df) for name, df in tables.items()]
        frames = dict(tables)  # every full table written, for tblChecks' own rows
        for edit in edits:
            table = book.find_table(edit.name)
            if table is None:
                frames[edit.name] = new_table_frame(edit)
                jobs.append(prepare(book, edit.name, frames[edit.name]))
                jobs[-1].edit = True
            elif edit:
                jobs.append(edit_job(book, table, edit))
        if updates and "tblconfig" in lowered:
            raise InputError("tblConfig is both edited and given settings: give one")
        if updates:
            cfg = book.find_table("tblConfig")
            if cfg is None:
                frame = pd.DataFrame({"Setting": list(updates),
                                      "Value": pd.Series(list(updates.values()), dtype=object)})
                jobs.append(prepare(book, "tblConfig", frame))
            else:
                jobs.append(config_job(book, cfg, updates))
        timings["open"] = time.perf_counter() - t0

        t1 = time.perf_counter()
        jobs, planned, findings, skipped = _plan_jobs(book, jobs, frames)
        problems: list[str] = []
        for job in jobs:
            problems += conflicts(job, book, planned)
        if problems:
            raise WriteConflict("Nothing was written. " + "\n".join(problems))
        timings["plan"] = time.perf_counter() - t1

        t2 = time.perf_counter()
        resizes = [rz for rz in map(resize_of, jobs) if rz is not None]
        followed = book.follow_resizes(resizes)
        followed += refresh_pivots_on_load(book.pkg, book.pivot_cache_parts(), [
            WrittenTable(job.name, job.entry.name, job.table.ref if job.table else None,
                         job.new, job.table.totals_rows if job.table else 0)  # type: ignore[arg-type]
            for job in jobs])
        formulas_added = False
        last_job = {job.ws.part: i for i, job in enumerate(jobs)}
        for i, job in enumerate(jobs):
            formulas_added |= _render_job(job, book)
            if last_job[job.ws.part] == i:  # one sheet's rendered rows in memory at a time
                book.save_worksheet(job.ws)
        timings["render"] = time.perf_counter() - t2

        t3 = time.perf_counter()
        formulas_changed = book.finish(values_written=bool(jobs), formulas_added=formulas_added)
        timings["serialise"] = time.perf_counter() - t3

        t4 = time.perf_counter()
        copied = book.save_as(dst)
        report = WriteReport(
            tables=[
                TableWritten(job.name, job.ws.name, str(job.new), data_rows(job),
                             job.new.cols, job.created, job.sheet_created)
                for job in jobs
            ],
            rewritten=book.pkg.replaced, followed=followed, added=book.pkg.added,
            removed=book.pkg.removed, copied=copied, formulas_changed=formulas_changed,
            findings=findings, not_written=skipped,
        )
        timings["zip"] = time.perf_counter() - t4
        timings["total"] = time.perf_counter() - t0
        report.timings = timings
        return report
    finally:
        book.close()


def save_tables(
    path: Path, tables: Mapping[str, pd.DataFrame],
    config_updates: Mapping[str, Any] | None = None, *, expected: Any = None,
    backup: bool = True, before_replace: Callable[[Path], None] | None = None,
    edits: Sequence[TableEdit] = (),
) -> WriteReport:
    """:func:`write_tables` into ``path`` itself, through :func:`xlpmo.io.safesave.atomic_write`.

    ``expected`` is the :class:`~xlpmo.io.safesave.Fingerprint` taken when the workbook was
    read; the save is refused when the file changed since (or is open in Excel).
    """
    from xlpmo.io.safesave import atomic_write

    path = Path(path)
    reports: list[WriteReport] = []

    def write(tmp: Path) -> None:
        reports.append(write_tables(path, tmp, tables, config_updates, edits))
        if before_replace is not None:
            before_replace(tmp)

    atomic_write(path, write, expected=expected, backup=backup)
    return reports[0]

