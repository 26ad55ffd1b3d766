"""References that follow a table the writer resized: chart series, names, CF/DV ranges.

In Excel, a chart series, a defined name, a conditional format or a data validation that
covers a whole Table column grows and shrinks with the table. A file written by a tool gets
none of that, so the writer does it: a reference *follows* a resized table when it covers
exactly the data rows (first data row to last data row, no header, no totals row) of one or
more adjacent columns of that table, on the table's sheet, before the resize. It is then
rewritten to cover the new data rows; only the row of its bottom end changes, ``$``
anchors, the column(s), the top row and the sheet prefix stay as written.

Where a reference counts:

- chart series (``c:ser``) of classic charts on any sheet or chartsheet: the ``c:f`` of
  ``c:tx``, ``c:cat``, ``c:val``, ``c:xVal``, ``c:yVal``, ``c:bubbleSize`` and the
  Excel 2013 data-label range ``c15:datalabelsRange``. The reference is one area with a
  sheet prefix (``Data!$B$2:$B$9``, ``'My data'!B2:B9``); unions, names and other
  workbooks are left alone, and so are pivot charts (Excel lays them out from the pivot
  table) and Excel 2016 ``chartEx`` charts. The cache beside a rewritten ``c:f``
  (``c:numCache``/``c:strCache``/``c:multiLvlStrCache``/``c15:dlblRangeCache``) is
  removed: it is optional in the schema (CT_NumRef/CT_StrRef), Excel reads the points of
  a chart from its cells when it opens the file (as it does for openpyxl's charts, which
  never carry caches), and LibreOffice draws from the range; a stale cache would show the
  old number of points to a viewer that does not read the cells.
- defined names in ``workbook.xml`` whose whole text is such an area;
- ``sqref`` ranges of conditional formats and data validations on the table's sheet,
  including the Excel 2010 ones in the sheet's ``extLst`` (``xm:sqref``); each range of a
  space-separated list follows on its own.

A chart series follows as a whole or not at all: its data references (categories, values,
x/y values, bubble sizes, data-label range) are rewritten only when every one of them
covers whole columns of the same resized table. A series whose categories cover a whole
table column but whose values cover only part of one (or another range, or fixed values)
is left exactly as it was and reported (:class:`SeriesLeft`): stretching one of its
references alone would pair the categories with the wrong values. The series name
(``c:tx``) is not data and follows on its own.

A reference written as a single cell (no ``:``) follows only as chart values, categories
or data labels, where a one-row table column is still "the column". A series name
(``c:tx``), a defined name or a CF/DV range that is one cell stays one cell: it is about
that cell (the StatusDate validation of a one-row tblConfig, say), not the column. A
rewritten reference always has two ends (``$M$26:$M$26``), so it keeps following the table
after it shrank to one row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from xlpmo.io.a1 import CellRange, parse_ref

C15_NS = "http://schemas.microsoft.com/office/drawing/2012/chart"
XM_NS = "http://schemas.microsoft.com/office/excel/2006/main"

_SHEET = r"'(?:[^']|'')+'|[^'!:\s()\[\],;\"{}]+"
_END = r"\$?[A-Za-z]{1,3}\$?[0-9]{1,7}"
_AREA = re.compile(rf"^(?P<sheet>{_SHEET})!(?P<a>{_END})(?::(?P<b>{_END}))?$")
_PIECE = re.compile(rf"^(?P<a>{_END})(?::(?P<b>{_END}))?$")
_ROW = re.compile(r"[0-9]+$")

# series child -> label in reports; a one-cell reference follows only for data, not names
_SERIES_PARTS = {"tx": "name", "cat": "categories", "val": "values", "xVal": "x values",
                 "yVal": "y values", "bubbleSize": "bubble sizes"}
_CACHES = {"numRef": "numCache", "strRef": "strCache", "multiLvlStrRef": "multiLvlStrCache"}


@dataclass(frozen=True)
class Resize:
    """One table's data rows before and after a write."""

    table: str
    sheet: str
    c1: int  # the table's first and last column before the write
    c2: int
    top: int  # first data row
    old_end: int  # last data row before
    new_end: int  # last data row after

    def covers(self, rng: CellRange) -> bool:
        """``rng`` is exactly the old data rows of one or more of the table's columns."""
        return (rng.r1 == self.top and rng.r2 == self.old_end
                and self.c1 <= rng.c1 and rng.c2 <= self.c2)


