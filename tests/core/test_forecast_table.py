"""tblForecastOut (xlpmo.core.forecast_out): sources, cumulative, band, errors, scale."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from helpers.variance_inputs import make_inputs

from xlpmo.contract import tables
from xlpmo.contract.model import Inputs
from xlpmo.contract.settings import Settings
from xlpmo.core.forecast_out import MAX_FORECAST_MONTHS, forecast_table
from xlpmo.errors import XLError

stats = pytest.importorskip("scipy.stats")

STATUS = "2026-03-15"  # status period March 2026


def months(start: int, stop: int) -> list[str]:
    return [f"2026-{m:02d}" for m in range(start, stop + 1)]


def flat(pid: str, span: list[str], value: float) -> list[tuple]:
    return [(pid, m, "Labour", value) for m in span]


PLAN = (
    flat("BU", months(1, 6), 100) + flat("PL", months(1, 6), 100) + flat("RR", months(1, 6), 100)
    + flat("NS", months(5, 6), 200) + flat("NS2", months(5, 6), 200)
    + flat("LATE", months(1, 2), 100) + flat("DONE", months(1, 2), 100)
)
ACTUALS = [
    ("BU", "2026-01", "Labour", 90), ("BU", "2026-02", "Labour", 110),
    ("BU", "2026-03", "Labour", 60), ("BU", "2026-03", "Other", 40),
    *flat("PL", months(1, 3), 120),
    ("RR", "2026-01", "", 50), ("RR", "2026-02", "", 70), ("RR", "2026-03", "", 90),
    *flat("LATE", months(1, 3), 100), *flat("DONE", months(1, 2), 100),
]
FORECAST = [
    ("BU", "2026-02", "Labour", 999),  # at or before the status period: ignored
    ("BU", "2026-04", "Labour", 100), ("BU", "2026-04", "Other", 50),
    ("BU", "2026-05", "Labour", 0), ("BU", "2026-06", "Labour", 50),
    ("BU", "2026-07", "Labour", 0),  # trailing zero: not a forecast month
]
EAC = pd.Series({"BU": 500.0, "PL": 720.0, "RR": XLError.DIV0, "NS": np.nan, "NS2": 500.0,
                 "LATE": 500.0, "DONE": 200.0})
IDS = ["BU", "PL", "RR", "NS", "NS2", "LATE", "DONE"]


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    inputs = make_inputs(PLAN, ACTUALS, STATUS, projects=IDS, forecast=FORECAST)
    return forecast_table(inputs, EAC)


def rows(table: pd.DataFrame, pid: str, kind: str | None = None) -> pd.DataFrame:
    part = table[table.ProjectID == pid]
    return part if kind is None else part[part.Kind == kind]


def ym(part: pd.DataFrame) -> list[str]:
    return [p.strftime("%Y-%m") for p in part.Period]


def test_columns_and_dtypes(table):
    assert list(table.columns) == tables.FORECAST_OUT.column_names
    assert table["Period"].dtype == "datetime64[ns]"
    for name in ("ProjectID", "Kind", "Amount", "Cumulative", "Low", "High"):
        assert table[name].dtype == object, name
    assert list(dict.fromkeys(table.ProjectID)) == IDS


def test_actual_rows_through_status_period(table):
    bu = rows(table, "BU", "Actual")
    assert ym(bu) == months(1, 3)
    assert bu.Amount.tolist() == [90.0, 110.0, 100.0]  # summed over CostType
    assert (bu.Low == bu.Cumulative).all() and (bu.High == bu.Cumulative).all()


def test_bottom_up_forecast_wins(table):
    # EAC 500 = AC 300 + the bottom-up 200 (EACMethod BOTTOMUP): the amounts as entered
    fc = rows(table, "BU", "Forecast")
    assert ym(fc) == months(4, 6)
    assert fc.Amount.tolist() == [150.0, 0.0, 50.0]
    assert rows(table, "BU").Cumulative.tolist() == [90.0, 200.0, 300.0, 450.0, 450.0, 500.0]


def test_plan_scaled_to_eac(table):
    fc = rows(table, "PL", "Forecast")
    assert ym(fc) == months(4, 6)
    # AC 360, EAC 720, remaining plan 300: factor 1.2
    assert fc.Amount.tolist() == pytest.approx([120.0] * 3)
    assert fc.Cumulative.iloc[-1] == pytest.approx(720.0)


def test_run_rate_when_eac_is_an_error(table):
    fc = rows(table, "RR", "Forecast")
    assert fc.Amount.tolist() == pytest.approx([70.0] * 3)  # mean of 50, 70, 90


def test_not_started_projects(table):
    # no EAC: the remaining plan as it is; EAC 500: plan 400 scaled to 500
    assert rows(table, "NS", "Actual").empty
    assert ym(rows(table, "NS")) == months(5, 6)
    assert rows(table, "NS").Amount.tolist() == [200.0, 200.0]
    assert rows(table, "NS2").Amount.tolist() == pytest.approx([250.0, 250.0])
    assert set(rows(table, "NS").Low) == {XLError.NA}  # no history for a band


def test_etc_beyond_the_plan_at_run_rate(table):
    fc = rows(table, "LATE", "Forecast")
    # AC 300, EAC 500: ETC 200 at the run rate 100 = 2 months
    assert ym(fc) == months(4, 5)
    assert fc.Amount.tolist() == pytest.approx([100.0, 100.0])
    assert fc.Cumulative.iloc[-1] == pytest.approx(500.0)


def test_finished_project_has_no_forecast_rows(table):
    done = rows(table, "DONE")
    assert ym(done) == months(1, 3)  # runs on to the status period
    assert set(done.Kind) == {"Actual"}
    assert done.Cumulative.iloc[-1] == 200.0  # = EAC: nothing left to forecast


def test_band_by_hand(table):
    """s² = Σ(Actual − λ·Planned)²/(m − 1), λ = the forecast's mean month over the plan's."""
    # PL: forecast 120 a month against a remaining plan of 100 a month: λ = 1.2; the actual
    # months were 120 = 1.2 × 100 each: no miss, no spread
    pl = rows(table, "PL", "Forecast")
    assert pl.Low.tolist() == pytest.approx(pl.Cumulative.tolist())
    # BU: forecast 150, 0, 50 (mean 200/3) against a remaining plan of 100 a month: λ = 2/3;
    # misses 90 − 200/3, 110 − 200/3, 100 − 200/3 = 23.33, 43.33, 33.33 over m = 3 months
    misses = np.array([90.0, 110.0, 100.0]) - 200.0 / 3.0
    s = math.sqrt((misses**2).sum() / 2)
    assert s == pytest.approx(42.03, abs=0.01)
    fc = rows(table, "BU", "Forecast")
    t = stats.t.ppf(0.975, 2)
    for h, (cum, low, high) in enumerate(zip(fc.Cumulative, fc.Low, fc.High, strict=True), 1):
        half = t * s * math.sqrt(h + h * h / 3)
        assert high == pytest.approx(cum + half, rel=1e-9)
        # BU has spent 90 + 110 + 60 + 40 = 300 already: Low stops there (h = 1: 450 − 208.8
        # = 241.2 would be below it)
        assert low == pytest.approx(max(cum - half, 300.0), rel=1e-9)
    assert fc.Low.tolist() == pytest.approx([300.0, 300.0, 300.0])


def test_band_low_never_below_the_cost_already_spent():
    """Low = max(Cumulative − half, min(AC to date, Cumulative)): spent money stays spent;
    a forecast of credits (Cumulative below AC) keeps its own Low."""
    actuals = [("A", "2026-01", "", 100), ("A", "2026-02", "", 300), ("A", "2026-03", "", 0)]
    plan = flat("A", months(1, 6), 100)
    out = forecast_table(make_inputs(plan, actuals, STATUS), pd.Series({"A": 800.0}))
    fc = out[out.Kind == "Forecast"]
    # AC 400; ETC 400 over the three planned months left: 533.3, 666.7, 800; the misses of
    # 100, 300, 0 against 4/3 × 100 make s ≈ 152.8 and the h = 1 band ± 759: Low 400, not −226
    assert fc.Cumulative.tolist() == pytest.approx([1600 / 3, 2000 / 3, 800.0])
    assert fc.Low.tolist() == pytest.approx([400.0, 400.0, 400.0])
    assert all(h > c for h, c in zip(fc.High, fc.Cumulative, strict=True))
    credit = forecast_table(make_inputs(flat("B", months(1, 2), 100), flat("B", months(1, 3), 100),
                                        STATUS), pd.Series({"B": 250.0}))
    fc = credit[credit.Kind == "Forecast"]
    assert fc.Cumulative.tolist() == [250.0]  # AC 300, a credit of 50
    assert fc.Low.tolist() == [250.0]  # below AC by the forecast itself, no further


def test_band_with_one_elapsed_month_is_div0():
    plan = flat("A", months(3, 5), 100)
    out = forecast_table(make_inputs(plan, [("A", "2026-03", "", 80)], STATUS), None)
    fc = out[out.Kind == "Forecast"]
    assert fc.Amount.tolist() == [80.0, 80.0]  # no EAC: run rate of the one month
    assert set(fc.Low) == {XLError.DIV0} and set(fc.High) == {XLError.DIV0}


def test_eac_can_be_none_or_indexed_by_str_dtype():
    inputs = make_inputs(PLAN, ACTUALS, STATUS, projects=IDS, forecast=FORECAST)
    eac = pd.Series([720.0], index=pd.Index(["PL"], dtype="str"))
    out = forecast_table(inputs, eac)
    assert rows(out, "PL", "Forecast").Cumulative.iloc[-1] == pytest.approx(720.0)
    assert not forecast_table(inputs, None).empty
    twice = pd.Series([720.0, 999.0], index=["PL", "PL"])  # the first EAC of a project counts
    out = forecast_table(inputs, twice)
    assert rows(out, "PL", "Forecast").Cumulative.iloc[-1] == pytest.approx(720.0)


def test_missing_actuals_table_is_na():
    out = forecast_table(make_inputs(flat("A", months(1, 6), 100), None, STATUS),
                         pd.Series({"A": 700.0}))
    assert ym(out) == months(1, 6)
    assert set(out.Amount) == {XLError.NA}  # actuals unknown, so is AC and the scaled plan
    assert set(out.Cumulative) == {XLError.NA}
    assert set(out.Low) == {XLError.NA}


def test_negative_etc_gives_one_credit_month():
    plan = flat("A", months(1, 2), 100)
    actuals = flat("A", months(1, 3), 100)
    out = forecast_table(make_inputs(plan, actuals, STATUS), pd.Series({"A": 250.0}))
    fc = out[out.Kind == "Forecast"]
    assert ym(fc) == ["2026-04"]
    assert fc.Amount.tolist() == [-50.0]


def test_no_projects_gives_empty_table():
    out = forecast_table(make_inputs([], [], STATUS, projects=[]), None)
    assert out.empty and list(out.columns) == tables.FORECAST_OUT.column_names


def test_1000_projects_60_months_end_at_their_eac():
    # (how fast: benchmarks/core.py, not a timed test)
    rng = np.random.default_rng(11)
    n, span = 1000, 60
    periods = pd.date_range("2023-01-01", periods=span, freq="MS").to_numpy()
    ids = np.array([f"P{i:04d}" for i in range(n)], dtype=object)
    plan = pd.DataFrame({
        "ProjectID": pd.Series(np.repeat(ids, span), dtype=object),
        "Period": np.tile(periods, n), "CostType": pd.Series([""] * (n * span), dtype=object),
        "Planned": rng.uniform(0, 1000, n * span)})
    actuals = plan.rename(columns={"Planned": "Actual"})
    actuals = actuals[actuals.Period <= np.datetime64("2026-11-01")]
    inputs = Inputs(settings=Settings(StatusDate=pd.Timestamp("2026-11-28")),
                    projects=pd.DataFrame({"ProjectID": pd.Series(ids, dtype=object)}),
                    plan=plan, actuals=actuals, present=frozenset({"tblActuals"}))
    eac = pd.Series(rng.uniform(3e4, 7e4, n), index=ids)
    out = forecast_table(inputs, eac)
    assert len(out) == n * span
    last = out.groupby("ProjectID", sort=False).Cumulative.last().astype(float)
    assert np.allclose(last.to_numpy(), eac.reindex(last.index).to_numpy())


def test_etc_of_float_noise_gives_no_forecast_rows():
    """A finished project's EAC equals AC up to rounding (EAC = BAC/CPI): the remainder is
    not money to spend, whichever way it rounds (forecast.ETC_NOISE, 1e-9 of the EAC)."""
    ac = [("A", "2026-01", "", 333_333.33), ("A", "2026-02", "", 666_666.67)]
    inputs = make_inputs(flat("A", months(1, 2), 500_000), ac, STATUS)
    total = 333_333.33 + 666_666.67
    for noise in (4.66e-10, -4.66e-10, 1e-4, -1e-4):
        out = forecast_table(inputs, pd.Series({"A": total + noise}))
        assert set(out.Kind) == {"Actual"}, noise
        assert ym(out) == months(1, 3)
    out = forecast_table(inputs, pd.Series({"A": total + 0.01}))  # a cent is money
    fc = out[out.Kind == "Forecast"]
    assert ym(fc) == ["2026-04"] and fc.Amount.tolist() == pytest.approx([0.01])
    small = make_inputs(flat("B", months(1, 2), 1), [("B", "2026-01", "", 0.5)], STATUS)
    out = forecast_table(small, pd.Series({"B": 0.5 + 2e-9}))  # below 1: 1e-9 absolute
    assert ym(out[out.Kind == "Forecast"]) == ["2026-04"]
    out = forecast_table(small, pd.Series({"B": 0.5 + 5e-10}))
    assert set(out.Kind) == {"Actual"}


def test_remaining_plan_is_stretched_or_squeezed_to_the_forecast_finish():
    """Remaining plan April 100, May 300 (R = 2 months); AC 300 to March, EAC 1,000, so ETC
    700. ForecastFinish in July: D = 4 months, forecast month k gets the plan's share between
    x = (k−1)·R/D and k·R/D: G(0.5) = 0.125, G(1) = 0.25, G(1.5) = 0.25 + 0.5·0.75 = 0.625,
    G(2) = 1 -> shares 0.125, 0.125, 0.375, 0.375 of 700. ForecastFinish in April: D = 1,
    all 700 in April. No ForecastFinish: the planned months, 700 × (100, 300)/400."""
    plan = [*flat("A", months(1, 4), 100), ("A", "2026-05", "Labour", 300)]
    inputs = make_inputs(plan, flat("A", months(1, 3), 100), STATUS)
    eac = pd.Series({"A": 1000.0})
    late = forecast_table(inputs, eac, finish=pd.Series({"A": pd.Timestamp("2026-07-15")}))
    fc = rows(late, "A", "Forecast")
    assert ym(fc) == months(4, 7)
    assert fc.Amount.tolist() == pytest.approx([87.5, 87.5, 262.5, 262.5])
    early = forecast_table(inputs, eac, finish=pd.Series({"A": pd.Timestamp("2026-04-20")}))
    assert rows(early, "A", "Forecast").Amount.tolist() == pytest.approx([700.0])
    unknown = forecast_table(inputs, eac, finish=pd.Series({"A": XLError.DIV0}))
    assert rows(unknown, "A", "Forecast").Amount.tolist() == pytest.approx([175.0, 525.0])


def test_forecast_finish_far_out_is_cut_to_the_longest_spread():
    """IEAC(t) of a project that has earned almost nothing lands centuries out: the spread
    stops MAX_FORECAST_MONTHS after the status period and still ends at the EAC."""
    inputs = make_inputs(flat("A", months(1, 4), 100), flat("A", months(1, 3), 100), STATUS)
    out = forecast_table(inputs, pd.Series({"A": 1300.0}),
                         finish=pd.Series({"A": pd.Timestamp("2359-04-30")}))
    fc = rows(out, "A", "Forecast")
    assert len(fc) == MAX_FORECAST_MONTHS
    assert fc.Amount.tolist() == pytest.approx([1000.0 / MAX_FORECAST_MONTHS] * len(fc))
    assert fc.Cumulative.iloc[-1] == pytest.approx(1300.0)
