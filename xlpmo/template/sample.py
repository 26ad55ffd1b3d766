"""A deterministic, realistic sample portfolio in the standard workbook's layout.

:func:`sample_portfolio` returns every input table of shared/spec/workbook.md as a
DataFrame keyed by table name (``"tblProjects"`` ...), with exactly the columns of
:mod:`xlpmo.contract.tables`. ``tblPlan``, ``tblActuals`` and ``tblForecast`` use the WIDE layout
the template uses: ``ProjectID``, ``CostType``, then one column per month whose header is
the month as text (``"Jul 2025"``, see :func:`month_header`). Blank cells are NaN / NaT.

The portfolio: 25 projects in 4 portfolios over 24 months (Jul 2025 .. Jun 2027), status
date 2026-10-31, with varied health (on track, over budget, late, ahead, one not started,
one finished, one on hold, one with a re-plan credit and a supplier credit note, one
reporting earned value in money, one without a BAC), S-shaped phasing, actuals to the
status period, monthly % complete, bottom-up forecasts for five projects, 40 resources in
GB/DE/US/FR with their public holidays (from the ``holidays`` package) plus company days,
allocations (named, and unnamed demand by Role: :mod:`xlpmo.template.sample_demand`),
about 20,000 daily timesheet rows, leave and milestones.

:func:`example_rows` is the small set the template ships with: 3 projects, 12 months
(Jan .. Dec 2026), 4 resources; its holidays are a fixed list so the committed template
does not change when the ``holidays`` package renames a day.

Everything comes from ``numpy.random.default_rng(seed)``; nothing depends on today's date.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from xlpmo.contract import tables
from xlpmo.contract.settings import Settings
from xlpmo.template.sample_demand import EXAMPLE_DEMAND, SAMPLE_DEMAND, Placeholder, unnamed_demand

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
COST_TYPES = ("Labour", "External")
REPLAN = "Re-plan"
PORTFOLIOS = ("Digital", "Infrastructure", "Regulatory", "Customer")
STATUSES = ("Not started", "Active", "On hold", "Closed")
COUNTRIES = ("GB", "DE", "US", "FR")


def month_header(period: object) -> str:
    """The text header of a month column in the wide layout: ``2026-01-01`` -> ``"Jan 2026"``.

    Excel table headers are always text; the reader parses this form back to the month
    (workbook.md, "Periods"). English month names, independent of the locale.
    """
    ts = pd.Timestamp(period)
    return f"{MONTH_ABBR[ts.month - 1]} {ts.year}"


# -- the scenario ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Project:
    pid: str
    name: str
    portfolio: str
    profile: str  # on_track, over, late, ahead, not_started, finished, replan, on_hold
    forecast: bool = False  # has a bottom-up forecast in tblForecast
    earned: bool = False  # reports Earned (money) instead of PercentComplete
    no_bac: bool = False  # BAC left blank (= sum of Planned)
    billable: bool = False


@dataclass(frozen=True)
class _Scenario:
    first: pd.Timestamp  # first month
    n_months: int
    status: pd.Timestamp
    currency: str
    projects: tuple[_Project, ...]
    resources: tuple[tuple[str, str], ...]  # (role, country) per resource
    fixed_holidays: tuple[tuple[str, str, str], ...] | None  # (date, country, name) or None
    demand: tuple[Placeholder, ...] = ()  # unnamed demand (tblAllocations rows by Role)

    @property
    def months(self) -> pd.DatetimeIndex:
        return pd.date_range(self.first, periods=self.n_months, freq="MS")

    @property
    def status_idx(self) -> int:
        return (self.status.year - self.first.year) * 12 + self.status.month - self.first.month


_P = _Project
_SAMPLE_PROJECTS = (
    _P("PRJ-101", "Mobile App Relaunch", "Digital", "on_track", forecast=True, billable=True),
    _P("PRJ-102", "Customer Portal 2.0", "Digital", "over", forecast=True, billable=True),
    _P("PRJ-103", "Data Lakehouse", "Digital", "late"),
    _P("PRJ-104", "AI Service Desk", "Digital", "ahead"),
    _P("PRJ-105", "Payments API", "Digital", "on_track", billable=True),
    _P("PRJ-106", "Web Analytics Refresh", "Digital", "finished"),
    _P("PRJ-107", "Single Sign-On", "Digital", "over"),
    _P("PRJ-108", "Data Centre Exit", "Infrastructure", "late", forecast=True),
    _P("PRJ-109", "Network Refresh", "Infrastructure", "on_track", earned=True),
    _P("PRJ-110", "Cloud Landing Zone", "Infrastructure", "ahead"),
    _P("PRJ-111", "Laptop Refresh 2026", "Infrastructure", "replan"),
    _P("PRJ-112", "Backup Modernisation", "Infrastructure", "on_track", no_bac=True),
    _P("PRJ-113", "Office Move Berlin", "Infrastructure", "not_started"),
    _P("PRJ-114", "SD-WAN Rollout", "Infrastructure", "over"),
    _P("PRJ-115", "GDPR Retention", "Regulatory", "on_track"),
    _P("PRJ-116", "IFRS 17 Reporting", "Regulatory", "late", forecast=True),
    _P("PRJ-117", "DORA Resilience", "Regulatory", "over"),
    _P("PRJ-118", "SOX Controls Automation", "Regulatory", "ahead"),
    _P("PRJ-119", "Accessibility Compliance", "Regulatory", "on_hold"),
    _P("PRJ-120", "CRM Migration", "Customer", "over", forecast=True, billable=True),
    _P("PRJ-121", "Contact Centre Upgrade", "Customer", "late", billable=True),
    _P("PRJ-122", "Loyalty Programme", "Customer", "on_track", billable=True),
    _P("PRJ-123", "Self-Service Billing", "Customer", "ahead", billable=True),
    _P("PRJ-124", "Customer Onboarding Journey", "Customer", "on_track", billable=True),
    _P("PRJ-125", "NPS Feedback Loop", "Customer", "late", billable=True),
)
_EXAMPLE_PROJECTS = (
    _P("PRJ-101", "Mobile App Relaunch", "Digital", "on_track", forecast=True, billable=True),
    _P("PRJ-102", "Data Centre Exit", "Infrastructure", "over"),
    _P("PRJ-103", "CRM Migration", "Customer", "late", billable=True),
)

# role -> (team, hourly cost rate in the base country)
_ROLES = {
    "Project Manager": ("PMO", 85.0),
    "Business Analyst": ("Change", 70.0),
    "Solution Architect": ("Architecture", 110.0),
    "Developer": ("Engineering", 65.0),
    "Senior Developer": ("Engineering", 85.0),
    "Test Analyst": ("Quality", 55.0),
    "Data Engineer": ("Data", 80.0),
    "Infrastructure Engineer": ("Infrastructure", 70.0),
    "UX Designer": ("Design", 65.0),
}
_ROLE_COUNTS = {
    "Project Manager": 5, "Business Analyst": 5, "Solution Architect": 3, "Developer": 8,
    "Senior Developer": 4, "Test Analyst": 5, "Data Engineer": 4, "Infrastructure Engineer": 4,
    "UX Designer": 2,
}
_COUNTRY_SHARE = {"GB": 14, "DE": 10, "US": 9, "FR": 7}
_COUNTRY_RATE = {"GB": 1.0, "DE": 1.05, "US": 1.2, "FR": 0.95}
_HOURS_PER_WEEK = {"GB": 37.5, "DE": 40.0, "US": 40.0, "FR": 35.0}
_NAMES = {
    "GB": (
        ("Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Jack", "Emily", "Noah",
         "Sophie", "Thomas", "Grace", "James", "Lily"),
        ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Roberts",
         "Walker", "Wright", "Hughes", "Green", "Hall", "Clarke"),
    ),
    "DE": (
        ("Lukas", "Anna", "Felix", "Lena", "Jonas", "Mia", "Paul", "Hannah", "Leon", "Emma"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
         "Hoffmann", "Koch"),
    ),
    "US": (
        ("Liam", "Olivia", "Ethan", "Madison", "Mason", "Abigail", "Logan", "Sophia", "Caleb"),
        ("Johnson", "Miller", "Davis", "Garcia", "Rodriguez", "Anderson", "Moore", "Jackson",
         "Harris"),
    ),
    "FR": (
        ("Lucas", "Chloé", "Hugo", "Léa", "Louis", "Manon", "Gabriel"),
        ("Martin", "Bernard", "Dubois", "Durand", "Leroy", "Moreau", "Lefebvre"),
    ),
}
_MILESTONES = (
    ("Kick-off", 0.0), ("Design approved", 0.25), ("Build complete", 0.6),
    ("UAT sign-off", 0.85), ("Go-live", 1.0),
)
# Real 2026 public holidays (England for GB, national for DE/US/FR) for example_rows():
# fixed here so the committed template does not depend on the holidays package's names.
_HOLIDAYS_2026 = (
    ("2026-01-01", "GB", "New Year's Day"), ("2026-04-03", "GB", "Good Friday"),
    ("2026-04-06", "GB", "Easter Monday"), ("2026-05-04", "GB", "Early May Bank Holiday"),
    ("2026-05-25", "GB", "Spring Bank Holiday"), ("2026-08-31", "GB", "Summer Bank Holiday"),
    ("2026-12-25", "GB", "Christmas Day"), ("2026-12-28", "GB", "Boxing Day (substitute day)"),
    ("2026-01-01", "DE", "New Year's Day"), ("2026-04-03", "DE", "Good Friday"),
    ("2026-04-06", "DE", "Easter Monday"), ("2026-05-01", "DE", "Labour Day"),
    ("2026-05-14", "DE", "Ascension Day"), ("2026-05-25", "DE", "Whit Monday"),
    ("2026-10-03", "DE", "German Unity Day"), ("2026-12-25", "DE", "Christmas Day"),
    ("2026-12-26", "DE", "Second Day of Christmas"),
    ("2026-01-01", "US", "New Year's Day"), ("2026-01-19", "US", "Martin Luther King Jr. Day"),
    ("2026-02-16", "US", "Washington's Birthday"), ("2026-05-25", "US", "Memorial Day"),
    ("2026-06-19", "US", "Juneteenth"), ("2026-07-03", "US", "Independence Day (observed)"),
    ("2026-09-07", "US", "Labor Day"), ("2026-10-12", "US", "Columbus Day"),
    ("2026-11-11", "US", "Veterans Day"), ("2026-11-26", "US", "Thanksgiving Day"),
    ("2026-12-25", "US", "Christmas Day"),
    ("2026-01-01", "FR", "New Year's Day"), ("2026-04-06", "FR", "Easter Monday"),
    ("2026-05-01", "FR", "Labour Day"), ("2026-05-08", "FR", "Victory in Europe Day"),
    ("2026-05-14", "FR", "Ascension Day"), ("2026-05-25", "FR", "Whit Monday"),
    ("2026-07-14", "FR", "Bastille Day"), ("2026-08-15", "FR", "Assumption Day"),
    ("2026-11-01", "FR", "All Saints' Day"), ("2026-11-11", "FR", "Armistice Day"),
    ("2026-12-25", "FR", "Christmas Day"),
    ("2026-12-29", "", "Company day"), ("2026-12-30", "", "Company day"),
    ("2026-12-31", "", "Company day"),
)


def _sample_resources() -> tuple[tuple[str, str], ...]:
    roles = [role for role, n in _ROLE_COUNTS.items() for _ in range(n)]
    countries = [c for c, n in _COUNTRY_SHARE.items() for _ in range(n)]
    # interleave so every role meets several countries, deterministically
    order = np.argsort(np.arange(len(countries)) * 7 % len(countries), kind="stable")
    return tuple(zip(roles, [countries[i] for i in order], strict=True))


SAMPLE = _Scenario(
    first=pd.Timestamp("2025-07-01"), n_months=24, status=pd.Timestamp("2026-10-31"),
    currency="GBP", projects=_SAMPLE_PROJECTS, resources=_sample_resources(),
    fixed_holidays=None, demand=SAMPLE_DEMAND,
)
EXAMPLE = _Scenario(
    first=pd.Timestamp("2026-01-01"), n_months=12, status=pd.Timestamp("2026-10-31"),
    currency="GBP", projects=_EXAMPLE_PROJECTS,
    resources=(
        ("Project Manager", "GB"), ("Developer", "DE"), ("Test Analyst", "US"),
        ("Business Analyst", "FR"),
    ),
    fixed_holidays=_HOLIDAYS_2026, demand=EXAMPLE_DEMAND,
)


def sample_portfolio(seed: int = 2026) -> dict[str, pd.DataFrame]:
    """The bundled sample portfolio: every input table of the contract, keyed by table name.

    25 projects, 4 portfolios, 24 months (Jul 2025 .. Jun 2027), status date 2026-10-31,
    40 resources. The same seed always gives the same tables.
    """
    return _generate(SAMPLE, np.random.default_rng(seed))


def example_rows(seed: int = 2026) -> dict[str, pd.DataFrame]:
    """The small example the template ships with: 3 projects, 12 months, 4 resources."""
    return _generate(EXAMPLE, np.random.default_rng(seed))


# -- generation ------------------------------------------------------------------------------


def _smoothstep(x: np.ndarray) -> np.ndarray:
    """Cumulative S-curve on [0, 1] (the Beta(2,2) distribution function 3x² − 2x³)."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _diff_rounded(cum: np.ndarray) -> np.ndarray:
    """Per-period whole amounts whose running total is the rounded cumulative curve."""
    r = np.round(cum)
    return np.diff(r, axis=1, prepend=0.0)


