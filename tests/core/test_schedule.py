"""Earned schedule (xlpmo.core.schedule): Lipke's ES, SV(t), SPI(t), IEAC(t), forecast finish."""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from helpers.evm_inputs import make_inputs, row
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from xlpmo.core import evm, schedule, xvalue
from xlpmo.errors import XLError

# -- published worked examples --------------------------------------------------------------


def test_hksm_and_pmmilestone_example_week_18_of_20():
    """HKSM, "Earned Schedule (ES)" definition page
    (https://hksmnow.com/definitions/project-management/earned_schedule_es.php), and the same
    numbers on PMMilestone's calculator (https://pmmilestone.org/tools/earned-schedule-calculator):
    at week 20 (AT = 20) the EV equals the PV planned for week 18 -> ES = 18 weeks,
    SV(t) = −2 weeks, SPI(t) = 0.90.
    """
    weekly_plan = [100.0] * 30
    ev = sum(weekly_plan[:18])
    assert schedule.es(weekly_plan, ev) == 18
    assert schedule.svt(weekly_plan, ev, 20) == -2
    assert schedule.spit(weekly_plan, ev, 20) == pytest.approx(0.90)


def test_mpug_late_project_example_through_the_table():
    """S. Mishra, "Earned Schedule Management (ESM)", MPUG
    (https://www.mpug.com/earned-schedule-management-esm/): 10 modules of US$100,000 planned
    over 10 months; the project took 12 months and cost US$1.3M. EVM says SV = $0 and SPI = 1.0
    although it is two months behind and US$0.3M over: ES = 10, AT = 12, SV(t) = −2 months.
    """
    inputs = make_inputs(
        "2026-12-31",
        plan={"P1": ("2026-01", [100_000] * 10)},
        actuals={"P1": ("2026-01", [100_000] * 10 + [150_000, 150_000])},
        progress=[("P1", "2026-12-01", 1.0, None)],
    )
    r = row(evm.evm_table(inputs))
    assert (r["SV"], r["SPI"], r["CV"]) == (0, 1.0, -300_000)
    assert (r["ES"], r["AT"], r["SVt"]) == (10, 12, -2)
    assert r["SPIt"] == pytest.approx(10 / 12)
    # IEAC(t) = 10 / (10/12) = 12 months from 1 January 2026: they end on 31 December 2026
    assert r["ForecastFinish"] == pd.Timestamp("2026-12-31")


def test_valorganado_interpolation_example():
    """Valor Ganado, "Practical estimation of Earned Schedule (ES)"
    (https://valorganado.com/en/content/50-practical-estimation-of-earned-schedule-es):
    PV(t1) = 200, PV(t2) = 250 and EV = 230 lies between them: interpolate,
    ES = t1 + (230 − 200)/(250 − 200) = t1 + 0.6.
    """
    assert schedule.es([200, 250, 300], 230, cumulative=True) == pytest.approx(1.6)
    assert schedule.es([200, 50, 50], 230) == pytest.approx(1.6)


def test_projectsmart_example_time_to_complete():
    """Project Smart forum, "Help with calculations"
    (https://www.projectsmart.co.uk/forums/viewtopic.php?t=1573): £10M spent equally over 10
    months; after 2 months 5 % is done -> completion after 40 (38 + 2) months. With a linear
    plan ES = 0.5, SPI(t) = 0.25 and IEAC(t) = PD / SPI(t) = 40 months.
    """
    plan = [1.0] * 10
    assert schedule.es(plan, 0.5) == 0.5
    assert schedule.spit(plan, 0.5, 2) == 0.25
    assert schedule.ieact(plan, 0.5, 2) == 40
    # 40 months from 1 January 2026 end with April 2029
    assert schedule.forecast_finish("2026-01-01", plan, 0.5, 2) == pd.Timestamp("2029-04-30")


