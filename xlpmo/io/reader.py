"""Read the contract tables of a workbook file into raw cell values.

``read_workbook(path)`` finds every table of :mod:`xlpmo.contract.tables` (inputs, outputs and
tblHistory) by Excel Table (ListObject) name, case-insensitively, on any sheet. An input
table that is not a ListObject may be a sheet named like the table without ``tbl``
(``Plan``) that holds no Excel Table and has headers in its first row
(shared/spec/workbook.md, "How tables are found").

How it reads:

- The package (workbook.xml, relationships, table parts) is read through
  :class:`xlpmo.io.ooxml.package.Package`, the one zip reader: every part it reads is
  inflated within caps on its size, the total and the compression ratio, whatever sizes the
  zip claims; a part whose prolog carries a DTD is refused before any parser sees it (OOXML
  parts never have one: it is an entity-expansion attempt or a damaged file); XML is parsed
  with entity resolution, DTD loading and network access off.
- Cell values come from python-calamine (about 9x faster than openpyxl read-only). Before
  calamine opens a sheet, its XML is read under the caps and its used rectangle bounded
  (:mod:`xlpmo.io.extent`: calamine allocates the whole rectangle and aborts the process
  when that fails). calamine reads error cells as blanks, so error cells are located in the
  sheet XML and put back as :class:`XLError`; so are formula cells of the input tables
  without a saved value, as :class:`xlpmo.io.cellxml.Uncalculated`. The percent-formatted
  cells of tables with a percentage column are located too (:attr:`RawTable.percent`).
- Table column names are decoded from Excel's ``_xHHHH_`` escapes (a line break in a
  header is ``_x000a_`` in the table part).

The values are the raw value set of :mod:`xlpmo.io.raw`.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from lxml import etree

from xlpmo.contract import tables
from xlpmo.errors import FileChanged, FileRefused, Finding, LimitExceeded, XlpmoError
from xlpmo.io import limits
from xlpmo.io.a1 import MAX_COLS, MAX_ROWS, CellRange, letters_any, quote_sheet
from xlpmo.io.cellxml import (
    error_cells,
    percent_cells,
    percent_styles,
    uncalculated_cells,
    uncalculating_writer,
)
from xlpmo.io.extent import extent, fits, quick_bound
from xlpmo.io.headers import decode_xstring
from xlpmo.io.ooxml.package import Package, Relationships
from xlpmo.io.outside import columns_right, rows_below, search_limits
from xlpmo.io.raw import (
    RawTable,
    RawWorkbook,
    as_2d,
    clean_values,
    fingerprint,
    header_text,
)

__all__ = ["read_workbook"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_MACRO_SHEETS = ("xlmacrosheet", "xlintlmacrosheet")


# -- the package ------------------------------------------------------------------------------


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _children(el: etree._Element, name: str) -> Iterable[etree._Element]:
    return (c for c in el.iter() if _local(c.tag) == name)


def _rel_id(el: etree._Element) -> str | None:
    for key, value in el.attrib.items():
        if key.endswith("}id") and "relationships" in key:
            return value
    return None


def _rels(pkg: Package, part: str) -> dict[str, tuple[str, str]]:
    """Relationships of a part: id -> (type suffix, target part name)."""
    return Relationships(pkg, part).targets()


def _sniff(path: Path, label: str) -> None:
    """Refuse what is not an OOXML zip package, with a message that says what it is."""
    with open(path, "rb") as fh:
        head = fh.read(256)
        if head[:8] == _OLE_MAGIC:
            fh.seek(0)
            data = fh.read()  # a size _stat_file checked
            if "EncryptedPackage".encode("utf-16-le") in data:
                raise FileRefused(
                    f"{label} is encrypted (password-protected): open it in Excel, remove the "
                    "password (File > Info > Protect Workbook) and save it again"
                )
            raise FileRefused(f"{label} is a legacy .xls workbook: save it as .xlsx or .xlsm")
    if not head:
        raise FileRefused(f"{label} is empty (0 bytes): not a workbook")
    if head[:4] == _EMPTY_ZIP_MAGIC:
        raise FileRefused(f"{label} is an empty zip archive: not a workbook")
    if head[:4] != _ZIP_MAGIC:
        text = head.lstrip().lower()
        what = ("a web page or XML file" if text.startswith((b"<", b"\xef\xbb\xbf<"))
                else "not a zip package (a CSV or text file?)")
        raise FileRefused(f"{label} is not an Excel workbook (.xlsx/.xlsm): it is {what}")


def _for_calamine(pkg: Package, wb_part: str) -> bytes | None:
    """The package as calamine should see it: None for the file itself. Calamine refuses a
    workbook that holds Excel 4.0 macro sheets ("Unrecognized sheet type"), so for one it
    gets a copy of the XML parts whose workbook part lists only the other sheets (the macro
    sheets are neither read nor run); every part copied is read under the caps."""
    rels = _rels(pkg, wb_part)
    macro = {part.lower() for kind, part in rels.values() if kind.lower() in _MACRO_SHEETS}
    if not macro:
        return None
    root = etree.fromstring(etree.tostring(pkg.xml(wb_part).getroot()))  # a copy to edit
    for el in list(_children(root, "sheet")):
        if rels.get(_rel_id(el) or "", ("", ""))[1].lower() in macro:
            el.getparent().remove(el)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in pkg.names():
            low = name.lower()
            if low in macro or not low.endswith((".xml", ".rels")):
                continue
            body = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                  standalone=True) if low == wb_part.lower() else pkg.read(name)
            z.writestr(name, body)
    return out.getvalue()


def _workbook_part(pkg: Package) -> str:
    if pkg.has("mimetype") and not pkg.has("[Content_Types].xml"):
        raise FileRefused(
            f"{pkg.label} is an OpenDocument spreadsheet: save it as .xlsx or .xlsm"
        )
    target = None
    if pkg.has("_rels/.rels"):
        for kind, part in _rels(pkg, "").values():
            if kind == "officeDocument":
                target = part
    if target is None and pkg.has("xl/workbook.xml"):
        target = "xl/workbook.xml"
    if target is None:
        raise FileRefused(f"{pkg.label} is a zip file but not an Excel workbook")
    if target.lower().endswith(".bin"):
        raise FileRefused(
            f"{pkg.label} is a binary .xlsb workbook: save it as .xlsx or .xlsm"
        )
    if not pkg.has(target):
        raise FileRefused(f"{pkg.label} is damaged: its workbook part {target} is missing")
    return target


# -- table locations --------------------------------------------------------------------------


@dataclass
class _Sheet:
    name: str
    part: str
    tables: list[_TablePart] = field(default_factory=list)


@dataclass
class _TablePart:
    name: str
    ref: str
    header_rows: int
    totals_rows: int
    columns: list[str]


def _int_attr(el: etree._Element, name: str, default: int) -> int:
    try:
        return int(el.get(name, default))
    except ValueError:
        return default


def _sheets(pkg: Package, wb_part: str) -> tuple[list[str], list[_Sheet], bool, str]:
    """Sheet names in workbook order, the worksheets with their tables, date1904 (an
    xsd:boolean: ``1`` or ``true``), and the program that saved the workbook when it is one
    that does not calculate (:func:`xlpmo.io.cellxml.uncalculating_writer`)."""
    root = pkg.xml(wb_part).getroot()
    rels = _rels(pkg, wb_part)
    date1904 = any(
        el.get("date1904", "0").strip().lower() in ("1", "true")
        for el in _children(root, "workbookPr")
    )
    names: list[str] = []
    sheets: list[_Sheet] = []
    for el in _children(root, "sheet"):
        name = el.get("name", "")
        names.append(name)
        kind, part = rels.get(_rel_id(el) or "", ("", ""))
        if kind != "worksheet" or not pkg.has(part):
            continue  # chart sheets, dialog sheets: they hold no tables or cells to read
        sheet = _Sheet(name, part)
        for tkind, tpart in _rels(pkg, part).values():
            if tkind == "table" and pkg.has(tpart):
                sheet.tables.append(_table_part(pkg, tpart))
        sheets.append(sheet)
    return names, sheets, date1904, uncalculating_writer(root)


def _percent_styles(pkg: Package, wb_part: str) -> frozenset[int]:
    """The cell styles of the workbook that show numbers as percentages."""
    for kind, part in _rels(pkg, wb_part).values():
        if kind == "styles" and pkg.has(part):
            return percent_styles(pkg.xml(part).getroot())
    return frozenset()


def _table_part(pkg: Package, part: str) -> _TablePart:
    root = pkg.xml(part).getroot()
    cols = [decode_xstring(c.get("name", "")) for c in _children(root, "tableColumn")]
    return _TablePart(
        name=root.get("displayName") or root.get("name") or "",
        ref=root.get("ref", ""),
        header_rows=_int_attr(root, "headerRowCount", 1),
        totals_rows=_int_attr(root, "totalsRowCount", 0),
        columns=cols,
    )


# -- reading ----------------------------------------------------------------------------------


class _Cells:
    """The used rectangle of one sheet: values[r, c] is sheet cell (top + r, left + c);
    ``percent``: the (rows, columns) of its percent-formatted cells."""

    def __init__(self, values: np.ndarray, top: int, left: int,
                 percent: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        self.values = values
        self.top = top
        self.left = left
        empty = np.empty(0, dtype=np.int64)
        self.percent = percent if percent is not None else (empty, empty)

    def percent_in(self, top: int, left: int, rows: int, cols: int
                   ) -> tuple[np.ndarray, np.ndarray]:
        """The percent-formatted cells of the block of ``rows`` x ``cols`` cells whose
        first is (top, left), as (row, column) indices into the block."""
        r, c = self.percent
        inside = (r >= top) & (r < top + rows) & (c >= left) & (c < left + cols)
        return r[inside] - top, c[inside] - left

    def block(self, top: int, left: int, bottom: int, right: int) -> np.ndarray:
        """Sheet cells top..bottom x left..right (1-based, inclusive), blanks outside."""
        out = np.full((max(bottom - top + 1, 0), max(right - left + 1, 0)), None, dtype=object)
        r0, c0 = max(top, self.top), max(left, self.left)
        r1 = min(bottom, self.top + self.values.shape[0] - 1)
        c1 = min(right, self.left + self.values.shape[1] - 1)
        if r0 <= r1 and c0 <= c1:
            out[r0 - top : r1 - top + 1, c0 - left : c1 - left + 1] = self.values[
                r0 - self.top : r1 - self.top + 1, c0 - self.left : c1 - self.left + 1
            ]
        return out


def _load_cells(book: Any, pkg: Package, sheet: _Sheet, styles: frozenset[int] = frozenset(),
                writer: str | None = None) -> _Cells:
    """The cells of a sheet; ``styles``: the percent cell styles to locate; ``writer``: look
    for formula cells without a saved value (None: do not; see
    :func:`xlpmo.io.cellxml.uncalculated_cells`)."""
    import python_calamine as calamine

    xml = pkg.read(sheet.part)
    bound = quick_bound(xml)
    rows, cols = bound if bound is not None and fits(*bound) else extent(xml)
    if rows > MAX_ROWS or cols > MAX_COLS:
        raise FileRefused(
            f"{pkg.label}: sheet {sheet.name!r} names cells beyond Excel's last cell "
            "XFD1048576; the file is damaged or crafted"
        )
    if rows * cols > limits.MAX_SHEET_CELLS:
        raise LimitExceeded(
            f"{pkg.label}: sheet {sheet.name!r} uses cells up to {letters_any(cols)}{rows} "
            f"({rows:,} rows x {cols:,} columns), more than xlpmo reads "
            f"({limits.MAX_SHEET_CELLS:,} cells). Delete the unused rows and columns and save "
            "again."
        )
    errors: dict[tuple[int, int], Any] = dict(error_cells(xml))
    if writer is not None:
        errors.update(uncalculated_cells(xml, writer))
    percent = percent_cells(xml, styles)
    del xml
    try:
        cal = book.get_sheet_by_name(sheet.name)
        start = cal.start
        values = cal.to_python(skip_empty_area=True) if start is not None else []
    except calamine.CalamineError as exc:
        raise FileRefused(f"{pkg.label}: cannot read sheet {sheet.name!r} ({exc})") from None
    top, left = (start[0] + 1, start[1] + 1) if start is not None else (1, 1)
    arr = clean_values(as_2d(values))
    del values
    cells = _Cells(arr, top, left, percent)
    if errors:
        e_top = min(r for r, _ in errors)
        e_left = min(c for _, c in errors)
        e_bottom = max(max(r for r, _ in errors), top + arr.shape[0] - 1)
        e_right = max(max(c for _, c in errors), left + arr.shape[1] - 1)
        grown = cells.block(min(top, e_top), min(left, e_left), e_bottom, e_right)
        cells = _Cells(grown, min(top, e_top), min(left, e_left), percent)
        for (r, c), err in errors.items():
            cells.values[r - cells.top, c - cells.left] = err
    return cells


def _listobject_table(
    spec: tables.TableSpec, sheet: _Sheet, tp: _TablePart, cells: _Cells, date1904: bool
) -> RawTable:
    rng = CellRange.parse(tp.ref)
    top, left, bottom, right = rng.r1, rng.c1, rng.r2, rng.c2
    block = cells.block(top, left, bottom, right)
    if tp.header_rows > 0:
        header_cells = [header_text(v) for v in block[0]]
        body = block[1 : len(block) - tp.totals_rows if tp.totals_rows else len(block)]
        first_row = top
    else:
        header_cells = []
        body = block[: len(block) - tp.totals_rows if tp.totals_rows else len(block)]
        first_row = top - 1
    width = right - left + 1
    header = [
        (tp.columns[j] if j < len(tp.columns) and tp.columns[j] else
         header_cells[j] if j < len(header_cells) else "")
        for j in range(width)
    ]
    return RawTable(
        spec.name, sheet.name, header, body, first_row, left, is_listobject=True,
        ref=tp.ref, date1904=date1904, cleaned=True,
        percent=cells.percent_in(first_row + 1, left, len(body), width),
    )


def _outside(spec: tables.TableSpec, sheet: _Sheet, tp: _TablePart, cells: _Cells,
             table: RawTable) -> list[Finding]:
    """The Errors for data typed right below or right of an input table, outside it
    (:mod:`xlpmo.io.outside`)."""
    rng = CellRange.parse(tp.ref)
    others = [CellRange.parse(t.ref) for t in sheet.tables if t is not tp]
    bottom, right = search_limits(
        (rng.r1, rng.c1, rng.r2, rng.c2), [(o.r1, o.c1, o.r2, o.c2) for o in others],
        cells.top + cells.values.shape[0] - 1, cells.left + cells.values.shape[1] - 1)
    found = []
    if bottom > rng.r2:
        found.append(rows_below(spec.name, sheet.name, rng.r2 + 1, rng.c1,
                                cells.block(rng.r2 + 1, rng.c1, bottom, rng.c2)))
    if right > rng.c2 and tp.header_rows > 0:
        found.append(columns_right(spec, sheet.name, rng.r1, rng.c2 + 1, cells.block(
            rng.r1, rng.c2 + 1, rng.r2 - tp.totals_rows, right), table.header,
            table.date1904))
    return [f for f in found if f is not None]


def _sheet_table(spec: tables.TableSpec, sheet: _Sheet, cells: _Cells,
                 date1904: bool) -> RawTable | None:
    """The table on a sheet named like it (see :meth:`RawTable.from_sheet`)."""
    if cells.values.size == 0:
        return None
    bottom = cells.top + cells.values.shape[0] - 1
    right = cells.left + cells.values.shape[1] - 1
    table = RawTable.from_sheet(cells.block(1, 1, bottom, right), sheet.name, spec.name)
    if table is not None:
        table.date1904 = date1904
        table.percent = cells.percent_in(2, 1, *table.data.shape)
    return table


def _stat_file(path: Path) -> os.stat_result:
    """The file's stat, refusing what is not a readable regular file of a sane size."""
    label = path.name
    try:
        before = os.stat(path)
        if stat.S_ISDIR(before.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(before.st_mode):  # a FIFO blocks the read, /dev/zero never ends
            raise FileRefused(f"{path} is not a regular file (a pipe or device?): not read")
        if before.st_size > limits.MAX_FILE_BYTES:
            raise LimitExceeded(f"{label} is larger than {limits.MAX_FILE_BYTES >> 30} GB: "
                                "not read")
        with open(path, "rb"):
            pass
    except FileNotFoundError:
        raise FileRefused(f"{path} does not exist") from None
    except IsADirectoryError:
        raise FileRefused(f"{path} is a folder, not a workbook") from None
    except PermissionError:
        raise FileRefused(f"{path} cannot be read (permission denied; open in Excel?)") \
            from None
    return before


def _wanted(sheets: list[_Sheet], outputs: bool
            ) -> list[tuple[tables.TableSpec, _Sheet, _TablePart | None]]:
    """Which sheets hold which contract tables: (spec, sheet, its table part or None for a
    sheet named like an input table)."""
    wanted: list[tuple[tables.TableSpec, _Sheet, _TablePart | None]] = []
    found = set()
    for sheet in sheets:
        for tp in sheet.tables:
            try:
                spec = tables.spec(tp.name)
            except KeyError:
                continue
            if spec.name not in found and (outputs or spec.name in tables.INPUTS):
                found.add(spec.name)
                wanted.append((spec, sheet, tp))
    by_name = {s.name.casefold(): s for s in sheets}
    for spec in tables.INPUTS.values():
        sheet = by_name.get(spec.name[3:].casefold())
        if spec.name not in found and sheet is not None and not sheet.tables:
            wanted.append((spec, sheet, None))
    return wanted


def read_workbook(path: str | os.PathLike[str], outputs: bool = True) -> RawWorkbook:
    """Read every contract table of an .xlsx/.xlsm file (see the module docstring).

    Missing tables are simply absent from ``tables`` (validation reports the required
    ones). ``outputs=False`` skips the output tables and tblHistory (faster when only the
    inputs are needed); a sheet that holds only output tables and cannot be read is
    skipped with a Warning rather than failing the whole read. Raises
    :class:`~xlpmo.errors.XlpmoError` (:class:`~xlpmo.errors.FileRefused`,
    :class:`~xlpmo.errors.LimitExceeded`, :class:`~xlpmo.errors.FileChanged`) with a
    user-facing message for anything that is not a readable, sane OOXML workbook.
    """
    path = Path(path)
    label = path.name
    before = _stat_file(path)
    _sniff(path, label)
    fp = fingerprint(path)
    with Package(path, max_total_bytes=limits.MAX_TOTAL_BYTES) as pkg:
        sheet_names, tables_found, date1904, notes = _read_tables(pkg, path, outputs)
    after = os.stat(path)
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or \
            (fp.size, fp.mtime_ns) != (before.st_size, before.st_mtime_ns):
        raise FileChanged(f"{label} changed while it was being read: try again")
    ordered = {name: tables_found[name] for name in tables.ALL if name in tables_found}
    return RawWorkbook(path, sheet_names, ordered, fp, date1904, notes)


def _read_tables(pkg: Package, path: Path, outputs: bool
                 ) -> tuple[list[str], dict[str, RawTable], bool, list[Finding]]:
    """(sheet names, the contract tables by name, date1904, the reader's notes)."""
    import python_calamine as calamine

    wb_part = _workbook_part(pkg)
    sheet_names, sheets, date1904, writer = _sheets(pkg, wb_part)
    wanted = _wanted(sheets, outputs)

    # the parts calamine parses on opening, checked under the caps first
    for name in pkg.names():
        low = name.lower()
        if low.endswith(("sharedstrings.xml", "styles.xml")) or low == wb_part.lower():
            pkg.check(name)
    try:
        copy = _for_calamine(pkg, wb_part)
        book = calamine.CalamineWorkbook.from_path(str(path)) if copy is None else \
            calamine.CalamineWorkbook.from_filelike(io.BytesIO(copy))
    except XlpmoError:
        raise
    except Exception as exc:  # CalamineError, and plain errors on some damaged parts
        raise FileRefused(f"{pkg.label} cannot be read as a workbook ({exc})") from None

    loaded: dict[str, _Cells | None] = {}
    out: dict[str, RawTable] = {}
    notes: list[Finding] = []
    input_sheets = {sheet.name for spec, sheet, _ in wanted if spec.name in tables.INPUTS}
    fraction_sheets = {sheet.name for spec, sheet, _ in wanted if spec.name in tables.INPUTS
                       and any(c.kind == "fraction" for c in spec.columns)}
    styles = _percent_styles(pkg, wb_part) if fraction_sheets else frozenset()
    for spec, sheet, tp in wanted:
        if sheet.name not in loaded:
            try:
                loaded[sheet.name] = _load_cells(
                    book, pkg, sheet, styles if sheet.name in fraction_sheets else frozenset(),
                    writer if sheet.name in input_sheets else None)
            except XlpmoError as exc:
                if sheet.name in input_sheets:
                    raise
                loaded[sheet.name] = None
                notes.append(Finding("Warning", spec.name, spec.name,
                                     f"the output tables on sheet {sheet.name!r} are not read: "
                                     f"{exc}"))
        cells = loaded[sheet.name]
        if cells is None:
            continue
        if tp is not None:
            out[spec.name] = _listobject_table(spec, sheet, tp, cells, date1904)
            if spec.name in tables.INPUTS:
                notes += _outside(spec, sheet, tp, cells, out[spec.name])
            continue
        table = _sheet_table(spec, sheet, cells, date1904)
        if table is None:
            notes.append(Finding(
                "Warning", spec.name, quote_sheet(sheet.name) + "!A1",
                f"sheet {sheet.name!r} is not read as {spec.name}: its first row has no "
                f"{spec.columns[0].name} header",
            ))
        else:
            out[spec.name] = table
    book.close()
    return sheet_names, out, date1904, notes
