"""The Report sheet's layout: the figures of a :class:`~xlpmo.report.definition.Report` as a
:class:`~xlpmo.io.canvas.Canvas`, drawn alike into the file and in Excel.

Layout (1-based rows and columns):

- A1 the title, A2 the mark (``Made by xlpmo Report ...``: the sheet is xlpmo's and running
  Report again replaces it), then one row per note (figures not drawn, and why);
- then one section per figure, one below the other:
  - a chart: the chart at column A (:data:`CHART_W` x :data:`CHART_H` points, about ten
    columns by seventeen rows) and its data to the right from column :data:`DATA_COL`
    (the chart's series are those cells; the chart carries the title);
  - a heatmap: a bold title row, and its grid at column A under it, coloured by a
    three-colour scale;
  each section as tall as its chart or its data, whichever is taller, plus a blank row.
"""

from __future__ import annotations

import math

import pandas as pd

from xlpmo.io.a1 import CellRange
from xlpmo.io.canvas import ROW_POINTS, Block, Canvas, ChartPlan, ColourScale
from xlpmo.report.definition import HEAT_COLOURS, Figure, Report

SHEET = "Report"
TITLE = "PMO report"
MARK_TEXT = "Made by xlpmo Report"
MARK = (2, 1)
CHART_W, CHART_H = 480.0, 255.0
DATA_COL = 12  # column L: right of a chart ten default columns wide, one column gap
LABEL_WIDTH, DATA_WIDTH, MONTH_WIDTH = 16.0, 13.0, 9.0


def _value(v: object) -> object:
    """Cell values: pandas timestamps as datetimes, NaN/NaT as blank."""
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


def _rows(fig: Figure) -> tuple[tuple[object, ...], ...]:
    head = tuple(_value(c) for c in fig.frame.columns)
    body = [tuple(_value(v) for v in row) for row in fig.frame.itertuples(index=False)]
    return (head, *body)


def canvas(report: Report) -> Canvas:
    """The Report sheet for ``report``."""
    status = pd.Timestamp(report.settings.StatusDate)
    blocks = [
        Block(1, 1, ((TITLE,),), ("text",)),
        Block(MARK[0], MARK[1], ((f"{MARK_TEXT} for the status date {status:%d %b %Y}. "
                                  "Running Report again replaces this sheet: keep your own "
                                  "notes on other sheets.",),), ("text",), bold_rows=0),
    ]
    row = MARK[0] + 1
    for note in report.notes:
        blocks.append(Block(row, 1, ((note,),), ("text",), bold_rows=0))
        row += 1
    row += 1
    charts: list[ChartPlan] = []
    scales: list[ColourScale] = []
    widths: dict[int, float] = {1: LABEL_WIDTH}
    chart_rows = math.ceil(CHART_H / ROW_POINTS)
    for fig in report.figures:
        rows = _rows(fig)
        if fig.kind == "heatmap":
            blocks.append(Block(row, 1, ((fig.title,),), ("text",)))
            top = row + 1
            block = Block(top, 1, rows, fig.kinds, head_kind="period")
            blocks.append(block)
            body = block.body()
            if body is not None and body.cols > 1:
                scales.append(ColourScale(CellRange(body.r1, 2, body.r2, body.c2),
                                          fig.thresholds, HEAT_COLOURS))
            for col in range(2, block.range.c2 + 1):
                widths.setdefault(col, MONTH_WIDTH)
            row = top + len(rows) + 1
            continue
        top = row
        block = Block(top, DATA_COL, rows, fig.kinds)
        blocks.append(block)
        widths[DATA_COL] = LABEL_WIDTH
        for col in range(DATA_COL + 1, block.range.c2 + 1):
            widths[col] = DATA_WIDTH
        last = top + len(rows) - 1
        first_series, last_series = min(fig.series), max(fig.series)
        charts.append(ChartPlan(
            fig.name, fig.kind, fig.title, top, 1, CHART_W, CHART_H,
            CellRange(top, DATA_COL + first_series, last, DATA_COL + last_series),
            CellRange(top + 1, DATA_COL + fig.category, last, DATA_COL + fig.category),
            fig.x_title, fig.y_title, fig.x_format, fig.y_format))
        row = top + max(chart_rows, len(rows)) + 1
    return Canvas(SHEET, MARK, MARK_TEXT, tuple(blocks), tuple(charts), tuple(scales), widths)