def test_lipke_figure_structure_five_months_plus_a_portion_of_june():
    """W. Lipke, "Earned Schedule Concept" (figure from "Schedule is Different", The Measurable
    News 2003; https://www.scribd.com/doc/47929652/Earned-Schedule-Concept): status at the end
    of July (AT = 7); all PV through May is earned and part of June, so
    ES = 5 + (EV − PV(May)) / (PV(June) − PV(May)). The structure is Lipke's; the amounts are
    illustrative (the figure has none).
    """
    monthly = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 50]  # Jan .. Nov
    pv_may, pv_june = sum(monthly[:5]), sum(monthly[:6])
    ev = 180.0
    assert schedule.es(monthly, ev) == pytest.approx(5 + (ev - pv_may) / (pv_june - pv_may))
    assert schedule.svt(monthly, ev, 7) == pytest.approx(5.5 - 7)


# -- rules and edge cases -------------------------------------------------------------------


def test_flat_stretch_counts_to_its_last_period():
    """Lipke's count (workbook.md v2, "Earned schedule and completion"): C = the number of
    whole periods whose cumulative PV ≤ EV, so a flat stretch counts to its last period.
    Project Flight Deck, "Earned Schedule Exchange", April 2015
    (http://www.projectflightdeck.com/cESExchange000.php?blog_archive=2015-04): "Count the
    number of time periods in which the Earned Value is greater than or equal to the Planned
    Value. Add in any fractional amount."
    """
    per_period = [0, 10, 10, 0, 0, 10]  # cumulative 0, 10, 20, 20, 20, 30
    assert schedule.es(per_period, -1) == 0  # no period has PV ≤ −1
    assert schedule.es(per_period, 0) == 1  # P1 = 0 ≤ 0: C = 1, I = 0/10
    assert schedule.es(per_period, 10) == 2  # P1, P2 ≤ 10: C = 2, I = 0/10
    assert schedule.es(per_period, 20) == 5  # P1..P5 ≤ 20: C = 5, I = (20 − 20)/(30 − 20)
    assert schedule.es(per_period, 25) == pytest.approx(5.5)  # C = 5, I = 5/10
    assert schedule.es(per_period, 30) == 6


def test_on_plan_through_a_month_with_nothing_planned_has_no_schedule_variance():
    """Issue #10 item 3: a holiday pause. Plan 10, 10, 0, 10; at the end of month 3 exactly
    on plan (EV = PV = 20): P1..P3 = 10, 20, 20 ≤ 20 -> C = 3, I = 0, ES = 3 = AT, SV(t) = 0,
    SPI(t) = 1 (the old rule said ES = 2, SV(t) = −1)."""
    plan = [10, 10, 0, 10]
    assert schedule.es(plan, 20) == 3
    assert schedule.svt(plan, 20, 3) == 0 and schedule.spit(plan, 20, 3) == 1


def test_on_plan_through_a_pause_through_the_table():
    """The same holiday pause through tblEVM: plan Jan 100, Feb 100, Mar 0, Apr 100; status
    31 March, EV = PV = 200 -> ES = 3 (Jan..Mar have PV ≤ 200), AT = 3, SV(t) = 0, Green."""
    inputs = make_inputs(
        "2026-03-31", plan={"P1": ("2026-01", [100, 100, 0, 100])},
        actuals={"P1": ("2026-01", [100, 100, 0])},
        progress=[("P1", "2026-03-01", None, 200.0)],
    )
    r = row(evm.evm_table(inputs))
    assert (r["ES"], r["AT"], r["SVt"], r["SPIt"]) == (3, 3, 0, 1)
    assert r["ScheduleRAG"] == "Green"


def test_ev_at_or_above_bac_is_pd_and_below_zero_is_zero():
    assert schedule.es([100, 100, 0, 0], 200) == 2  # PD = last period with a planned amount
    assert schedule.es([100, 100], 250) == 2
    assert schedule.es([100, 100], -5) == 0


