"""A complete project (EV ≥ BAC) stops the clock (workbook.md v2, "Earned schedule and
completion"; issue #10 item 2): AT is the period in which it completed, EAC = AC, ETC = 0.

Published statements the expectations follow:

- Whizible, "Earned Schedule: Concept and Technique"
  (https://www.whizible.com/earned-schedule-concept-and-technique/): "SV(t) will only revert
  to zero and SPI(t) to 1 when project completes on time, not otherwise."
- GBA Projects, "What is Earned Schedule?" (https://gbaprojects.com.au/blog/what-is-earned-schedule):
  a project planned to conclude at week 20 finishes (earns its last value) in week 23, so it
  finished late: at completion ES = PD = 20, AT = 23, SV(t) = −3, SPI(t) = 20/23.
- S. Mishra, "Earned Schedule Management (ESM)", MPUG
  (https://www.mpug.com/earned-schedule-management-esm/): 10 months planned, 12 taken.
- Microsoft Project TCPI field: TCPI = (BAC − BCWP)/(BAC − ACWP) (ProjectDataSet TASK_TCPI,
  https://learn.microsoft.com/previous-versions/office/project-class/gg200980(v=office.15)):
  no work remains at completion, so the numerator is 0.
"""

from __future__ import annotations

import pandas as pd
import pytest
from helpers.evm_inputs import make_inputs, row
from hypothesis import given, settings
from hypothesis import strategies as st

import xlpmo.functions as pmo
from xlpmo.core import evm, tracker
from xlpmo.errors import XLError

PLAN = {"P1": ("2026-01", [100.0] * 10)}  # Jan .. Oct 2026, BAC 1,000


def test_finished_on_plan_keeps_spi_t_one_and_green_after_it_ends():
    """10 months planned Jan..Oct, 100 % reported in October exactly on plan; status two
    months later (31 December). The clock stopped in October: AT = 10, ES = PD = 10,
    SV(t) = 0, SPI(t) = 1, Green (old: AT = 12, SV(t) = −2, SPI(t) = 0.83, Red).
    Cost: AC 950 -> EAC = AC = 950, ETC = 0, VAC = BAC − AC = 50, TCPI = 0/(1000 − 950) = 0.
    ForecastFinish = Start + IEAC(t) = 10 / (10/10) = 10 months = 31 October 2026."""
    inputs = make_inputs(
        "2026-12-31", plan=PLAN, actuals={"P1": ("2026-01", [95.0] * 10)},
        progress=[("P1", "2026-09-01", 0.9, None), ("P1", "2026-10-01", 1.0, None),
                  ("P1", "2026-12-01", 1.0, None)],
    )
    r = row(evm.evm_table(inputs))
    assert (r["ES"], r["AT"], r["SVt"], r["SPIt"]) == (10, 10, 0, 1)
    assert r["ScheduleRAG"] == "Green"
    assert (r["EAC"], r["ETC"], r["VAC"], r["TCPI"]) == (950, 0, 50, 0)
    assert r["ForecastFinish"] == pd.Timestamp("2026-10-31")
    assert (r["PV"], r["SPI"]) == (1000, 1)  # PV and SPI still at the status date


def test_gba_projects_late_finish_keeps_its_final_schedule_variance():
    """GBA Projects' late project in months: planned 20 periods, complete in period 23;
    status in period 26. AT = 23 (not 26): SV(t) = 20 − 23 = −3, SPI(t) = 20/23."""
    inputs = make_inputs(
        "2028-02-28", plan={"P1": ("2026-01", [50.0] * 20)},
        actuals={"P1": ("2026-01", [50.0] * 23)},
        progress=[("P1", "2027-10-01", 0.97, None), ("P1", "2027-11-01", 1.0, None)],
    )
    r = row(evm.evm_table(inputs))
    assert (r["ES"], r["AT"], r["SVt"]) == (20, 23, -3)
    assert r["SPIt"] == pytest.approx(20 / 23)
    # IEAC(t) = 20 / (20/23) = 23 months from January 2026: the end of November 2027
    assert r["ForecastFinish"] == pd.Timestamp("2027-11-30")
    assert r["EAC"] == 1150 and r["ETC"] == 0  # EAC = AC = 23 × 50


