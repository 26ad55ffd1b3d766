"""The PDF pack's project page draws the project's CPI and SPI(t) trend from tblTrend against
the 1.0 line, beside its EAC trend (values by hand arithmetic, read back from the drawn
matplotlib lines)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers.evm_inputs import make_inputs

from xlpmo.core.tracker import compute
from xlpmo.report import pdf
from xlpmo.report.definition import build_report


def _inputs():
    """Plan 100 a month for 4 months (BAC 400); actual 120, 100, 100; Earned 100, 180, 300
    at the ends of January to March (the status date)."""
    return make_inputs("2026-03-31", {"P1": ("2026-01", [100] * 4)},
                       actuals={"P1": ("2026-01", [120, 100, 100])},
                       progress=[("P1", "2026-01-01", None, 100),
                                 ("P1", "2026-02-01", None, 180),
                                 ("P1", "2026-03-01", None, 300)])


def test_the_project_page_draws_cpi_and_spit_against_the_on_plan_line():
    from matplotlib.figure import Figure

    inputs = _inputs()
    report = build_report(inputs, compute(inputs))
    row = report.outputs["tblEVM"].to_dict("records")[0]
    fig = Figure(figsize=pdf.PAGE)
    pdf._project_page(fig, report, row)
    axes = {ax.get_title(loc="left"): ax for ax in fig.axes}
    assert {"S-curve (cumulative)", "EAC trend", "CPI and SPI(t)"} <= set(axes)
    lines = {ln.get_label(): ln for ln in axes["CPI and SPI(t)"].get_lines()}
    # CPI = EV/AC: 100/120, 180/220, 300/320; SPI(t) = ES/AT with ES = EV/100: 1, 0.9, 1
    assert list(lines["CPI"].get_ydata()) == pytest.approx([100 / 120, 180 / 220, 300 / 320])
    assert list(lines["SPI(t)"].get_ydata()) == pytest.approx([1.0, 0.9, 1.0])
    assert np.allclose(lines["on plan (1.0)"].get_ydata(), 1.0)
    # the EAC trend: BAC / CPI month by month = 400 × 120/100, 400 × 220/180, 400 × 320/300
    eac = next(ln for ln in axes["EAC trend"].get_lines() if ln.get_label() == "EAC")
    assert list(eac.get_ydata()) == pytest.approx([480, 400 * 220 / 180, 400 * 320 / 300])


def test_without_trend_rows_the_page_has_no_trend_charts(tmp_path: Path):
    """A project with no progress row has no tblTrend rows: its page shows the S-curve
    alone (no empty trend axes)."""
    from matplotlib.figure import Figure

    inputs = make_inputs("2026-03-31", {"P1": ("2026-01", [100] * 4)},
                         actuals={"P1": ("2026-01", [120, 100, 100])})
    report = build_report(inputs, compute(inputs))
    fig = Figure(figsize=pdf.PAGE)
    pdf._project_page(fig, report, report.outputs["tblEVM"].to_dict("records")[0])
    titles = {ax.get_title(loc="left") for ax in fig.axes}
    assert "S-curve (cumulative)" in titles
    assert not {"EAC trend", "CPI and SPI(t)"} & titles
    assert pdf.write_pack(report, tmp_path / "p.pdf") == 2