def test_negative_amounts_use_the_first_time_the_plan_reached_ev():
    per_period = [100, 100, -50, 100]  # cumulative 100, 200, 150, 250
    assert schedule.es(per_period, 180) == pytest.approx(1.8)
    assert schedule.es(per_period, 220) == pytest.approx(3.7)


def test_scalar_errors():
    assert schedule.es([], 5) is XLError.NA
    assert schedule.es([None, None], 5) is XLError.NA
    assert schedule.es([1, 2], None) is XLError.NA
    assert schedule.es([1, "#REF!", 2], 1) is XLError.REF
    assert schedule.es([1, 2], "#DIV/0!") is XLError.DIV0
    assert schedule.es([1, 2], "abc") is XLError.VALUE
    assert schedule.spit([1, 2], 1, 0) is XLError.DIV0  # AT = 0
    assert schedule.svt([1, 2], 1, -1) is XLError.NUM
    assert schedule.ieact([1, 2], 0, 1) is XLError.DIV0  # SPI(t) = 0
    assert schedule.forecast_finish(None, [1, 2], 1, 1) is XLError.NA
    assert schedule.forecast_finish("not a date", [1, 2], 1, 1) is XLError.VALUE
    assert schedule.forecast_finish("2026-01-01", [1, 2], 1e-9, 5) is XLError.NUM


def test_blanks_and_cumulative_series():
    assert schedule.es([100, None, 100, None, None], 150) == pytest.approx(2.5)
    assert schedule.es([100, None, 200], 150, cumulative=True) == pytest.approx(2.5)
    assert schedule.ieact([100, None, 100, None, None], 150, 3) == pytest.approx(3 / (2.5 / 3))


def test_vectorised_rows_and_missing_values():
    curve = np.array([[10, 20, 30], [5, 5, 5], [1, np.nan, 3]], dtype=float)
    out = schedule.earned_schedule(curve, np.array([15, 5, 1]))
    assert out[0] == pytest.approx(1.5) and out[1] == 3 and np.isnan(out[2])
    assert np.isnan(schedule.earned_schedule(curve, np.array([np.nan, 1, 1]))[0])
    with_pd = schedule.earned_schedule(curve, np.array([30, 5, 1]), pd=np.array([2, 1, 3]))
    assert with_pd[0] == 2 and with_pd[1] == 1  # never above PD


def test_a_plan_that_overflows_has_no_earned_schedule():
    """1E308 planned in each of two months: the cumulative plan passes the largest double, so
    PV is #NUM! and so is ES (before: 15/1E308, a tiny ES, and SPI(t) Red)."""
    curve = np.array([[1e308, np.inf, np.inf], [10, 30, 60]])  # cumulative: 1E308 + 1E308
    out = schedule.earned_schedule(curve, np.array([15.0, 15.0]))
    assert out[0] == np.inf and out[1] == pytest.approx(1 + 5 / 20)  # inf: the callers' #NUM!
    assert schedule.es([1e308, 1e308, 1.0], 15) is XLError.NUM
    assert schedule.spit([1e308, 1e308, 1.0], 15, 2) is XLError.NUM


def test_finish_dates_errors_and_unknown_start():
    starts = np.array(["2026-01-01", "NaT", "2026-01-01"], dtype="datetime64[ns]")
    out = schedule.finish_dates(starts, xvalue.XValue.of(np.array([1.5, 2.0, np.inf])))
    # 1.5 months from 1 January: January and half of February (14 of 28 days)
    assert out[0] == pd.Timestamp("2026-02-14") and out[1] is XLError.NA
    assert out[2] is XLError.NUM


# -- properties -----------------------------------------------------------------------------

amounts = st.lists(st.floats(-50, 200, allow_nan=False), min_size=1, max_size=24)
positive_amounts = st.lists(st.floats(0.5, 200), min_size=1, max_size=24)


