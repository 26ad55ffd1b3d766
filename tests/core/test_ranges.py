"""Statistical EAC and finish ranges and the EAC realism test (xlpmo.core.ranges, the tblEVM
columns EACLow, EACHigh, FinishLow, FinishHigh, BACAtRisk; EACRANGE's core).

Method: Lipke, Zwikael, Henderson & Anbari (2009), "Prediction of project outcome: the
application of statistical methods to earned value management and earned schedule
performance indexes", IJPM 27(4), as workbook.md v2 "Statistical ranges" states it. Expected
values come from hand arithmetic and from scipy / statsmodels computing the same statistics
independently; the normal quantile 1.645 at 90 % is the textbook table value.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from helpers.evm_inputs import make_inputs
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from statsmodels.stats.weightstats import DescrStatsW

from xlpmo.core import evm
from xlpmo.core.range_functions import eac_range
from xlpmo.core.ranges import (
    Sample,
    bac_at_risk,
    eac_bounds,
    index_bounds,
    samples,
    z_value,
)
from xlpmo.core.trend_out import trend_table
from xlpmo.core.xvalue import XValue
from xlpmo.errors import XLError

NA, NUM, DIV0 = XLError.NA, XLError.NUM, XLError.DIV0


def _row(inputs, pid: str = "P1") -> pd.Series:
    return evm.evm_table(inputs).set_index("ProjectID").loc[pid]


def test_z_is_the_two_sided_normal_quantile():
    # standard normal tables: 90 % two-sided -> 1.645, 95 % -> 1.960, 80 % -> 1.282
    assert z_value(0.90) == pytest.approx(1.6448536, abs=1e-7)
    assert z_value(0.95) == pytest.approx(1.9599640, abs=1e-7)
    assert z_value(0.80) == pytest.approx(1.2815516, abs=1e-7)
    with pytest.raises(ValueError):
        z_value(1.0)


def test_hand_worked_eac_range():
    """Periodic CPIs 0.8, 0.9, 0.7, 0.85 (n = 4) of a 10-month project, BAC 1,000, EV 400,
    AC 500 (CPI 0.8), 90 %: by hand (4-digit logs)
    ln = −0.2231, −0.1054, −0.3567, −0.1625; mean −0.2119;
    Σ(x − mean)² = 0.000126 + 0.011355 + 0.020953 + 0.002440 = 0.034874;
    σ = √(0.034874/3) = 0.10782; SE = 0.10782/√4 × √(6/9) = 0.044016;
    z·SE = 1.6449 × 0.044016 = 0.072402; CPI bounds 0.8·e^∓0.072402 = 0.74414, 0.86007;
    EACLow = 500 + 600/0.86007 = 1,197.62; EACHigh = 500 + 600/0.74414 = 1,306.31."""
    low, high = eac_range(1000, 400, 500, [0.8, 0.9, 0.7, 0.85], 10)
    assert low == pytest.approx(1197.62, abs=0.01)
    assert high == pytest.approx(1306.31, abs=0.01)


def test_refresh_ranges_on_a_hand_worked_project():
    """The same figures through Refresh's engine: plan 100 a month for 10 months, actuals
    and Earned chosen so that the months' CPIs are 0.8, 0.9, 0.7, 0.85 (ΔEV/ΔAC: 80/100,
    90/100, 70/100, 160/188.24) and the cumulative CPI is 0.8 (EV 400, AC 500)."""
    ac_4 = 500 - 300
    ev_4 = 400 - 240
    inputs = make_inputs(
        "2026-04-30", plan={"P1": ("2026-01", [100] * 10)},
        actuals={"P1": ("2026-01", [100, 100, 100, ac_4])},
        progress=[("P1", "2026-01-01", None, 80), ("P1", "2026-02-01", None, 170),
                  ("P1", "2026-03-01", None, 240), ("P1", "2026-04-01", None, 400)],
    )
    r = _row(inputs)
    expected = eac_range(1000, 400, 500, [0.8, 0.9, 0.7, ev_4 / ac_4], 10)
    assert (r["EACLow"], r["EACHigh"]) == pytest.approx(expected, rel=1e-12)
    assert r["EACLow"] < r["EAC"] < r["EACHigh"]


def test_fewer_than_three_values_is_na_and_non_positive_periods_are_left_out():
    """Three months reported, one of them with no cost booked (ΔAC = 0: left out) -> two
    values -> #N/A for the EAC range. The finish range keeps three (ΔES > 0 each month)."""
    inputs = make_inputs(
        "2026-03-31", plan={"P1": ("2026-01", [100] * 6)},
        actuals={"P1": ("2026-01", [100, 0, 120])},
        progress=[("P1", "2026-01-01", None, 90), ("P1", "2026-02-01", None, 180),
                  ("P1", "2026-03-01", None, 290)],
    )
    r = _row(inputs)
    assert (r["EACLow"], r["EACHigh"]) == (NA, NA)
    assert isinstance(r["FinishLow"], pd.Timestamp) and isinstance(r["FinishHigh"], pd.Timestamp)
    assert r["FinishLow"] <= r["ForecastFinish"] <= r["FinishHigh"]


