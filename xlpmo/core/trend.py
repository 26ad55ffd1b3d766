"""The trend of each project (tblTrend): its earned value month by month, recomputed from the
time-phased inputs.

workbook.md v2, "Trend (tblTrend)": one row per project and month that has a tblProgress
row, up to the status period, with the figures **as of the end of that month**:

- PV, AC: cumulative Planned / Actual of the months up to and including that month (money);
- EV: from that month's progress row (``Earned`` money, else ``PercentComplete`` × BAC, as
  tblEVM; two rows of one project in one month: the later row in the table counts);
- CPI = EV / AC, SPI = EV / PV (PMI *Practice Standard for EVM*, 2nd ed., §4);
- SPIt = ES / AT (Lipke, "Schedule is Different", 2003): ES by the same function as tblEVM
  (:func:`xlpmo.core.schedule.earned_schedule`, on the same PV curve), AT = months from the
  project's first period to that month inclusive; a project complete by then (EV ≥ BAC > 0)
  stops the clock at the month it completed (workbook.md v2, as tblEVM);
- PeriodCPI = ΔEV / ΔAC and PeriodSPIt = ΔES / (months elapsed) since the project's previous
  row (the periodic indices of Lipke, Zwikael, Henderson & Anbari (2009), "Prediction of
  project outcome: the application of statistical methods to earned value management and
  earned schedule performance indexes", *International Journal of Project Management*
  27(4) 400-407, which workbook.md calls "Statistical methods applied to EVM and ES"). The
  first row of a project counts from the project's start (nothing earned or spent, ES = 0,
  AT = 0); months elapsed are counted on the running clock (AT before any stop), so a month
  with ΔAT = 1 gives PeriodSPIt = ΔES;
- EAC as of that month by ``EACMethod`` (:func:`xlpmo.core.evm.eac_x`, the function of
  tblEVM). BOTTOMUP needs the bottom-up ETC as it stood in that month, which the inputs do
  not keep: only the status month's row has it (tblForecast after the status period); the
  earlier rows are ``#N/A``.

Units: money in the workbook's currency; indices are ratios (1 = on plan). Undefined cases as
tblEVM: a zero denominator is ``#DIV/0!`` (AC = 0, ΔAC = 0, no months elapsed), a missing input
``#N/A`` (no plan, no tblActuals, a PercentComplete without a BAC); a negative BAC is not a
budget: ``#VALUE!`` for EV from PercentComplete, ES (so SPI(t)) and what is computed from them
(workbook.md v2; :func:`xlpmo.core.evm.evm_outputs`).

Vectorised over the portfolio: the rows of every project are computed together (the PV curve
rows are expanded in blocks of rows, never per project or per month).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract.model import Inputs
from xlpmo.contract.periods import month_index
from xlpmo.core.schedule import earned_schedule
from xlpmo.core.xvalue import VALUE, XValue

__all__ = [
    "BLOCK_CELLS", "Phasing", "period_cpi", "period_spit", "trend_measures", "value_where",
]

#: PV-curve cells expanded at once for the earned schedule of the trend rows (memory bound)
BLOCK_CELLS = 2_000_000


@dataclass(frozen=True)
class Phasing:
    """The time-phased inputs of the projects as tblEVM reads them
    (:func:`xlpmo.core.evm.phasing`): ``plan`` and ``actuals`` as (project position, month
    number, amount) of their usable rows, and ``curve``, the cumulative PV per project and
    period that earned schedule uses ([projects × periods], period 1 = the project's Start;
    NaN rows for projects without plan or Start)."""

    plan: tuple[np.ndarray, np.ndarray, np.ndarray]
    actuals: tuple[np.ndarray, np.ndarray, np.ndarray]
    curve: np.ndarray


def trend_measures(inputs: Inputs, measures: pd.DataFrame, phasing: Phasing) -> pd.DataFrame:
    """The trend rows of every project as floats, sorted by project (tblProjects order) and
    month. ``measures``: :func:`xlpmo.core.evm.project_measures` of ``inputs``; ``phasing``:
    :func:`xlpmo.core.evm.phasing` (the same PV curve as tblEVM's ES).

    Columns: ``ProjectID``; ``Pos`` (the project's row in ``measures``); ``Month`` (month
    number, :func:`xlpmo.contract.periods.month_index`); ``Row`` (the row of
    ``inputs.progress`` the EV comes from); ``BAC`` (the project's, as tblEVM); ``PV``, ``EV``,
    ``AC``, ``ES``, ``AT`` as of the month (NaN = cannot be computed); ``Clock`` (AT before
    any stop at completion); ``Complete`` (EV ≥ BAC > 0); ``Open`` (the project was not
    complete at its previous row: a period of performance, one that can enter the
    statistical ranges); ``dEV``, ``dAC``, ``dES``, ``Elapsed`` (changes
    since the previous row of the project; from zero for its first row); ``ETC`` (bottom-up
    ETC, the status month's row only); ``BadBAC`` (the project's BAC is negative: #VALUE!
    for BAC and ES), ``BadEV`` (EV is PercentComplete × that BAC: #VALUE!) and ``BadDelta``
    (this row's or the previous row's EV is: ΔEV #VALUE!).
    """
    m = measures
    index = m.index
    status = int(month_index(np.array([pd.Timestamp(inputs.settings.StatusDate)]))[0])
    bac = m["BAC"].to_numpy(dtype=float)
    start = _month_numbers(m["Start"])
    dur = m["PD"].to_numpy(dtype=float)

    row, pos, month, earned, pct = _progress_rows(inputs.progress, index, status)
    ev = np.where(np.isnan(earned), pct * bac[pos], earned)
    ppos, pmonth, pamount = phasing.plan
    has_plan = np.bincount(ppos, minlength=len(index)) > 0
    with np.errstate(invalid="ignore"):
        clock = np.clip(month - start[pos] + 1, 0, None)
    pv = np.where(has_plan[pos], _cumulative(ppos, pmonth, pamount, pos, month), np.nan)
    es = np.empty(len(pos))
    width = phasing.curve.shape[1]
    block = max(1, BLOCK_CELLS // max(width, 1))
    for lo in range(0, len(pos), block):  # blocks of rows bound the memory, whatever the count
        hi = min(lo + block, len(pos))
        p = pos[lo:hi]
        curve = phasing.curve[p]
        # PV read off the curve where the month is on it, as tblEVM's PV: the same sum as the
        # direct one, added in the curve's order, so EV = PV gives ES = AT exactly
        on = (clock[lo:hi] >= 1) & ~np.isnan(curve[:, 0])
        col = (np.minimum(np.where(on, clock[lo:hi], 1.0), width) - 1).astype(np.int64)
        on_curve = np.take_along_axis(curve, col[:, None], axis=1)[:, 0]
        pv[lo:hi] = np.where(on, on_curve, pv[lo:hi])
        es[lo:hi] = earned_schedule(curve, ev[lo:hi], pd=dur[p], bac=bac[p])

    apos, amonth, aamount = phasing.actuals
    no_actuals = np.isnan(m["AC"].to_numpy(dtype=float))  # the workbook has no tblActuals
    ac = np.where(no_actuals[pos], np.nan, _cumulative(apos, amonth, aamount, pos, month))

    with np.errstate(invalid="ignore"):
        complete = (bac[pos] > 0) & (ev >= bac[pos])
    first = np.ones(len(pos), dtype=bool)
    first[1:] = pos[1:] != pos[:-1]
    was_complete = _previous(complete, first, False)
    # the clock stops in the month the project completed: the first row of its last run of
    # rows at or above BAC (workbook.md v2; the rule of tblEVM)
    run_start = np.maximum.accumulate(np.where(complete & ~was_complete, np.arange(len(pos)), 0))
    done = month[run_start]
    with np.errstate(invalid="ignore"):
        at = np.where(complete, np.clip(done - start[pos] + 1, 0, None), clock)
    etc = np.where(month == status, m["ETC"].to_numpy(dtype=float)[pos], np.nan)
    bad_bac = m["BadBAC"].to_numpy(dtype=bool)[pos]
    bad_ev = bad_bac & np.isnan(earned)
    return pd.DataFrame({
        "ProjectID": index.to_numpy(dtype=object)[pos], "Pos": pos, "Month": month, "Row": row,
        "BAC": bac[pos], "PV": pv, "EV": ev, "AC": ac, "ES": es, "AT": at, "Clock": clock,
        "Complete": complete, "Open": ~was_complete,
        "dEV": ev - _previous(ev, first, 0.0), "dAC": ac - _previous(ac, first, 0.0),
        "dES": es - _previous(es, first, 0.0),
        "Elapsed": clock - _previous(clock, first, 0.0), "ETC": etc,
        "BadBAC": bad_bac, "BadEV": bad_ev, "BadDelta": bad_ev | _previous(bad_ev, first, False),
    })


def period_cpi(trend: pd.DataFrame) -> XValue:
    """PeriodCPI = ΔEV / ΔAC per trend row (#DIV/0! when nothing was spent in the period;
    #VALUE! when an EV of the period needs a negative BAC)."""
    d_ev = value_where(trend["dEV"], trend["BadDelta"])
    return d_ev / XValue.of(trend["dAC"].to_numpy(float))


def period_spit(trend: pd.DataFrame) -> XValue:
    """PeriodSPIt = ΔES / months elapsed per trend row (#DIV/0! when no month elapsed;
    #VALUE! for a project with a negative BAC)."""
    d_es = value_where(trend["dES"], trend["BadBAC"])
    return d_es / XValue.of(trend["Elapsed"].to_numpy(float))


def value_where(column: pd.Series, bad: pd.Series) -> XValue:
    """The floats of a trend column, #VALUE! where ``bad`` (a figure that needs a negative
    BAC)."""
    x = XValue.of(column.to_numpy(float))
    wrong = bad.to_numpy(dtype=bool)
    return x.where(~wrong, XValue.error(VALUE, wrong.shape)) if wrong.any() else x


def _month_numbers(dates: pd.Series) -> np.ndarray:
    """Datetimes -> month numbers as floats (NaN for NaT)."""
    d = pd.to_datetime(dates)
    known = d.notna().to_numpy()
    out = np.full(len(d), np.nan)
    out[known] = month_index(d.to_numpy(dtype="datetime64[ns]")[known])
    return out


def _previous(values: np.ndarray, first: np.ndarray, fill: Any) -> np.ndarray:
    """The value of each row's previous row of the same project (``fill`` for a first row)."""
    out = np.empty_like(values)
    out[1:] = values[:-1]
    out[first] = fill
    return out


def _progress_rows(
    progress: pd.DataFrame, index: pd.Index, status: int
) -> tuple[np.ndarray, ...]:
    """(table row, project position, month, Earned, PercentComplete) of the row that counts in
    each project's months up to the status period, sorted by project and month.

    The rule of tblEVM's EV (:func:`xlpmo.core.evm.project_measures`): rows with neither
    Earned nor PercentComplete are not progress; of two rows of a project in one month, the
    later one in the table counts.
    """
    empty = np.empty(0, dtype=np.int64)
    if progress.empty:
        return empty, empty, empty, np.empty(0), np.empty(0)
    pos = index.get_indexer(progress["ProjectID"].to_numpy(dtype=object))
    periods = pd.to_datetime(progress["Period"])
    known = periods.notna().to_numpy()
    month = np.full(len(progress), np.iinfo(np.int64).max)
    month[known] = month_index(periods.to_numpy(dtype="datetime64[ns]")[known])
    earned = progress["Earned"].to_numpy(dtype=float, na_value=np.nan)
    pct = progress["PercentComplete"].to_numpy(dtype=float, na_value=np.nan)
    rows = np.flatnonzero((pos >= 0) & known & (month <= status)
                          & ~(np.isnan(earned) & np.isnan(pct)))
    order = rows[np.lexsort((rows, month[rows], pos[rows]))]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = (pos[order][1:] != pos[order][:-1]) | (month[order][1:] != month[order][:-1])
    keep = order[last]
    return keep, pos[keep], month[keep], earned[keep], pct[keep]


def _cumulative(
    pos: np.ndarray, month: np.ndarray, amount: np.ndarray, q_pos: np.ndarray,
    q_month: np.ndarray,
) -> np.ndarray:
    """For each query (project, month): the sum of the amounts of that project dated up to and
    including that month (0 when there are none; summed per project, so a project with
    nothing is exactly 0)."""
    out = np.zeros(len(q_pos))
    if len(pos) == 0 or len(q_pos) == 0:
        return out
    order = np.lexsort((month, pos))
    p, mth = pos[order], month[order]
    running = pd.Series(amount[order]).groupby(p).cumsum().to_numpy()
    lo = min(int(mth.min()), int(q_month.min()))
    span = max(int(mth.max()), int(q_month.max())) - lo + 1
    keys = p.astype(np.int64) * span + (mth - lo)
    at = np.searchsorted(keys, q_pos.astype(np.int64) * span + (q_month - lo), side="right") - 1
    safe = np.clip(at, 0, None)
    hit = (at >= 0) & (p[safe] == q_pos)
    return np.where(hit, running[safe], out)