@dataclass
class _Shape:
    """Per-project parameters drawn from the generator (arrays over projects)."""

    start: np.ndarray  # month index of the first planned month
    dur: np.ndarray  # planned duration in months
    bac: np.ndarray  # budget before credits
    skew: np.ndarray  # exponent applied to elapsed time before the S-curve
    labour: np.ndarray  # labour share of cost
    cost_factor: np.ndarray  # AC / EV
    speed: np.ndarray  # schedule speed: earned % runs `speed` times the plan


def _draw_shape(sc: _Scenario, rng: np.random.Generator) -> _Shape:
    n, m, st = len(sc.projects), sc.n_months, sc.status_idx
    prof = np.array([p.profile for p in sc.projects])
    start = rng.integers(0, max(1, st - 5), n)
    last = rng.integers(min(st + 2, m - 1), m, n)
    late_ends = rng.integers(max(st - 2, 1), m, n)  # some late projects should be done by now
    last = np.where(prof == "late", np.maximum(late_ends, start + 5), last)
    start = np.where(prof == "finished", 0, start)
    last = np.where(prof == "finished", max(st - 4, 3), last)
    start = np.where(prof == "not_started", min(st + 3, m - 2), start)
    last = np.where(prof == "not_started", np.minimum(start + 5, m - 1), last)
    last = np.minimum(np.maximum(last, start + 3), m - 1)
    dur = last - start + 1

    bac = np.round(np.exp(rng.uniform(np.log(50_000), np.log(5_000_000), n)), -3)
    cost = {
        "on_track": (0.98, 1.03), "over": (1.12, 1.30), "late": (1.0, 1.08),
        "ahead": (0.90, 0.97), "finished": (1.02, 1.06), "replan": (0.99, 1.04),
        "on_hold": (1.03, 1.10), "not_started": (1.0, 1.0),
    }
    speed = {
        "on_track": (0.97, 1.03), "over": (0.95, 1.0), "late": (0.70, 0.85),
        "ahead": (1.08, 1.18), "finished": (1.0, 1.0), "replan": (0.95, 1.0),
        "on_hold": (0.9, 1.0), "not_started": (1.0, 1.0),
    }
    lo_c, hi_c = np.array([cost[p] for p in prof]).T
    lo_s, hi_s = np.array([speed[p] for p in prof]).T
    return _Shape(
        start=start, dur=dur, bac=bac, skew=rng.uniform(0.8, 1.25, n),
        labour=rng.uniform(0.55, 0.8, n), cost_factor=rng.uniform(lo_c, hi_c),
        speed=rng.uniform(lo_s, hi_s),
    )