@dataclass(frozen=True)
class SeriesLeft:
    """A chart series that covers a resized table column in part only, so it was left."""

    part: str
    series: str  # its name (or ``series 2``)
    table: str
    why: str


@dataclass(frozen=True)
class Followed:
    """One reference the writer rewrote to follow a resized table."""

    part: str
    where: str  # "chart series values", "defined name Foo", "conditional formatting" ...
    old: str
    new: str
    table: str

    def __str__(self) -> str:
        return f"{self.part}: {self.where} {self.old} -> {self.new} ({self.table})"


def _unquote(sheet: str) -> str:
    return sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet


def _with_row(end: str, row: int) -> str:
    return _ROW.sub(str(row), end)


def _follow_area(a: str, b: str | None, resizes: list[Resize],
                 single: bool) -> tuple[str, Resize] | None:
    """``a[:b]`` (no sheet) followed through the first matching resize, or None."""
    if b is None and not single:
        return None
    try:
        ra, ca = parse_ref(a)
        rb, cb = parse_ref(b or a)
    except ValueError:
        return None
    rng = CellRange(min(ra, rb), min(ca, cb), max(ra, rb), max(ca, cb))
    for rz in resizes:
        if rz.covers(rng):
            if b is None:
                return f"{a}:{_with_row(a, rz.new_end)}", rz
            if rb >= ra:
                return f"{a}:{_with_row(b, rz.new_end)}", rz
            return f"{_with_row(a, rz.new_end)}:{b}", rz
    return None


def follow_reference(text: str, resizes: list[Resize], *,
                     single: bool = False) -> tuple[str, Resize] | None:
    """A sheet-qualified area (``'My data'!$B$2:$B$9``) after the resizes, or None.

    None when the text is not one sheet-qualified area or covers no resized table column
    exactly. ``single``: a one-cell reference may stand for a one-row column.
    """
    m = _AREA.match(text.strip())
    if m is None:
        return None
    sheet = _unquote(m["sheet"]).lower()
    on_sheet = [rz for rz in resizes if rz.sheet.lower() == sheet]
    if not on_sheet:
        return None
    hit = _follow_area(m["a"], m["b"], on_sheet, single)
    if hit is None:
        return None
    return f"{m['sheet']}!{hit[0]}", hit[1]


def follow_sqref(text: str, resizes: list[Resize]) -> tuple[str, list[Resize]] | None:
    """A space-separated range list of the resized tables' sheet after the resizes, or None."""
    pieces, used, changed = [], [], False
    for piece in text.split():
        m = _PIECE.match(piece)
        hit = _follow_area(m["a"], m["b"], resizes, False) if m else None
        if hit is None:
            pieces.append(piece)
        else:
            pieces.append(hit[0])
            used.append(hit[1])
            changed = True
    return (" ".join(pieces), used) if changed else None


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _series_name(ser: etree._Element, ns: str) -> str:
    tx = ser.find(f"{{{ns}}}tx")
    if tx is not None:
        texts = [t.text for t in tx.iter(f"{{{ns}}}v", f"{{{ns}}}f") if t.text]
        if texts:
            return repr(texts[0])
    idx = ser.find(f"{{{ns}}}idx")
    return f"series {int(idx.get('val', '0')) + 1}" if idx is not None else "a series"


