"""The resource capacity plan (xlpmo.core.capacityplan, tblCapacityPlan of workbook.md).

Expected hours are hand arithmetic: working days × hours per day × FTE, less holidays and
leave. Weekdays are counted with Python's ``calendar`` (not numpy's busday_count, which the
code uses); public holidays are the published German national holidays of 2026.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from helpers.capacity_inputs import make_inputs
from hypothesis import given, settings
from hypothesis import strategies as st

from xlpmo.contract import tables
from xlpmo.core.capacityplan import capacity_plan_table, plan_periods, plan_rag
from xlpmo.core.utilisation import utilisation_table
from xlpmo.errors import XLError

MAR, APR, MAY, JUN = (pd.Timestamp(f"2026-{m:02d}-01") for m in (3, 4, 5, 6))
DIV0 = XLError.DIV0


def weekdays(year: int, month: int, first: int = 1, last: int | None = None) -> int:
    """Monday-Friday days of a month between two days (inclusive), by Python's calendar."""
    last = last or calendar.monthrange(year, month)[1]
    return sum(dt.date(year, month, d).weekday() < 5 for d in range(first, last + 1))


def test_weekday_counts_used_below():
    # March 2026 starts on a Sunday, April on a Wednesday, May on a Friday, June on a Monday
    assert [weekdays(2026, m) for m in (3, 4, 5, 6)] == [22, 22, 21, 22]
    assert weekdays(2026, 4, 16) == 11  # a joiner on Thursday 16 April
    assert weekdays(2026, 5, 1, 15) == 11  # a leaver on Friday 15 May


def alloc(project, period, rid=None, role=None, hours=None, percent=None):
    return {"ResourceID": rid, "Role": role, "ProjectID": project, "Period": period,
            "Hours": hours, "Percent": percent}


def scenario(**settings_kw):
    """Two developers (one in Germany; one half-time joining on 16 April) and a tester who
    leaves on 15 May and takes 9-13 March off; a company day on Thursday 30 April."""
    settings_kw.setdefault("StatusDate", pd.Timestamp("2026-04-15"))
    settings_kw.setdefault("PlanningHorizon", 2)
    return make_inputs(
        resources=[
            {"ResourceID": "D1", "Role": "Developer", "Team": "Eng", "Country": "DE"},
            {"ResourceID": "D2", "Role": " developer ", "Team": "Eng", "FTE": 0.5,
             "StartDate": "2026-04-16"},
            {"ResourceID": "T1", "Role": "Tester", "Team": "QA", "EndDate": "2026-05-15"},
        ],
        holidays=[{"Date": "2026-04-30", "Name": "Company day"}],
        leave=[{"ResourceID": "T1", "Start": "2026-03-09", "End": "2026-03-13"}],
        allocations=[
            alloc("P1", MAR, rid="D1", percent=0.5),
            alloc("P1", APR, rid="D1", hours=160),
            alloc("P2", MAY, rid="D2", percent=1.25),  # above 100 %: over-allocation
            alloc("P1", APR, rid="T1", role="Developer", hours=100),  # counts for T1
            alloc("P3", APR, role="Developer", percent=1),
            alloc("P3", MAY, role="Developer", percent=0.5),
            alloc("P3", JUN, role="DEVELOPER", hours=50),
            alloc("P4", JUN, role="Architect", percent=1),  # a role nobody has
            alloc("P3", "2026-07-01", role="Developer", hours=999),  # after the horizon
            alloc("P9", "2026-01-01", rid="NOBODY", hours=5),  # unknown: not in the plan
        ],
        **settings_kw,
    )


def rows(table: pd.DataFrame, group: str) -> pd.DataFrame:
    return table[table["Group"] == group].set_index("Period")


# Hand arithmetic (8 h a day: HoursPerWeek blank = 5 x HoursPerDay 8, over 5 days):
# D1 (DE, FTE 1): Mar 22 d = 176; Apr 22 - Good Friday 3 Apr - Easter Monday 6 Apr
#   - company day 30 Apr = 19 d = 152; May 21 - 1 May - Ascension 14 May - Whit Monday
#   25 May = 18 d = 144; Jun 22 d = 176
# D2 (FTE 0.5, 4 h a day, from 16 Apr): Apr 11 d - 30 Apr = 10 d x 4 = 40; May 21 x 4 = 84;
#   Jun 22 x 4 = 88
# T1 (FTE 1, to 15 May): Mar 22 x 8 - leave 5 d x 8 = 136; Apr (22 - 30 Apr) x 8 = 168;
#   May 11 d x 8 = 88; Jun 0
# unnamed Percent: of one full-time person on the default calendar (weekdays less the
#   company day, no country's holidays): Apr 21 d x 8 = 168; May 21 d x 8 x 0.5 = 84
DEV_CAP = [176 + 0, 152 + 40, 144 + 84, 176 + 88]
DEV_NAMED = [0.5 * 176, 160, 1.25 * 84, 0]
DEV_UNNAMED = [0, 168, 84, 50]
TESTER_CAP = [136, 168, 88, 0]


