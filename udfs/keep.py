"""The in-Excel Refresh keeps what people add to and do with the output tables.

The same rules as the file writer (:mod:`xlpmo.io.keyed`, issue #11), on the open book:

- **user columns** (Comment, Owner, a formula) of an output table stay in the table, each
  cell with its row's key (:data:`xlpmo.contract.tables.ROW_KEYS`); a new row gets the
  column's formula when every cell of it holds the same one (a calculated column) and is
  blank otherwise; cells whose key is gone are listed in tblChecks (Info, their whole
  text). Where the runtime reads formulas (classic COM) a moved formula is written back as
  a formula; xlwings Lite and Office.js hand a script values only (xlwings 0.37.8), so a
  user column there moves as values.
- **filters**: classic Excel re-applies each output table's filter and sort
  (``ListObject.AutoFilter.ApplyFilter``, ``Sort.Apply``). A script in xlwings Lite or
  Office.js can neither read nor re-apply a filter, so the filter criteria of the output
  tables with filter buttons are cleared (every row shows) and an Info says so: never rows
  left hidden by the previous values.
- **pivot tables** over an output table are refreshed after the write: in Office.js those
  whose fields are all columns of a written table (the payload names a pivot's fields, not
  its source), in classic Excel those whose ``SourceData`` is the table.

:class:`KeepingSession` is the workbook session of the Excel commands
(:mod:`xlpmo_udfs.commands`): a :class:`~xlpmo_udfs.book.BookSession` whose whole-table
writes (Refresh's output tables, tblChecks of Refresh and Validate) go through this module.
:func:`before_write` notes which output tables exist (and whose filters will be cleared),
:func:`output_jobs` builds the jobs :func:`xlpmo_udfs.book.write_changes` writes,
:func:`after_write` re-applies or clears the filters and refreshes the pivots.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from xlpmo.contract import tables
from xlpmo.errors import Finding
from xlpmo.io.a1 import address
from xlpmo.io.changes import TableEdit
from xlpmo.io.keyed import Formula, keep_user_columns, orphan_check_rows
from xlpmo.io.validate import checks_table

from .book import (
    BookSession,
    Job,
    find_table,
    frame_cells,
    job_header,
    output_job,
    range_values,
    table_header,
    write_changes,
)

__all__ = ["Before", "KeepingSession", "after_write", "before_write", "checks_job",
           "output_jobs"]

DATE_KINDS = ("date", "period", "timestamp")


def _is_com(table: Any) -> bool:
    return not isinstance(getattr(table, "api", None), dict)


def _old_grid(table: Any) -> list[list[Any]]:
    """The table's cells (header first); formulas where the runtime can read them."""
    values = range_values(table.range)
    formulas = None
    with contextlib.suppress(Exception):  # NotImplementedError on Office.js / Lite
        formulas = table.range.formula
    if formulas:
        for i, row in enumerate(formulas):
            for j, f in enumerate(row if isinstance(row, list | tuple) else [row]):
                if isinstance(f, str) and f.startswith("=") and i < len(values) \
                        and j < len(values[i]):
                    values[i][j] = Formula(f)
    return values


def _owned_only(header: list[str], frame: pd.DataFrame) -> pd.DataFrame | None:
    """The new content in the order of the table's current ``header`` (new columns at its
    right, header texts as the table has them), when every column of the table is one the
    refresh writes: what :func:`xlpmo.io.keyed.keep_user_columns` gives then, without
    reading the old rows. None when the table has a user column (or a repeated header)."""
    lower_old = [h.strip().lower() for h in header]
    lower_new = [str(c).strip().lower() for c in frame.columns]
    if len(set(lower_old)) != len(lower_old) or not set(lower_old) <= set(lower_new):
        return None
    order = [lower_new.index(k) for k in lower_old]
    names = list(header)
    for j, k in enumerate(lower_new):
        if k not in lower_old:
            order.append(j)
            names.append(str(frame.columns[j]))
    return frame.iloc[:, order].set_axis(names, axis=1)


def _job(book: Any, spec: tables.TableSpec, frame: pd.DataFrame
         ) -> tuple[Job, list[Any]]:
    """The write job of one output table, its user columns kept; and the orphaned notes."""
    table = find_table(book, spec.name)
    if table is None:
        return output_job(frame, spec), []
    same = _owned_only(table_header(table), frame[spec.column_names])
    if same is not None:  # no user column: the old rows need not be read
        return (spec.name, same, spec.sheet), []
    sheet, rng = table.parent, table.range
    kept = keep_user_columns(
        spec.name, _old_grid(table), frame_cells(frame[spec.column_names]),
        tables.row_key(spec.name),
        lambda j, c: address(sheet.name, rng.row + 1 + j, rng.column + c),
        dates=[c.name for c in spec.columns if c.kind in DATE_KINDS])
    return (spec.name, [kept.header, *kept.rows], spec.sheet), kept.notes


