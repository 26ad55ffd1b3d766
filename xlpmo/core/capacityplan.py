"""Resource capacity plan: demand against capacity by role or team and month.

tblCapacityPlan (workbook.md, "Capacity plan"): one row per group and month. A group is a
Role or a Team of tblResources (setting ``CapacityBy``), matched as
:mod:`xlpmo.contract.groups` says (case and spacing ignored; a blank cell is the group
``(blank)``). Per group g and month m (hours; ratios are fractions)::

    Headcount           Σ FTE × E / W over g's resources: E = days of the Workweek in m
                        within StartDate..EndDate, W = days of the Workweek in m (a joiner
                        on the 16th counts about half; holidays and leave do not reduce it)
    CapacityHours       Σ CapacityHours of g's resources in m, exactly tblUtilisation's
                        (working days, holidays by country, leave, FTE, Start/EndDate:
                        xlpmo.core.capacity)
    NamedDemandHours    Σ allocations of g's resources in m: Hours, or Percent × the
                        resource's CapacityHours in m (tblUtilisation's AllocatedHours)
    UnnamedDemandHours  Σ allocations with a Role and no ResourceID in m: Hours, or
                        Percent × HoursPerDay × working days of m on the default calendar
                        (the Workweek, less the tblHolidays days whose Country is blank)
    DemandHours         NamedDemandHours + UnnamedDemandHours
    GapHours            CapacityHours − DemandHours (negative = short of people)
    Utilisation         DemandHours / CapacityHours; ``#DIV/0!`` at zero capacity
    RAG                 Red when DemandHours > CapacityHours (Utilisation above 1, or
                        demand with no capacity); else Amber when Utilisation is above
                        UtilisationTarget + 0.10 or below UtilisationTarget − 0.20; else
                        Green. Zero capacity and no demand: ``#DIV/0!`` (nothing to rate)

Hours past the largest double (a typo'd 1E308 HoursPerWeek) make the sums ``#NUM!``, as in
Excel, and GapHours, Utilisation and RAG of that group and month are ``#NUM!`` as well.

Months: from the earlier of the first month with a counted allocation (a known resource's,
or unnamed demand) and the status period, to ``PlanningHorizon`` months after the status
period; allocations after that are not in the plan. Every group gets every month.

Percent above 100 % is over-allocation, counted as written (a named row of 125 % is 1.25
× the resource's capacity; an unnamed row of 200 % is two full-time people).

A row with both ResourceID and Role counts for the resource, in the resource's group
(validation warns when the Role differs). A row of a ResourceID that is not in
tblResources is left out (validation warns), as in tblUtilisation.

Unnamed demand by Team (``CapacityBy`` = Team): an unnamed row names a Role, not a Team.
Its hours go to the teams of that Role's resources in proportion to their CapacityHours
of that Role in the month; in a month where the Role has no capacity, in proportion to
the number of the Role's resources in each team. A Role that no resource has is a group
of its own (``<Role> (no team)``), with no capacity. By Role, such a Role is a group
named by it, with no capacity. Either way its demand is never dropped (workbook.md).

Authority: the rules of workbook.md; the capacity-versus-demand view of resource
management tools (MS Project's resource usage and over-allocation, capacity planning by
role with placeholder demand as in Runn or Float).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import periods as _periods
from xlpmo.contract import tables
from xlpmo.contract.groups import BLANK_GROUP, factorize_groups, group_keys
from xlpmo.contract.model import Inputs
from xlpmo.contract.settings import Settings
from xlpmo.core import arith
from xlpmo.core.capacity import (
    build_calendars,
    capacity,
    capacity_grid,
    resource_fte,
    to_days,
    unique_resources,
)
from xlpmo.core.utilisation import TOLERANCE_HOURS, allocation_hours
from xlpmo.errors import XLError

GREEN, AMBER, RED = "Green", "Amber", "Red"
#: how far above / below UtilisationTarget a group's utilisation turns Amber
AMBER_ABOVE, AMBER_BELOW = 0.10, 0.20
#: ratio noise ignored at the Amber boundaries (a boundary value itself is Green)
_RATIO_TOLERANCE = 1e-9
NO_TEAM = "{role} (no team)"
#: the months a Period column (datetime64[ns]) can hold: 1677-10 to 2262-04
_FIRST_MONTH = (pd.Timestamp.min + pd.offsets.MonthBegin(1)).normalize()
_LAST_MONTH = pd.Timestamp.max.to_period("M").to_timestamp()


def plan_periods(settings: Settings, demand_periods: Any) -> pd.DatetimeIndex:
    """The months of the plan: from the earlier of the first of ``demand_periods`` (dates of
    the counted allocation rows; blanks ignored) and the status period, to
    ``PlanningHorizon`` months after the status period. No months (an empty plan) when the status
    period lies outside the months a Period column can hold (1677-10 to 2262-04), which ends
    the plan at the latest."""
    status = _periods.status_period(settings.StatusDate)
    if not _FIRST_MONTH <= status <= _LAST_MONTH:  # beyond what a Period column can hold
        return pd.DatetimeIndex([], dtype="datetime64[ns]")
    end = pd.Timestamp(min(np.datetime64(status, "M") + int(settings.PlanningHorizon),
                           np.datetime64(_LAST_MONTH, "M")))
    days = to_days(demand_periods)
    days = days[~np.isnat(days)]
    start = min(status, pd.Timestamp(days.min())) if len(days) else status
    return _periods.period_range(start, end)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column, or all blank when a hand-built frame lacks it (Role in a v1 table)."""
    if name in frame:
        return frame[name]
    return pd.Series([None] * len(frame), dtype=object, index=frame.index)