def test_hand_computed_months_by_role():
    table = capacity_plan_table(scenario())
    assert list(table.columns) == tables.CAPACITY_PLAN.column_names
    # groups A to Z, months from the first allocation (March) to 2 months after April
    assert list(table["Group"].drop_duplicates()) == ["Architect", "Developer", "Tester"]
    assert all(list(g["Period"]) == [MAR, APR, MAY, JUN] for _, g in table.groupby("Group"))

    dev = rows(table, "Developer")
    np.testing.assert_allclose(dev["CapacityHours"], DEV_CAP)
    np.testing.assert_allclose(dev["NamedDemandHours"], DEV_NAMED)
    np.testing.assert_allclose(dev["UnnamedDemandHours"], DEV_UNNAMED)
    demand = np.add(DEV_NAMED, DEV_UNNAMED)  # 88, 328, 189, 50
    np.testing.assert_allclose(dev["DemandHours"], demand)
    np.testing.assert_allclose(dev["GapHours"], np.subtract(DEV_CAP, demand))
    np.testing.assert_allclose(dev["Utilisation"].astype(float), demand / DEV_CAP)
    # 0.5 < 0.8 - 0.2: Amber; 328/192 > 1: Red; 189/228 = 0.83: Green; 50/264 = 0.19: Amber
    assert list(dev["RAG"]) == ["Amber", "Red", "Green", "Amber"]
    # FTE-weighted, a part month in part: Apr 1 + 0.5 x 11/22; May, Jun 1 + 0.5
    np.testing.assert_allclose(dev["Headcount"], [1, 1.25, 1.5, 1.5])

    tester = rows(table, "Tester")
    np.testing.assert_allclose(tester["CapacityHours"], TESTER_CAP)
    np.testing.assert_allclose(tester["NamedDemandHours"], [0, 100, 0, 0])  # T1's row
    np.testing.assert_allclose(tester["Headcount"], [1, 1, 11 / 21, 0])
    assert tester.loc[APR, "Utilisation"] == pytest.approx(100 / 168)  # 0.595: Amber
    assert list(tester["RAG"]) == ["Amber", "Amber", "Amber", DIV0]
    assert tester.loc[JUN, "Utilisation"] is DIV0

    # a role nobody has: a group with no capacity, its demand a negative gap, never dropped
    arch = rows(table, "Architect")
    np.testing.assert_allclose(arch["CapacityHours"], 0)
    np.testing.assert_allclose(arch["UnnamedDemandHours"], [0, 0, 0, 22 * 8])
    assert arch.loc[JUN, "GapHours"] == -176 and arch.loc[JUN, "RAG"] == "Red"
    assert arch.loc[JUN, "Utilisation"] is DIV0
    assert list(arch["RAG"][:3]) == [DIV0] * 3  # no capacity, no demand: nothing to rate


def test_groups_by_team():
    by_role = capacity_plan_table(scenario())
    table = capacity_plan_table(scenario(CapacityBy="Team"))
    assert list(table["Group"].drop_duplicates()) == ["Architect (no team)", "Eng", "QA"]
    eng, qa = rows(table, "Eng"), rows(table, "QA")
    np.testing.assert_allclose(eng["CapacityHours"], DEV_CAP)
    np.testing.assert_allclose(eng["UnnamedDemandHours"], DEV_UNNAMED)  # only Eng has devs
    np.testing.assert_allclose(qa["NamedDemandHours"], [0, 100, 0, 0])
    np.testing.assert_allclose(rows(table, "Architect (no team)")["UnnamedDemandHours"],
                               [0, 0, 0, 176])
    cols = ["CapacityHours", "NamedDemandHours", "UnnamedDemandHours", "Headcount"]
    np.testing.assert_allclose(table[cols].sum(), by_role[cols].sum())


