"""The Report definition: what each figure holds (against hand arithmetic), which figures are
skipped with a note, and the Report sheet's layout (each chart reads exactly its figure)."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pandas as pd
import pytest
from helpers.evm_inputs import make_inputs
from hypothesis import given
from hypothesis import strategies as st

from xlpmo.contract import tables
from xlpmo.core.tracker import compute
from xlpmo.io.a1 import CellRange
from xlpmo.report.definition import REPORT, baseline, build_report
from xlpmo.report.sheet import DATA_COL, MARK, MARK_TEXT, canvas

M = pd.Timestamp


def _p1():
    """P1: plan 100, 200, 300, 400 from Jan 2026 (BAC 1,000); actual 150, 250; 25 % complete
    at the end of February, the status date."""
    return make_inputs("2026-02-28", {"P1": ("2026-01", [100, 200, 300, 400])},
                       actuals={"P1": ("2026-01", [150, 250])},
                       progress=[("P1", "2026-02-01", 0.25, None)])


def test_scurve_runs_the_baseline_to_completion_and_the_forecast_to_the_eac():
    inputs = _p1()
    report = build_report(inputs, compute(inputs))
    frame = report.scurves()["P1"].frame
    assert list(frame.columns) == ["Period", "Baseline", "Actual", "Forecast", "Earned"]
    assert list(frame["Period"]) == [M("2026-01-01"), M("2026-02-01"), M("2026-03-01"),
                                     M("2026-04-01"), M("2026-05-01")]
    # baseline: 100, 100+200, +300, +400 = BAC, to the last planned month
    assert list(frame["Baseline"]) == [100, 300, 600, 1000, None]
    assert list(frame["Actual"]) == [150, 400, None, None, None]
    # EV 250, AC 400: CPI 0.625, EAC = 1000 / 0.625 = 1600. ES = 1 + (250 - 100)/200 = 1.75
    # of AT 2: SPI(t) 0.875, IEAC(t) = 4 / 0.875 = 4.57 months, so the forecast ends in May.
    # The remaining plan (300, 400: cumulative 3/7, 1 after 1 and 2 months) stretched over
    # 3 months reaches 3/7 · 2/3 = 2/7 after one and 3/7 + 4/7 · 1/3 = 13/21 after two, of
    # the remaining 1600 - 400 = 1200; the forecast starts at 400 (where the actuals end)
    assert frame["Forecast"][0] is None
    assert frame["Forecast"][1] == 400
    assert frame["Forecast"][2] == pytest.approx(400 + 1200 * 2 / 7)
    assert frame["Forecast"][3] == pytest.approx(400 + 1200 * 13 / 21)
    assert frame["Forecast"][4] == pytest.approx(1600)
    # Earned (tblTrend): 25 % of 1,000 in February, the only month with progress
    assert list(frame["Earned"]) == [None, 250, None, None, None]


def test_portfolio_and_projects_figures_come_from_the_output_tables():
    inputs = make_inputs("2026-02-28", {"P1": ("2026-01", [100, 100]),
                                        "P2": ("2026-01", [50, 50])},
                         actuals={"P1": ("2026-01", [100, 150]), "P2": ("2026-01", [40, 40])},
                         progress=[("P1", "2026-02-01", 0.5, None),
                                   ("P2", "2026-02-01", 0.5, None)],
                         projects={"P1": {"Portfolio": "Core"}, "P2": {"Portfolio": "Core"}})
    report = build_report(inputs, compute(inputs))
    portfolio = report.figure("portfolio").frame
    # Core: EV 100 + 50, AC 250 + 80, PV 200 + 100: CPI 150/330, SPI 150/300 (sums first)
    core = portfolio.set_index("Portfolio").loc["Core"]
    assert core["CPI"] == pytest.approx(150 / 330)
    assert core["SPI"] == pytest.approx(0.5)
    projects = report.figure("projects").frame.set_index("ProjectID")
    assert list(projects.columns) == ["CPI", "SPIt"]  # ScheduleIndex SPIt (the default)
    assert projects.loc["P1", "CPI"] == pytest.approx(100 / 250)
    assert projects.loc["P2", "CPI"] == pytest.approx(50 / 80)
    inputs.settings = replace(inputs.settings, ScheduleIndex="SPI")
    assert list(build_report(inputs, compute(inputs)).figure("projects").frame.columns) == [
        "ProjectID", "CPI", "SPI"]


def test_a_figure_over_an_absent_table_is_skipped_with_a_note():
    inputs = _p1()
    # an older book's outputs: no tblTrend (and no resources, so no capacity plan)
    outputs = {k: v for k, v in compute(inputs).items() if k != "tblTrend"}
    report = build_report(inputs, outputs)
    keys = {f.key for f in report.figures}
    assert {"eac-trend", "utilisation", "capacity"}.isdisjoint(keys)
    assert "EAC trend: not drawn, tblTrend is not among the output tables" in report.notes
    assert ("Capacity-plan heatmap: not drawn, tblCapacityPlan is not among the output tables"
            in report.notes)
    assert any("no Earned line" in n for n in report.notes)
    # the notes are the first rows of the Report sheet, under the mark
    sheet = canvas(report)
    assert sheet.value(*MARK).startswith(MARK_TEXT)
    texts = [sheet.value(MARK[0] + 1 + i, 1) for i in range(len(report.notes))]
    assert texts == report.notes


def test_trend_and_capacity_tables_are_drawn_when_they_exist():
    """tblTrend and tblCapacityPlan come from later versions: with them among the outputs
    the EAC trend, the Earned line and the capacity heatmap appear."""
    inputs = _p1()
    outputs = dict(compute(inputs))
    outputs["tblTrend"] = pd.DataFrame({
        "ProjectID": ["P1", "P1"], "Period": [M("2026-01-01"), M("2026-02-01")],
        "PV": [100, 300], "EV": [90, 250], "AC": [150, 400], "CPI": [0.6, 0.625],
        "SPI": [0.9, 0.83], "SPIt": [0.9, 0.8], "PeriodCPI": [0.6, 0.64],
        "PeriodSPIt": [0.9, 0.7], "EAC": [1666.67, 1600.0]})
    outputs["tblCapacityPlan"] = pd.DataFrame({
        "Group": ["Dev", "Dev", "QA"], "Period": [M("2026-01-01"), M("2026-02-01"),
                                                  M("2026-01-01")],
        "Headcount": [2, 2, 1], "CapacityHours": [320, 320, 160],
        "NamedDemandHours": [300, 400, 80], "UnnamedDemandHours": [0, 0, 0],
        "DemandHours": [300, 400, 80], "GapHours": [20, -80, 80],
        "Utilisation": [300 / 320, 400 / 320, 0.5], "RAG": ["Green", "Red", "Amber"]})
    report = build_report(inputs, outputs)
    assert report.notes == [  # no resources in this workbook
        "Utilisation heatmap: not drawn, tblUtilisation is not among the output tables"]
    trend = report.figure("eac-trend").frame
    assert list(trend.columns) == ["Period", "P1"] and list(trend["P1"]) == [1666.67, 1600.0]
    assert list(report.scurves()["P1"].frame["Earned"]) == [90, 250, None, None, None]
    heat = report.figure("capacity").frame.set_index("Group")
    assert heat.loc["Dev"].tolist() == [pytest.approx(300 / 320), pytest.approx(1.25)]
    assert heat.loc["QA"].tolist() == [0.5, None]  # no February row for QA: blank, not 0


def test_cpi_and_spit_trend_per_project_against_the_on_plan_line():
    """tblTrend's CPI and SPI(t) month by month for each project, with a 1.0 line (on plan).
    P1: plan 100 a month for 4 months; actual 120, 100, 100; Earned 100, 180, 300 at the
    ends of January, February and March (the status date). CPI = EV/AC: 100/120, 180/220,
    300/320. ES on the straight plan = EV/100: 1, 1.8, 3 of AT 1, 2, 3, so SPI(t) = 1, 0.9,
    1. The figure sits right after the project's S-curve (a project's figures together)."""
    inputs = make_inputs("2026-03-31", {"P1": ("2026-01", [100] * 4),
                                        "P2": ("2026-01", [50] * 2)},
                         actuals={"P1": ("2026-01", [120, 100, 100]),
                                  "P2": ("2026-01", [50, 50])},
                         progress=[("P1", "2026-01-01", None, 100),
                                   ("P1", "2026-02-01", None, 180),
                                   ("P1", "2026-03-01", None, 300),
                                   ("P2", "2026-02-01", 1.0, None)])
    report = build_report(inputs, compute(inputs))
    fig = report.figure("index-trend:P1")
    assert fig.kind == "line" and fig.project == "P1"
    assert fig.title == "CPI and SPI(t) P1: Project P1 (1 = on plan)"
    frame = fig.frame
    assert list(frame.columns) == ["Period", "CPI", "SPI(t)", "On plan"]
    assert [fig.frame.columns[i] for i in fig.series] == ["CPI", "SPI(t)", "On plan"]
    assert list(frame["Period"]) == [M("2026-01-01"), M("2026-02-01"), M("2026-03-01")]
    assert list(frame["CPI"]) == pytest.approx([100 / 120, 180 / 220, 300 / 320])
    assert list(frame["SPI(t)"]) == pytest.approx([1.0, 0.9, 1.0])
    assert list(frame["On plan"]) == [1.0, 1.0, 1.0]
    # P2 complete in February (EV = BAC = 100, AC 100): one point, CPI 1, SPI(t) 2/2
    p2 = report.figure("index-trend:P2").frame
    assert list(p2["CPI"]) == [1.0] and list(p2["SPI(t)"]) == [1.0]
    keys = [f.key for f in report.figures if f.project]
    assert keys == ["scurve:P1", "index-trend:P1", "scurve:P2", "index-trend:P2"]
    assert set(report.scurves()) == {"P1", "P2"}
    assert report.scurves()["P1"].key == "scurve:P1"


def test_index_trend_follows_the_schedule_index_and_leaves_errors_blank():
    """ScheduleIndex SPI: the trend plots SPI (the index of the schedule RAG), as the
    projects' scatter does; a #DIV/0! CPI (nothing spent yet) is a gap, not a made-up 0."""
    inputs = make_inputs("2026-02-28", {"P1": ("2026-01", [100] * 4)},
                         actuals={"P1": ("2026-01", [0, 150])},
                         progress=[("P1", "2026-01-01", None, 50),
                                   ("P1", "2026-02-01", None, 150)],
                         ScheduleIndex="SPI")
    frame = build_report(inputs, compute(inputs)).figure("index-trend:P1").frame
    assert list(frame.columns) == ["Period", "CPI", "SPI", "On plan"]
    assert frame["CPI"].tolist() == [None, 1.0]  # EV 50 / AC 0 is #DIV/0!
    assert frame["SPI"].tolist() == pytest.approx([50 / 100, 150 / 200])