def test_mpug_example_status_after_completion_keeps_at_twelve():
    """MPUG: 10 modules over 10 months, done in month 12 (December 2026) at a cost of
    US$1.3M; status in March 2027: AT stays 12, SV(t) = −2, EAC = AC = 1.3M."""
    inputs = make_inputs(
        "2027-03-31",
        plan={"P1": ("2026-01", [100_000] * 10)},
        actuals={"P1": ("2026-01", [100_000] * 10 + [150_000, 150_000])},
        progress=[("P1", "2026-12-01", 1.0, None), ("P1", "2027-02-01", 1.0, None)],
    )
    r = row(evm.evm_table(inputs))
    assert (r["ES"], r["AT"], r["SVt"]) == (10, 12, -2)
    assert r["EAC"] == 1_300_000 and r["ETC"] == 0 and r["VAC"] == -300_000
    assert r["TCPI"] == 0  # no work left: 0 / (1.0M − 1.3M) is 0, not −0


def test_completion_period_is_the_start_of_the_last_run_at_or_above_bac():
    """100 % in June, revised to 95 % in July, 100 % again in August: complete in August
    (AT = 8). A later revision below 100 % makes it incomplete again (AT = status)."""
    rows = [("P1", "2026-06-01", 1.0, None), ("P1", "2026-07-01", 0.95, None),
            ("P1", "2026-08-01", 1.0, None), ("P1", "2026-11-01", 1.0, None)]
    done = row(evm.evm_table(make_inputs("2026-12-31", plan=PLAN, actuals={}, progress=rows)))
    assert done["AT"] == 8 and done["ES"] == 10 and done["SVt"] == 2
    again = [*rows, ("P1", "2026-12-01", 0.99, None)]
    open_ = row(evm.evm_table(make_inputs("2026-12-31", plan=PLAN, actuals={}, progress=again)))
    assert open_["AT"] == 12 and open_["ES"] == pytest.approx(9.9)
    assert open_["ETC"] != 0


def test_earned_money_at_bac_completes_and_above_bac_keeps_eac_at_ac():
    """Earned money ≥ BAC: complete. EV 1,100 > BAC 1,000 with AC 1,200 in October: the
    CPI method would say BAC/CPI = 1,000 × 1,200/1,100 = 1,090.9, less than already spent;
    complete: EAC = AC = 1,200, ETC 0, VAC −200, TCPI 0/(1,000 − 1,200) = 0."""
    inputs = make_inputs(
        "2026-10-31", plan=PLAN, actuals={"P1": ("2026-01", [120.0] * 10)},
        progress=[("P1", "2026-10-01", None, 1100.0)],
    )
    r = row(evm.evm_table(inputs))
    assert (r["EAC"], r["ETC"], r["VAC"], r["TCPI"]) == (1200, 0, -200, 0)


@pytest.mark.parametrize("method", ["CPI", "BUDGET", "COMPOSITE", "WEIGHTED", "BOTTOMUP"])
def test_every_eac_method_of_a_complete_project_is_ac(method):
    """EV ≥ BAC: EAC = AC whatever the method (old: CPI 1,000 × 1,200/1,100 = 1,090.9;
    BUDGET 1,200 + 1,000 − 1,100 = 1,100; BOTTOMUP 1,200 + 300 = 1,500)."""
    got = evm.eac(1000, 1100, 1200, method, pv=1000, etc=300)
    assert got == 1200
    assert evm.etc(1000, 1100, 1200, method, pv=1000, etc=300) == 0
    assert evm.vac(1000, 1100, 1200, method, pv=1000, etc=300) == -200
    assert pmo.EAC(1000, 1100, 1200, method, 1000, 0.8, 300) == 1200
    assert pmo.ETC(1000, 1000, 900, method, 1000, 0.8, 300) == 0


