"""tblForecastOut agrees with tblEVM (issue #10 item 10; workbook.md v2).

- The final Cumulative of every project is tblEVM's EAC (the EACMethod's EAC; BOTTOMUP: AC +
  the bottom-up total) whenever that EAC is a number.
- The remaining amount runs to the month of ForecastFinish (Lipke's IEAC(t)), not into the
  last planned months.
- The Low/High band measures how far the actual months were from the forecast's own rate.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from helpers.evm_inputs import make_inputs, row
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlpmo.contract.model import Inputs
from xlpmo.contract.settings import Settings
from xlpmo.core import tracker
from xlpmo.core.specfun import t_ppf
from xlpmo.errors import XLError

METHODS = ("CPI", "BUDGET", "COMPOSITE", "WEIGHTED", "BOTTOMUP")


def _out(inputs: Inputs) -> tuple[pd.DataFrame, pd.DataFrame]:
    outputs = tracker.compute(inputs)
    return outputs["tblEVM"], outputs["tblForecastOut"]


def _rows(fc: pd.DataFrame, pid: str, kind: str | None = None) -> pd.DataFrame:
    part = fc[fc.ProjectID == pid]
    return part if kind is None else part[part.Kind == kind]


def _ym(part: pd.DataFrame) -> list[str]:
    return [p.strftime("%Y-%m") for p in part.Period]


# -- a late project: the example ------------------------------------------------------


LATE = make_inputs(
    "2026-10-31",
    plan={"P1": ("2026-01", [35_000.0] * 12)},  # BAC 420,000 over Jan..Dec 2026
    actuals={"P1": ("2026-01", [34_000, 36_500, 35_200, 33_800, 36_000, 35_500, 34_300,
                                 35_900, 34_600, 35_200])},
    progress=[("P1", "2026-10-01", None, 230_000.0)],
)


def test_late_project_spreads_the_rest_to_its_forecast_finish():
    """Plan £35k a month Jan..Dec (BAC £420k); at the end of October AC = £351k (£35.1k a
    month), EV = £230k. CPI = 230/351 = 0.6553, EAC = 420/0.6553 = £640.96k, ETC = £289.96k.
    ES: 6 months of £35k = £210k ≤ £230k < £245k -> ES = 6 + 20/35 = 6.571; AT = 10;
    SPI(t) = 0.6571; IEAC(t) = 12/0.6571 = 18.26 months from January 2026 -> July 2027.
    The £289.96k runs over the 9 months November 2026..July 2027 (£32.2k a month), not over
    the 2 months left in the plan (£145k a month: the old behaviour)."""
    evm, fc = _out(LATE)
    r = row(evm)
    ac = 351_000.0
    eac = 420_000 / (230_000 / ac)
    assert r["EAC"] == pytest.approx(eac) and r["AC"] == ac
    assert r["ForecastFinish"].strftime("%Y-%m") == "2027-07"
    ahead = _rows(fc, "P1", "Forecast")
    assert _ym(ahead) == [f"{y}-{m:02d}" for y, m in
                          [(2026, 11), (2026, 12)] + [(2027, k) for k in range(1, 8)]]
    assert ahead.Amount.tolist() == pytest.approx([(eac - ac) / 9] * 9)  # a flat plan, stretched
    assert ahead.Cumulative.iloc[-1] == pytest.approx(eac)


def test_late_project_band_covers_its_own_run_rate():
    """The band measures the misses of the forecast's own rate on the elapsed months: here
    the forecast (£32.2k a month) is close to the history (£35.1k), so the band at the first
    forecast month covers AC + one month at the history's mean: the Hahn & Meeker form
    t(0.975, m−1)·s·√(h + h²/m) with s² = Σ(Actual − λ·Planned)²/(m − 1), λ = the forecast's
    monthly rate over the remaining plan's (£32.2k / £35k)."""
    _evm, fc = _out(LATE)
    ahead = _rows(fc, "P1", "Forecast")
    actual = np.array([34_000, 36_500, 35_200, 33_800, 36_000, 35_500, 34_300, 35_900, 34_600,
                       35_200], dtype=float)
    eac = 420_000 / (230_000 / actual.sum())
    lam = ((eac - actual.sum()) / 9) / 35_000
    s = math.sqrt(((actual - lam * 35_000) ** 2).sum() / 9)
    half = t_ppf(0.975, 9) * s * math.sqrt(1 + 1 / 10)
    first = ahead.iloc[0]
    assert first.High - first.Cumulative == pytest.approx(half, rel=1e-9)
    assert first.Low <= actual.sum() + actual.mean() <= first.High


def test_crammed_forecast_gets_a_wide_band():
    """When the forecast's rate is far from what was spent (a bottom-up forecast of £170k a
    month after a history of £35k), the band says so: its half-width at the first month is
    at least the gap between the forecast and the history's mean."""
    inputs = make_inputs(
        "2026-10-31", plan={"P1": ("2026-01", [35_000.0] * 12)},
        actuals={"P1": ("2026-01", [35_000.0 + d for d in (500, -700, 300, 0, -200, 400, -500,
                                                            200, -100, 100)])},
        progress=[("P1", "2026-10-01", None, 230_000.0)],
        forecast={"P1": ("2026-11", [170_000.0, 170_000.0])}, EACMethod="BOTTOMUP",
    )
    _evm, fc = _out(inputs)
    first = _rows(fc, "P1", "Forecast").iloc[0]
    assert first.Amount == 170_000
    assert first.High - first.Cumulative >= 170_000 - 35_000


