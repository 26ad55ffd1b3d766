"""Import actuals: an export's rows added to tblActuals or tblTimesheets, exactly once.

functions.md: "Importing adds: in the long layout new rows are appended; in the wide layout
the amount is added to the month's cell (a late invoice of 2,000 on a month holding 59,000
makes 61,000). Re-importing the same export never counts twice: each import is recorded in
tblImportLog (ImportedAt, Source, SHA256, Table, Rows, Reference) and rows already imported
(by the export's reference column when it has one, else by the whole row) are skipped and
reported. Unknown ProjectIDs / ResourceIDs are imported and listed as Warnings."

How (:func:`import_export`):

1. the export is read and typed by :mod:`xlpmo.io.importer` (header row found below any
   header block, columns mapped, amounts read);
2. each row's identity is its reference (the export's invoice or document number column,
   when it has one and the row fills it), else the whole typed row as text
   (:func:`xlpmo.core.commands.row_key`); :func:`xlpmo.core.commands.pick_new` drops the
   rows tblImportLog already counts for the same table;
3. the rest is added: appended rows (long layout, or a table that does not exist yet,
   created long), or amounts added to the month cells of a wide tblActuals
   (:func:`xlpmo.core.commands.add_to_wide`: new rows and month columns as needed);
4. tblImportLog gets one row per identity imported: ImportedAt, Source (the export's file
   name, or the sheet it was pasted into), SHA256 (of the export file's bytes, or of the
   pasted cells), Table, Rows (the export rows it stands for), Reference;
5. the table and the log are written in one step; an export with nothing new writes
   nothing at all (the workbook keeps its bytes).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from xlpmo.app.loading import frame_rows, load, now
from xlpmo.app.session import Session
from xlpmo.contract import periods, tables
from xlpmo.core import commands as rules
from xlpmo.errors import FileRefused, Finding, InputError
from xlpmo.io import importer
from xlpmo.io.changes import TableEdit, append_edit, column_position
from xlpmo.io.raw import RawTable


@dataclass
class Export:
    """An export to import: its cells from the header row down (``frame``, with the file
    row of each data row in ``frame.attrs["lines"]``), where it came from (``source``) and
    the SHA-256 of its bytes."""

    frame: pd.DataFrame
    source: str
    sha256: str

    @classmethod
    def from_file(cls, path: str | Path, target: str | None = None,
                  overrides: dict[str, str] | None = None) -> Export:
        p = Path(path)
        try:
            digest = hashlib.sha256(p.read_bytes()).hexdigest()
        except OSError as exc:
            raise FileRefused(f"cannot read the export {p.name}: {exc.strerror or exc}") from None
        return cls(importer.read_export(p, target, overrides), p.name, digest)

    @classmethod
    def from_values(cls, values: list[list[Any]], source: str, target: str | None = None,
                    overrides: dict[str, str] | None = None) -> Export:
        """An export pasted into a sheet (``source`` names it): its cells as read."""
        text = json.dumps(values, default=str, ensure_ascii=False)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return cls(importer.export_frame(values, target, overrides, source), source, digest)


@dataclass
class Imported:
    """What an import did: the table, rows imported and skipped (already imported), the
    one-line ``message``, further ``details`` lines, Warning findings (unknown IDs) and
    ``left_out``: postings that could not be read (an ID and an amount typed, but the
    amount, the date or the period unreadable), so the table holds less than the export
    says (:attr:`xlpmo.io.importer.Prepared.lost`; a totals line is not one)."""

    table: str
    imported: int
    skipped: int
    message: str
    details: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    written: bool = False
    left_out: int = 0


def import_export(session: Session, export: Export, into: str | None = None,
                  overrides: dict[str, str] | None = None) -> Imported:
    """Add ``export``'s rows to tblActuals or tblTimesheets (``into``; default: by its
    columns) exactly once (see the module docstring)."""
    if into is not None and into not in importer.TARGETS:
        raise InputError(f"--into must be one of {', '.join(importer.TARGETS)}, not {into}")
    prepared = importer.prepare(export.frame, into, overrides)
    target = prepared.target
    spec = importer.TARGETS[target]
    if prepared.rows.empty:
        why = (f" (first: row {prepared.skipped[0][0]}: {prepared.skipped[0][1]})"
               if prepared.skipped else "")
        raise InputError(f"{export.source}: no row could be imported into {target}{why}; "
                         "nothing was changed")
    checked = load(session, extra=[tables.IMPORT_LOG.name])
    raw = checked.raw
    log = raw.get(tables.IMPORT_LOG.name)
    session.step("matching the export with tblImportLog")
    kinds = [c.kind for c in spec.columns]
    keys, by_ref = [], []
    for ref, row in zip(prepared.references, prepared.rows.itertuples(index=False, name=None),
                        strict=True):
        keys.append(ref if ref is not None else rules.row_key(row, kinds))
        by_ref.append(ref is not None)
    imported, first_seen = _log_counts(log, target)
    picked = rules.pick_new(keys, by_ref, imported)
    new = prepared.rows[picked.new].reset_index(drop=True)
    details = _export_notes(prepared)
    before = ""
    if picked.skipped:
        first = picked.skipped[0]
        before = (f"first: row {prepared.lines[first]}, {keys[first]}"
                  f"{first_seen.get(keys[first], '')}")
    if new.empty:
        return Imported(target, 0, len(picked.skipped),
                        f"{target}: nothing new in {export.source}: its {len(keys)} row(s) "
                        f"were all imported before ({before}); nothing was changed", details,
                        left_out=len(prepared.lost))
    table = raw.get(target)
    if table is not None and not table.is_listobject:
        raise InputError(f"{session.name}: {target} is a plain sheet ({table.sheet}), not an "
                         "Excel Table, so xlpmo cannot add rows to it: make it an Excel Table "
                         f"named {target} and import again; nothing was changed")
    edit, summary, dropped = _table_edit(target, spec, table, new)
    if dropped:
        details.append(f"the export's {', '.join(dropped)} not kept: {target} has no such "
                       "column")
    stamp = now()
    entries = [{"ImportedAt": stamp, "Source": export.source, "SHA256": export.sha256,
                "Table": target, "Rows": count, "Reference": key}
               for key, count in picked.log.items()]
    log_edit = append_edit(tables.IMPORT_LOG.name, None if log is None else log.header,
                           [] if log is None else log.rows, entries,
                           tables.IMPORT_LOG.column_names)
    session.step("writing workbook")
    written = session.write({}, [edit, log_edit])  # a chart series left alone ...
    findings = [*_unknown_ids(checked.inputs, new, target), *written]
    skipped = (f"; {len(picked.skipped)} row(s) imported before were skipped ({before})"
               if picked.skipped else "")
    message = f"{target}: {summary} from {export.source}{skipped}; recorded in tblImportLog"
    return Imported(target, len(new), len(picked.skipped), message, details, findings,
                    written=True, left_out=len(prepared.lost))


def _export_notes(prepared: importer.Prepared) -> list[str]:
    notes = []
    if prepared.skipped:
        line, why = prepared.skipped[0]
        notes.append(f"{len(prepared.skipped)} export row(s) left out (first: row {line}: "
                     f"{why})")
    if prepared.repeated:
        notes.append(f"{len(prepared.repeated)} export row(s) repeat an earlier row exactly "
                     f"(first: row {prepared.repeated[0]}): imported as separate postings")
    return notes


def _log_counts(log: RawTable | None, target: str) -> tuple[dict[str, int], dict[str, str]]:
    """Rows imported into ``target`` per reference, summed over tblImportLog, and for each
    reference when and from where it was first imported (`` on 2026-03-05 10:02 from
    finance.csv``)."""
    counts: dict[str, int] = {}
    seen: dict[str, str] = {}
    if log is None:
        return counts, seen
    col = {c: column_position(log.header, c) for c in tables.IMPORT_LOG.column_names}
    if col["Reference"] is None or col["Table"] is None:
        raise InputError("tblImportLog needs its Table and Reference columns to tell what was "
                         "imported before; nothing was changed")
    for row in log.rows:
        table = importer.key_text(row[col["Table"]])
        key = importer.key_text(row[col["Reference"]])
        if key is None or table is None or table.lower() != target.lower():
            continue
        n = importer.read_number(row[col["Rows"]]) if col["Rows"] is not None else None
        counts[key] = counts.get(key, 0) + (int(n) if n is not None and n >= 1 else 1)
        if key not in seen:
            at = periods.parse_date(row[col["ImportedAt"]]) if col["ImportedAt"] is not None \
                else None
            source = row[col["Source"]] if col["Source"] is not None else None
            seen[key] = ((f" on {at:%Y-%m-%d %H:%M}" if at is not None else "")
                         + (f" from {source}" if source else ""))
    return counts, seen


def _table_edit(target: str, spec: tables.TableSpec, table: RawTable | None,
                new: pd.DataFrame) -> tuple[TableEdit, str, list[str]]:
    """The edit of the target table, a summary of it, and the export columns the table
    has no column for."""
    if table is not None and target == tables.ACTUALS.name and _is_wide(table):
        return _wide_edit(table, new)
    header = None if table is None else table.header
    columns = spec.column_names if header is None else [
        c for c in spec.column_names if column_position(header, c) is not None]
    dropped = [c for c in spec.column_names if c not in columns and new[c].notna().any()]
    rows = frame_rows(new, columns)
    edit = append_edit(target, header, [] if table is None else table.rows, rows,
                       spec.column_names)
    created = " (a new table)" if table is None else ""
    return edit, f"{len(rows)} row(s) added{created}", dropped


def _is_wide(table: RawTable) -> bool:
    """The layout rule of the reader (:mod:`xlpmo.io.coerce`): long with Period and Actual
    columns, else wide."""
    return column_position(table.header, "Period") is None or \
        column_position(table.header, "Actual") is None


def _wide_edit(table: RawTable, new: pd.DataFrame) -> tuple[TableEdit, str, list[str]]:
    pid = column_position(table.header, "ProjectID")
    if pid is None:
        raise InputError(f"tblActuals ({table.sheet}) has no ProjectID column; nothing was "
                         "changed")
    ct = column_position(table.header, "CostType")
    keys = [(importer.key_text(r[pid]), importer.key_text(r[ct]) if ct is not None else None)
            for r in table.rows]
    addition = rules.add_to_wide(table.header, table.rows, keys, new, "Actual", ct is not None)
    if addition.problems:
        cells = ", ".join(f"{table.cell(i, table.header.index(h))} ({v!r})"
                          for i, h, v in addition.problems[:8])
        raise InputError(f"tblActuals cannot take the import: {cells} "
                         f"{'hold' if len(addition.problems) > 1 else 'holds'} no amount to "
                         "add to; correct them and import again (nothing was changed)")
    edit = append_edit(tables.ACTUALS.name, table.header, table.rows,
                       addition.rows,
                       tables.ACTUALS.column_names)
    edit.cells.update(addition.cells)
    edit.columns = list(addition.columns)
    parts = [f"{len(addition.cells)} amount(s) added to month cells"]
    if addition.rows:
        parts.append(f"{len(addition.rows)} new row(s)")
    if addition.columns:
        parts.append(f"{len(addition.columns)} new month column(s) "
                     f"({', '.join(addition.columns)})")
    dropped = ["CostType"] if ct is None and new["CostType"].notna().any() else []
    return edit, ", ".join(parts) + " (wide layout)", dropped


def _unknown_ids(inputs: Any, rows: pd.DataFrame, target: str) -> list[Finding]:
    """Warnings for imported ProjectIDs not in tblProjects and ResourceIDs not in
    tblResources (when the workbook has those tables)."""
    out = []
    checks: Sequence[tuple[str, str, pd.Series]] = (
        ("ProjectID", tables.PROJECTS.name, inputs.projects["ProjectID"]),
        ("ResourceID", tables.RESOURCES.name, inputs.resources["ResourceID"]),
    )
    for column, table, known in checks:
        if column not in rows.columns or not inputs.has(table):
            continue
        have = set(known.dropna().astype(str))
        for value in dict.fromkeys(rows[column].dropna().astype(str)):
            if value not in have:
                out.append(Finding("Warning", target, target,
                                   f"{column} {value!r} imported into {target} is not in "
                                   f"{table}"))
    return out
