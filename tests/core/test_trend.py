"""The trend of each project, tblTrend (xlpmo.core.trend, xlpmo.core.trend_out).

Expected values are hand arithmetic on the definitions of workbook.md v2 ("Trend"): figures
as of the end of each month with a progress row; PeriodCPI = ΔEV/ΔAC and PeriodSPIt = ΔES per
month elapsed since the previous row; ES by Lipke's C + I on the cumulative plan.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from helpers.evm_inputs import make_inputs
from hypothesis import given, settings
from hypothesis import strategies as st

from xlpmo.contract import tables
from xlpmo.core import evm
from xlpmo.core.trend_out import trend_table
from xlpmo.errors import XLError

NA, DIV0 = XLError.NA, XLError.DIV0


def _rows(table: pd.DataFrame, pid: str = "P1") -> list[dict]:
    return table[table["ProjectID"] == pid].to_dict("records")


def _approx(row: dict, **expected: float) -> None:
    for name, value in expected.items():
        assert row[name] == pytest.approx(value, rel=1e-12), (name, row[name], value)


def test_hand_example_month_by_month():
    """Plan 100 a month for 10 months (BAC 1,000, PD 10); actual 120, 100, 110, 90, 100;
    Earned 100 (Jan), 190 (Feb), nothing reported in March, 380 (Apr), 370 (May, revised
    down); status 31 May. ES = EV/100 on this straight plan (C + I); AT = months since January.
    """
    inputs = make_inputs(
        "2026-05-31",
        plan={"P1": ("2026-01", [100] * 10)},
        actuals={"P1": ("2026-01", [120, 100, 110, 90, 100])},
        progress=[("P1", "2026-01-01", None, 100), ("P1", "2026-02-01", None, 190),
                  ("P1", "2026-04-01", None, 380), ("P1", "2026-05-01", None, 370)],
    )
    table = trend_table(inputs)
    assert list(table.columns) == tables.TREND.column_names
    jan, feb, apr, may = _rows(table)
    assert [r["Period"] for r in (jan, feb, apr, may)] == list(
        pd.to_datetime(["2026-01-01", "2026-02-01", "2026-04-01", "2026-05-01"]))
    _approx(jan, PV=100, EV=100, AC=120, CPI=100 / 120, SPI=1, SPIt=1 / 1,
            PeriodCPI=100 / 120, PeriodSPIt=1, EAC=1000 / (100 / 120))
    _approx(feb, PV=200, EV=190, AC=220, CPI=190 / 220, SPI=0.95, SPIt=1.9 / 2,
            PeriodCPI=90 / 100, PeriodSPIt=0.9, EAC=1000 / (190 / 220))
    # April: two months since February's row: ΔES = 3.8 − 1.9 over 2 months
    _approx(apr, PV=400, EV=380, AC=420, CPI=380 / 420, SPI=0.95, SPIt=3.8 / 4,
            PeriodCPI=190 / 200, PeriodSPIt=1.9 / 2, EAC=1000 / (380 / 420))
    _approx(may, PV=500, EV=370, AC=520, CPI=370 / 520, SPI=370 / 500, SPIt=3.7 / 5,
            PeriodCPI=-10 / 100, PeriodSPIt=-0.1, EAC=1000 / (370 / 520))


def test_a_complete_project_stops_the_clock_and_its_periods_earn_no_schedule():
    """Plan 100 a month Jan–Apr (PD 4); complete in March (EV 400 = BAC): AT stays 3 in
    April and May (workbook.md v2), SPI(t) = ES/AT = 4/3, and the periods after completion
    earn no schedule (ΔES = 0); EAC = AC once complete (BAC / CPI = AC when EV = BAC)."""
    inputs = make_inputs(
        "2026-05-31",
        plan={"P1": ("2026-01", [100] * 4)},
        actuals={"P1": ("2026-01", [100, 110, 190, 20, 0])},
        progress=[("P1", f"2026-0{m}-01", None, ev)
                  for m, ev in ((1, 100), (2, 200), (3, 400), (4, 400), (5, 400))],
    )
    rows = _rows(trend_table(inputs))
    assert [r["SPIt"] for r in rows] == pytest.approx([1, 1, 4 / 3, 4 / 3, 4 / 3])
    assert [r["PeriodSPIt"] for r in rows] == pytest.approx([1, 1, 2, 0, 0])
    assert [r["EAC"] for r in rows[2:]] == pytest.approx([400, 420, 420])


def test_rows_only_up_to_the_status_month_and_the_later_row_of_a_month_counts():
    inputs = make_inputs(
        "2026-02-15",
        plan={"P1": ("2026-01", [100, 100, 100]), "P2": ("2026-01", [50, 50])},
        actuals={"P1": ("2026-01", [100, 100])},
        progress=[("P1", "2026-01-01", 0.05, None), ("P1", "2026-01-20", 0.10, None),
                  ("P1", "2026-02-01", 0.2, None), ("P1", "2026-02-01", None, None),
                  ("P1", "2026-03-01", 0.3, None), ("P9", "2026-01-01", 0.5, None)],
    )
    table = trend_table(inputs)
    # P2 has no progress: no rows; P9 is no project; March is after the status month; the
    # blank February row is not progress, so the earlier February row counts
    assert table["ProjectID"].tolist() == ["P1", "P1"]
    assert table["EV"].tolist() == pytest.approx([30, 60])
    # P2's actuals: none; with tblActuals in the workbook its AC is 0
    assert table["AC"].tolist() == [100, 200]


def test_missing_inputs_are_na_and_zero_denominators_div0():
    """No tblActuals: AC, CPI, PeriodCPI and the CPI-method EAC are #N/A; a month with no
    cost since the previous row is PeriodCPI #DIV/0!; a row before the project's Start has
    AT = 0, so SPI(t) #DIV/0!."""
    no_actuals = make_inputs("2026-02-28", plan={"P1": ("2026-01", [100, 100])},
                             progress=[("P1", "2026-02-01", 0.5, None)])
    (r,) = _rows(trend_table(no_actuals))
    assert (r["AC"], r["CPI"], r["PeriodCPI"], r["EAC"]) == (NA, NA, NA, NA)
    assert r["SPIt"] == pytest.approx(1 / 2)  # EV 100 = one month of plan, AT 2
    early = make_inputs(
        "2026-03-31", plan={"P1": ("2026-02", [100, 100])},
        actuals={"P1": ("2026-01", [0, 50, 0])},
        progress=[("P1", "2026-01-01", 0.0, None), ("P1", "2026-02-01", 0.25, None),
                  ("P1", "2026-03-01", 0.5, None)],
    )
    before, feb, mar = _rows(trend_table(early))
    assert before["SPIt"] == DIV0 and before["PeriodCPI"] == DIV0
    assert feb["PeriodCPI"] == pytest.approx(50 / 50)
    assert mar["PeriodCPI"] == DIV0  # nothing spent in March


