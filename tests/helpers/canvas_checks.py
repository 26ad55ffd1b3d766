"""Checks of a sheet drawn by :func:`xlpmo.io.canvaswriter.write_canvas` (the Report sheet),
shared by the canvas-writer, corpus and report tests. The package is inspected with zipfile,
lxml and openpyxl, not with xlpmo's own OOXML code."""

from __future__ import annotations

import datetime as dt
import posixpath
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

from helpers.ooxml import _rels, load_openpyxl, raw_entry, workbook_part, zip_contents, zip_entries
from xlpmo.io.a1 import CellRange
from xlpmo.io.canvas import Block, Canvas, ChartPlan, ColourScale

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
D = dt.datetime


def sample_canvas(sheet: str = "Report", n_lines: int = 2) -> Canvas:
    """A canvas with a column chart, a scatter, ``n_lines`` line charts and a heatmap."""
    blocks = [Block(1, 1, (("PMO report",),), ("text",)),
              Block(2, 1, (("Made by test canvas",),), ("text",), bold_rows=0),
              Block(4, 12, (("Portfolio", "CPI", "SPI"), ("Core", 0.95, 1.02),
                            ("Ops", 1.1, None), ("Total", 1.0, 0.97)),
                    ("text", "index", "index"))]
    charts = [ChartPlan("Indices", "column", "CPI and SPI", 4, 1, 400, 200,
                        CellRange(4, 13, 7, 14), CellRange(5, 12, 7, 12), None, "Index",
                        None, "0.00"),
              ChartPlan("Scatter", "scatter", "CPI against SPI", 20, 1, 400, 200,
                        CellRange(4, 14, 7, 14), CellRange(5, 13, 7, 13), "CPI", "SPI",
                        "0.00", "0.00")]
    top = 40
    for k in range(n_lines):
        rows = (("Period", "Baseline", "Actual"),
                *((D(2026, m, 1), 100.0 * m, (90.0 * m if m < 4 else None))
                  for m in (1, 2, 3, 4, 5)))
        blocks.append(Block(top, 12, rows, ("period", "money", "money")))
        charts.append(ChartPlan(f"S-curve P{k}", "line", f"S-curve P{k}", top, 1, 400, 200,
                                CellRange(top, 13, top + 5, 14),
                                CellRange(top + 1, 12, top + 5, 12), None, "Money", "mmm yy",
                                "#,##0"))
        top += 20
    heat = Block(top, 1, (("ResourceID", D(2026, 1, 1), D(2026, 2, 1)), ("R1", 0.5, 1.3),
                          ("R2", None, 0.8)), ("id", "fraction", "fraction"), head_kind="period")
    blocks.append(heat)
    scales = (ColourScale(CellRange(top + 1, 2, top + 2, 3), (0.0, 0.8, 1.2),
                          ("9DC3E6", "63BE7B", "F8696B")),)
    return Canvas(sheet, (2, 1), "Made by test canvas", tuple(blocks), tuple(charts), scales,
                  {1: 16.0, 12: 14.0})


def _paths(el: Any, pre: str = "") -> list[str]:
    out = []
    for child in el:
        if not isinstance(child.tag, str):
            continue
        path = f"{pre}/{etree.QName(child).localname}"
        out.append(path)
        out += _paths(child, path)
    return out


def _subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(any(x == y for y in it) for x in small)


def schema_ordered_chart(data: bytes) -> bool:
    """True when openpyxl's chart model (generated from the ECMA-376 schema, written in the
    schema's element order) reads the part and writes back every element, in the same
    order (it may add defaults of its own)."""
    from openpyxl.chart.chartspace import ChartSpace
    from openpyxl.xml.functions import fromstring, tostring

    mine = _paths(etree.fromstring(data))
    back = _paths(etree.fromstring(tostring(ChartSpace.from_tree(fromstring(data)).to_tree())))
    return _subsequence(mine, back)


def schema_ordered_drawing(data: bytes) -> bool:
    """True when every chart frame is laid out as XlsxWriter lays out a chart's frame (its
    drawing parts open in Excel), inside a ``oneCellAnchor`` whose children follow
    CT_OneCellAnchor (from, ext, the object, clientData)."""
    from helpers.paths import TEMPLATE

    with zipfile.ZipFile(TEMPLATE) as z:  # built by XlsxWriter; its Dashboard has charts
        theirs = etree.fromstring(z.read("xl/drawings/drawing1.xml"))
    frame = next(a for a in theirs if a.find(".//{*}graphicFrame") is not None)
    want = _paths(frame.find("{*}graphicFrame"))
    for anchor in etree.fromstring(data):
        if etree.QName(anchor).localname != "oneCellAnchor":
            return False
        if [etree.QName(c).localname for c in anchor] != ["from", "ext", "graphicFrame",
                                                          "clientData"]:
            return False
        if _paths(anchor.find("{*}graphicFrame")) != want:
            return False
    return True


