"""Write a :class:`~xlpmo.io.canvas.Canvas` (the Report sheet) into a workbook package.

Like :func:`xlpmo.io.writer.write_tables`, the package is edited directly and every part
that is not the canvas's is copied byte for byte. Parts written:

- the canvas's worksheet part, written whole (:mod:`xlpmo.io.ooxml.gridsheet`), and its rels;
- one drawing part (:mod:`xlpmo.io.ooxml.drawing`) and one chart part per chart
  (:mod:`xlpmo.io.ooxml.chart`), with their rels and ``[Content_Types].xml`` overrides;
- ``xl/styles.xml`` when a number format or the bold font needs a style;
- for a new sheet: ``xl/workbook.xml``, its rels and ``docProps/app.xml``.

The sheet is the canvas's when its mark cell starts with the canvas's mark text. Such a
sheet is replaced in place (same name, position and part): the parts only it reached
(its drawing, charts, their style parts, anything else hanging off it that no other part
refers to) are replaced or removed, so running the Report again leaves no stale parts. The
drawing and chart parts keep their names from one run to the next. A sheet of that name
that is not the canvas's, or is not a worksheet, is refused and nothing is written: the
Report never replaces a sheet it did not make.

Strict OOXML workbooks are refused (the chart and drawing parts written here use the
transitional namespaces); Excel saves transitional unless told otherwise.
"""

from __future__ import annotations

import math
import posixpath
from pathlib import Path

from xlpmo.errors import FileRefused, WriteConflict, XlpmoError
from xlpmo.io.a1 import CellRange, cell_ref, col_letter
from xlpmo.io.canvas import SERIES_COLOURS, Canvas, ChartPlan
from xlpmo.io.ooxml.cells import excel_serial
from xlpmo.io.ooxml.chart import CHART_CONTENT_TYPE, CHART_REL_TYPE, Axis, Chart, Series
from xlpmo.io.ooxml.drawing import DRAWING_CONTENT_TYPE, DRAWING_REL_TYPE, ChartFrame, drawing_xml
from xlpmo.io.ooxml.gridsheet import ColourScaleRule, gridsheet_xml
from xlpmo.io.ooxml.package import PKG_REL_NS, Package, Relationships, rels_part, resolve_target
from xlpmo.io.ooxml.render import ColumnStyle, render_value
from xlpmo.io.ooxml.sheet import Worksheet
from xlpmo.io.ooxml.workbook import STRICT_MAIN, Book, SheetEntry
from xlpmo.io.writer import WriteReport

__all__ = ["write_canvas"]


def write_canvas(src: Path, dst: Path, canvas: Canvas) -> WriteReport:
    """Write ``canvas`` into a copy of ``src`` saved as ``dst`` (which may equal ``src``:
    the result goes to a temporary file beside it first). XlpmoError, nothing written,
    when the sheet may not be replaced (module docstring)."""
    src, dst = Path(src), Path(dst)
    book = Book(src)
    try:
        if book.ns == STRICT_MAIN:
            raise FileRefused(f"{src.name} is saved as Strict Open XML; xlpmo writes the "
                             f"{canvas.sheet} sheet into the usual Excel Workbook (.xlsx) "
                             "format only: save it as an Excel Workbook and run it again")
        entry = book.sheet_entry(canvas.sheet)
        reusable: dict[str, list[str]] = {"drawing": [], "chart": []}
        if entry is None:
            entry = book.add_worksheet(canvas.sheet)
        else:
            _check_owned(book, entry, canvas)
            reusable = _clear_owned(book, entry)
        assert entry.part is not None
        _write_parts(book, entry, canvas, reusable)
        book.finish(values_written=False)
        copied = book.save_as(dst)
        return WriteReport(rewritten=book.pkg.replaced, added=book.pkg.added,
                           removed=book.pkg.removed, copied=copied)
    finally:
        book.close()


# -- the existing sheet ------------------------------------------------------------------------


def _check_owned(book: Book, entry: SheetEntry, canvas: Canvas) -> None:
    if entry.kind != "worksheet" or entry.part is None or not book.pkg.has(entry.part):
        raise WriteConflict(canvas.refusal(entry.name, entry.kind))
    ws = Worksheet(book.pkg, entry.part, entry.name)
    cell = ws.cell(*canvas.mark)
    shared = book.shared_strings() if cell is not None and cell.get("t") == "s" else None
    if not canvas.owns(ws.cell_value(cell, shared) if cell is not None else None):
        raise WriteConflict(canvas.refusal(entry.name))


def _rels_targets(pkg: Package, source: str) -> list[tuple[str, str]]:
    """(type suffix, target part) of every internal relationship of ``source``."""
    part = rels_part(source)
    if not pkg.has(part):
        return []
    out = []
    for rel in pkg.xml(part).getroot():
        if rel.tag != f"{{{PKG_REL_NS}}}Relationship" or rel.get("TargetMode") == "External":
            continue
        kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
        out.append((kind, resolve_target(source, rel.get("Target") or "")))
    return out