def _row_hours(frame: pd.DataFrame, percent_of: np.ndarray) -> np.ndarray:
    """Hours of each allocation row: Hours, else Percent × ``percent_of``, else 0."""
    hours = pd.to_numeric(frame["Hours"], errors="coerce").to_numpy(dtype=float)
    pct = pd.to_numeric(frame["Percent"], errors="coerce").to_numpy(dtype=float)
    return np.where(~np.isnan(hours), hours, np.where(~np.isnan(pct), pct * percent_of, 0.0))


def _by_group(codes: np.ndarray, matrix: np.ndarray, n_groups: int) -> np.ndarray:
    """Σ of the rows of ``matrix`` (rows × periods) per group code (0..n_groups-1)."""
    n_p = matrix.shape[1]
    flat = (codes[:, None] * n_p + np.arange(n_p)[None, :]).ravel()
    return np.bincount(flat, weights=matrix.ravel(), minlength=n_groups * n_p).reshape(
        n_groups, n_p)


def _with_blank(codes: np.ndarray, labels: list[str]) -> tuple[np.ndarray, list[str]]:
    """Blank cells (code -1) join the group ``(blank)``."""
    if not (codes < 0).any():
        return codes, labels
    return np.where(codes < 0, len(labels), codes), [*labels, BLANK_GROUP]


def _headcount(res: pd.DataFrame, months: np.ndarray, weekmask: str) -> np.ndarray:
    """FTE × share of the month's Workweek days employed, per resource (rows) and month."""
    employed = capacity(months[None, :], 1.0, 1.0, None, to_days(res["StartDate"])[:, None],
                        to_days(res["EndDate"])[:, None], 0.0, weekmask)
    week_days = capacity(months, 1.0, 1.0, None, weekmask=weekmask)
    return resource_fte(res)[:, None] * np.asarray(employed) / np.asarray(week_days)[None, :]


def _team_split(role_of_res: np.ndarray, team_of_res: np.ndarray, cap: np.ndarray,
                role_demand: np.ndarray, n_teams: int) -> tuple[np.ndarray, np.ndarray]:
    """Unnamed demand by Role (roles × months) -> (by Team (teams × months), the part of
    each Role with no resource (roles × months)); see the module docstring."""
    n_roles = len(role_demand)
    has = role_of_res >= 0
    pair = role_of_res[has] * n_teams + team_of_res[has]
    pairs, inverse = np.unique(pair, return_inverse=True)
    pair_cap = _by_group(inverse, cap[has], len(pairs))
    pair_count = np.bincount(inverse, minlength=len(pairs)).astype(float)
    pair_role, pair_team = pairs // n_teams, pairs % n_teams
    role_cap = _by_group(pair_role, pair_cap, n_roles)
    role_count = np.bincount(pair_role, weights=pair_count, minlength=n_roles)
    by_cap = arith.divide_float(pair_cap, role_cap[pair_role])
    by_count = (pair_count / role_count[pair_role])[:, None]
    share = np.where(role_cap[pair_role] > 0, by_cap, by_count)
    teams = _by_group(pair_team, role_demand[pair_role] * share, n_teams)
    orphan = role_demand * (role_count == 0)[:, None]
    return teams, orphan