def output_jobs(book: Any, frames: Mapping[str, pd.DataFrame],
                extra: Sequence[Finding] = ()) -> list[Job]:
    """The write jobs of whole output tables, each with its user columns kept; tblChecks
    (when among ``frames``) first, with the Infos ``extra`` and the notes whose row is gone
    added after its findings."""
    jobs, notes, checks = [], [], None
    for name, frame in frames.items():
        spec = tables.spec(name)
        if spec.name == tables.CHECKS.name:
            checks = frame
            continue
        job, lost = _job(book, spec, frame)
        jobs.append(job)
        notes += lost
    if checks is None:
        return jobs
    if extra:  # Infos: after the findings (tblChecks lists Errors first)
        checks = pd.concat([checks, checks_table(extra)], ignore_index=True)
    return [checks_job(book, checks, notes), *jobs]


def checks_job(book: Any, checks: pd.DataFrame, notes: Sequence[Any] = ()) -> Job:
    """The tblChecks job: the findings ``checks`` (:func:`xlpmo.io.validate.checks_table`),
    then the notes whose row is gone, each row's own notes (Action, Owner beside a finding)
    kept with the finding."""
    checks = _with_notes(checks, list(notes))
    job, lost = _job(book, tables.CHECKS, checks)
    if lost:  # notes typed beside findings that are gone
        job, _ = _job(book, tables.CHECKS, _with_notes(checks, lost))
    return job


def _with_notes(checks: pd.DataFrame, notes: list[Any]) -> pd.DataFrame:
    rows = orphan_check_rows(notes)
    if not rows:
        return checks
    extra = pd.DataFrame(rows, columns=checks.columns, dtype=object)
    return pd.concat([checks, extra], ignore_index=True)


@dataclass
class Before:
    """The output tables as they are before the write (:func:`before_write`)."""

    existing: list[str] = field(default_factory=list)  # output tables already in the book
    cleared: list[str] = field(default_factory=list)  # their filters to clear (Office.js)

    @property
    def findings(self) -> list[Finding]:
        """The Info for the filters :func:`after_write` clears."""
        if not self.cleared:
            return []
        names = ", ".join(self.cleared)
        return [Finding("Info", self.cleared[0], self.cleared[0], (
            f"Refresh cleared any filter on {names}: a script in xlwings Lite or Excel on "
            "the web can neither read nor re-apply a table's filter, and a filter left in "
            "place would hide rows by their old values. Filter again from the column "
            "headers (classic Excel re-applies filters itself)."))]


def before_write(book: Any, names: list[str]) -> Before:
    """Which of the output tables ``names`` exist, and whose filters the runtime cannot
    re-apply (xlwings Lite / Office.js: those with filter buttons)."""
    out = Before()
    for name in names:
        table = find_table(book, name)
        if table is None:
            continue
        out.existing.append(table.name)
        if not _is_com(table) and table.api.get("show_autofilter"):
            out.cleared.append(table.name)
    return out


def after_write(book: Any, jobs: list[Job], before: Before) -> None:
    """Re-apply (classic) or clear (Office.js) the filters of the output tables that
    existed before the write; refresh the pivot tables over the tables ``jobs`` wrote."""
    for name in before.existing:
        table = find_table(book, name)
        if table is None:
            continue
        if _is_com(table):
            with contextlib.suppress(Exception):  # no filter, no sort: nothing to re-apply
                table.api.AutoFilter.ApplyFilter()
            with contextlib.suppress(Exception):
                if table.api.Sort.SortFields.Count:
                    table.api.Sort.Apply()
        elif name in before.cleared:
            table.autofilter.clear()  # every column's criteria
    names = [name for name, _cells, _sheet in jobs]
    headers = [{h.strip().lower() for h in job_header(cells)} for _name, cells, _sheet in jobs]
    _refresh_pivots(book, names, headers)


def _refresh_pivots(book: Any, names: list[str], headers: list[set[str]]) -> None:
    wanted = {n.lower() for n in names}
    for sheet in book.sheets:
        try:
            pivots = list(sheet.pivot_tables)
        except Exception:  # classic COM or an older client: go through the COM object
            _refresh_com_pivots(sheet, wanted)
            continue
        for pivot in pivots:
            fields = {str(f).strip().lower() for f in pivot.field_names}
            if fields and any(fields <= h for h in headers):
                pivot.refresh()


def _refresh_com_pivots(sheet: Any, wanted: set[str]) -> None:
    with contextlib.suppress(Exception):
        for i in range(1, sheet.api.PivotTables().Count + 1):
            pivot = sheet.api.PivotTables(i)
            if str(pivot.SourceData).split("[")[0].strip().lower() in wanted:
                pivot.PivotCache().Refresh()


class KeepingSession(BookSession):
    """The Excel commands' workbook session: whole tables written as :func:`output_jobs`
    makes them (user columns with their row's key, notes whose row is gone and the Infos
    of :func:`before_write` in tblChecks), filters and pivots handled by
    :func:`after_write`; edits (Import actuals, Close period, New project, the tblConfig
    stamps) as :class:`~xlpmo_udfs.book.BookSession` writes them."""

    def write(self, tables_: Mapping[str, pd.DataFrame], edits: Sequence[TableEdit]
              ) -> list[Finding]:
        if not tables_:
            return super().write(tables_, edits)
        before = before_write(self.book, list(tables_))
        jobs = output_jobs(self.book, tables_, before.findings)
        write_changes(self.book, jobs, edits)
        after_write(self.book, jobs, before)
        return before.findings
