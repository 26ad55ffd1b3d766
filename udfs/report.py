"""The Report sheet: charts built with the xlwings object model (any runtime).

Layout of the sheet ``Report`` (rebuilt from scratch on every run):

- A1: portfolio CPI and SPI (a block Portfolio, CPI, SPI) and a clustered column chart;
- below it: the utilisation heatmap, a block ResourceID × month of Utilisation fractions
  with a three-colour scale (green under the target, amber, red over 100 %);
- from column N: one block per project (Period, Planned cumulative, Actual + forecast
  cumulative) and a line chart per project: its S-curve.

Only what xlwings 0.37.8 offers on every engine is used (sheet values, number formats,
``charts.add`` with type / source / position / name, conditional colour scales). Not
drawn: EV over time (the core gives EV at the status date only), markers or axis titles
per series (Office.js series formatting is partial in xlwings), data labels.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import tables
from xlpmo.errors import XLError

REPORT_SHEET = "Report"
CHART_W, CHART_H = 360, 200
ROW_H = 15  # points per row in Excel's default style, for laying charts out


def _number(value: Any) -> Any:
    if isinstance(value, XLError) or value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(f) else f


def portfolio_block(portfolio: pd.DataFrame) -> list[list[Any]]:
    rows = [["Portfolio", "CPI", "SPI"]]
    for rec in portfolio.to_dict("records"):
        rows.append([str(rec["Portfolio"]), _number(rec["CPI"]), _number(rec["SPI"])])
    return rows


def heatmap_block(utilisation: pd.DataFrame) -> list[list[Any]]:
    """ResourceID × month of Utilisation (blank where it is an error such as #DIV/0!)."""
    if utilisation.empty:
        return [["ResourceID"]]
    frame = utilisation.assign(U=utilisation["Utilisation"].map(_number))
    grid = frame.pivot_table(index="ResourceID", columns="Period", values="U", aggfunc="first",
                             sort=False, dropna=False)
    months = sorted(grid.columns)
    rows = [["ResourceID", *[pd.Timestamp(m).to_pydatetime() for m in months]]]
    for rid, rec in grid[months].iterrows():
        rows.append([str(rid), *[_number(v) for v in rec.tolist()]])
    return rows


def scurve_blocks(variance: pd.DataFrame, forecast: pd.DataFrame) -> dict[str, list[list[Any]]]:
    """Per project: Period, Planned (cumulative), Actual+Forecast (cumulative)."""
    out: dict[str, list[list[Any]]] = {}
    plan = variance[["ProjectID", "Period", "CumPlanned"]]
    spend = forecast[["ProjectID", "Period", "Cumulative"]]
    both = pd.merge(plan, spend, on=["ProjectID", "Period"], how="outer").sort_values(
        ["ProjectID", "Period"], kind="stable")
    for pid, rows in both.groupby("ProjectID", sort=False):
        block = [["Period", "Planned", "Actual + forecast"]]
        block += [[pd.Timestamp(r.Period).to_pydatetime(), _number(r.CumPlanned),
                   _number(r.Cumulative)] for r in rows.itertuples(index=False)]
        out[str(pid)] = block
    return out


def _fresh_sheet(book: Any) -> Any:
    for sheet in book.sheets:
        if sheet.name.lower() == REPORT_SHEET.lower():
            sheet.delete()
            break
    return book.sheets.add(name=REPORT_SHEET, after=book.sheets[len(book.sheets) - 1])


def _put(sheet: Any, row: int, col: int, block: list[list[Any]]) -> Any:
    rng = sheet.range((row, col), (row + len(block) - 1, col + len(block[0]) - 1))
    rng.value = block
    return rng


def build(book: Any, outputs: dict[str, pd.DataFrame]) -> list[str]:
    """Rebuild the Report sheet from the output tables; returns the chart names."""
    sheet = _fresh_sheet(book)
    charts: list[str] = []
    row = 1
    portfolio = outputs.get(tables.PORTFOLIO.name)
    if portfolio is not None and len(portfolio):
        block = portfolio_block(portfolio)
        rng = _put(sheet, row, 1, block)
        sheet.range((row + 1, 2), (row + len(block) - 1, 3)).number_format = "0.00"
        chart = sheet.charts.add(left=260, top=(row - 1) * ROW_H, width=CHART_W,
                                 height=CHART_H, chart_type="column_clustered", source=rng,
                                 name="Portfolio CPI and SPI")
        charts.append(chart.name)
        row += max(len(block), CHART_H // ROW_H) + 2
    utilisation = outputs.get(tables.UTILISATION.name)
    if utilisation is not None and len(utilisation):
        block = heatmap_block(utilisation)
        sheet.range((row, 1)).value = "Utilisation by resource and month"
        rng = _put(sheet, row + 1, 1, block)
        body = sheet.range((row + 2, 2), (row + len(block), len(block[0])))
        body.number_format = "0%"
        sheet.range((row + 1, 2), (row + 1, len(block[0]))).number_format = "mmm yy"
        body.conditional_formats.add_color_scale(
            ["#63BE7B", "#FFEB84", "#F8696B"], thresholds=[0, 0.8, 1.0], threshold_type="number")
        del rng
        row += len(block) + 3
    variance = outputs.get(tables.VARIANCE.name)
    forecast = outputs.get(tables.FORECAST_OUT.name)
    if variance is not None and forecast is not None:
        top = 1
        for pid, block in scurve_blocks(variance, forecast).items():
            sheet.range((top, 14)).value = f"S-curve {pid}"
            rng = _put(sheet, top + 1, 14, block)
            sheet.range((top + 2, 14), (top + len(block), 14)).number_format = "mmm yy"
            chart = sheet.charts.add(left=20 * 48 + 200, top=(top - 1) * ROW_H,
                                     width=CHART_W, height=CHART_H, chart_type="line",
                                     source=rng, name=f"S-curve {pid}")
            charts.append(chart.name)
            top += max(len(block) + 3, CHART_H // ROW_H + 2)
    return charts
