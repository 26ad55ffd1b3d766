"""Table parts (``xl/tables/tableN.xml``): read, resize, add columns, create."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from xlpmo.errors import FileRefused, InputError
from xlpmo.io.a1 import CellRange
from xlpmo.io.ooxml.cells import escape_attr
from xlpmo.io.ooxml.package import Package, qn

TABLE_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
TABLE_STYLE = "TableStyleMedium2"

_NAME_RE = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.\\]*$")


@dataclass
class TableColumnInfo:
    id: int
    name: str
    calculated_formula: str | None  # text of calculatedColumnFormula (same syntax as a cell's)
    element: etree._Element


class TablePart:
    """One Excel Table (ListObject) as stored in its part."""

    def __init__(self, pkg: Package, part: str, sheet_part: str) -> None:
        self.pkg = pkg
        self.part = part
        self.sheet_part = sheet_part
        self.tree = pkg.xml(part)
        self.root = self.tree.getroot()
        self.ns = etree.QName(self.root).namespace or ""
        self.dirty = False

    # -- attributes -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.root.get("displayName") or self.root.get("name") or ""

    @property
    def id(self) -> int:
        value = self.root.get("id") or "0"
        return int(value) if value.isdigit() else 0

    @property
    def ref(self) -> CellRange:
        return CellRange.parse(self.root.get("ref") or "A1")

    @property
    def header_rows(self) -> int:
        return int(self.root.get("headerRowCount", "1") or 1)

    @property
    def totals_rows(self) -> int:
        return int(self.root.get("totalsRowCount", "0") or 0)

    @property
    def table_type(self) -> str:
        return self.root.get("tableType", "worksheet")

    def _columns_el(self) -> etree._Element:
        el = self.root.find(qn(self.ns, "tableColumns"))
        if el is None:
            raise FileRefused(f"the table part {self.part} has no tableColumns")
        return el

    @property
    def columns(self) -> list[TableColumnInfo]:
        out = []
        for el in self._columns_el():
            if el.tag != qn(self.ns, "tableColumn"):
                continue
            calc = el.find(qn(self.ns, "calculatedColumnFormula"))
            out.append(TableColumnInfo(
                int(el.get("id") or 0), _unescape_name(el.get("name") or ""),
                calc.text if calc is not None and calc.get("array") != "1" else None, el,
            ))
        return out

    # -- edits ------------------------------------------------------------------------------
    def resize(self, new: CellRange) -> None:
        """Set ``ref`` and the autoFilter/sortState ranges (data rows, no totals row)."""
        self.root.set("ref", str(new))
        body_end = new.r2 - self.totals_rows
        filt = self.root.find(qn(self.ns, "autoFilter"))
        if filt is not None:
            filt.set("ref", str(CellRange(new.r1, new.c1, body_end, new.c2)))
        for sort in self.root.iter(qn(self.ns, "sortState")):
            data_top = new.r1 + self.header_rows
            sort.set("ref", str(CellRange(data_top, new.c1, max(body_end, data_top), new.c2)))
            for cond in sort:
                ref = cond.get("ref")
                if ref:
                    old = CellRange.parse(ref)
                    rng = CellRange(data_top, old.c1, max(body_end, data_top), old.c2)
                    cond.set("ref", str(rng))
        self.dirty = True

    def add_column(self, name: str) -> None:
        cols = self._columns_el()
        next_id = max([0, *[c.id for c in self.columns]]) + 1
        etree.SubElement(cols, qn(self.ns, "tableColumn"), id=str(next_id), name=_escape_name(name))
        cols.set("count", str(len(self.columns)))
        self.dirty = True

    def drop_calculated_formula(self, column: TableColumnInfo) -> None:
        """The column now holds values: Excel must not flag them as inconsistent formulas."""
        calc = column.element.find(qn(self.ns, "calculatedColumnFormula"))
        if calc is not None:
            column.element.remove(calc)
            self.dirty = True

    def save(self) -> None:
        if self.dirty:
            self.pkg.set_xml(self.part, self.tree)
            self.dirty = False


def check_table_name(name: str) -> None:
    if not _NAME_RE.match(name) or len(name) > 255:
        raise InputError(f"{name!r} cannot be an Excel table name")


def _escape_name(name: str) -> str:
    """tableColumn names carry line breaks as ``_x000a_`` (as Excel writes them)."""
    return name.replace("\r", "_x000d_").replace("\n", "_x000a_")


def _unescape_name(name: str) -> str:
    return name.replace("_x000a_", "\n").replace("_x000d_", "\r")


def new_table_xml(ns: str, table_id: int, name: str, ref: CellRange, headers: list[str]) -> bytes:
    """A new table part: header row, autoFilter, style ``TableStyleMedium2``."""
    check_table_name(name)
    cols = "".join(
        f'<tableColumn id="{i}" name="{escape_attr(_escape_name(h))}"/>'
        for i, h in enumerate(headers, 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<table xmlns="{ns}" id="{table_id}" name="{name}" displayName="{name}" ref="{ref}" '
        f'totalsRowShown="0"><autoFilter ref="{ref}"/>'
        f'<tableColumns count="{len(headers)}">{cols}</tableColumns>'
        f'<tableStyleInfo name="{TABLE_STYLE}" showFirstColumn="0" showLastColumn="0" '
        'showRowStripes="1" showColumnStripes="0"/></table>'
    ).encode()