def test_left_out_periods_are_findings_naming_the_project_and_the_month():
    inputs = make_inputs(
        "2026-05-31", plan={"P1": ("2026-01", [100] * 6), "P2": ("2026-01", [100] * 6)},
        actuals={"P1": ("2026-01", [100, 0, 120, 90, 100]),
                 "P2": ("2026-01", [100, 100, -30, 90, 100])},
        progress=[*[("P1", f"2026-0{m}-01", None, 90 * m) for m in range(1, 6)],
                  *[("P2", f"2026-0{m}-01", None, ev)
                    for m, ev in ((1, 90), (2, 180), (3, 170), (4, 260), (5, 350))]],
    )
    findings: list = []
    trend_table(inputs, findings)
    by_project = {f.message.split("'")[1]: f for f in findings}
    p1, p2 = by_project["P1"], by_project["P2"]
    assert (p1.severity, p1.table, p1.cell) == ("Info", "tblProgress", "tblProgress")
    assert "1 of its 5 months" in p1.message and "2026-02 (ΔAC 0)" in p1.message
    assert "uses the other 4" in p1.message
    # a credit and progress revised down: worth a look
    assert p2.severity == "Warning" and "2026-03 (ΔEV -10, ΔAC -30)" in p2.message


def test_a_complete_project_has_no_range_left():
    """EV = BAC: the cost is known (EAC = AC), and so is the finish."""
    inputs = make_inputs(
        "2026-04-30", plan={"P1": ("2026-01", [100] * 4)},
        actuals={"P1": ("2026-01", [110, 90, 120, 100])},
        progress=[("P1", f"2026-0{m}-01", None, 100 * m) for m in range(1, 5)],
    )
    r = _row(inputs)
    assert r["EACLow"] == r["EACHigh"] == pytest.approx(420)
    assert r["FinishLow"] == r["FinishHigh"] == r["ForecastFinish"]
    assert r["BACAtRisk"] is False


# -- BACAtRisk ---------------------------------------------------------------------------------


def _risk(bac, ev, ac):
    b, e, a = (XValue.of(np.array([v], dtype=float)) for v in (bac, ev, ac))
    tcpi = (b - e) / (b - a)
    done = (b.val > 0) & (e.val >= b.val)
    return bac_at_risk(b, e, a, tcpi, e / a, done)[0]


@pytest.mark.parametrize(("bac", "ev", "ac", "expected"), [
    (1000, 400, 500, True),    # CPI 0.80, TCPI 600/500 = 1.20: 0.40 above
    (1000, 500, 500, False),   # CPI 1, TCPI 1
    (1000, 450, 500, True),    # CPI 0.90, TCPI 550/500 = 1.10: 0.20 above
    (1000, 480, 500, False),   # CPI 0.96, TCPI 1.04: 0.08 above
    (1000, 470, 500, True),    # CPI 0.94, TCPI 1.06: 0.12 above
    (1000, 800, 1100, True),   # budget spent with work left (TCPI negative)
    (1000, 700, 1000, True),   # budget exactly spent with work left (TCPI #DIV/0!)
    (1000, 1000, 1300, False),  # complete: nothing left to perform
    (1000, 0, 0, DIV0),        # nothing spent yet: CPI #DIV/0!
    (math.nan, 400, 500, NA),  # no BAC
])
def test_bac_at_risk(bac, ev, ac, expected):
    assert _risk(bac, ev, ac) == expected


