"""Pivot tables over the tables the writer rewrites: refreshed when the workbook opens.

A pivot table shows its cache (``pivotCacheDefinition`` + records), not the cells, so after
a refresh a pivot over tblEVM would show the old figures until someone clicks Refresh.
workbook.md: pivot tables over output tables are marked to refresh when the workbook
opens. For every pivot cache of the workbook (``workbook.xml`` relationships of type
``pivotCacheDefinition``) whose source (``cacheSource type="worksheet"``) is

- a table the writer wrote, by name (``<worksheetSource name="tblEVM"/>``), or
- a cell range on that table's sheet that covers exactly the table as it was (header and
  data rows, with or without its totals row: ``<worksheetSource ref="A3:Y28"
  sheet="Dashboard"/>``), which is then extended to the table's new rows as Excel extends
  a table,

``refreshOnLoad="1"`` is set on the cache definition (ECMA-376 Part 1, 18.10.1.67), so
Excel rebuilds the cache and the pivot tables on it from the cells when it opens the file.
Caches over anything else (other ranges, named ranges, external data, other workbooks
``r:id``) are copied byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from xlpmo.errors import XlpmoError
from xlpmo.io.a1 import CellRange
from xlpmo.io.ooxml.follow import Followed
from xlpmo.io.ooxml.package import Package

__all__ = ["WrittenTable", "refresh_pivots_on_load"]


@dataclass(frozen=True)
class WrittenTable:
    """A table the writer wrote: its range before (None when new) and after."""

    name: str
    sheet: str
    old: CellRange | None
    new: CellRange
    totals: int = 0


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _follow_range(ref: str, sheet: str, written: list[WrittenTable]
                  ) -> tuple[str, WrittenTable] | None:
    """The new ref of a source range covering a written table exactly, or None."""
    try:
        rng = CellRange.parse(ref)
    except ValueError:
        return None
    for table in written:
        if table.old is None or table.sheet.lower() != sheet.lower():
            continue
        if rng == table.old:
            return str(table.new), table
        if table.totals and rng == CellRange(table.old.r1, table.old.c1,
                                             table.old.r2 - table.totals, table.old.c2):
            new = table.new
            return str(CellRange(new.r1, new.c1, new.r2 - table.totals, new.c2)), table
    return None


def refresh_pivots_on_load(pkg: Package, cache_parts: list[str],
                           written: list[WrittenTable]) -> list[Followed]:
    """Mark (and extend) the pivot caches over ``written`` tables; returns what changed.

    A cache part that cannot be parsed is left as it is.
    """
    by_name = {t.name.lower(): t for t in written}
    out: list[Followed] = []
    for part in cache_parts:
        try:
            tree = pkg.xml(part)
        except XlpmoError:
            continue
        root = tree.getroot()
        source = next((c for c in root if _local(c) == "cacheSource"), None)
        if source is None or source.get("type", "worksheet") != "worksheet":
            continue
        ws = next((c for c in source if _local(c) == "worksheetSource"), None)
        if ws is None or any(k.endswith("}id") for k in ws.attrib):  # another workbook
            continue
        name, ref, sheet = ws.get("name"), ws.get("ref"), ws.get("sheet")
        hit: WrittenTable | None = None
        if name is not None:
            hit = by_name.get(name.lower())
            if hit is not None:
                out.append(Followed(part, "pivot cache source", name, name, hit.name))
        elif ref is not None and sheet is not None:
            moved = _follow_range(ref, sheet, written)
            if moved is not None:
                new_ref, hit = moved
                ws.set("ref", new_ref)
                out.append(Followed(part, "pivot cache source", f"{sheet}!{ref}",
                                    f"{sheet}!{new_ref}", hit.name))
        if hit is None:
            continue
        if root.get("refreshOnLoad") in ("1", "true") and (ref is None
                                                          or ws.get("ref") == ref):
            out.pop()  # already refreshed on open, same range: the part stays as it is
            continue
        root.set("refreshOnLoad", "1")
        pkg.set_xml(part, tree)
    return out