def test_tcpi_of_a_complete_project():
    """No work remains: (BAC − EV) counts as 0. Funds left (AC < BAC): 0; overspent: 0;
    exactly on budget: 0/0 = #DIV/0! (a zero denominator, as the contract says)."""
    assert evm.tcpi(1000, 1000, 900) == 0
    assert evm.tcpi(1000, 1100, 900) == 0  # old: (1000 − 1100)/(1000 − 900) = −1
    assert evm.tcpi(1000, 1100, 1200) == 0
    assert evm.tcpi(1000, 1000, 1000) is XLError.DIV0
    assert pmo.TCPI(1000, 1100, 900) == 0


def test_not_complete_and_zero_bac_keep_the_formulas():
    assert evm.eac(1000, 999, 1200, "BUDGET") == 1201  # one short of BAC: AC + 1
    assert evm.eac(0, 0, 100) is XLError.DIV0  # no budget: nothing to complete, CPI = 0


def test_table_and_functions_agree_on_a_complete_project():
    """The worksheet functions on tblEVM's own inputs give tblEVM's numbers: ES from the
    plan series, SV(t)/SPI(t)/FINISH with tblEVM's AT (the completion period)."""
    inputs = make_inputs(
        "2027-03-31", plan={"P1": ("2026-01", [100.0] * 10)},
        actuals={"P1": ("2026-01", [110.0] * 12)},
        progress=[("P1", "2026-12-01", 1.0, None)],
    )
    r = row(evm.evm_table(inputs))
    plan = [100.0] * 10
    assert pmo.ES(plan, r["EV"]) == r["ES"] == 10
    assert pmo.SVT(plan, r["EV"], r["AT"]) == r["SVt"] == -2
    assert pmo.SPIT(plan, r["EV"], r["AT"]) == r["SPIt"]
    assert pmo.IEACT(plan, r["EV"], r["AT"]) == 12
    assert pd.Timestamp(pmo.FINISH("2026-01-01", plan, r["EV"], r["AT"])) == r["ForecastFinish"]
    assert pmo.EAC(r["BAC"], r["EV"], r["AC"]) == r["EAC"] == 1320
    assert pmo.TCPI(r["BAC"], r["EV"], r["AC"]) == r["TCPI"] == 0


# -- a negative BAC is not a budget (issue #10 item 10) ----------------------------------------


def test_negative_bac_makes_the_projects_earned_value_figures_value_errors():
    """BAC typed as −139,500 with 40 % complete used to give EV = −55,800 and a negative
    CPI. A budget cannot be negative: BAC and everything computed from it are #VALUE!
    (io.validate reports the cell as an Error); PV and AC do not depend on it."""
    inputs = make_inputs(
        "2026-03-31", plan={"P1": ("2026-01", [50_000.0] * 6)},
        actuals={"P1": ("2026-01", [45_000.0] * 3)},
        progress=[("P1", "2026-03-01", 0.4, None)],
        projects={"P1": {"BAC": -139_500.0}},
    )
    r = row(evm.evm_table(inputs))
    assert (r["PV"], r["AC"]) == (150_000, 135_000)
    for name in ("BAC", "EV", "CV", "CPI", "SV", "SPI", "ES", "SVt", "SPIt", "EAC", "ETC",
                 "VAC", "TCPI", "ForecastFinish", "CostRAG", "ScheduleRAG"):
        assert r[name] is XLError.VALUE, name


def test_negative_bac_with_earned_money_keeps_the_money_indices():
    """EV given as Earned money does not depend on BAC: CV and CPI stay numbers; what needs
    BAC (ES, EAC, VAC, TCPI) is #VALUE!."""
    inputs = make_inputs(
        "2026-03-31", plan={"P1": ("2026-01", [50_000.0] * 6)},
        actuals={"P1": ("2026-01", [45_000.0] * 3)},
        progress=[("P1", "2026-03-01", None, 120_000.0)],
        projects={"P1": {"BAC": -139_500.0}},
    )
    r = row(evm.evm_table(inputs))
    assert r["EV"] == 120_000 and r["CPI"] == pytest.approx(120 / 135)
    for name in ("BAC", "ES", "SPIt", "EAC", "VAC", "TCPI"):
        assert r[name] is XLError.VALUE, name