def _generate(sc: _Scenario, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    shape = _draw_shape(sc, rng)
    plan = _plan(sc, shape, rng)
    pct, progress = _progress(sc, shape, rng, plan)
    actuals = _actuals(sc, shape, rng, pct, plan)
    forecast, work_end = _forecast(sc, shape, rng, pct, plan)
    resources = _resources(sc, rng)
    holidays = _holidays(sc)
    leave = _leave(sc, rng, resources)
    active = _active_months(sc, shape, pct, work_end)
    allocations = _allocations(sc, rng, resources, active)
    timesheets = _timesheets(sc, rng, resources, allocations, holidays, leave)
    projects = _projects(sc, shape, plan, resources)
    out = {
        "tblConfig": _config(sc),
        "tblProjects": projects,
        "tblPlan": plan["wide"],
        "tblActuals": actuals,
        "tblProgress": progress,
        "tblForecast": forecast,
        "tblResources": resources,
        "tblHolidays": holidays,
        "tblLeave": leave,
        "tblAllocations": pd.concat([allocations, unnamed_demand(sc.demand, sc.status)]),
        "tblTimesheets": timesheets,
        "tblMilestones": _milestones(sc, shape, rng, pct),
    }
    return {name: df.reset_index(drop=True) for name, df in out.items()}


def _wide(
    sc: _Scenario, pids: np.ndarray, cost_types: np.ndarray, values: np.ndarray,
    months: pd.DatetimeIndex | None = None,
) -> pd.DataFrame:
    """Wide table: ProjectID, CostType, one text-headed column per month; 0 -> blank."""
    months = sc.months if months is None else months
    body = np.where(values == 0, np.nan, values)
    frame = pd.DataFrame(body, columns=[month_header(m) for m in months])
    frame.insert(0, "CostType", cost_types)
    frame.insert(0, "ProjectID", pids)
    return frame


def _plan(sc: _Scenario, shape: _Shape, rng: np.random.Generator) -> dict:
    m = np.arange(sc.n_months)[None, :]
    x = (m + 1 - shape.start[:, None]) / shape.dur[:, None]
    curve = _smoothstep(np.clip(x, 0, 1) ** shape.skew[:, None])
    total = _diff_rounded(shape.bac[:, None] * curve)
    labour = _diff_rounded((shape.bac * shape.labour)[:, None] * curve)
    external = total - labour
    pids = np.array([p.pid for p in sc.projects])
    n = len(pids)
    rows_pid = np.repeat(pids, 2)
    rows_ct = np.tile(np.array(COST_TYPES), n)
    values = np.stack([labour, external], axis=1).reshape(2 * n, sc.n_months)
    credit = np.zeros(n)
    replan = np.array([p.profile == "replan" for p in sc.projects])
    if replan.any():
        i = int(np.flatnonzero(replan)[0])
        month = min(int(shape.start[i]) + 3, sc.status_idx)
        credit[i] = np.round(0.06 * shape.bac[i], -3)
        row = np.zeros((1, sc.n_months))
        row[0, month] = -credit[i]
        values = np.insert(values, 2 * i + 2, row, axis=0)
        rows_pid = np.insert(rows_pid, 2 * i + 2, pids[i])
        rows_ct = np.insert(rows_ct, 2 * i + 2, REPLAN)
    return {
        "wide": _wide(sc, rows_pid, rows_ct, values),
        "total": total,  # per project x month, before the credit
        "curve": curve,
        "bac": shape.bac - credit,  # sum of Planned including the re-plan credit
    }


def _progress(
    sc: _Scenario, shape: _Shape, rng: np.random.Generator, plan: dict
) -> tuple[np.ndarray, pd.DataFrame]:
    """Cumulative % complete per project x month up to the status period (NaN elsewhere)."""
    st = sc.status_idx
    m = np.arange(sc.n_months)[None, :]
    elapsed = (m + 1 - shape.start[:, None]) * shape.speed[:, None] / shape.dur[:, None]
    pct = _smoothstep(np.clip(elapsed, 0, 1) ** shape.skew[:, None])
    pct = np.clip(pct + rng.normal(0, 0.008, pct.shape), 0, 1)
    prof = np.array([p.profile for p in sc.projects])
    hold_from = max(st - 3, 1)
    pct[prof == "on_hold", hold_from:] = pct[prof == "on_hold", hold_from - 1 : hold_from]
    pct[prof == "finished", :] = np.where(
        m[0] >= (shape.start + shape.dur - 1)[prof == "finished"][:, None], 1.0,
        pct[prof == "finished", :],
    )
    pct = np.round(np.maximum.accumulate(pct, axis=1), 2)
    started = m >= shape.start[:, None]
    pct = np.where(started & (m <= st), pct, np.nan)
    # a finished project stops reporting once complete
    done_before = np.maximum.accumulate(np.nan_to_num(pct) >= 1.0, axis=1)
    first_done = np.roll(done_before, 1, axis=1)
    first_done[:, 0] = False
    pct = np.where(first_done & (prof == "finished")[:, None], np.nan, pct)

    pi, mi = np.nonzero(~np.isnan(pct))
    values = pct[pi, mi]
    earned = np.array([p.earned for p in sc.projects])[pi]
    bac = plan["bac"][pi]
    progress = pd.DataFrame(
        {
            "ProjectID": np.array([p.pid for p in sc.projects])[pi],
            "Period": sc.months[mi],
            "PercentComplete": np.where(earned, np.nan, values),
            "Earned": np.where(earned, np.round(values * bac), np.nan),
        }
    )
    return pct, progress[tables.PROGRESS.column_names]


def _actuals(
    sc: _Scenario, shape: _Shape, rng: np.random.Generator, pct: np.ndarray, plan: dict
) -> pd.DataFrame:
    ev = np.nan_to_num(pct) * plan["bac"][:, None]
    ev_step = np.diff(ev, axis=1, prepend=0.0)
    noise = np.clip(rng.normal(1.0, 0.05, ev.shape), 0.8, 1.2)
    total = np.round(np.clip(ev_step, 0, None) * shape.cost_factor[:, None] * noise)
    share = np.clip(shape.labour[:, None] + rng.normal(0, 0.04, ev.shape), 0.3, 0.95)
    labour = np.round(total * share)
    external = total - labour
    replan = np.flatnonzero([p.profile == "replan" for p in sc.projects])
    for i in replan:  # a supplier credit note bigger than the month's invoices
        month = min(int(shape.start[i]) + 4, sc.status_idx)
        external[i, month] = -np.round(0.01 * shape.bac[i], -2)
    n = len(sc.projects)
    values = np.stack([labour, external], axis=1).reshape(2 * n, sc.n_months)
    pids = np.repeat([p.pid for p in sc.projects], 2)
    cts = np.tile(np.array(COST_TYPES), n)
    keep = (values != 0).any(axis=1)
    return _wide(sc, pids[keep], cts[keep], values[keep])


def _forecast(
    sc: _Scenario, shape: _Shape, rng: np.random.Generator, pct: np.ndarray, plan: dict
) -> tuple[pd.DataFrame, np.ndarray]:
    """Bottom-up ETC by month after the status period, for the flagged projects.

    Also returns each project's expected last working month (used for allocations).
    """
    st, m_count = sc.status_idx, sc.n_months
    future = sc.months[st + 1 :]
    work_end = np.minimum(
        shape.start + np.ceil(shape.dur / shape.speed).astype(int) - 1, m_count - 1
    )
    rows, pids, cts = [], [], []
    earned_now = np.nan_to_num(np.nanmax(np.nan_to_num(pct, nan=0.0), axis=1))
    for i, p in enumerate(sc.projects):
        if not p.forecast or len(future) == 0:
            continue
        end = int(np.clip(work_end[i], st + 1, m_count - 1))
        n_fc = end - st
        remaining = plan["bac"][i] * (1 - earned_now[i])
        etc = remaining * shape.cost_factor[i] * rng.uniform(0.97, 1.05)
        x = np.linspace(earned_now[i], 1.0, n_fc + 1)
        cum = (_smoothstep(x) - _smoothstep(x[0])) / max(1e-9, 1 - _smoothstep(x[0]))
        total = np.diff(np.round(etc * cum))
        labour = np.round(total * shape.labour[i])
        row = np.zeros((2, len(future)))
        row[0, :n_fc], row[1, :n_fc] = labour, total - labour
        rows.append(row)
        pids += [p.pid, p.pid]
        cts += list(COST_TYPES)
    values = np.vstack(rows) if rows else np.zeros((0, len(future)))
    return _wide(sc, np.array(pids), np.array(cts), values, future), work_end


def _active_months(
    sc: _Scenario, shape: _Shape, pct: np.ndarray, work_end: np.ndarray
) -> np.ndarray:
    """project x month: True while people work on the project."""
    m = np.arange(sc.n_months)[None, :]
    st = sc.status_idx
    prof = np.array([p.profile for p in sc.projects])
    last = np.maximum(work_end, shape.start + shape.dur - 1)
    active = (m >= shape.start[:, None]) & (m <= last[:, None])
    complete = np.nan_to_num(pct) >= 1.0
    active &= ~np.roll(np.maximum.accumulate(complete, axis=1), 1, axis=1) | (m == 0)
    active[prof == "on_hold", max(st - 3, 1) :] = False
    planned_end = (shape.start + shape.dur - 1)[prof == "finished"]
    active[prof == "finished", :] &= m[0] <= planned_end[:, None]
    return active


def _resources(sc: _Scenario, rng: np.random.Generator) -> pd.DataFrame:
    n = len(sc.resources)
    roles = np.array([r for r, _ in sc.resources])
    countries = np.array([c for _, c in sc.resources])
    names = np.empty(n, dtype=object)
    for c in COUNTRIES:
        idx = np.flatnonzero(countries == c)
        first, last = _NAMES[c]
        f = rng.permutation(len(first))[: len(idx)]
        la = rng.permutation(len(last))[: len(idx)]
        names[idx] = [f"{first[a]} {last[b]}" for a, b in zip(f, la, strict=True)]
    fte = rng.choice([1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.6, 0.5], n)
    base = np.array([_ROLES[r][1] for r in roles])
    factor = np.array([_COUNTRY_RATE[c] for c in countries])
    rate = np.round(base * factor * rng.uniform(0.92, 1.08, n))
    start = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    end = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    if n >= 10:  # joiners and leavers
        joiners = rng.choice(np.arange(5, n), 3, replace=False)
        leavers = rng.choice(np.setdiff1d(np.arange(5, n), joiners), 2, replace=False)
        start[joiners] = pd.to_datetime(["2026-02-02", "2026-04-01", "2026-07-06"])
        end[leavers] = pd.to_datetime(["2026-06-30", "2026-09-30"])
    frame = pd.DataFrame(
        {
            "ResourceID": [f"R{i + 1:03d}" for i in range(n)],
            "Name": names.astype(str),
            "Role": roles,
            "Team": [_ROLES[r][0] for r in roles],
            "FTE": fte,
            "HoursPerWeek": [_HOURS_PER_WEEK[c] for c in countries],
            "CostRate": rate,
            "Country": countries,
            "StartDate": start.to_numpy(),
            "EndDate": end.to_numpy(),
        }
    )
    return frame[tables.RESOURCES.column_names]


def _holidays(sc: _Scenario) -> pd.DataFrame:
    lo, hi = sc.months[0], sc.months[-1] + pd.offsets.MonthEnd(0)
    if sc.fixed_holidays is not None:
        rows = list(sc.fixed_holidays)
    else:
        import holidays as holidays_pkg  # runtime dependency; imported only when needed

        years = list(range(lo.year, hi.year + 1))
        rows = []
        for country, options in (
            ("GB", {"subdiv": "ENG"}), ("DE", {"language": "en_US"}), ("US", {}),
            ("FR", {"language": "en_US"}),
        ):
            days = holidays_pkg.country_holidays(country, years=years, **options)
            rows += [(d.isoformat(), country, name) for d, name in sorted(days.items())]
        for year in years:  # company days between Christmas and New Year: for everyone
            rows += [(f"{year}-12-{d}", "", "Company day") for d in (29, 30, 31)]
    frame = pd.DataFrame(rows, columns=tables.HOLIDAYS.column_names)
    frame["Date"] = pd.to_datetime(frame["Date"])
    frame = frame[(frame["Date"] >= lo) & (frame["Date"] <= hi)]
    frame["Country"] = frame["Country"].replace("", np.nan)
    return frame.sort_values(["Date", "Country"], na_position="last", kind="stable")


def _weekdays(lo: pd.Timestamp, hi: pd.Timestamp) -> np.ndarray:
    days = np.arange(np.datetime64(lo.date()), np.datetime64(hi.date()) + 1)
    return days[np.is_busday(days)]


def _leave(sc: _Scenario, rng: np.random.Generator, resources: pd.DataFrame) -> pd.DataFrame:
    n = len(resources)
    per = 4 if sc.n_months >= 24 else 2
    days = _weekdays(sc.months[0], sc.months[-1] + pd.offsets.MonthEnd(0))
    rid = np.repeat(resources["ResourceID"].to_numpy(), per)
    starts = np.sort(rng.choice(days, (n, per), replace=False), axis=1).reshape(-1)
    length = rng.choice([1, 1, 2, 3, 5, 5, 5, 10], n * per)
    half = rng.random(n * per) < 0.1
    length = np.where(half, 1, length)
    if n >= 10:
        length[rng.integers(0, n) * per] = 40  # one long absence
    ends = np.busday_offset(starts, length - 1, roll="forward")
    hours = np.where(half, 4.0, np.nan)
    frame = pd.DataFrame(
        {
            "ResourceID": rid,
            "Start": starts.astype("datetime64[ns]"),
            "End": ends.astype("datetime64[ns]"),
            "Hours": hours,
        }
    )
    return frame.sort_values(["ResourceID", "Start"], kind="stable")


def _allocations(
    sc: _Scenario, rng: np.random.Generator, resources: pd.DataFrame, active: np.ndarray
) -> pd.DataFrame:
    """Each resource works on its 1–3 preferred projects that are active in the month."""
    n_r, n_p = len(resources), active.shape[0]
    home = rng.integers(0, len(PORTFOLIOS), n_r)
    portfolio = np.array([PORTFOLIOS.index(p.portfolio) for p in sc.projects])
    score = rng.random((n_r, n_p)) - 0.6 * (portfolio[None, :] == home[:, None])
    slots = rng.choice([1, 1, 2, 2, 3], n_r)
    shares = np.array([[1.0, 0.0, 0.0], [0.6, 0.4, 0.0], [0.5, 0.3, 0.2]])
    share = shares[slots - 1]
    share[slots == 2] = np.where(rng.random((int((slots == 2).sum()), 1)) < 0.5,
                                 [0.5, 0.5, 0.0], [0.6, 0.4, 0.0])
    load = rng.uniform(0.75, 1.0, n_r)
    if n_r >= 10:
        load[rng.choice(n_r, 3, replace=False)] = 1.25  # over-allocated people
    # rank of each active project per resource and month (inactive ranked last)
    ranked = np.where(active.T[None, :, :], score[:, None, :], np.inf)  # r x m x p
    order = np.argsort(ranked, axis=2, kind="stable")[:, :, :3]
    valid = np.take_along_axis(ranked, order, axis=2) < np.inf
    r_i, m_i, k_i = np.nonzero(valid & (share[:, None, :] > 0))
    pct = np.round(share[r_i, k_i] * load[r_i], 2)
    res = resources.iloc[r_i]
    period = sc.months[m_i]
    joined = res["StartDate"].to_numpy() <= (period + pd.offsets.MonthEnd(0)).to_numpy()
    left = res["EndDate"].to_numpy() < period.to_numpy()
    employed = (res["StartDate"].isna().to_numpy() | joined) & ~left
    monthly_capacity = res["FTE"].to_numpy() * res["HoursPerWeek"].to_numpy() * 52 / 12
    as_hours = rng.random(len(r_i)) < 0.15
    frame = pd.DataFrame(
        {
            "ResourceID": res["ResourceID"].to_numpy(),
            "Role": np.nan,  # named demand: the resource's role
            "ProjectID": np.array([p.pid for p in sc.projects])[order[r_i, m_i, k_i]],
            "Period": period,
            "Hours": np.where(as_hours, np.round(pct * monthly_capacity), np.nan),
            "Percent": np.where(as_hours, np.nan, pct),
        }
    )[employed]
    return frame.sort_values(["ResourceID", "Period", "ProjectID"], kind="stable")


def _timesheets(
    sc: _Scenario, rng: np.random.Generator, resources: pd.DataFrame,
    allocations: pd.DataFrame, holidays: pd.DataFrame, leave: pd.DataFrame,
) -> pd.DataFrame:
    days = _weekdays(sc.months[0], sc.status)
    res = resources.assign(key=1).merge(
        pd.DataFrame({"Date": days.astype("datetime64[ns]"), "key": 1}), on="key"
    ).drop(columns="key")
    # public holidays of the resource's country and company days (Country blank)
    off = holidays[["Date", "Country"]].copy()
    company = off[off["Country"].isna()]["Date"]
    res = res[~res["Date"].isin(company)]
    res = res.merge(off.dropna().assign(holiday=True), on=["Date", "Country"], how="left")
    res = res[res["holiday"].isna()].drop(columns="holiday")
    res = res[
        (res["StartDate"].isna() | (res["Date"] >= res["StartDate"]))
        & (res["EndDate"].isna() | (res["Date"] <= res["EndDate"]))
    ]
    # leave: full days are off, a half-day entry halves the day
    lv = leave.merge(res[["ResourceID", "Date"]], on="ResourceID")
    lv = lv[(lv["Date"] >= lv["Start"]) & (lv["Date"] <= lv["End"])]
    day_factor = (
        lv.assign(f=np.where(lv["Hours"].notna(), 0.5, 0.0))
        .groupby(["ResourceID", "Date"], as_index=False)["f"].min()
    )
    res = res.merge(day_factor, on=["ResourceID", "Date"], how="left")
    res["f"] = res["f"].fillna(1.0)
    res = res[res["f"] > 0]
    res["Period"] = res["Date"].dt.to_period("M").dt.to_timestamp()

    alloc = allocations.merge(resources[["ResourceID", "FTE", "HoursPerWeek"]], on="ResourceID")
    capacity = alloc["FTE"] * alloc["HoursPerWeek"] * 52 / 12
    alloc["share"] = alloc["Percent"].fillna(alloc["Hours"] / capacity)
    keys = ["ResourceID", "Period"]
    rows = res.merge(alloc[[*keys, "ProjectID", "share"]], on=keys)
    rows = rows.sort_values(["Date", "ResourceID", "ProjectID"], kind="stable")
    daily = rows["HoursPerWeek"] / 5 * rows["FTE"] * rows["f"]
    noise = np.clip(rng.normal(1.0, 0.12, len(rows)), 0.6, 1.4)
    hours = np.round(daily * rows["share"] * noise * 4) / 4
    billable_project = rows["ProjectID"].isin([p.pid for p in sc.projects if p.billable])
    billable = billable_project.to_numpy() & (rng.random(len(rows)) > 0.08)
    missing = rng.random(len(rows)) < 0.03
    frame = pd.DataFrame(
        {
            "ResourceID": rows["ResourceID"].to_numpy(),
            "ProjectID": rows["ProjectID"].to_numpy(),
            "Date": rows["Date"].to_numpy(),
            "Hours": hours.to_numpy(),
            "Billable": billable,
        }
    )
    return frame[(frame["Hours"] >= 0.5) & ~missing]


def _projects(
    sc: _Scenario, shape: _Shape, plan: dict, resources: pd.DataFrame
) -> pd.DataFrame:
    status = {
        "not_started": "Not started", "finished": "Closed", "on_hold": "On hold",
    }
    managers = resources.loc[resources["Role"] == "Project Manager", "Name"].to_numpy()
    start = sc.months[shape.start]
    finish = sc.months[shape.start + shape.dur - 1] + pd.offsets.MonthEnd(0)
    bac = np.where([p.no_bac for p in sc.projects], np.nan, plan["bac"])
    frame = pd.DataFrame(
        {
            "ProjectID": [p.pid for p in sc.projects],
            "ProjectName": [p.name for p in sc.projects],
            "Portfolio": [p.portfolio for p in sc.projects],
            "Manager": managers[np.arange(len(sc.projects)) % len(managers)],
            "Status": [status.get(p.profile, "Active") for p in sc.projects],
            "BaselineStart": start,
            "BaselineFinish": finish,
            "BAC": bac,
        }
    )
    return frame[tables.PROJECTS.column_names]


def _milestones(
    sc: _Scenario, shape: _Shape, rng: np.random.Generator, pct: np.ndarray
) -> pd.DataFrame:
    n, k = len(sc.projects), len(_MILESTONES)
    frac = np.array([f for _, f in _MILESTONES])
    start = sc.months[shape.start].to_numpy().astype("datetime64[D]")
    finish = (
        (sc.months[shape.start + shape.dur - 1] + pd.offsets.MonthEnd(0))
        .to_numpy().astype("datetime64[D]")
    )
    span = (finish - start).astype(int)
    offset = np.round(frac[None, :] * span[:, None]).astype(int)
    baseline = np.busday_offset(start[:, None] + offset, 0, roll="backward")
    slip_days = offset * (1 / shape.speed[:, None] - 1) + rng.normal(0, 3, (n, k))
    forecast = np.busday_offset(
        baseline + np.round(slip_days).astype(int), 0, roll="forward"
    )
    status = np.datetime64(sc.status.date())
    actual = np.where(forecast <= status, forecast, np.datetime64("NaT"))
    prof = np.array([p.profile for p in sc.projects])
    hold = (prof == "on_hold")[:, None] & (forecast > status)
    forecast = np.where(hold, np.datetime64("NaT"), forecast)
    frame = pd.DataFrame(
        {
            "ProjectID": np.repeat([p.pid for p in sc.projects], k),
            "Milestone": np.tile([name for name, _ in _MILESTONES], n),
            "BaselineDate": baseline.reshape(-1).astype("datetime64[ns]"),
            "ForecastDate": forecast.reshape(-1).astype("datetime64[ns]"),
            "ActualDate": actual.reshape(-1).astype("datetime64[ns]"),
        }
    )
    return frame[tables.MILESTONES.column_names]


def _config(sc: _Scenario) -> pd.DataFrame:
    """Every setting of workbook.md with its default, the status date and the currency."""
    defaults = Settings(StatusDate=sc.status, Currency=sc.currency)
    values = [getattr(defaults, f.name) for f in fields(Settings)]
    return pd.DataFrame(
        {"Setting": [f.name for f in fields(Settings)], "Value": pd.Series(values, dtype=object)}
    )


__all__ = ["example_rows", "month_header", "sample_portfolio"]
