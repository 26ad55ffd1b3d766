"""The bundled sample portfolio and the template's example rows (xlpmo.template.sample)."""

from __future__ import annotations

import holidays
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlpmo.contract import tables
from xlpmo.contract.periods import period_columns, wide_to_long
from xlpmo.contract.settings import Settings
from xlpmo.template.sample import COUNTRIES, PORTFOLIOS, STATUSES, example_rows, sample_portfolio

WIDE = ("tblPlan", "tblActuals", "tblForecast")
STATUS = pd.Timestamp("2026-10-31")
STATUS_PERIOD = pd.Timestamp("2026-10-01")


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return sample_portfolio()


def _long(frame: pd.DataFrame, amount: str) -> pd.DataFrame:
    months = period_columns(frame.columns[2:])
    assert len(months) == len(frame.columns) - 2, "every column after CostType is a month"
    return wide_to_long(frame, amount, ["ProjectID", "CostType"], months)


def _equal(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> bool:
    return a.keys() == b.keys() and all(a[k].equals(b[k]) for k in a)


def test_same_seed_same_tables_other_seed_other_tables(sample):
    assert _equal(sample, sample_portfolio(2026))
    other = sample_portfolio(7)
    assert not other["tblTimesheets"].equals(sample["tblTimesheets"])
    assert not other["tblPlan"].equals(sample["tblPlan"])


def test_every_input_table_with_the_contract_columns(sample):
    assert set(sample) == set(tables.INPUTS)
    for name, frame in sample.items():
        spec = tables.INPUTS[name]
        if name in WIDE:
            assert list(frame.columns[:2]) == ["ProjectID", "CostType"], name
            assert all(isinstance(c, str) for c in frame.columns), name  # text headers
        else:
            assert list(frame.columns) == spec.column_names, name
        assert len(frame) > 0, name


def test_shape_of_the_portfolio(sample):
    projects = sample["tblProjects"]
    assert len(projects) == 25 and projects["ProjectID"].is_unique
    assert sorted(projects["Portfolio"].unique()) == sorted(PORTFOLIOS)
    assert set(projects["Status"]) <= set(STATUSES)
    months = period_columns(sample["tblPlan"].columns[2:])
    assert list(months.values()) == list(pd.date_range("2025-07-01", "2027-06-01", freq="MS"))
    assert len(sample["tblResources"]) == 40
    assert set(sample["tblResources"]["Country"]) == set(COUNTRIES)
    assert sample["tblResources"]["FTE"].between(0.5, 1.0).all()
    assert 15_000 <= len(sample["tblTimesheets"]) <= 30_000
    assert len(sample["tblLeave"]) > 0 and len(sample["tblMilestones"]) > 0
    config = dict(zip(sample["tblConfig"]["Setting"], sample["tblConfig"]["Value"], strict=True))
    assert pd.Timestamp(config["StatusDate"]) == STATUS
    assert set(config) == {f for f in Settings.__dataclass_fields__}
    settings, findings = Settings.from_pairs(list(config.items()))
    assert findings == [] and settings.StatusDate == STATUS


def test_bac_range_and_plan_sums(sample):
    projects = sample["tblProjects"].set_index("ProjectID")
    plan = _long(sample["tblPlan"], "Planned").groupby("ProjectID")["Planned"].sum()
    given_bac = projects["BAC"].dropna()
    assert projects["BAC"].isna().sum() == 1  # one project leaves BAC blank (= sum of plan)
    assert np.allclose(given_bac, plan[given_bac.index])
    assert plan.between(50_000 * 0.9, 5_000_000).all()


def test_holidays_are_real_and_include_company_days(sample):
    hol = sample["tblHolidays"]
    assert hol["Country"].isna().sum() >= 3  # company days apply to everyone
    christmas = hol[hol["Date"] == pd.Timestamp("2025-12-25")]
    assert set(christmas["Country"]) == set(COUNTRIES)
    for country in COUNTRIES:
        dates = hol.loc[hol["Country"] == country, "Date"].dt.date
        options = {"subdiv": "ENG"} if country == "GB" else {}
        real = holidays.country_holidays(country, years=[2025, 2026, 2027], **options)
        assert all(d in real for d in dates), country


def _health(sample: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """CPI and SPI at the status date, computed here from the tables (sums, then ratios)."""
    plan = _long(sample["tblPlan"], "Planned")
    actual = _long(sample["tblActuals"], "Actual")
    bac = plan.groupby("ProjectID")["Planned"].sum()
    pv = plan[plan["Period"] <= STATUS_PERIOD].groupby("ProjectID")["Planned"].sum()
    ac = actual[actual["Period"] <= STATUS_PERIOD].groupby("ProjectID")["Actual"].sum()
    last = sample["tblProgress"].sort_values("Period").groupby("ProjectID").last()
    ev = last["PercentComplete"].mul(bac).fillna(last["Earned"])
    out = pd.DataFrame({"BAC": bac, "PV": pv, "EV": ev, "AC": ac})
    return out.assign(CPI=out["EV"] / out["AC"], SPI=out["EV"] / out["PV"])


def test_varied_health(sample):
    h = _health(sample)
    projects = sample["tblProjects"].set_index("ProjectID")
    assert (h["CPI"] < 0.9).sum() >= 3  # over budget
    assert (h["SPI"] < 0.85).sum() >= 3  # late
    assert ((h["SPI"] > 1.05) & (h["CPI"] > 1.0)).sum() >= 2  # ahead and under budget
    not_started = projects.index[projects["Status"] == "Not started"]
    assert len(not_started) == 1
    assert projects.loc[not_started[0], "BaselineStart"] > STATUS
    assert np.isnan(h.loc[not_started[0], "EV"]) and np.isnan(h.loc[not_started[0], "AC"])
    closed = projects.index[projects["Status"] == "Closed"]
    assert len(closed) == 1
    assert projects.loc[closed[0], "BaselineFinish"] < STATUS
    assert h.loc[closed[0], "EV"] == h.loc[closed[0], "BAC"]  # 100 % complete
    assert (projects["Status"] == "On hold").sum() == 1
    # one re-plan credit in the plan and one credit note in the actuals
    plan = _long(sample["tblPlan"], "Planned")
    assert (plan["Planned"] < 0).sum() == 1
    assert set(plan.loc[plan["Planned"] < 0, "CostType"]) == {"Re-plan"}
    assert (_long(sample["tblActuals"], "Actual")["Actual"] < 0).any()
    # one project reports earned value in money, the rest % complete
    prog = sample["tblProgress"]
    assert prog.loc[prog["Earned"].notna(), "ProjectID"].nunique() == 1
    assert prog["PercentComplete"].notna().sum() + prog["Earned"].notna().sum() == len(prog)


def _check_invariants(data: dict[str, pd.DataFrame]) -> None:
    status = pd.Timestamp(
        data["tblConfig"].set_index("Setting").loc["StatusDate", "Value"]
    )
    period = status.replace(day=1)
    actual = _long(data["tblActuals"], "Actual")
    assert (actual.loc[actual["Period"] > period, "Actual"] == 0).all(), "actuals after status"
    forecast = _long(data["tblForecast"], "Forecast")
    assert (forecast["Period"] > period).all(), "forecast only after the status period"
    prog = data["tblProgress"].sort_values(["ProjectID", "Period"])
    assert (prog["Period"] <= period).all()
    pct = prog["PercentComplete"].dropna()
    assert pct.between(0, 1).all()
    steps = prog.groupby("ProjectID")["PercentComplete"].diff().dropna()
    assert (steps >= 0).all(), "cumulative % complete never falls"
    ts = data["tblTimesheets"]
    assert (ts["Date"] <= status).all() and (ts["Date"].dt.day_of_week < 5).all()
    assert (ts["Hours"] > 0).all() and ts["Billable"].dtype == bool
    assert ts["ProjectID"].isin(data["tblProjects"]["ProjectID"]).all()
    assert ts["ResourceID"].isin(data["tblResources"]["ResourceID"]).all()
    # no work booked on the resource's public holidays or on company days
    country = data["tblResources"].set_index("ResourceID")["Country"]
    booked = ts.assign(Country=ts["ResourceID"].map(country))
    hol = data["tblHolidays"]
    company = hol.loc[hol["Country"].isna(), "Date"]
    assert not booked["Date"].isin(company).any()
    clash = booked.merge(hol.dropna(subset=["Country"]), on=["Date", "Country"])
    assert clash.empty
    # nothing booked during full-day leave
    leave = data["tblLeave"]
    full = leave[leave["Hours"].isna()].merge(ts, on="ResourceID")
    assert not ((full["Date"] >= full["Start"]) & (full["Date"] <= full["End"])).any()
    alloc = data["tblAllocations"]
    assert (alloc["Hours"].isna() ^ alloc["Percent"].isna()).all(), "Hours or Percent"
    ms = data["tblMilestones"]
    assert (ms["ActualDate"].dropna() <= status).all()


def test_invariants_of_the_sample(sample):
    _check_invariants(sample)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_invariants_hold_for_any_seed(seed):
    data = sample_portfolio(seed)
    _check_invariants(data)
    assert len(data["tblProjects"]) == 25 and len(data["tblResources"]) == 40


def test_example_rows_are_small():
    ex = example_rows()
    assert set(ex) == set(tables.INPUTS)
    assert len(ex["tblProjects"]) == 3
    months = period_columns(ex["tblPlan"].columns[2:])
    assert list(months.values()) == list(pd.date_range("2026-01-01", "2026-12-01", freq="MS"))
    assert len(ex["tblResources"]) == 4
    assert len(ex["tblTimesheets"]) < 3000
    _check_invariants(ex)


def test_example_holidays_are_the_real_2026_holidays():
    hol = example_rows()["tblHolidays"].dropna(subset=["Country"])
    options = {"GB": {"subdiv": "ENG"}}
    for country in COUNTRIES:
        real = holidays.country_holidays(country, years=[2026], **options.get(country, {}))
        ours = set(hol.loc[hol["Country"] == country, "Date"].dt.date)
        assert ours <= set(real), country
        assert {d for d in real if d.weekday() < 5} <= ours, country  # every weekday one