def test_bac_at_risk_in_tblEVM():
    inputs = make_inputs(
        "2026-02-28", plan={"P1": ("2026-01", [500, 500]), "P2": ("2026-01", [500, 500])},
        actuals={"P1": ("2026-01", [300, 200]), "P2": ("2026-01", [250, 250])},
        progress=[("P1", "2026-02-01", 0.4, None), ("P2", "2026-02-01", 0.5, None)])
    table = evm.evm_table(inputs).set_index("ProjectID")
    assert table["BACAtRisk"].tolist() == [True, False]


# -- properties against independent computations ----------------------------------------------


positive = st.floats(0.2, 5.0)


@settings(max_examples=80, deadline=None)
@given(st.lists(positive, min_size=1, max_size=15), st.floats(0.3, 3.0),
       st.integers(1, 24), st.floats(0.5, 0.99))
def test_bounds_equal_scipy_and_statsmodels(periodic, index, big_n, confidence):
    """The CPI bounds equal scipy's normal interval around ln(CPI) with statsmodels' standard
    error of the mean (n − 1) times the finite-population correction √((N − n)/(N − 1))."""
    values = np.array(periodic)
    sample = samples(np.zeros(len(values), dtype=np.int64), values,
                     np.ones(len(values), dtype=bool), 1)
    low, high = index_bounds(XValue.of(np.array([index])), sample, [big_n],
                             z_value(confidence))
    n = len(values)
    if n < 3:
        assert low.err[0] == high.err[0] == 2  # #N/A
        return
    se = 0.0
    if n < big_n:
        se = DescrStatsW(np.log(values), ddof=1).std_mean * math.sqrt((big_n - n) / (big_n - 1))
    lo, hi = norm.interval(confidence, loc=math.log(index), scale=se) if se else (
        math.log(index), math.log(index))
    assert low.val[0] == pytest.approx(math.exp(lo), rel=1e-9)
    assert high.val[0] == pytest.approx(math.exp(hi), rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(50, 150), st.floats(0.6, 1.4)), min_size=3,
                max_size=8), st.integers(0, 6))
def test_refresh_equals_the_formula_on_known_periodic_cpis(months, extra):
    """A project whose months' ΔAC and CPI are drawn (ΔEV = CPI × ΔAC, EV below BAC): Refresh's
    EACLow/EACHigh equal the contract's formula computed here with scipy from those CPIs."""
    n = len(months)
    big_n = n + extra
    d_ac = [float(a) for a, _ in months]
    d_ev = [round(a * c, 6) for a, c in months]
    ev, ac = float(np.sum(d_ev)), float(np.sum(d_ac))
    bac = ev + 100.0 * big_n  # work left
    plan = [bac / big_n] * big_n
    inputs = make_inputs(
        f"{pd.Timestamp('2026-01-01') + pd.DateOffset(months=n) - pd.Timedelta(days=1):%Y-%m-%d}",
        plan={"P1": ("2026-01", plan)}, actuals={"P1": ("2026-01", d_ac)},
        progress=[("P1", f"{pd.Timestamp('2026-01-01') + pd.DateOffset(months=k):%Y-%m-%d}",
                   None, float(np.sum(d_ev[: k + 1]))) for k in range(n)],
        projects={"P1": {"BAC": bac}},
    )
    r = _row(inputs)
    logs = np.log(np.array(d_ev) / np.array(d_ac))
    se = 0.0 if n >= big_n else (np.std(logs, ddof=1) / math.sqrt(n)
                                 * math.sqrt((big_n - n) / (big_n - 1)))
    z = norm.ppf(0.95)
    cpi = ev / ac
    expected = (ac + (bac - ev) / (cpi * math.exp(z * se)),
                ac + (bac - ev) / (cpi * math.exp(-z * se)))
    assert (r["EACLow"], r["EACHigh"]) == pytest.approx(expected, rel=1e-9)
    # EAC by CPI = AC + (BAC − EV)/CPI, BAC > EV (to rounding: BAC/CPI is another sum)
    assert r["EACLow"] <= r["EAC"] * (1 + 1e-12) and r["EAC"] <= r["EACHigh"] * (1 + 1e-12)
    assert r["FinishLow"] <= r["ForecastFinish"] <= r["FinishHigh"]