# -- the worksheet functions and Refresh agree --------------------------------------------------


@st.composite
def one_project(draw):
    """A plan of 1..12 months from January 2026 (first and last month non-zero), actuals and
    a progress row (sometimes 100 % or more, sometimes Earned money), any EACMethod."""
    money = st.floats(1, 1000, allow_nan=False).map(lambda x: round(x, 2))
    plan = draw(st.lists(st.one_of(money, st.just(0.0)), min_size=1, max_size=12))
    plan[0] = plan[0] or 100.0
    plan[-1] = plan[-1] or 100.0
    status_month = draw(st.integers(1, 16))
    status = (pd.Timestamp("2026-01-01") + pd.DateOffset(months=status_month - 1)
              + pd.offsets.MonthEnd(0)).strftime("%Y-%m-%d")
    done_month = draw(st.integers(1, status_month))
    period = (pd.Timestamp("2026-01-01") + pd.DateOffset(months=done_month - 1))
    if draw(st.booleans()):
        progress = [("P1", period.strftime("%Y-%m-%d"), draw(st.floats(0.01, 1.0)), None)]
    else:
        progress = [("P1", period.strftime("%Y-%m-%d"), None,
                     draw(st.floats(1, 1.1 * sum(plan))))]
    actuals = draw(st.lists(money, min_size=status_month, max_size=status_month))
    forecast = draw(st.lists(money, min_size=1, max_size=4))
    next_month = (pd.Timestamp(status) + pd.DateOffset(days=1)).strftime("%Y-%m")
    inputs = make_inputs(status, {"P1": ("2026-01", plan)}, actuals={"P1": ("2026-01", actuals)},
                         progress=progress, forecast={"P1": (next_month, forecast)},
                         EACMethod=draw(st.sampled_from(
                             ["CPI", "BUDGET", "COMPOSITE", "WEIGHTED", "BOTTOMUP"])),
                         EACWeight=draw(st.floats(0, 1)))
    return inputs, plan, sum(forecast)


def _same(a, b) -> bool:
    if isinstance(a, XLError) or isinstance(b, XLError):
        return a == b or str(a) == str(b)
    return a == pytest.approx(b, rel=1e-9, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(case=one_project())
def test_property_functions_agree_with_refresh(case):
    """ES, SVT, SPIT, IEACT, FINISH, EAC, ETC, VAC and TCPI on tblEVM's own inputs (the plan
    series from the first planned month, EV, AT, BAC, AC, PV, the bottom-up ETC) give the
    numbers Refresh writes into tblEVM."""
    inputs, plan, bottom_up = case
    r = row(tracker.compute(inputs)["tblEVM"])
    ev, at = r["EV"], r["AT"]
    assert _same(pmo.ES(plan, ev), r["ES"])
    assert _same(pmo.SVT(plan, ev, at), r["SVt"])
    assert _same(pmo.SPIT(plan, ev, at), r["SPIt"])
    finish = pmo.FINISH("2026-01-01", plan, ev, at)
    want = r["ForecastFinish"]
    assert (pd.Timestamp(finish) == want) if isinstance(want, pd.Timestamp) else _same(
        finish, want.value)
    s = inputs.settings
    args = (r["BAC"], ev, r["AC"], s.EACMethod, r["PV"], s.EACWeight, bottom_up)
    for name, fn in (("EAC", pmo.EAC), ("ETC", pmo.ETC), ("VAC", pmo.VAC)):
        got = fn(*args)
        assert _same(XLError.parse(got) or got, r[name]), name
    got = pmo.TCPI(r["BAC"], ev, r["AC"])
    assert _same(XLError.parse(got) or got, r["TCPI"])