def capacity_plan_table(inputs: Inputs) -> pd.DataFrame:
    """The tblCapacityPlan table: one row per group and month (groups A to Z, months
    ascending). Formulas, months and decisions: module docstring. Utilisation and RAG are
    object columns (a float or text, or ``XLError.DIV0``)."""
    s = inputs.settings
    alloc = inputs.allocations
    res = unique_resources(inputs.resources)
    named_id = np.not_equal(group_keys(alloc["ResourceID"]), None)
    unnamed = ~named_id & np.not_equal(group_keys(_column(alloc, "Role")), None)
    known = alloc["ResourceID"].isin(res["ResourceID"]).to_numpy() & named_id
    months = plan_periods(s, alloc["Period"][known | unnamed])
    grid = capacity_grid(inputs, months)
    m64 = months.to_numpy().astype("datetime64[D]")
    named = allocation_hours(grid, alloc)
    head = _headcount(res, m64, s.weekmask)

    # unnamed demand: Percent of one full-time person on the default calendar
    ua = alloc[unnamed]
    default = build_calendars([None], inputs.holidays, s.weekmask, ()).holidays[0]
    full_time = np.asarray(capacity(m64, 1.0, float(s.HoursPerDay), default,
                                    weekmask=s.weekmask), dtype=float)
    pos = grid.month_position(ua["Period"])
    inside = pos >= 0
    u_hours = _row_hours(ua, full_time[np.maximum(pos, 0)])[inside]
    u_pos = pos[inside]

    by = s.CapacityBy
    (res_role, u_role), role_labels = factorize_groups(_column(res, "Role"),
                                                       _column(ua, "Role")[inside])
    n_p = len(months)
    if by == "Team":
        (team,), labels = factorize_groups(_column(res, "Team"))
        team, labels = _with_blank(team, labels)
        role_demand = _cells_sum(u_role, u_pos, u_hours, len(role_labels), n_p)
        teams, orphan = _team_split(res_role, team, grid.hours, role_demand, len(labels))
        lonely = np.flatnonzero(_unstaffed(res_role, u_role, len(role_labels)))
        labels = [*labels, *(NO_TEAM.format(role=role_labels[r]) for r in lonely)]
        unnamed_g = np.vstack([teams, orphan[lonely]])
        res_group = team
    else:
        res_group, labels = _with_blank(res_role, role_labels)
        unnamed_g = _cells_sum(u_role, u_pos, u_hours, len(labels), n_p)
    n_g = len(labels)
    cap_g = _by_group(res_group, grid.hours, n_g)
    named_g = _by_group(res_group, named, n_g)
    head_g = _by_group(res_group, head, n_g)
    return _frame(labels, months, head_g, cap_g, named_g, unnamed_g, s.UtilisationTarget)


def _cells_sum(codes: np.ndarray, pos: np.ndarray, hours: np.ndarray, n_groups: int,
               n_p: int) -> np.ndarray:
    """Σ hours of rows per (group code, month position): groups × months."""
    return np.bincount(codes * n_p + pos, weights=hours, minlength=n_groups * n_p).reshape(
        n_groups, n_p)


def _unstaffed(res_role: np.ndarray, u_role: np.ndarray, n_roles: int) -> np.ndarray:
    """Roles named by unnamed demand that no resource has (mask over roles)."""
    staffed = np.bincount(res_role[res_role >= 0], minlength=n_roles) > 0
    asked = np.bincount(u_role[u_role >= 0], minlength=n_roles) > 0
    return asked & ~staffed


def plan_rag(demand: np.ndarray, cap: np.ndarray, utilisation: np.ndarray,
        target: float) -> np.ndarray:
    """The capacity plan's RAG per element (module docstring): object array of
    ``Green``/``Amber``/``Red``, ``XLError.DIV0``, or ``XLError.NUM`` where the hours
    overflowed (:func:`~xlpmo.core.arith.overflowed`)."""
    red = demand - cap > TOLERANCE_HOURS
    with np.errstate(invalid="ignore"):
        amber = (utilisation > target + AMBER_ABOVE + _RATIO_TOLERANCE) | (
            utilisation < target - AMBER_BELOW - _RATIO_TOLERANCE)
    out = np.where(red, RED, np.where(amber, AMBER, GREEN)).astype(object)
    out[(cap <= 0) & ~red] = XLError.DIV0
    out[arith.overflowed(demand, cap)] = XLError.NUM
    return out


def _frame(labels: list[str], months: pd.DatetimeIndex, head: np.ndarray, cap: np.ndarray,
           named: np.ndarray, unnamed: np.ndarray, target: float) -> pd.DataFrame:
    order = sorted(range(len(labels)), key=lambda g: (labels[g].casefold(), labels[g]))
    n_p = len(months)
    cap, named, unnamed, head = (m[order].ravel() for m in (cap, named, unnamed, head))
    demand = named + unnamed
    util = arith.divide(demand, cap).to_numpy()
    frame = pd.DataFrame({
        "Group": pd.Series(np.repeat(np.array(labels, dtype=object)[order], n_p), dtype=object),
        "Period": np.tile(months.to_numpy(dtype="datetime64[ns]"), len(labels)),
        "Headcount": head,
        "CapacityHours": cap,
        "NamedDemandHours": named,
        "UnnamedDemandHours": unnamed,
        "DemandHours": demand,
        # an overflowed side stays infinite (#NUM! when written), never inf − inf = blank
        "GapHours": np.where(arith.overflowed(cap, demand), np.inf, cap - demand),
        "Utilisation": pd.Series(util, dtype=object),
        "RAG": pd.Series(plan_rag(demand, cap, arith.divide_float(demand, cap), target),
                         dtype=object),
    })
    return frame[tables.CAPACITY_PLAN.column_names]