def test_bottom_up_eac_is_known_only_in_the_status_month():
    """EACMethod BOTTOMUP: EAC = AC + the bottom-up ETC (tblForecast after the status period),
    which the inputs hold only as of today: #N/A in the earlier rows."""
    inputs = make_inputs(
        "2026-02-28", plan={"P1": ("2026-01", [100, 100, 100])},
        actuals={"P1": ("2026-01", [90, 120])},
        progress=[("P1", "2026-01-01", None, 100), ("P1", "2026-02-01", None, 180)],
        forecast={"P1": ("2026-03", [150])}, EACMethod="BOTTOMUP",
    )
    jan, feb = _rows(trend_table(inputs))
    assert jan["EAC"] == NA
    assert feb["EAC"] == pytest.approx(210 + 150)


def test_a_negative_bac_is_value_in_the_trend_as_in_tblEVM():
    """BAC typed as −139,500 (not a budget: #VALUE! in tblEVM, workbook.md v2): in tblTrend
    too, EV from PercentComplete and every figure computed from BAC (SPI(t) through ES, EAC)
    or from such an EV (CPI, SPI, the periodic indices) is #VALUE!, not #N/A; PV and AC, and
    an Earned EV with its CPI and SPI, stay numbers. tblEVM's ranges are #VALUE! too."""
    inputs = make_inputs(
        "2026-03-31", plan={"P1": ("2026-01", [50_000.0] * 6)},
        actuals={"P1": ("2026-01", [45_000.0] * 3)},
        progress=[("P1", "2026-01-01", 0.1, None), ("P1", "2026-02-01", None, 80_000.0),
                  ("P1", "2026-03-01", 0.4, None)],
        projects={"P1": {"BAC": -139_500.0}},
    )
    jan, feb, mar = _rows(trend_table(inputs))
    assert [(r["PV"], r["AC"]) for r in (jan, feb, mar)] == [
        (50_000, 45_000), (100_000, 90_000), (150_000, 135_000)]
    value = XLError.VALUE
    for r in (jan, mar):
        for name in ("EV", "CPI", "SPI", "SPIt", "PeriodCPI", "PeriodSPIt", "EAC"):
            assert r[name] is value, (r["Period"], name)
    assert feb["EV"] == 80_000
    _approx(feb, CPI=80 / 90, SPI=0.8)
    for name in ("SPIt", "PeriodCPI", "PeriodSPIt", "EAC"):  # ΔEV from January's #VALUE!
        assert feb[name] is value, name
    r = evm.evm_table(inputs).set_index("ProjectID").loc["P1"]
    for name in ("EACLow", "EACHigh", "FinishLow", "FinishHigh", "BACAtRisk"):
        assert r[name] is value, name