def reference_es(per_period: list[float], ev: float) -> float:
    """Straightforward per-project ES: Lipke's count, walking the periods one by one.

    C = the number of periods before the plan first goes above EV (on a non-decreasing plan:
    the periods with cumulative PV ≤ EV), I = (EV − PV_C)/(PV_C+1 − PV_C); ES = PD when
    EV ≥ BAC; 0 when EV < 0 (even PV_0 = 0 is above it).
    """
    cum = np.concatenate([[0.0], np.cumsum(per_period)])
    nonzero = [k for k, a in enumerate(per_period) if a != 0]
    pd_ = nonzero[-1] + 1 if nonzero else 0
    if ev >= cum[-1]:
        return float(pd_)
    if ev < 0:
        return 0.0
    c = 0
    while c + 1 < len(cum) and cum[c + 1] <= ev:
        c += 1
    if c + 1 == len(cum):
        return float(pd_)
    return min(c + (ev - cum[c]) / (cum[c + 1] - cum[c]), pd_)


def lipke_count_es(per_period: list[float], ev: float) -> float:
    """Lipke's literal C + I for a strictly increasing plan: C = #{k ≥ 1: PV_k ≤ EV}."""
    cum = np.concatenate([[0.0], np.cumsum(per_period)])
    if ev >= cum[-1]:
        return float(len(per_period))
    c = int((cum[1:] <= ev).sum())
    return c + (ev - cum[c]) / (cum[c + 1] - cum[c])


@given(per_period=amounts, ev=st.floats(-100, 3000))
def test_property_matches_the_per_project_reference(per_period, ev):
    assert schedule.es(per_period, ev) == pytest.approx(reference_es(per_period, ev), abs=1e-9)


@given(per_period=positive_amounts, ev=st.floats(0, 5000))
def test_property_matches_lipke_count_on_increasing_plans(per_period, ev):
    assert schedule.es(per_period, ev) == pytest.approx(lipke_count_es(per_period, ev), abs=1e-9)


@given(per_period=amounts, evs=st.lists(st.floats(-100, 3000), min_size=2, max_size=10))
def test_property_monotone_in_ev_and_never_above_pd(per_period, evs):
    values = [schedule.es(per_period, e) for e in sorted(evs)]
    assert all(a <= b for a, b in itertools.pairwise(values))
    nonzero = [k for k, a in enumerate(per_period) if a != 0]
    pd_ = nonzero[-1] + 1 if nonzero else 0
    assert all(0 <= v <= pd_ for v in values)


@given(per_period=positive_amounts, data=st.data())
def test_property_es_equals_at_when_ev_equals_pv_at_status(per_period, data):
    at = data.draw(st.integers(0, len(per_period)))
    pv = float(np.cumsum([0.0, *per_period])[at])
    assert schedule.es(per_period, pv) == at
    if at:
        assert schedule.svt(per_period, pv, at) == 0 and schedule.spit(per_period, pv, at) == 1


@settings(max_examples=60)
@given(
    curves=hnp.arrays(float, hnp.array_shapes(min_dims=2, max_dims=2, max_side=12),
                      elements=st.floats(-50, 200, allow_nan=False)),
    data=st.data(),
)
def test_property_vectorised_equals_reference_per_row(curves, data):
    per_period = curves  # rows = projects, columns = per-period amounts
    evs = np.array(data.draw(st.lists(st.floats(-100, 2000), min_size=len(curves),
                                      max_size=len(curves))))
    got = schedule.earned_schedule(np.cumsum(per_period, axis=1), evs,
                                   pd=np.array([_pd(r) for r in per_period]))
    want = [reference_es(list(r), e) for r, e in zip(per_period, evs, strict=True)]
    assert got == pytest.approx(want, abs=1e-9)


def _pd(per_period: np.ndarray) -> float:
    nonzero = np.flatnonzero(per_period != 0)
    return float(nonzero[-1] + 1) if nonzero.size else 0.0