def follow_chart(tree: etree._ElementTree, part: str, resizes: list[Resize],
                 left: list[SeriesLeft] | None = None, apply: bool = True) -> list[Followed]:
    """Rewrite the series references of one chart part in place (see module docstring).

    Series left alone are appended to ``left``; ``apply=False`` only finds them (and what
    would follow), changing nothing.
    """
    root = tree.getroot()
    ns = etree.QName(root).namespace or ""
    if _local(root) != "chartSpace" or root.find(f"{{{ns}}}pivotSource") is not None:
        return []
    out: list[Followed] = []

    def follow(f: etree._Element, cache: str, where: str, hit: tuple[str, Resize]) -> None:
        out.append(Followed(part, f"chart series {where}", f.text or "", hit[0], hit[1].table))
        if not apply:
            return
        f.text = hit[0]
        parent = f.getparent()
        for stale in [c for c in parent if c.tag == cache]:
            parent.remove(stale)

    for ser in root.iter(f"{{{ns}}}ser"):
        data: list[tuple[etree._Element, str, str]] = []  # (f, its cache tag, label)
        fixed: list[str] = []  # data given as fixed values (numLit / strLit)
        for child in ser:
            label = _SERIES_PARTS.get(_local(child))
            if label is None or etree.QName(child).namespace != ns:
                continue
            for ref in child:
                cache = _CACHES.get(_local(ref))
                f = ref.find(f"{{{ns}}}f") if cache else None
                if f is not None and f.text:
                    if _local(child) == "tx":  # the name: not data, follows on its own
                        hit = follow_reference(f.text, resizes)
                        if hit is not None:
                            follow(f, f"{{{ns}}}{cache}", label, hit)
                    else:
                        data.append((f, f"{{{ns}}}{cache}", label))
                elif _local(ref) in ("numLit", "strLit") and _local(child) != "tx":
                    fixed.append(label)
        for rng in ser.iter(f"{{{C15_NS}}}datalabelsRange"):
            f = rng.find(f"{{{C15_NS}}}f")
            if f is not None and f.text:
                data.append((f, f"{{{C15_NS}}}dlblRangeCache", "data labels"))
        hits = [follow_reference(f.text or "", resizes, single=True) for f, _, _ in data]
        tables = {h[1].table for h in hits if h is not None}
        if not tables:
            continue
        if len(tables) == 1 and all(h is not None for h in hits) and not fixed:
            for (f, cache, label), hit in zip(data, hits, strict=True):
                follow(f, cache, label, hit)  # type: ignore[arg-type]
            continue
        covered = [label for (_, _, label), h in zip(data, hits, strict=True) if h]
        table = sorted(tables)[0]
        if len(tables) > 1:
            why = f"its data come from several tables ({', '.join(sorted(tables))})"
        elif fixed:
            why = f"its {' and '.join(fixed)} are fixed values"
        else:
            rest = [f"{label} ({f.text})" for (f, _, label), h in zip(data, hits, strict=True)
                    if h is None]
            why = f"its {' and '.join(rest)} cover only part of a column or another range"
        if left is not None:
            left.append(SeriesLeft(part, _series_name(ser, ns), table,
                                   f"its {' and '.join(covered)} cover whole columns of "
                                   f"{table} but {why}"))
    return out


def follow_defined_names(root: etree._Element, ns: str, part: str,
                         resizes: list[Resize]) -> list[Followed]:
    """Rewrite defined names (``workbook.xml``) that are a resized table column's data."""
    out = []
    names = root.find(f"{{{ns}}}definedNames")
    for el in names if names is not None else ():
        if el.tag != f"{{{ns}}}definedName" or not el.text:
            continue
        hit = follow_reference(el.text, resizes)
        if hit is not None:
            out.append(Followed(part, f"defined name {el.get('name')}", el.text, hit[0],
                                hit[1].table))
            el.text = hit[0]
    return out


def follow_sheet_ranges(root: etree._Element, ns: str, part: str,
                        resizes: list[Resize]) -> list[Followed]:
    """Rewrite CF and DV ranges of one worksheet (``resizes``: tables on that sheet)."""
    out: list[Followed] = []

    def follow(el: etree._Element, where: str, attr: str | None) -> None:
        text = el.get(attr) if attr else el.text
        hit = follow_sqref(text or "", resizes)
        if hit is None:
            return
        tables = ", ".join(dict.fromkeys(rz.table for rz in hit[1]))
        out.append(Followed(part, where, text or "", hit[0], tables))
        if attr:
            el.set(attr, hit[0])
        else:
            el.text = hit[0]

    for cf in root.findall(f"{{{ns}}}conditionalFormatting"):
        follow(cf, "conditional formatting", "sqref")
    dvs = root.find(f"{{{ns}}}dataValidations")
    for dv in dvs.findall(f"{{{ns}}}dataValidation") if dvs is not None else ():
        follow(dv, "data validation", "sqref")
    ext = root.find(f"{{{ns}}}extLst")
    if ext is not None:
        kinds = {"conditionalFormatting": "conditional formatting (2010)",
                 "dataValidation": "data validation (2010)"}
        for sq in ext.iter(f"{{{XM_NS}}}sqref"):
            parent = sq.getparent()
            where = kinds.get(_local(parent)) if parent is not None else None
            if where is not None:
                follow(sq, where, None)
    return out


__all__ = ["Followed", "Resize", "SeriesLeft", "follow_chart", "follow_defined_names",
           "follow_reference", "follow_sheet_ranges", "follow_sqref"]