# -- properties -------------------------------------------------------------------------------

amount = st.integers(1, 500).map(float)


@st.composite
def portfolios(draw):
    """Up to 3 projects of 3–8 planned months from Jan 2026, monthly actuals, and cumulative
    Earned in a random subset of months that includes the status month: below BAC, except
    that a project may complete (Earned at or above BAC in its last few reported months)."""
    n = draw(st.integers(1, 3))
    status_month = draw(st.integers(2, 8))
    plan, actuals, progress = {}, {}, []
    for k in range(n):
        pid = f"P{k}"
        months = draw(st.integers(3, 8))
        planned = draw(st.lists(amount, min_size=months, max_size=months))
        plan[pid] = ("2026-01", planned)
        actuals[pid] = ("2026-01", draw(st.lists(amount, min_size=status_month,
                                                 max_size=status_month)))
        reported = sorted(set(draw(st.lists(st.integers(1, status_month), max_size=6)))
                          | {status_month})
        fractions = sorted(draw(st.lists(st.floats(0.01, 0.99), min_size=len(reported),
                                         max_size=len(reported))))
        done = draw(st.integers(0, len(reported)))  # the last `done` rows: EV >= BAC
        fractions[len(reported) - done:] = [draw(st.sampled_from([1.0, 1.05]))
                                            for _ in range(done)]
        progress += [(pid, f"2026-{m:02d}-01", None, round(f * sum(planned), 2))
                     for m, f in zip(reported, fractions, strict=True)]
    status = (pd.Timestamp(f"2026-{status_month:02d}-01") + pd.offsets.MonthEnd(0))
    return make_inputs(f"{status:%Y-%m-%d}", plan=plan, actuals=actuals, progress=progress)


@settings(max_examples=60, deadline=None)
@given(portfolios(), st.sampled_from(["CPI", "BUDGET", "COMPOSITE", "WEIGHTED"]))
def test_the_status_month_row_is_tblEVM(inputs, method):
    """Every project here reports in the status month, so its last tblTrend row holds
    tblEVM's figures (the same engine, as of the same date), a complete project's too: its
    clock stopped in the month it completed (SPI(t) on that AT) and its EAC is its AC."""
    from dataclasses import replace

    inputs.settings = replace(inputs.settings, EACMethod=method)
    table = trend_table(inputs)
    last = table.groupby("ProjectID").tail(1).set_index("ProjectID")
    assert (last["Period"] == pd.Timestamp(inputs.settings.StatusDate).replace(day=1)).all()
    book = evm.evm_table(inputs).set_index("ProjectID")
    for pid, row in last.iterrows():
        for column in ("PV", "EV", "AC", "CPI", "SPI", "SPIt", "EAC"):
            assert row[column] == pytest.approx(book.loc[pid, column], rel=1e-9), column


@settings(max_examples=40, deadline=None)
@given(portfolios())
def test_the_portfolio_at_once_equals_each_project_alone(inputs):
    """Vectorised over the portfolio, no project's rows leak into another's."""
    from dataclasses import replace

    whole = trend_table(inputs)
    for pid in inputs.projects["ProjectID"]:
        alone = replace(
            inputs, projects=inputs.projects[inputs.projects["ProjectID"] == pid],
            plan=inputs.plan[inputs.plan["ProjectID"] == pid],
            actuals=inputs.actuals[inputs.actuals["ProjectID"] == pid],
            progress=inputs.progress[inputs.progress["ProjectID"] == pid])
        mine = whole[whole["ProjectID"] == pid].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, trend_table(alone).reset_index(drop=True))


def test_periodic_values_add_up_to_the_cumulative_ones():
    """ΣΔEV = EV and ΣΔAC = AC over a project's rows (the periods tile its time): PeriodCPI
    × ΔAC summed gives the EV of the last row."""
    inputs = make_inputs(
        "2026-06-30", plan={"P1": ("2026-01", [100, 200, 300, 200, 100, 100])},
        actuals={"P1": ("2026-01", [90, 230, 310, 150, 120, 80])},
        progress=[("P1", f"2026-0{m}-01", None, ev)
                  for m, ev in ((1, 95), (3, 560), (4, 720), (6, 900))],
    )
    rows = _rows(trend_table(inputs))
    ac = [r["AC"] for r in rows]
    d_ac = np.diff([0.0, *ac])
    assert sum(r["PeriodCPI"] * d for r, d in zip(rows, d_ac, strict=True)) == pytest.approx(900)
    assert math.isclose(rows[-1]["AC"], 980)