def test_unnamed_demand_by_team_splits_by_the_roles_capacity():
    inputs = make_inputs(
        resources=[{"ResourceID": "A", "Role": "Dev", "Team": "Red"},
                   {"ResourceID": "B", "Role": "Dev", "Team": "Blue", "FTE": 0.5},
                   {"ResourceID": "C", "Role": "Dev", "Team": "Blue", "EndDate": "2026-01-31"},
                   {"ResourceID": "Q", "Role": "QA", "Team": "Red"}],
        allocations=[alloc("P", "2026-02-01", role="Dev", hours=120),
                     alloc("P", "2026-03-01", role="Dev", percent=1)],
        StatusDate=pd.Timestamp("2026-02-10"), PlanningHorizon=1, CapacityBy="Team")
    table = capacity_plan_table(inputs)
    feb, mar = pd.Timestamp("2026-02-01"), pd.Timestamp("2026-03-01")
    red, blue = rows(table, "Red"), rows(table, "Blue")
    # Feb 2026: 20 weekdays; Dev capacity Red (A) 160, Blue (B) 80, C gone: 120 h as 2 : 1
    assert weekdays(2026, 2) == 20
    assert (red.loc[feb, "UnnamedDemandHours"], blue.loc[feb, "UnnamedDemandHours"]) == (
        pytest.approx(80), pytest.approx(40))
    # Mar: 22 weekdays x 8 h x 100 % = 176 h, again 2 : 1 by capacity (176 : 88)
    assert red.loc[mar, "UnnamedDemandHours"] == pytest.approx(176 * 2 / 3)
    assert blue.loc[mar, "UnnamedDemandHours"] == pytest.approx(176 / 3)


def test_unnamed_demand_by_team_when_the_role_has_no_capacity_that_month():
    # both developers have left by March: the demand goes by the number of the role's
    # people in each team (1 : 2), not lost
    inputs = make_inputs(
        resources=[{"ResourceID": "A", "Role": "Dev", "Team": "Red", "EndDate": "2026-02-27"},
                   {"ResourceID": "B", "Role": "Dev", "Team": "Blue", "EndDate": "2026-02-27"},
                   {"ResourceID": "C", "Role": "Dev", "Team": "Blue", "EndDate": "2026-02-27"}],
        allocations=[alloc("P", "2026-03-01", role="Dev", hours=90)],
        StatusDate=pd.Timestamp("2026-03-10"), PlanningHorizon=0, CapacityBy="Team")
    table = capacity_plan_table(inputs).set_index("Group")
    assert table.loc["Red", "UnnamedDemandHours"] == pytest.approx(30)
    assert table.loc["Blue", "UnnamedDemandHours"] == pytest.approx(60)
    assert table.loc["Blue", "RAG"] == "Red" and table.loc["Blue", "CapacityHours"] == 0


def test_unnamed_percent_uses_hours_per_day_and_company_days_only():
    # HoursPerDay 7.5; the German resource's holidays do not shorten the placeholder's month
    inputs = make_inputs(
        resources=[{"ResourceID": "D", "Role": "Dev", "Country": "DE"}],
        holidays=[{"Date": "2026-05-29", "Country": None}, {"Date": "2026-05-28",
                                                            "Country": "DE"}],
        allocations=[alloc("P", "2026-05-01", role="dev", percent=2)],  # two people
        StatusDate=pd.Timestamp("2026-05-31"), PlanningHorizon=0, HoursPerDay=7.5)
    row = capacity_plan_table(inputs).iloc[0]
    # May 2026: 21 weekdays - company day Fri 29 May = 20 d x 7.5 h x 200 % = 300 h
    assert row["UnnamedDemandHours"] == pytest.approx(300)
    # D: 21 - 3 public holidays (1, 14, 25 May) - 28 May (DE row) - 29 May = 16 d x 7.5 h
    assert row["CapacityHours"] == pytest.approx(16 * 7.5)


def test_plan_months_start_at_the_first_counted_allocation_or_the_status_month():
    inputs = scenario()
    assert list(plan_periods(inputs.settings, [])) == [APR, MAY, JUN]
    assert list(plan_periods(inputs.settings, ["2026-06-20"])) == [APR, MAY, JUN]
    assert plan_periods(inputs.settings, [pd.NaT, "2026-02-03"])[0] == pd.Timestamp("2026-02")
    # the unknown resource's January row does not pull the plan back
    assert capacity_plan_table(inputs)["Period"].min() == MAR
    later = replace(inputs.settings, StatusDate=pd.Timestamp("2026-02-01"), PlanningHorizon=0)
    assert list(plan_periods(later, ["2026-03-01"])) == [pd.Timestamp("2026-02-01")]


def test_resources_with_a_blank_role_and_no_resources_at_all():
    inputs = make_inputs(resources=[{"ResourceID": "A"}], PlanningHorizon=0)
    table = capacity_plan_table(inputs)
    assert list(table["Group"]) == ["(blank)"] and table["CapacityHours"].iloc[0] > 0
    empty = make_inputs(allocations=[alloc("P", "2026-11-01", role="Dev", hours=10)],
                        PlanningHorizon=0)
    row = capacity_plan_table(empty).iloc[0]
    assert (row["Group"], row["GapHours"], row["RAG"]) == ("Dev", -10, "Red")
    assert capacity_plan_table(make_inputs(PlanningHorizon=1)).empty