@settings(max_examples=60, deadline=None)
@given(st.floats(0.01, 1.0), st.floats(0.3, 2.0), st.integers(4, 40), st.data())
def test_the_range_narrows_as_the_project_nears_completion(sigma, cpi, big_n, data):
    """With the same variability (σ) and CPI, a later status (more periods observed, less work
    left) never gives a wider EAC range, and all periods observed give none at all."""
    n1 = data.draw(st.integers(3, big_n - 1))
    n2 = data.draw(st.integers(n1 + 1, big_n))
    left1 = data.draw(st.floats(1.0, 1e6))
    left2 = data.draw(st.floats(0.0, left1))
    z = z_value(0.9)

    def width(n: int, left: float) -> float:
        sample = Sample(np.array([float(n)]), np.array([sigma]))
        low, high = index_bounds(XValue.of(np.array([cpi])), sample, [big_n], z)
        bac, ev, ac = (XValue.of(np.array([v])) for v in (left + 500.0, 500.0, 400.0))
        e_low, e_high = eac_bounds(bac, ev, ac, low, high, np.array([False]))
        return float(e_high.val[0] - e_low.val[0])

    assume(left2 < left1 or n2 > n1)
    assert width(n2, left2) <= width(n1, left1) * (1 + 1e-12)
    assert width(big_n, left1) == pytest.approx(0.0, abs=1e-9)


def test_eac_range_errors():
    assert eac_range(XLError.REF, 400, 500, [1, 1, 1], 10) == [XLError.REF] * 2
    assert eac_range(1000, 400, 0, [1, 1, 1], 10) == [DIV0] * 2
    assert eac_range(1000, 400, 500, [1, "x", 1], 10) == [XLError.VALUE] * 2
    assert eac_range(1000, 400, 500, [1, 1, 1], None) == [NA] * 2
    assert eac_range(1000, 400, 500, [1, 1, 1], 0) == [NUM] * 2
    assert eac_range(1000, 400, 500, [1, 1, 1], 10, 1.5) == [NUM] * 2
    assert eac_range(1000, -400, 500, [1, 1, 1], 10) == [NUM] * 2  # CPI < 0: no logarithm
    # zero variability: the range is the EAC itself
    assert eac_range(1000, 400, 500, [0.8, 0.8, 0.8], 10) == pytest.approx([1250, 1250])


def test_finish_range_errors():
    from xlpmo.core.range_functions import finish_range

    plan, earned = [100] * 10, [90, 180, 250, 330, 400]
    start = pd.Timestamp("2026-01-01")
    assert finish_range(None, plan, earned) == [NA] * 2
    assert finish_range("soon", plan, earned) == [XLError.VALUE] * 2
    assert finish_range(start, plan, [90, "x", 250]) == [XLError.VALUE] * 2
    assert finish_range(start, plan, [90, XLError.REF, 250]) == [XLError.REF] * 2
    assert finish_range(start, plan, earned, 1.0) == [NUM] * 2
    assert finish_range(start, plan, [90, 180]) == [NA] * 2  # two months: no range
    # months beyond the engine's calendar are #NUM!, never a date wrapped round to 1817
    assert finish_range(pd.Timestamp("9999-12-31"), plan, earned) == [NUM] * 2
    assert finish_range(pd.Timestamp("2262-01-01"), plan, earned) == [NUM] * 2
    low, high = finish_range(pd.Timestamp("2261-01-01"), plan, earned)
    assert pd.Timestamp("2261-01-01") < low < high


def test_forecast_confidence_setting():
    """tblConfig ForecastConfidence: a fraction (a percent-formatted 95 % is 0.95, the text
    "95%" too); 90 or 1 is no two-sided confidence: a Warning naming the cell, and 0.90."""
    from xlpmo.contract.settings import Settings

    assert Settings().ForecastConfidence == 0.90
    settings, findings = Settings.from_pairs([("ForecastConfidence", "95%")], ["Config!B2"])
    assert settings.ForecastConfidence == pytest.approx(0.95) and not findings
    for bad in (90, 1, 0, "high"):
        settings, findings = Settings.from_pairs([("ForecastConfidence", bad)], ["Config!B9"])
        assert settings.ForecastConfidence == 0.90
        assert [(f.severity, f.cell) for f in findings] == [("Warning", "Config!B9")]