def canvas_parts(path: Path, sheet: str) -> tuple[str, list[str], list[str]]:
    """(sheet part, drawing parts, chart parts) of a sheet, from the package's rels."""
    with zipfile.ZipFile(path) as z:
        wb = workbook_part(z)
        from helpers.ooxml import sheets_in_zip

        part = sheets_in_zip(path)[sheet][1]
        drawings = [t for kind, t in _rels(z, part).values() if kind == "drawing"]
        charts = [t for d in drawings for kind, t in _rels(z, d).values() if kind == "chart"]
        del wb
    return part, drawings, charts


def reachable(path: Path, sheet: str) -> set[str]:
    """Every part a sheet reaches through relationships (with their rels parts); empty when
    the package has no such sheet."""
    from helpers.ooxml import sheets_in_zip

    found = sheets_in_zip(path).get(sheet)
    if found is None:
        return set()
    out: set[str] = set()
    todo = [found[1]]
    with zipfile.ZipFile(path) as z:
        while todo:
            part = todo.pop()
            rels = posixpath.join(posixpath.dirname(part), "_rels",
                                  posixpath.basename(part) + ".rels")
            out.add(rels)
            for _kind, target in _rels(z, part).values():
                if target not in out:
                    out.add(target)
                    todo.append(target)
    return out


def check_package_sound(path: Path) -> None:
    """Every internal relationship target exists and every part has a content type."""
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        ct = etree.fromstring(z.read("[Content_Types].xml"))
        overrides = {e.get("PartName").lstrip("/").lower() for e in ct if e.tag == f"{CT}Override"}
        defaults = {e.get("Extension").lower() for e in ct if e.tag == f"{CT}Default"}
        for name in names:
            if name.endswith("/") or name == "[Content_Types].xml":
                continue
            ext = name.rsplit(".", 1)[-1].lower()
            assert name.lower() in overrides or ext in defaults, f"{name}: no content type"
        for o in overrides:
            assert any(n.lower() == o for n in names), f"override for a missing part {o}"
        for name in names:
            if not name.endswith(".rels"):
                continue
            folder = posixpath.dirname(posixpath.dirname(name))
            source = posixpath.join(folder, posixpath.basename(name)[:-5])
            for _kind, target in _rels(z, source).values():
                if "#" in target:  # a place in the workbook (a hyperlink), not a part
                    continue
                assert target in names, f"{name} points at a missing part {target}"


def check_canvas_write(before: Path, after: Path, canvas: Canvas) -> dict[str, int]:
    """Only the canvas's parts (and the workbook's sheet list, styles, content types) change;
    every other entry is byte-identical, in order; the charts are schema-ordered, point at
    the canvas's cells and cache what the cells hold."""
    old, new = zip_contents(before), zip_contents(after)
    part, drawings, charts = canvas_parts(after, canvas.sheet)
    with zipfile.ZipFile(after) as z:
        wb = workbook_part(z)
        styles = [t for kind, t in _rels(z, wb).values() if kind == "styles"]
    own = {part, *drawings, *charts}
    own |= {posixpath.join(posixpath.dirname(p), "_rels", posixpath.basename(p) + ".rels")
            for p in own}
    allowed = own | {"[Content_Types].xml", wb, posixpath.join(
        posixpath.dirname(wb), "_rels", posixpath.basename(wb) + ".rels"), "docProps/app.xml",
        *styles}
    new_infos = {i.filename: i for i in zip_entries(after)}
    kept = 0
    reached = reachable(before, canvas.sheet)
    for info in zip_entries(before):
        name = info.filename
        if name in allowed:
            continue
        if name not in new:
            assert name in reached, f"{name} lost: the old {canvas.sheet} sheet did not reach it"
            continue
        assert new[name] == old[name], f"{name} changed"
        assert raw_entry(after, new_infos[name]) == raw_entry(before, info), name
        kept += 1
    assert set(new) - set(old) <= allowed, set(new) - set(old) - allowed
    check_package_sound(after)
    wb_values = load_openpyxl(after)
    ws = wb_values[canvas.sheet]
    assert len(ws._charts) == len(canvas.charts)
    for name in charts:
        assert schema_ordered_chart(new[name]), f"{name}: elements out of schema order"
        tree = etree.fromstring(new[name])
        for ref in tree.iter(f"{C}numRef", f"{C}strRef"):
            f = ref.find(f"{C}f").text
            sheet, _, cells = f.rpartition("!")
            assert sheet.strip("'") == canvas.sheet, f
            rng = CellRange.parse(cells.replace("$", ""))
            got = [ws.cell(r, c).value for r in range(rng.r1, rng.r2 + 1)
                   for c in range(rng.c1, rng.c2 + 1)]
            cache = {int(p.get("idx")): p.find(f"{C}v").text for p in ref.iter(f"{C}pt")}
            assert len(cache) == sum(v is not None for v in got), f
            for i, v in enumerate(got):
                if isinstance(v, int | float):
                    assert float(cache[i]) == float(v), (f, i)
                elif isinstance(v, str):
                    assert cache[i] == v, (f, i)
    for name in drawings:
        assert schema_ordered_drawing(new[name])
    return {"kept": kept, "charts": len(charts)}