def test_rag_boundaries():
    target = 0.8
    cap = np.full(7, 100.0)
    demand = np.array([90.0, 90.0 + 1e-5, 100.0, 100.0 + 1e-12, 60.0, 60.0 - 1e-5, 101.0])
    got = plan_rag(demand, cap, demand / cap, target)
    # at target + 0.10 and at target - 0.20 still Green; exactly full is Amber, not Red;
    # float noise of a Percent sum is not a shortage
    assert list(got) == ["Green", "Amber", "Amber", "Amber", "Green", "Amber", "Red"]
    zero = plan_rag(np.array([0.0, 5.0, -5.0]), np.zeros(3), np.full(3, np.nan), target)
    assert list(zero) == [DIV0, "Red", DIV0]


# -- properties -------------------------------------------------------------------------------

ROLES, TEAMS = ["Dev", "dev ", "QA", "PM"], ["Red", "Blue"]


@st.composite
def portfolios(draw):
    n = draw(st.integers(1, 6))
    resources = []
    for i in range(n):
        start = draw(st.none() | st.dates(dt.date(2025, 10, 1), dt.date(2026, 6, 30)))
        end = draw(st.none() | st.dates(dt.date(2025, 10, 1), dt.date(2026, 9, 30)))
        resources.append({
            "ResourceID": f"R{i}", "Role": draw(st.sampled_from([*ROLES, None])),
            "Team": draw(st.sampled_from([*TEAMS, None])),
            "FTE": draw(st.sampled_from([None, 1.0, 0.5, 0.8])),
            "Country": draw(st.sampled_from([None, "GB", "DE"])),
            "StartDate": start, "EndDate": end,
        })
    leave = [{"ResourceID": f"R{draw(st.integers(0, n - 1))}", "Start": d,
              "End": d + dt.timedelta(days=draw(st.integers(0, 20))),
              "Hours": draw(st.none() | st.floats(0, 40))}
             for d in draw(st.lists(st.dates(dt.date(2025, 11, 1), dt.date(2026, 8, 1)),
                                    max_size=4))]
    allocations = [
        alloc("P", draw(st.dates(dt.date(2025, 11, 1), dt.date(2026, 12, 31))),
              rid=draw(st.sampled_from([None, "R0", f"R{n - 1}", "GHOST"])),
              role=draw(st.sampled_from([None, *ROLES, "Architect"])),
              **draw(st.sampled_from([{"hours": 30.0}, {"percent": 0.6}, {"percent": 1.5}])))
        for _ in range(draw(st.integers(0, 12)))
    ]
    horizon = draw(st.integers(0, 4))
    return resources, leave, allocations, horizon


@settings(max_examples=40, deadline=None)
@given(portfolios())
def test_group_capacity_adds_up_to_the_utilisation_capacity(portfolio):
    resources, leave, allocations, horizon = portfolio
    inputs = make_inputs(resources=resources, leave=leave, allocations=allocations,
                         StatusDate=pd.Timestamp("2026-03-20"), PlanningHorizon=horizon)
    plan = capacity_plan_table(inputs)
    months = plan["Period"].drop_duplicates()
    util = utilisation_table(inputs, months)
    cap = plan.groupby("Period")["CapacityHours"].sum()
    np.testing.assert_allclose(cap, util.groupby("Period")["CapacityHours"].sum().loc[cap.index],
                               atol=1e-9)
    named = plan.groupby("Period")["NamedDemandHours"].sum()
    np.testing.assert_allclose(named, util.groupby("Period")["AllocatedHours"].sum()
                               .loc[named.index], atol=1e-9)
    # grouping by Team moves hours between groups, never adds or loses any
    by_team = capacity_plan_table(replace(inputs, settings=replace(inputs.settings,
                                                                   CapacityBy="Team")))
    for col in ("CapacityHours", "DemandHours", "UnnamedDemandHours", "Headcount"):
        assert by_team[col].sum() == pytest.approx(plan[col].sum(), abs=1e-6), col
    assert (plan["GapHours"] == plan["CapacityHours"] - plan["DemandHours"]).all()


@pytest.mark.parametrize(("status", "months"), [
    ("2262-03-15", ["2262-03-01", "2262-04-01"]),  # the horizon stops at the last month
    ("9999-12-31", []), ("1677-09-30", []),  # a status month no Period column can hold
])
def test_extreme_status_dates_never_give_wrong_months(status, months):
    inputs = make_inputs(resources=[{"ResourceID": "A", "Role": "Dev"}],
                         StatusDate=pd.Timestamp(status), PlanningHorizon=12)
    table = capacity_plan_table(inputs)
    assert list(table["Period"]) == [pd.Timestamp(m) for m in months]