@pytest.mark.parametrize(("target", "expected"), [(0.8, (0.0, 0.8, 1.2)),
                                                  (1.05, (0.0, 1.05, 1.25))])
def test_heatmap_colours_turn_red_above_the_target(target, expected):
    inputs = _p1()
    outputs = dict(compute(inputs))
    outputs["tblUtilisation"] = pd.DataFrame({
        "ResourceID": ["R1", "R1", "R1"], "Period": [M("2026-01-01"), M("2026-02-01"),
                                                     M("2026-03-01")],
        **{c: [0.0, 0.0, 0.0] for c in tables.UTILISATION.column_names[2:]}})
    inputs.settings = replace(inputs.settings, UtilisationTarget=target)
    fig = build_report(inputs, outputs).figure("utilisation")
    assert fig.thresholds == pytest.approx(expected)
    # months after the status month have no bookings yet: not shown
    assert list(fig.frame.columns) == ["ResourceID", M("2026-01-01"), M("2026-02-01")]


def test_every_chart_of_the_sheet_reads_its_figure():
    inputs = _p1()
    report = build_report(inputs, compute(inputs))
    sheet = canvas(report)
    charted = [f for f in report.figures if f.kind != "heatmap"]
    assert [c.name for c in sheet.charts] == [f.name for f in charted]
    assert [c.name for c in sheet.charts] == ["Portfolio CPI and SPI", "Projects CPI and SPI",
                                              "EAC trend", "S-curve P1", "CPI and SPI(t) P1"]
    for chart, fig in zip(sheet.charts, charted, strict=True):
        src = chart.source
        assert src.c1 >= DATA_COL
        names = [sheet.value(src.r1, c) for c in range(src.c1, src.c2 + 1)]
        assert names == [fig.frame.columns[i] for i in fig.series]
        for k, col in enumerate(range(src.c1, src.c2 + 1)):
            body = CellRange(src.r1 + 1, col, src.r2, col)
            want = fig.frame.iloc[:, fig.series[k]].tolist()
            got = sheet.values(body)
            assert [None if v is None else pytest.approx(v) for v in want] == got
        cats = sheet.values(chart.categories)
        want = [v.to_pydatetime() if isinstance(v, pd.Timestamp) else v
                for v in fig.frame.iloc[:, fig.category]]
        assert cats == want
    # charts do not overlap each other
    tops = [(c.row, c.row + 17) for c in sheet.charts]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(tops))


def test_the_definition_lists_every_figure_of_functions_md():
    keys = [f.key for f in REPORT]
    assert keys == ["portfolio", "projects", "eac-trend", "utilisation", "capacity", "scurve",
                    "index-trend"]


@given(st.lists(st.one_of(st.just(0.0), st.floats(-1e6, 1e6, allow_nan=False)),
                min_size=1, max_size=30),
       st.integers(0, 5))
def test_baseline_is_the_running_sum_of_the_plan_to_its_last_planned_month(amounts, lead):
    """Property: the baseline's months run from the first to the last non-zero planned month
    without a gap, and its last value is the sum of every planned amount."""
    months = pd.date_range("2026-01-01", periods=len(amounts) + lead, freq="MS")
    plan = pd.DataFrame({"ProjectID": "P", "Period": months, "CostType": "",
                         "Planned": [0.0] * lead + amounts})
    out = baseline(plan)
    used = [m for m, a in zip(months, [0.0] * lead + amounts, strict=True) if a != 0]
    if not used:
        assert out.empty
        return
    assert list(out["Period"]) == list(pd.date_range(used[0], used[-1], freq="MS"))
    assert out["Baseline"].iloc[-1] == pytest.approx(sum(amounts), abs=1e-6)
