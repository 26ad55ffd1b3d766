"""The workbook as a whole: sheets, tables, calculation settings, and saving.

Handles transitional and Strict OOXML (the namespaces are taken from the workbook part),
.xlsx/.xlsm/.xltx/.xltm/.xlam alike.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from xlpmo.errors import FileRefused, InputError, WriteConflict, XlpmoError
from xlpmo.io.a1 import CellRange
from xlpmo.io.ooxml.docprops import record_added_sheets
from xlpmo.io.ooxml.follow import (
    Followed,
    Resize,
    SeriesLeft,
    follow_chart,
    follow_defined_names,
    follow_sheet_ranges,
)
from xlpmo.io.ooxml.package import ContentTypes, Package, Relationships, office_document, parse_xml
from xlpmo.io.ooxml.sheet import (
    WORKSHEET_CONTENT_TYPE,
    Worksheet,
    new_worksheet_xml,
    shared_string_texts,
)
from xlpmo.io.ooxml.styles import Styles
from xlpmo.io.ooxml.tablepart import TABLE_CONTENT_TYPE, TablePart, new_table_xml

TRANSITIONAL_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_CALCPR_SUCCESSORS = (
    "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
    "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst",
)


@dataclass
class SheetEntry:
    name: str
    sheet_id: int
    rid: str
    kind: str  # relationship type suffix: worksheet, chartsheet, dialogsheet, xlMacrosheet ...
    part: str | None


class Book:
    """An open workbook package with the edits xlpmo makes to it."""

    def __init__(self, path: Path, max_part_bytes: int | None = None) -> None:
        self.pkg = Package(path) if max_part_bytes is None else Package(path, max_part_bytes)
        self.part = office_document(self.pkg)
        self.tree = self.pkg.xml(self.part)
        self.root = self.tree.getroot()
        self.ns = etree.QName(self.root).namespace or ""
        if etree.QName(self.root).localname != "workbook":
            raise FileRefused(f"{path.name}: the main part is not a workbook")
        self.rel_ns = STRICT_REL if self.ns == STRICT_MAIN else TRANSITIONAL_REL
        self.rels = Relationships(self.pkg, self.part)
        self.content_types = ContentTypes(self.pkg)
        self.dirty = False
        self.sheets = self._read_sheets()
        self.added_sheets: list[str] = []  # names of the worksheets add_worksheet made
        props = self.root.find(self._q("workbookPr"))
        self.date1904 = props is not None and props.get("date1904") in ("1", "true")
        self._worksheets: dict[str, Worksheet] = {}
        self._rewrites: dict[str, list[CellRange]] = {}  # sheet part -> rows to leave out
        self._styles: Styles | None = None
        self._shared: list[str] | None = None
        self.tables: list[TablePart] = []
        for entry in self.sheets:
            if entry.kind == "worksheet" and entry.part and self.pkg.has(entry.part):
                sheet_rels = Relationships(self.pkg, entry.part)
                for _, target in sheet_rels.of_type("table"):
                    if self.pkg.has(target):
                        self.tables.append(TablePart(self.pkg, target, entry.part))

    def _q(self, local: str) -> str:
        return f"{{{self.ns}}}{local}"

    def _read_sheets(self) -> list[SheetEntry]:
        out = []
        sheets = self.root.find(self._q("sheets"))
        for el in sheets if sheets is not None else ():
            if el.tag != self._q("sheet"):
                continue
            rid = el.get(f"{{{self.rel_ns}}}id") or ""
            target = self.rels.target(rid)
            kind, part = target if target else ("missing", None)
            sheet_id = el.get("sheetId") or "0"
            out.append(SheetEntry(el.get("name") or "", int(sheet_id) if sheet_id.isdigit() else 0,
                                  rid, kind, part))
        return out

    # -- lookups ----------------------------------------------------------------------------
    def sheet_entry(self, name: str) -> SheetEntry | None:
        for entry in self.sheets:
            if entry.name.lower() == name.lower():
                return entry
        return None

    def sheet_of_part(self, part: str) -> SheetEntry:
        for entry in self.sheets:
            if entry.part == part:
                return entry
        raise FileRefused(f"no sheet uses the part {part}")

    def find_table(self, name: str) -> TablePart | None:
        for table in self.tables:
            if table.name.lower() == name.lower():
                return table
        return None

    def tables_on(self, sheet_part: str) -> list[TablePart]:
        return [t for t in self.tables if t.sheet_part == sheet_part]

    def defined_names(self) -> set[str]:
        names = self.root.find(self._q("definedNames"))
        if names is None:
            return set()
        return {(d.get("name") or "").lower() for d in names}

    def check_worksheet(self, entry: SheetEntry) -> None:
        """Refuse a sheet that is not a worksheet (without parsing anything)."""
        if entry.kind != "worksheet" or entry.part is None:
            raise WriteConflict(
                f"the sheet {entry.name!r} is a {entry.kind}, not a worksheet: xlpmo cannot "
                "write a table on it (rename it or remove it)"
            )

    def worksheet(self, entry: SheetEntry) -> Worksheet:
        """The parsed worksheet (once; rows announced by :meth:`expect_rewrite` left out)."""
        self.check_worksheet(entry)
        assert entry.part is not None
        ws = self._worksheets.get(entry.part)
        if ws is None:
            ws = Worksheet(self.pkg, entry.part, entry.name, self._rewrites.pop(entry.part, ()))
            self._worksheets[entry.part] = ws
        return ws

    def expect_rewrite(self, sheet_part: str, rows: CellRange) -> bool:
        """Announce rows of a worksheet that will be rewritten in all of ``rows``' columns.

        When the worksheet is parsed later, those of the rows whose cells all lie in these
        columns are left out of its tree (:class:`~.sheet.Worksheet`); the caller must then
        patch every row of ``rows`` in every one of its columns with rendered text or
        nothing. Returns False (and changes nothing) when the worksheet is already parsed.
        """
        if sheet_part in self._worksheets:
            return False
        self._rewrites.setdefault(sheet_part, []).append(rows)
        return True

    @property
    def styles(self) -> Styles:
        if self._styles is None:
            self._styles = Styles(self.pkg, self.part, self.ns, self.rel_ns)
        return self._styles

    def shared_strings(self) -> list[str]:
        if self._shared is None:
            found = self.rels.of_type("sharedStrings")
            if found and self.pkg.has(found[0][1]):
                self._shared = shared_string_texts(parse_xml(self.pkg.read(found[0][1]),
                                                             found[0][1]))
            else:
                self._shared = []
        return self._shared

    # -- additions --------------------------------------------------------------------------
    def add_worksheet(self, name: str) -> SheetEntry:
        if len(name) > 31 or not name or _BAD_SHEET_CHARS.search(name) or name[0] == "'":
            raise InputError(f"{name!r} cannot be a sheet name")
        part = self.pkg.unused_name("xl/worksheets/sheet{}.xml")
        self.pkg.set(part, new_worksheet_xml(self.ns, self.rel_ns))
        rid = self.rels.add(f"{self.rel_ns}/worksheet", part)
        sheets = self.root.find(self._q("sheets"))
        if sheets is None:
            raise FileRefused("the workbook part has no <sheets> list")
        sheet_id = max([0, *[s.sheet_id for s in self.sheets]]) + 1
        etree.SubElement(sheets, self._q("sheet"),
                         {"name": name, "sheetId": str(sheet_id), f"{{{self.rel_ns}}}id": rid})
        self.content_types.set_override(part, WORKSHEET_CONTENT_TYPE)
        entry = SheetEntry(name, sheet_id, rid, "worksheet", part)
        self.sheets.append(entry)
        self.added_sheets.append(name)
        self.dirty = True
        return entry

    def add_table(self, ws: Worksheet, name: str, ref: CellRange, headers: list[str]) -> TablePart:
        if name.lower() in self.defined_names():
            raise WriteConflict(
                f"the workbook has a defined name {name!r}; a new table cannot take that name "
                "(rename or delete the defined name)"
            )
        table_id = max([0, *[t.id for t in self.tables]]) + 1
        part = self.pkg.unused_name("xl/tables/table{}.xml")
        self.pkg.set(part, new_table_xml(self.ns, table_id, name, ref, headers))
        sheet_rels = Relationships(self.pkg, ws.part)
        rid = sheet_rels.add(f"{self.rel_ns}/table", part)
        sheet_rels.save()
        ws.add_table_part(rid, self.rel_ns)
        self.content_types.set_override(part, TABLE_CONTENT_TYPE)
        table = TablePart(self.pkg, part, ws.part)
        self.tables.append(table)
        return table

    # -- references that follow resized tables ----------------------------------------------
    def chart_parts(self) -> list[str]:
        """Every chart part drawn on a sheet (worksheets, chartsheets, ...), once each."""
        return list(self.chart_sheets())

    def chart_sheets(self) -> dict[str, str]:
        """Chart part -> the name of the (first) sheet it is drawn on."""
        found: dict[str, str] = {}
        for entry in self.sheets:
            if entry.part is None or not self.pkg.has(entry.part):
                continue
            for _, drawing in Relationships(self.pkg, entry.part).of_type("drawing"):
                if not self.pkg.has(drawing):
                    continue
                for _, chart in Relationships(self.pkg, drawing).of_type("chart"):
                    if self.pkg.has(chart):
                        found.setdefault(chart, entry.name)
        return found

    def series_left_alone(self, resizes: list[Resize]) -> list[SeriesLeft]:
        """Chart series over part of a resized table column, which :meth:`follow_resizes`
        will leave as they are (found without changing anything)."""
        left: list[SeriesLeft] = []
        for part in self.chart_parts() if resizes else ():
            try:
                follow_chart(self.pkg.xml(part), part, resizes, left, apply=False)
            except XlpmoError:
                continue
        return left

    def follow_resizes(self, resizes: list[Resize]) -> list[Followed]:
        """Rewrite chart series, defined names and CF/DV ranges over resized table columns.

        See :mod:`.follow`. A chart part that cannot be parsed is left as it is. Changed
        chart parts are replaced in the package; the workbook part and worksheets are
        serialised by :meth:`finish`.
        """
        if not resizes:
            return []
        out: list[Followed] = []
        for part in self.chart_parts():
            try:
                tree = self.pkg.xml(part)
            except XlpmoError:
                continue
            followed = follow_chart(tree, part, resizes)
            if followed:
                self.pkg.set_xml(part, tree)
                out += followed
        followed = follow_defined_names(self.root, self.ns, self.part, resizes)
        if followed:
            self.dirty = True
            out += followed
        for sheet in dict.fromkeys(rz.sheet.lower() for rz in resizes):
            entry = self.sheet_entry(sheet)
            if entry is None or entry.kind != "worksheet":
                continue
            ws = self.worksheet(entry)
            followed = follow_sheet_ranges(ws.root, ws.ns, ws.part,
                                           [rz for rz in resizes if rz.sheet.lower() == sheet])
            if followed:
                ws.changed = True
                out += followed
        return out

    def pivot_cache_parts(self) -> list[str]:
        """The workbook's pivot cache definition parts."""
        return [part for _, part in self.rels.of_type("pivotCacheDefinition")
                if self.pkg.has(part)]

    # -- calculation ------------------------------------------------------------------------
    def set_full_calc_on_load(self) -> None:
        calc = self.root.find(self._q("calcPr"))
        if calc is None:
            calc = etree.Element(self._q("calcPr"))
            for i, child in enumerate(self.root):
                local = etree.QName(child).localname if isinstance(child.tag, str) else ""
                if local in _CALCPR_SUCCESSORS:
                    self.root.insert(i, calc)
                    break
            else:
                self.root.append(calc)
        if calc.get("fullCalcOnLoad") not in ("1", "true"):
            calc.set("fullCalcOnLoad", "1")
            self.dirty = True

    def remove_calc_chain(self) -> bool:
        removed = self.rels.remove_type("calcChain")
        for part in removed:
            self.pkg.remove(part)
            self.content_types.remove_override(part)
        return bool(removed)

    # -- saving -----------------------------------------------------------------------------
    def save_worksheet(self, ws: Worksheet) -> None:
        """Apply a worksheet's patches and put it into the package now, freeing its tree.

        For a worksheet that gets no more changes: the writer saves each sheet once its
        tables are rendered, so that one sheet's tree and rendered rows are in memory at a
        time. :meth:`finish` saves the others.
        """
        if not ws.saved:
            ws.apply()
            ws.save()

    def finish(self, *, values_written: bool, formulas_added: bool = False) -> bool:
        """Serialise every changed part into the package (nothing is written to disk).

        Sets ``fullCalcOnLoad`` when values were written (formulas may depend on them) and
        removes calcChain when formula cells were overwritten, cleared or added. Returns
        whether formula cells changed.
        """
        for ws in self._worksheets.values():
            if not ws.saved:
                ws.apply()
        formulas_changed = formulas_added or any(
            ws.formulas_changed for ws in self._worksheets.values()
        )
        if formulas_changed:
            self.remove_calc_chain()
        if values_written:
            self.set_full_calc_on_load()
        for ws in self._worksheets.values():
            if not ws.saved:
                ws.save()
        for table in self.tables:
            table.save()
        if self._styles is not None:
            self._styles.save(self.content_types, self.rels)
        if self.dirty:
            self.pkg.set_xml(self.part, self.tree)
        if self.added_sheets:
            added = set(self.added_sheets)
            record_added_sheets(self.pkg, [s.name for s in self.sheets
                                           if s.kind == "worksheet" and s.name not in added],
                                self.added_sheets)
        self.rels.save()
        self.content_types.save()
        return formulas_changed

    def close(self) -> None:
        self.pkg.close()

    def save_as(self, dst: Path) -> int:
        """Write the package to a temporary file beside ``dst``, then move it over ``dst``
        (which may be the book's own file); closes the book. Returns the number of parts
        copied raw. XlpmoError when the file cannot be written (nothing is left behind)."""
        dst = Path(dst)
        tmp = dst.with_name(f".{dst.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.xlpmo-part")
        try:
            try:
                copied = self.pkg.save(tmp)
            except OSError as exc:
                raise FileRefused(f"could not write {dst}: {exc.strerror or exc}") from exc
            self.close()
            try:
                os.replace(tmp, dst)
            except OSError as exc:
                raise FileRefused(f"could not write {dst}: {exc.strerror or exc}") from exc
        finally:
            if tmp.exists():
                tmp.unlink()
        return copied
