"""The Report sheet drawn in Excel through the xlwings object model (any runtime).

What is on the sheet comes from the one Report definition (:mod:`xlpmo.report.definition`)
laid out by :func:`xlpmo.report.sheet.canvas`; the same :class:`~xlpmo.io.canvas.Canvas` is
what ``xlpmo report BOOK`` writes into a file (:mod:`xlpmo.io.canvaswriter`), so the
command has the same effect in Excel and on a file: the same cells, number formats, colour
scales, and charts (type, name, title, position, size, source cells, categories, axis titles
and formats, legend at the bottom).

Differences the object model leaves (xlwings 0.37.8 on Office.js / xlwings Lite):

- series colours are Excel's defaults for a new chart, the Office theme's accent colours in
  series order; the file gets the same colours written out (series formatting by index needs
  ``await chart.get_series()``, which only xlwings Lite offers);
- page setup (landscape, fit to one page wide) is only in the file: the Office.js object
  model of xlwings sets only a print area;
- column widths: Office.js measures them in points, the desktop engines in characters;
  :func:`_width` converts.

A sheet called Report that xlpmo did not make (its A2 does not carry the mark) is never
replaced: the command stops with the same message as on a file.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from xlpmo.contract.model import Inputs
from xlpmo.contract.tables import NUMBER_FORMATS
from xlpmo.errors import WriteConflict
from xlpmo.io.a1 import CellRange
from xlpmo.io.canvas import Canvas
from xlpmo.io.importer import protect_text
from xlpmo.report.definition import build_report
from xlpmo.report.sheet import SHEET, canvas

REPORT_SHEET = SHEET
CHART_TYPES = {"line": "line", "column": "column_clustered", "scatter": "xy_scatter"}
TEXT_KINDS = ("text", "id")


def build(book: Any, outputs: dict[str, pd.DataFrame], inputs: Inputs | None = None
          ) -> list[str]:
    """Rebuild the Report sheet from the output tables; returns the chart names."""
    return draw(book, canvas(build_report(inputs or Inputs(), outputs)))


def _on_server() -> bool:
    import xlwings as xw

    return getattr(xw.func, "__module__", "").startswith("xlwings.pro")


def _width(chars: float) -> float:
    """A column width in characters as this engine takes it (Office.js: points)."""
    return (chars * 7 + 5) * 0.75 if _on_server() else chars


def _fresh_sheet(book: Any, plan: Canvas) -> Any:
    """The canvas's sheet, new: an existing one of the canvas's is deleted and the new one
    takes its place; one that is not the canvas's is refused."""
    sheets = list(book.sheets)
    for i, sheet in enumerate(sheets):
        if sheet.name.lower() != plan.sheet.lower():
            continue
        if not plan.owns(sheet.range(plan.mark).value):
            raise WriteConflict(plan.refusal(sheet.name))
        sheet.delete()
        rest = list(book.sheets)
        if i < len(rest):
            return book.sheets.add(name=plan.sheet, before=rest[i])
        return book.sheets.add(name=plan.sheet, after=rest[-1])
    return book.sheets.add(name=plan.sheet, after=sheets[-1])


def _range(sheet: Any, rng: CellRange) -> Any:
    return sheet.range((rng.r1, rng.c1), (rng.r2, rng.c2))


def _cell(value: Any) -> Any:
    return protect_text(value) if isinstance(value, str) else value


def draw(book: Any, plan: Canvas) -> list[str]:
    """Draw ``plan`` on a fresh sheet of ``book``; returns the chart names."""
    sheet = _fresh_sheet(book, plan)
    sheet.show_gridlines = False
    for col, chars in sorted(plan.widths.items()):
        sheet.range((1, col)).column_width = _width(chars)
    for block in plan.blocks:
        _range(sheet, block.range).value = [[_cell(v) for v in row] for row in block.rows]
        rng = block.range
        if block.bold_rows:
            head = CellRange(rng.r1, rng.c1, rng.r1 + block.bold_rows - 1, rng.c2)
            _range(sheet, head).font.bold = True
            if block.head_kind not in TEXT_KINDS:  # the month headers, not the text ones
                for i, row in enumerate(block.rows[:block.bold_rows]):
                    for c1, c2 in _runs([not isinstance(v, str) for v in row]):
                        _range(sheet, CellRange(rng.r1 + i, rng.c1 + c1, rng.r1 + i,
                                                rng.c1 + c2)).number_format = \
                            NUMBER_FORMATS[block.head_kind]
        body = block.body()
        if body is None:
            continue
        for j, kind in enumerate(block.kinds):
            if kind not in TEXT_KINDS:
                col = body.c1 + j
                _range(sheet, CellRange(body.r1, col, body.r2, col)).number_format = \
                    NUMBER_FORMATS[kind]
    for scale in plan.scales:
        _range(sheet, scale.range).conditional_formats.add_color_scale(
            [f"#{c}" for c in scale.colours], thresholds=list(scale.thresholds),
            threshold_type="number")
    names = []
    for c in plan.charts:
        chart = sheet.charts.add(anchor=sheet.range((c.row, c.col)), width=c.width,
                                 height=c.height, chart_type=CHART_TYPES[c.kind],
                                 source=_range(sheet, c.source), plot_by="columns", name=c.name)
        if c.categories is not None:
            chart.set_x_axis_values(_range(sheet, c.categories))
        chart.title = c.title
        chart.legend.position = "bottom"
        chart.category_axis.set(title=c.x_title, **_format(c.x_format))
        chart.value_axis.set(title=c.y_title, **_format(c.y_format))
        names.append(chart.name)
    return names


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """Index ranges (first, last) of the runs of True in ``flags``."""
    runs: list[tuple[int, int]] = []
    for i, flag in enumerate(flags):
        if flag and runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        elif flag:
            runs.append((i, i))
    return runs


def _format(code: str | None) -> dict[str, str]:
    return {"number_format": code} if code else {}