def reference_finish(start: dt.date, months: float) -> dt.date:
    """The day on which ``months`` months from the first of ``start``'s month end, by the
    calendar module: whole months, then the fraction of the days of the month landed in; a
    duration ending at midnight ends on the day before (1e-9 of a day is float noise)."""
    whole = math.floor(months)
    year, month0 = divmod(start.year * 12 + start.month - 1 + whole, 12)
    days = calendar.monthrange(year, month0 + 1)[1]
    into = math.ceil((months - whole) * days - 1e-9)
    return dt.date(year, month0 + 1, 1) + dt.timedelta(days=into - 1)


@given(start=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)),
       months=st.floats(0, 600, allow_nan=False))
def test_property_finish_dates_equal_the_calendar_reference(start, months):
    out = schedule.finish_dates(np.array([start], dtype="datetime64[D]"), np.array([months]))
    assert out[0].date() == reference_finish(start, months)


@given(pd_=st.integers(1, 120), start=st.dates(min_value=dt.date(1990, 1, 1),
                                                max_value=dt.date(2200, 1, 1)))
def test_property_on_plan_finishes_on_the_last_day_of_the_last_planned_month(pd_, start):
    """IEAC(t) = PD exactly (on plan): the finish is the last day of month PD, the
    BaselineFinish, never the first day of the month after."""
    out = schedule.finish_dates(np.array([start], dtype="datetime64[D]"), np.array([pd_]))
    year, month0 = divmod(start.year * 12 + start.month - 1 + pd_ - 1, 12)
    last = dt.date(year, month0 + 1, calendar.monthrange(year, month0 + 1)[1])
    assert out[0].date() == last


def test_finish_dates_run_to_the_end_of_excels_calendar():
    """workbook.md v2: dates up to 9999-12-31 are dates (old: #NUM! after April 2262)."""
    starts = np.array(["2026-01-01", "9999-01-01", "9999-01-01", "1900-01-01"],
                      dtype="datetime64[D]")
    out = schedule.finish_dates(starts, np.array([12 * 300 + 0.5, 12, 12.01, 0]))
    # 3,600 months (300 years) from January 2026 land in January 2326; half of its 31 days
    # (15.5) ends during 16 January 2326
    assert out[0] == pd.Timestamp("2326-01-16")
    assert out[1] == pd.Timestamp("9999-12-31")  # 12 months from January 9999
    assert out[2] is XLError.NUM and out[3] is XLError.NUM  # after 9999 / before 1900


@settings(max_examples=40, deadline=None)
@given(
    plans=st.lists(st.lists(st.floats(0.01, 1e6), min_size=2, max_size=8), min_size=2,
                   max_size=3),
    status_month=st.integers(1, 8),
)
def test_property_table_es_equals_at_when_earned_equals_pv(plans, status_month):
    """Through the table, with several cost-type rows per period: EV = PV -> ES = AT, SVt = 0."""
    width = min(len(p) for p in plans)
    assume(status_month <= width)
    status = (pd.Timestamp("2026-01-01") + pd.DateOffset(months=status_month - 1)).strftime(
        "%Y-%m-28")
    inputs = make_inputs(status, {"P1": ("2026-01", plans[0][:width])})
    extra = pd.concat([inputs.plan.assign(Planned=p[:width]) for p in plans[1:]])
    inputs.plan = pd.concat([inputs.plan, extra], ignore_index=True)
    pv = evm.project_measures(inputs).loc["P1", "PV"]
    inputs.progress = pd.DataFrame({"ProjectID": ["P1"], "Period": [pd.Timestamp(status)],
                                    "PercentComplete": [np.nan], "Earned": [pv]})
    r = row(evm.evm_table(inputs))
    assert r["ES"] == r["AT"] == status_month and r["SVt"] == 0 and r["SPIt"] == 1