# -- bottom-up and the EAC method -------------------------------------------------------------


def test_bottom_up_phasing_is_scaled_to_the_configured_eac():
    """EACMethod CPI with a bottom-up forecast: the months and shape are the bottom-up's, the
    total is the CPI EAC. Plan 100 × 4 (Jan..Apr), AC 240, EV 160 (CPI 2/3) at February:
    EAC = 400 × 240/160 = 600, ETC 360; bottom-up Mar 100, Apr 50 (150) scaled by 360/150 =
    2.4: 240, 120."""
    inputs = make_inputs(
        "2026-02-28", plan={"P1": ("2026-01", [100.0] * 4)},
        actuals={"P1": ("2026-01", [120.0, 120.0])},
        progress=[("P1", "2026-02-01", None, 160.0)],
        forecast={"P1": ("2026-03", [100.0, 50.0])},
    )
    evm, fc = _out(inputs)
    assert row(evm)["EAC"] == pytest.approx(600)
    assert _rows(fc, "P1", "Forecast").Amount.tolist() == pytest.approx([240.0, 120.0])
    bottom_up = make_inputs(
        "2026-02-28", plan={"P1": ("2026-01", [100.0] * 4)},
        actuals={"P1": ("2026-01", [120.0, 120.0])},
        progress=[("P1", "2026-02-01", None, 160.0)],
        forecast={"P1": ("2026-03", [100.0, 50.0])}, EACMethod="BOTTOMUP",
    )
    evm, fc = _out(bottom_up)
    assert row(evm)["EAC"] == 390  # AC 240 + 150
    assert _rows(fc, "P1", "Forecast").Amount.tolist() == [100.0, 50.0]  # as entered


def test_complete_project_has_no_forecast_and_ends_at_ac():
    inputs = make_inputs(
        "2026-12-31", plan={"P1": ("2026-01", [100.0] * 10)},
        actuals={"P1": ("2026-01", [95.0] * 10)},
        progress=[("P1", "2026-10-01", 1.0, None)],
        forecast={"P1": ("2027-01", [80.0])}, EACMethod="BOTTOMUP",
    )
    evm, fc = _out(inputs)
    assert row(evm)["EAC"] == 950  # complete: EAC = AC, the stray forecast is not counted
    assert set(_rows(fc, "P1").Kind) == {"Actual"}
    assert _rows(fc, "P1").Cumulative.iloc[-1] == 950


# -- the property: Σ = EAC over random portfolios ---------------------------------------------


@st.composite
def portfolios(draw):
    """Up to 5 projects: plans of 1..10 months starting Jan..Jun 2026 (some months 0), actuals
    to the status month, a progress row, sometimes a bottom-up forecast; any EACMethod."""
    n = draw(st.integers(1, 5))
    status_month = draw(st.integers(1, 14))
    status = (pd.Timestamp("2026-01-01") + pd.DateOffset(months=status_month - 1)
              + pd.offsets.MonthEnd(0)).strftime("%Y-%m-%d")
    money = st.floats(0, 1000, allow_nan=False).map(lambda x: round(x, 2))
    plan, actuals, progress, forecast = {}, {}, [], {}
    for i in range(n):
        pid = f"P{i}"
        start = draw(st.integers(1, 6))
        first = f"2026-{start:02d}"
        plan[pid] = (first, draw(st.lists(money, min_size=1, max_size=10)))
        elapsed = max(status_month - start + 1, 0)
        if elapsed:
            actuals[pid] = (first, draw(st.lists(money, min_size=elapsed, max_size=elapsed)))
            pct = draw(st.floats(0, 1.05))
            progress.append((pid, status[:8] + "01", min(pct, 1.0), None))
        if draw(st.booleans()):
            forecast[pid] = (status[:8] + "01", draw(st.lists(money, min_size=1, max_size=6)))
    method = draw(st.sampled_from(METHODS))
    return make_inputs(status, plan, actuals=actuals, progress=progress, forecast=forecast,
                       EACMethod=method, EACWeight=draw(st.floats(0, 1)))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs=portfolios())
def test_property_final_cumulative_is_the_eac_of_every_project(inputs):
    evm, fc = _out(inputs)
    for _, r in evm.iterrows():
        eac = r["EAC"]
        if isinstance(eac, XLError):
            continue
        part = _rows(fc, r["ProjectID"])
        last = part.Cumulative.iloc[-1] if len(part) else 0.0  # no rows: nothing spent
        assert last == pytest.approx(eac, rel=1e-9, abs=1e-6), (r["ProjectID"], r["EAC"])
        ahead = part[part.Kind == "Forecast"]
        finish = r["ForecastFinish"]
        if len(ahead) and isinstance(finish, pd.Timestamp) and not inputs.forecast[
                inputs.forecast.ProjectID == r["ProjectID"]].Forecast.any():
            assert ahead.Period.iloc[-1] <= max(finish, ahead.Period.iloc[0])


def test_empty_settings_default_still_consistent():
    inputs = Inputs(settings=Settings(StatusDate=pd.Timestamp("2026-01-31")))
    evm, fc = _out(inputs)
    assert evm.empty and fc.empty
