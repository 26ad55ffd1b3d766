"""A large synthetic portfolio in the canonical input shape, generated vectorised.

Deterministic (numpy Generator with a fixed seed). Used by the benchmarks:
1,000 projects × 60 months of plan, actuals and progress; 2,000 resources with
allocations; 500,000 timesheet rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlpmo.contract.model import Inputs
from xlpmo.contract.settings import Settings

FIRST = pd.Timestamp("2024-01-01")


def synthetic_inputs(
    n_projects: int = 1000,
    n_months: int = 60,
    n_resources: int = 2000,
    n_timesheets: int = 500_000,
    seed: int = 7,
) -> Inputs:
    rng = np.random.default_rng(seed)
    months = pd.date_range(FIRST, periods=n_months, freq="MS")
    status = months[n_months * 2 // 3] + pd.offsets.MonthEnd(0)
    pids = np.array([f"P{i:05d}" for i in range(n_projects)], dtype=object)

    projects = pd.DataFrame({
        "ProjectID": pids,
        "ProjectName": [f"Project {i}" for i in range(n_projects)],
        "Portfolio": rng.choice(np.array(["Digital", "Infra", "Regulatory", "Customer"],
                                         dtype=object), n_projects),
        "Manager": rng.choice(np.array(["Ann", "Bob", "Cem", "Dee"], dtype=object), n_projects),
        "Status": "Active",
        "BaselineStart": pd.NaT,
        "BaselineFinish": pd.NaT,
        "BAC": np.nan,
    })
    projects["BaselineStart"] = pd.to_datetime(projects["BaselineStart"])
    projects["BaselineFinish"] = pd.to_datetime(projects["BaselineFinish"])

    # S-shaped plan: each project spans a random window of the months
    start = rng.integers(0, n_months // 2, n_projects)
    length = rng.integers(6, n_months // 2, n_projects)
    m = np.arange(n_months)
    rel = (m[None, :] - start[:, None] + 0.5) / length[:, None]
    active = (rel > 0) & (rel < 1)
    weight = np.where(active, np.sin(np.pi * np.clip(rel, 0, 1)), 0.0)
    bac = rng.uniform(5e4, 5e6, n_projects)
    planned = weight / weight.sum(axis=1, keepdims=True) * bac[:, None]
    perf = rng.normal(1.0, 0.12, n_projects)
    actual = planned * perf[:, None] * rng.uniform(0.8, 1.2, planned.shape)
    s_idx = months.get_loc(months[months <= status][-1])
    actual[:, s_idx + 1:] = 0.0
    cum_plan = np.cumsum(planned, axis=1) / bac[:, None]
    pct = np.clip(cum_plan * rng.normal(1.0, 0.1, n_projects)[:, None], 0, 1)

    def long(values: np.ndarray, name: str) -> pd.DataFrame:
        return pd.DataFrame({
            "ProjectID": np.repeat(pids, n_months),
            "Period": np.tile(months.to_numpy(), n_projects),
            "CostType": "Labour",
            name: values.reshape(-1),
        })

    plan = long(planned, "Planned")
    actuals = long(actual, "Actual")
    progress = long(pct, "PercentComplete").drop(columns="CostType")
    progress["Earned"] = np.nan
    progress = progress[progress["Period"] <= status].reset_index(drop=True)

    rids = np.array([f"R{i:05d}" for i in range(n_resources)], dtype=object)
    resources = pd.DataFrame({
        "ResourceID": rids, "Name": rids, "Role": "Engineer", "Team": "T1",
        "FTE": rng.choice([0.5, 0.8, 1.0], n_resources), "HoursPerWeek": np.nan,
        "CostRate": 100.0, "Country": rng.choice(np.array(["GB", "DE", "US", "FR"], dtype=object),
                                                 n_resources),
        "StartDate": pd.NaT, "EndDate": pd.NaT,
    })
    resources["StartDate"] = pd.to_datetime(resources["StartDate"])
    resources["EndDate"] = pd.to_datetime(resources["EndDate"])
    ts_window = pd.date_range(status - pd.DateOffset(months=12), status, freq="B")
    timesheets = pd.DataFrame({
        "ResourceID": rng.choice(rids, n_timesheets),
        "ProjectID": rng.choice(pids, n_timesheets),
        "Date": rng.choice(ts_window.to_numpy(), n_timesheets),
        "Hours": rng.choice([2.0, 4.0, 6.0, 7.5, 8.0], n_timesheets),
        "Billable": rng.random(n_timesheets) < 0.7,
    })
    alloc_months = pd.date_range(ts_window[0], status, freq="MS")
    allocations = pd.DataFrame({
        "ResourceID": np.repeat(rids, len(alloc_months)),
        "ProjectID": rng.choice(pids, n_resources * len(alloc_months)),
        "Period": np.tile(alloc_months.to_numpy(), n_resources),
        "Hours": rng.uniform(60, 180, n_resources * len(alloc_months)),
        "Percent": np.nan,
    })
    present = frozenset({"tblConfig", "tblProjects", "tblPlan", "tblActuals", "tblProgress",
                         "tblResources", "tblAllocations", "tblTimesheets"})
    return Inputs(
        settings=Settings(StatusDate=status),
        projects=projects, plan=plan, actuals=actuals, progress=progress,
        resources=resources, allocations=allocations, timesheets=timesheets, present=present,
    )