def _clear_owned(book: Book, entry: SheetEntry) -> dict[str, list[str]]:
    """Remove the parts only the sheet reaches; returns its drawing and chart parts (in
    order), which are kept for reuse."""
    pkg = book.pkg
    assert entry.part is not None
    reached: dict[str, str] = {}  # part -> relationship type suffix
    todo = [entry.part]
    while todo:
        source = todo.pop(0)
        for kind, target in _rels_targets(pkg, source):
            if target not in reached and target != entry.part and pkg.has(target):
                reached[target] = kind
                todo.append(target)
    sources = {posixpath.join(posixpath.dirname(posixpath.dirname(n)),
                              posixpath.basename(n)[:-len(".rels")]).lstrip("/")
               for n in (i.filename for i in pkg.infos) if n.endswith(".rels")}
    elsewhere = {target for source in sources - set(reached) - {entry.part}
                 for _kind, target in _rels_targets(pkg, source)}
    keep: dict[str, list[str]] = {"drawing": [], "chart": []}
    for part, kind in reached.items():
        if part in elsewhere:
            continue
        if kind in keep:
            keep[kind].append(part)
        else:
            _remove(book, part)
        rels = rels_part(part)
        if pkg.has(rels):
            pkg.remove(rels)
    if pkg.has(rels_part(entry.part)):
        pkg.remove(rels_part(entry.part))
    book.tables = [t for t in book.tables if t.sheet_part != entry.part]
    return keep


def _remove(book: Book, part: str) -> None:
    book.pkg.remove(part)
    book.content_types.remove_override(part)


# -- the new parts -----------------------------------------------------------------------------


def _write_parts(book: Book, entry: SheetEntry, canvas: Canvas,
                 reusable: dict[str, list[str]]) -> None:
    pkg = book.pkg
    assert entry.part is not None
    sheet_rels = Relationships(pkg, entry.part)
    drawing_rid = None
    charts = list(canvas.charts)
    drawings, old_charts = reusable["drawing"], reusable["chart"]
    if charts:
        drawing = drawings.pop(0) if drawings else pkg.unused_name("xl/drawings/drawing{}.xml")
        drawing_rels = Relationships(pkg, drawing)
        frames = []
        for plan in charts:
            part = old_charts.pop(0) if old_charts else pkg.unused_name("xl/charts/chart{}.xml")
            pkg.set(part, _chart(canvas, plan, book.date1904).xml())
            book.content_types.set_override(part, CHART_CONTENT_TYPE)
            rid = drawing_rels.add(CHART_REL_TYPE, part)
            frames.append(ChartFrame(rid, plan.name, plan.row, plan.col, plan.width,
                                     plan.height))
        pkg.set(drawing, drawing_xml(frames))
        drawing_rels.save()
        book.content_types.set_override(drawing, DRAWING_CONTENT_TYPE)
        drawing_rid = sheet_rels.add(DRAWING_REL_TYPE, drawing)
        sheet_rels.save()
    for part in drawings + old_charts:  # more than this run needs
        _remove(book, part)
    rows = _cells(book, canvas)
    scales = [ColourScaleRule(s.range, s.thresholds, s.colours) for s in canvas.scales]
    pkg.set(entry.part, gridsheet_xml(book.ns, book.rel_ns, rows, canvas.widths, scales,
                                      drawing_rid))


def _cells(book: Book, canvas: Canvas) -> dict[int, list[str]]:
    styles = book.styles
    bold = styles.with_bold(0)
    placed: dict[int, dict[int, str]] = {}
    seen: list[CellRange] = []
    for block in canvas.blocks:
        rng = block.range
        rng.check_bounds(f"the {canvas.sheet} sheet")
        if any(rng.intersects(other) for other in seen):
            raise XlpmoError(f"internal error: two blocks of the {canvas.sheet} sheet overlap "
                             f"at {rng}")
        seen.append(rng)
        for i, values in enumerate(block.rows):
            row = block.row + i
            head = i < block.bold_rows
            for j, value in enumerate(values):
                col = block.col + j
                kind = block.head_kind if head else block.kinds[j]
                style = ColumnStyle(styles, bold if head else 0, kind)
                xml = render_value(value, cell_ref(row, col), style, book.date1904)
                if xml is not None:
                    placed.setdefault(row, {})[col] = xml
    return {r: [cells[c] for c in sorted(cells)] for r, cells in placed.items()}


def _ref(sheet: str, rng: CellRange) -> str:
    quoted = "'" + sheet.replace("'", "''") + "'"
    a = f"${col_letter(rng.c1)}${rng.r1}"
    if (rng.r1, rng.c1) == (rng.r2, rng.c2):
        return f"{quoted}!{a}"
    return f"{quoted}!{a}:${col_letter(rng.c2)}${rng.r2}"


def _cached(values: list, date1904: bool) -> list:
    """Cached chart values: numbers as floats, dates as Excel serials, text as text, anything
    else blank."""
    out: list = []
    for v in values:
        if isinstance(v, bool) or v is None:
            out.append(None)
        elif isinstance(v, int | float):
            out.append(float(v) if math.isfinite(v) else None)
        elif isinstance(v, str):
            out.append(v)
        else:
            try:
                out.append(excel_serial(v, date1904))
            except (TypeError, ValueError):
                out.append(None)
    return out


def _chart(canvas: Canvas, plan: ChartPlan, date1904: bool) -> Chart:
    """The chart part of a plan: one series per column of its source (Excel's
    ``plot_by="columns"``), coloured as Excel colours a new chart's series."""
    chart = Chart(plan.kind, plan.title, Axis(plan.x_title, plan.x_format),
                  Axis(plan.y_title, plan.y_format))
    src = plan.source
    cats = plan.categories
    cat_values = _cached(canvas.values(cats), date1904) if cats is not None else []
    for k, col in enumerate(range(src.c1, src.c2 + 1)):
        head = CellRange(src.r1, col, src.r1, col)
        body = CellRange(src.r1 + 1, col, src.r2, col)
        name = canvas.value(src.r1, col)
        chart.add_series(Series(
            _ref(canvas.sheet, head), "" if name is None else str(name),
            _ref(canvas.sheet, body), _cached(canvas.values(body), date1904),
            _ref(canvas.sheet, cats) if cats is not None else None, cat_values,
            SERIES_COLOURS[k % len(SERIES_COLOURS)],
        ))
    return chart

