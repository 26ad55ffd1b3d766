"""Forecast methods, bands, phasing, S-curves, PERT (xlpmo.core.forecast).

Oracles: a real formula engine (``formulas`` calculating an openpyxl-built .xlsx with
FORECAST.LINEAR, T.INV.2T, STEYX, DEVSQ and BETA.INV cells), Microsoft's documented
FORECAST.LINEAR example, statsmodels (Holt with fixed parameters, ETSModel prediction
intervals, OLS prediction intervals) and closed forms.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlpmo.core.forecast import (
    Band,
    forecast,
    forecast_linear,
    forecast_range,
    holt_fit,
    pert,
    phase,
    runrate,
    scurve,
)
from xlpmo.core.specfun import betainc
from xlpmo.errors import XLError

LINEAR_SERIES = [
    [6, 7, 9, 15, 21],
    [500, -200, 300, 0, 800, -50, 100],  # credits
    [5, 5, 5, 5],  # flat: zero residuals
    [10, 30, 20],  # three points: one degree of freedom
    list(np.round(1e6 + 1e4 * np.arange(36) + np.random.default_rng(3).normal(0, 5e3, 36), 2)),
    list(np.round(np.random.default_rng(4).uniform(-50, 900, 12), 2)),
]
HORIZON = 4
PERT_CASES = [  # optimistic, likely, pessimistic, probability
    (10, 30, 90, 0.1), (10, 30, 90, 0.5), (10, 30, 90, 0.9),
    (0, 1, 4, 0.95), (100, 100, 200, 0.5), (5, 10, 10, 0.3), (-20, 5, 40, 0.8),
    (1000, 1500, 4000, 0.999),
]


def _col(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


@pytest.fixture(scope="module")
def excel(tmp_path_factory):
    """Every Excel formula these tests compare with, calculated by the ``formulas`` engine.

    Returns {(sheet, cell): value}.
    """
    formulas = pytest.importorskip("formulas")
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "L"
    for i, ys in enumerate(LINEAR_SERIES):
        r = 4 * i + 1
        n = len(ys)
        for j, y in enumerate(ys):
            ws.cell(r, j + 1, y)
            ws.cell(r + 1, j + 1, j + 1)
        y_rng = f"A{r}:{_col(n)}{r}"
        x_rng = f"A{r + 1}:{_col(n)}{r + 1}"
        for k in range(1, HORIZON + 1):
            x0 = n + k
            ws.cell(r + 2, k, f"=FORECAST.LINEAR({x0},{y_rng},{x_rng})")
            if n > 2:
                ws.cell(r + 3, k, f"=T.INV.2T(0.05,{n - 2})*STEYX({y_rng},{x_rng})"
                                  f"*SQRT(1+1/{n}+({x0}-AVERAGE({x_rng}))^2/DEVSQ({x_rng}))")
    ms = wb.create_sheet("M")  # Microsoft's FORECAST.LINEAR example, with its own known x
    for j, (y, x) in enumerate(zip([6, 7, 9, 15, 21], [20, 28, 31, 38, 40], strict=True)):
        ms.cell(j + 1, 1, y)
        ms.cell(j + 1, 2, x)
    ms["D1"] = "=FORECAST.LINEAR(30,A1:A5,B1:B5)"
    ps = wb.create_sheet("P")
    for i, (o, m, p, q) in enumerate(PERT_CASES, start=1):
        for j, v in enumerate((o, m, p, q), start=1):
            ps.cell(i, j, v)
        ps.cell(i, 5, f"=BETA.INV(D{i},1+4*(B{i}-A{i})/(C{i}-A{i}),1+4*(C{i}-B{i})/(C{i}-A{i}),"
                      f"A{i},C{i})")
    path = tmp_path_factory.mktemp("excel") / "oracle.xlsx"
    wb.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    out = {}
    for key, value in solution.items():
        if "!" not in key:
            continue
        sheet, cell = key.rsplit("!", 1)
        sheet = sheet.split("]")[-1].strip("'").upper()
        val = np.asarray(getattr(value, "value", value)).ravel()[0]
        out[(sheet, cell.upper())] = val
    return out


# -- LINEAR ---------------------------------------------------------------------------------


def test_microsoft_forecast_linear_example(excel):
    got = forecast_linear(30, [6, 7, 9, 15, 21], [20, 28, 31, 38, 40])
    assert got == pytest.approx(10.607253, abs=5e-7)  # Microsoft's documented result
    assert got == pytest.approx(float(excel[("M", "D1")]), rel=1e-12)


@pytest.mark.parametrize("i", range(len(LINEAR_SERIES)))
def test_linear_equals_excel_forecast_linear(excel, i):
    ys = LINEAR_SERIES[i]
    got = forecast(ys, HORIZON, "LINEAR")
    r = 4 * i + 1
    expect = [float(excel[("L", f"{_col(k)}{r + 2}")]) for k in range(1, HORIZON + 1)]
    assert got.tolist() == pytest.approx(expect, rel=1e-10, abs=1e-7)


@pytest.mark.parametrize("i", [i for i, ys in enumerate(LINEAR_SERIES) if len(ys) > 2])
def test_linear_band_equals_excel_prediction_interval(excel, i):
    ys = LINEAR_SERIES[i]
    band = forecast_range(ys, HORIZON, "LINEAR", 0.95)
    centre = forecast(ys, HORIZON, "LINEAR")
    r = 4 * i + 1
    half = [float(excel[("L", f"{_col(k)}{r + 3}")]) for k in range(1, HORIZON + 1)]
    assert (band.high - centre).tolist() == pytest.approx(half, rel=1e-9, abs=1e-7)
    assert (centre - band.low).tolist() == pytest.approx(half, rel=1e-9, abs=1e-7)


def test_linear_band_equals_statsmodels_ols_prediction_interval():
    sm = pytest.importorskip("statsmodels.api")
    ys = np.array(LINEAR_SERIES[5], dtype=float)
    n = len(ys)
    fit = sm.OLS(ys, sm.add_constant(np.arange(1.0, n + 1))).fit()
    x0 = sm.add_constant(np.arange(n + 1.0, n + 6), has_constant="add")
    frame = fit.get_prediction(x0).summary_frame(alpha=0.10)
    band = forecast_range(ys, 5, "LINEAR", 0.90)
    assert band.low.tolist() == pytest.approx(frame["obs_ci_lower"].tolist(), rel=1e-10)
    assert band.high.tolist() == pytest.approx(frame["obs_ci_upper"].tolist(), rel=1e-10)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=40),
       st.integers(1, 12))
def test_linear_equals_numpy_polyfit(ys, horizon):
    n = len(ys)
    coef = np.polyfit(np.arange(1.0, n + 1), np.array(ys), 1)
    expect = np.polyval(coef, np.arange(n + 1.0, n + horizon + 1))
    got = forecast(ys, horizon, "LINEAR")
    scale = max(1.0, max(abs(y) for y in ys))
    assert np.allclose(got, expect, rtol=1e-7, atol=1e-7 * scale * (n + horizon))


def test_forecast_linear_like_excel_on_blanks_and_sizes():
    # Excel skips pairs with an empty cell; different sizes are #N/A; one x value #DIV/0!
    assert forecast_linear(6, [1, None, 3, 4], [1, 2, 3, 4]) == pytest.approx(
        forecast_linear(6, [1, 3, 4], [1, 3, 4]))
    assert forecast_linear(3, [1, 2, 3], [1, 2]) is XLError.NA
    assert forecast_linear(3, [1, 2], [5, 5]) is XLError.DIV0
    assert forecast_linear(3, [1, "#REF!"], [1, 2]) is XLError.REF
    assert forecast_linear([5, 6], [1, 2, 3], [1, 2, 3]).tolist() == pytest.approx([5.0, 6.0])


def test_linear_needs_two_periods():
    assert forecast([42], 2, "LINEAR") is XLError.DIV0  # as FORECAST.LINEAR on one point
    assert forecast_range([1, 2], 2, "LINEAR") is XLError.DIV0  # as STEYX on two points


# -- RUNRATE, history handling, argument errors ---------------------------------------------------


def test_runrate_window():
    assert runrate([10, 20, 30, 40]) == 30.0
    assert runrate([10, 20, 30, 40], 2) == 35.0
    assert runrate([10, 20], 6) == 15.0  # a window longer than the history uses all of it
    assert forecast([10, 20, 30, 40], 3).tolist() == [30.0, 30.0, 30.0]
    assert runrate([10, 20], 0) is XLError.NUM


def test_history_trims_outer_blanks_and_zero_fills_inner_ones():
    assert runrate([None, 10, None, 50, None, None], 3) == pytest.approx(20.0)  # 10, 0, 50
    assert forecast([None, 1, 2, 3, None], 1, "LINEAR").tolist() == pytest.approx([4.0])
    assert runrate([None, None]) is XLError.NA
    assert runrate([]) is XLError.NA


def test_linear_and_runrate_read_an_inner_blank_as_zero_spend_unlike_excel():
    """Issue #10 item 9: FORECAST LINEAR is FORECAST.LINEAR only without inner or trailing
    blanks, RUNRATE is AVERAGE only without inner blanks (xlpmo: blank = 0 spend).

    History 10, blank, 30. xlpmo fits (1, 10), (2, 0), (3, 30): x̄ = 2, ȳ = 40/3,
    slope = ((−1)(10 − 40/3) + (1)(30 − 40/3)) / 2 = 10, intercept = 40/3 − 20 = −20/3, so
    x = 4 gives 40 − 20/3 = 33.33. Excel's FORECAST.LINEAR(4, {10,,30}, {1,2,3}) skips the
    blank pair: the line through (1, 10), (3, 30) has slope 10, intercept 0, so 40.
    RUNRATE of the 3 periods: (10 + 0 + 30)/3 = 13.33; AVERAGE(10,,30) = 20.
    """
    assert forecast([10, None, 30], 1, "LINEAR").tolist() == pytest.approx([100 / 3])
    assert forecast_linear(4, [10, None, 30], [1, 2, 3]) == pytest.approx(40.0)  # Excel's
    assert runrate([10, None, 30], 3) == pytest.approx(40 / 3)
    # without blanks the same numbers as Excel: the line through (1,10), (2,20), (3,30)
    assert forecast([10, 20, 30], 1, "LINEAR").tolist() == pytest.approx(
        [forecast_linear(4, [10, 20, 30], [1, 2, 3])])


def test_argument_errors():
    assert forecast([1, 2, 3], 0) is XLError.NUM
    assert forecast([1, 2, 3], 2.9).tolist() == [2.0, 2.0]  # horizon truncated like Excel
    assert forecast([1, 2, 3], 2, "MAGIC") is XLError.VALUE
    assert forecast([1, "#DIV/0!", 3], 2) is XLError.DIV0
    assert forecast([1, "text", 3], 2) is XLError.VALUE
    assert forecast([[1, 2], [3, 4]], 2) is XLError.VALUE  # a block is not a series
    assert forecast([1, 2, 3], 2, "linear").tolist() == pytest.approx([4.0, 5.0])
    assert forecast_range([1, 2, 3], 2, "PLAN") is XLError.VALUE
    assert forecast_range([1, 2, 3], 2, "LINEAR", 1.0) is XLError.NUM


def test_runrate_band_equals_statsmodels_constant_model():
    sm = pytest.importorskip("statsmodels.api")
    ys = [40.0, 55.0, 20.0, 75.0, 61.0, 38.0]
    last = np.array(ys[-4:])
    fit = sm.OLS(last, np.ones(4)).fit()
    frame = fit.get_prediction(np.ones((1, 1))).summary_frame(alpha=0.2)
    band = forecast_range(ys, 3, "RUNRATE", 0.8, window=4)
    assert band.low.tolist() == pytest.approx([frame["obs_ci_lower"].iloc[0]] * 3, rel=1e-10)
    assert band.high.tolist() == pytest.approx([frame["obs_ci_upper"].iloc[0]] * 3, rel=1e-10)
    assert forecast_range([5, 6], 1, "RUNRATE", window=1) is XLError.DIV0


# -- HOLT -----------------------------------------------------------------------------------------

HOLT_Y = [12.0, 15, 14, 18, 21, 20, 25, 27, 26, 31, 30, 35]


def _statsmodels_holt(y: list[float]):
    holtwinters = pytest.importorskip("statsmodels.tsa.holtwinters")
    return holtwinters.Holt(np.array(y), initialization_method="known",
                            initial_level=2 * y[0] - y[1], initial_trend=y[1] - y[0])


@pytest.mark.parametrize(("alpha", "beta"), [(0.6, 0.3), (0.2, 0.1), (1.0, 0.0), (0.85, 0.9)])
def test_holt_fixed_parameters_equal_statsmodels(alpha, beta):
    result = _statsmodels_holt(HOLT_Y).fit(smoothing_level=alpha, smoothing_trend=beta,
                                           optimized=False)
    got = forecast(HOLT_Y, 6, "HOLT", alpha=alpha, beta=beta)
    assert got.tolist() == pytest.approx(result.forecast(6).tolist(), rel=1e-12)
    assert holt_fit(np.array(HOLT_Y), alpha, beta).sse == pytest.approx(result.sse, rel=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_holt_fitted_sse_is_at_least_as_good_as_statsmodels(seed):
    rng = np.random.default_rng(seed)
    y = list(np.cumsum(rng.normal(5, 3, 24)) + rng.normal(0, 4, 24))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = _statsmodels_holt(y).fit()
    fit = holt_fit(np.array(y))
    assert 0 <= fit.alpha <= 1 and 0 <= fit.beta <= 1
    assert fit.sse <= reference.sse * (1 + 1e-3) + 1e-9
    assert forecast(y, 3, "HOLT").tolist() == pytest.approx(fit.forecast(3).tolist())


def test_holt_short_histories():
    assert forecast([7], 2, "HOLT") is XLError.NA
    assert forecast([10, 14], 3, "HOLT").tolist() == pytest.approx([18, 22, 26])  # the line
    # three points: the SSE cannot tell parameters apart, the most recent data wins
    assert forecast([10, 14, 20], 2, "HOLT").tolist() == pytest.approx([26, 32])
    assert forecast_range([10, 14], 2, "HOLT") is XLError.DIV0
    assert forecast([1, 2, 3], 1, "HOLT", alpha=1.5) is XLError.NUM


def test_holt_band_equals_statsmodels_ets_prediction_interval():
    ets = pytest.importorskip("statsmodels.tsa.exponential_smoothing.ets")
    import pandas as pd

    y = HOLT_Y
    fit = holt_fit(np.array(y))
    model = ets.ETSModel(pd.Series(y), error="add", trend="add", initialization_method="known",
                         initial_level=2 * y[0] - y[1], initial_trend=y[1] - y[0])
    # statsmodels' ETS form uses β = α·β* (fpp3 §8.5)
    with model.fix_params({"smoothing_level": fit.alpha,
                           "smoothing_trend": fit.alpha * fit.beta}):
        result = model.fit(disp=False)
    n, h = len(y), 6
    frame = result.get_prediction(start=n, end=n + h - 1).summary_frame(alpha=0.05)
    band = forecast_range(y, h, "HOLT", 0.95)
    centre = fit.forecast(h)
    assert frame["mean"].tolist() == pytest.approx(centre.tolist(), rel=1e-10)
    # statsmodels estimates σ² as SSE/n (n includes the two zero errors of the start);
    # we use SSE/(n − 2), so our half-widths are sqrt(n/(n − 2)) times theirs
    theirs = (frame["pi_upper"] - frame["mean"]).to_numpy()
    ours = band.high - centre
    assert ours.tolist() == pytest.approx((theirs * math.sqrt(n / (n - 2))).tolist(), rel=1e-9)
    assert (centre - band.low).tolist() == pytest.approx(ours.tolist(), rel=1e-12)


# -- PLAN -----------------------------------------------------------------------------------------


def test_plan_reaches_target():
    got = forecast([100, 120, 80], 4, "PLAN", target=1000, plan=[100, 200, 300, 100])
    assert sum([100, 120, 80]) + got.sum() == pytest.approx(1000)
    assert got.tolist() == pytest.approx([100, 200, 300, 100])  # AC 300 + 700 = 1000: factor 1
    got = forecast([100, 120, 80], 2, "PLAN", target=1300, plan=[100, 200, 300, 100])
    assert got.tolist() == pytest.approx([100 * 10 / 7, 200 * 10 / 7])  # first 2 periods
    got = forecast([], 3, "PLAN", target=50, plan=[1, 1])
    assert got.tolist() == pytest.approx([25, 25, 0])  # nothing spent; past the plan: 0
    assert forecast([1], 2, "PLAN", target=10, plan=[0, 0]) is XLError.DIV0
    assert forecast([1], 2, "PLAN", plan=[1, 1]) is XLError.NA
    assert forecast([1], 2, "PLAN", target="#N/A", plan=[1, 1]) is XLError.NA
    assert forecast([None, None], 2, "PLAN", target=10, plan=[1, 1]).tolist() == [5.0, 5.0]
    assert forecast([5, "#N/A"], 2, "PLAN", target=10, plan=[1, 1]) is XLError.NA


# -- PHASE, SCURVE --------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(st.floats(-1e7, 1e7, allow_nan=False),
       st.lists(st.floats(0, 1e4, allow_nan=False), min_size=1, max_size=24)
       .filter(lambda p: sum(p) > 1e-3))
def test_phase_sums_to_amount_in_proportion(amount, profile):
    got = phase(amount, profile)
    assert len(got) == len(profile)
    assert got.sum() == pytest.approx(amount, rel=1e-9, abs=1e-6)
    assert got.tolist() == pytest.approx([amount * p / sum(profile) for p in profile],
                                         rel=1e-9, abs=1e-9)


def test_phase_blank_weights_and_zero_profile():
    assert phase(100, [1, None, 3]).tolist() == [25.0, 0.0, 75.0]
    assert phase(100, [0, 0]) is XLError.DIV0
    assert phase(100, [None, None]) is XLError.DIV0
    assert phase(None, [1, 2]) is XLError.NA


@settings(max_examples=80, deadline=None)
@given(st.floats(0, 1e8, allow_nan=False), st.integers(1, 120),
       st.sampled_from(["LINEAR", "FRONT", "BACK", "BELL"]))
def test_scurve_properties(total, periods, shape):
    curve = scurve(total, periods, shape)
    assert len(curve) == periods
    assert curve[-1] == total  # exactly
    assert (np.diff(curve) >= -1e-9 * max(total, 1)).all()  # monotone
    assert (curve >= 0).all()


def test_scurve_shapes_are_beta_cdfs():
    n = 10
    x = np.arange(1, n + 1) / n
    for shape, (a, b) in {"LINEAR": (1, 1), "FRONT": (2, 4), "BACK": (4, 2),
                          "BELL": (3, 3)}.items():
        expect = [1000 * betainc(a, b, v) for v in x]
        assert scurve(1000, n, shape).tolist() == pytest.approx(expect, rel=1e-12)
    mid = n // 2 - 1  # x = 0.5
    assert scurve(1, n, "FRONT")[mid] > scurve(1, n, "LINEAR")[mid] > scurve(1, n, "BACK")[mid]
    bell = scurve(1, n, "BELL")
    assert bell[mid] == pytest.approx(0.5)  # symmetric
    assert scurve(100, 1, "BELL").tolist() == [100.0]
    assert scurve(100, 0) is XLError.NUM
    assert scurve(100, 5, "ZIGZAG") is XLError.VALUE


# -- PERT -----------------------------------------------------------------------------------------


def test_pert_mean():
    assert pert(10, 30, 90) == pytest.approx((10 + 4 * 30 + 90) / 6)
    assert pert(4, 6, 14) == pytest.approx(7.0)  # (4 + 24 + 14)/6


@pytest.mark.parametrize("i", range(len(PERT_CASES)))
def test_pert_percentiles_equal_excel_beta_inv(excel, i):
    o, m, p, q = PERT_CASES[i]
    assert pert(o, m, p, q) == pytest.approx(float(excel[("P", f"E{i + 1}")]), rel=1e-9)


def test_pert_closed_forms():
    # mode at the minimum: Beta(1, 5), CDF 1 − (1 − x)^5, so x_p = 1 − (1 − p)^(1/5)
    for q in (0.1, 0.5, 0.9):
        assert pert(0, 0, 10, q) == pytest.approx(10 * (1 - (1 - q) ** 0.2), rel=1e-12)
    assert pert(20, 50, 80, 0.5) == pytest.approx(50.0)  # symmetric: the median is the mode
    assert pert(7, 7, 7, 0.3) == 7.0
    assert pert(0, 1, 4, 0) == 0.0 and pert(0, 1, 4, 1) == 4.0


def test_pert_errors():
    assert pert(10, 5, 20) is XLError.NUM  # likely below optimistic
    assert pert(10, 30, 20) is XLError.NUM
    assert pert(1, 2, 3, 1.2) is XLError.NUM
    assert pert(None, 2, 3) is XLError.NA
    assert pert("#DIV/0!", 2, 3) is XLError.DIV0
    assert isinstance(forecast_range([1, 2, 4, 3], 2), Band)
