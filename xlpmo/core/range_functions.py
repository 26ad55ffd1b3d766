"""The statistical ranges as worksheet functions (functions.md v2): EACRANGE and FINISHRANGE.

Both follow Lipke, Zwikael, Henderson & Anbari (2009), "Prediction of project outcome: the
application of statistical methods to earned value management and earned schedule
performance indexes", *IJPM* 27(4) 400-407, exactly as Refresh computes tblEVM's EACLow,
EACHigh, FinishLow and FinishHigh (:mod:`xlpmo.core.ranges`; workbook.md v2, "Statistical
ranges"):

- :func:`eac_range` takes the periodic CPIs themselves (a project's tblTrend PeriodCPI):
  positive numbers are the sample; zero, negative, blank and error cells (the ``#DIV/0!`` of a
  month with no cost) are left out, as Refresh leaves those months out. Refresh also leaves
  out a month in which EV and AC both went down (its PeriodCPI is positive): leave that cell
  out of the range given to EACRANGE to get Refresh's figures.
- :func:`finish_range` takes the plan and the cumulative EV month by month and runs the
  engine of Refresh on them (one project: Start = the first month of ``pv_series``, PD = its
  last month with a planned amount, BAC = its sum, status = the last month of
  ``ev_series``), so its dates are Refresh's for the same inputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import tables
from xlpmo.contract.model import Inputs, empty_frame
from xlpmo.contract.periods import from_month_index, month_index, parse_date
from xlpmo.contract.settings import Settings
from xlpmo.core.evm import evm_table
from xlpmo.core.ranges import eac_bounds, index_bounds, samples, z_value
from xlpmo.core.schedule import _plan
from xlpmo.core.xvalue import NA, NUM, OK, VALUE, XValue, codes_of, first_error
from xlpmo.errors import XLError

__all__ = ["eac_range", "finish_range"]

#: the months Refresh's engine can hold (pandas' nanosecond Timestamps, 1677-09 .. 2262-04)
_FIRST, _LAST = pd.Timestamp("1678-01-01"), pd.Timestamp("2262-03-01")


def eac_range(bac: Any, ev: Any, ac: Any, period_cpi: Any, planned_duration: Any,
              confidence: Any = 0.90) -> list[Any]:
    """[EACLow, EACHigh] (money): AC + (BAC − EV)/CPI_high and AC + (BAC − EV)/CPI_low, the
    CPI bounds CPI·e^(±z·SE) from the periodic CPIs (module docstring; CPI = EV/AC).

    ``planned_duration``: N, months. Errors: an error of BAC, EV or AC passes through
    (leftmost first); text among the periodic CPIs ``#VALUE!``; fewer than 3 positive
    periodic CPIs, a blank N or blank inputs ``#N/A``; N < 1, a confidence outside 0..1 or a
    CPI ≤ 0 ``#NUM!``; AC = 0 ``#DIV/0!``. A complete project (EV ≥ BAC > 0): [AC, AC].
    """
    b, e, a = (XValue.of(np.atleast_1d(np.asarray(v, dtype=object))[:1]) for v in (bac, ev, ac))
    head = int(first_error(b.err, e.err, a.err)[0])
    if head != OK:
        return _both(head)
    cells = np.asarray(period_cpi, dtype=object).reshape(-1)
    is_error = codes_of(cells) != OK
    x = XValue.of(np.where(is_error, None, cells))
    if (x.err == VALUE).any():
        return _both(VALUE)
    n_months = XValue.of(np.atleast_1d(np.asarray(planned_duration, dtype=object))[:1])
    if n_months.err[0] != OK:
        return _both(int(n_months.err[0]))
    if n_months.val[0] < 1 or not _is_confidence(confidence):
        return _both(NUM)
    with np.errstate(invalid="ignore"):
        use = (x.err == OK) & (x.val > 0)
    sample = samples(np.zeros(len(cells), dtype=np.int64), x.val, use, 1)
    low, high = index_bounds(e / a, sample, n_months.val, z_value(float(confidence)))
    complete = (b.val > 0) & (e.val >= b.val)
    eac_low, eac_high = eac_bounds(b, e, a, low, high, complete)
    return [eac_low.objects()[0], eac_high.objects()[0]]


def finish_range(start: Any, pv_series: Any, ev_series: Any, confidence: Any = 0.90
                 ) -> list[Any]:
    """[FinishLow, FinishHigh] (dates): the days on which PD/SPI(t)_high and PD/SPI(t)_low
    months from ``start``'s month end, SPI(t) bounds from the periodic SPI(t) of the
    cumulative EV series (module docstring).

    ``pv_series``: planned value per month from the project's first month; ``ev_series``:
    cumulative EV, one value per month from the same first month to the status month (a
    blank: no progress reported that month). Errors: a blank start ``#N/A``, an unreadable
    one ``#VALUE!``; an error in the series passes through, text in ``ev_series`` is
    ``#VALUE!``; fewer than 3 months with schedule earned ``#N/A``; a confidence outside 0..1
    ``#NUM!``; series months outside 1678-01 .. 2262-03 (the engine's calendar) or a finish
    outside Excel's calendar ``#NUM!``. A project complete by the last
    month (EV ≥ BAC): [its forecast finish, the same].
    """
    if start is None or (isinstance(start, str) and not start.strip()):
        return _both(NA)
    if isinstance(start, XLError):
        return [start, start]
    first = parse_date(start)
    if first is None:
        return _both(VALUE)
    plan = _plan(pv_series, False)
    if isinstance(plan, XValue):
        return _both(int(plan.err.reshape(-1)[0]))
    curve, duration = plan
    earned = XValue.of(np.asarray(ev_series, dtype=object).reshape(-1))
    bad = earned.err[(earned.err != OK) & (earned.err != NA)]
    if bad.size:
        return _both(int(bad[0]))
    if not _is_confidence(confidence):
        return _both(NUM)
    if earned.err.size == 0 or duration < 1:
        return _both(NA)
    months = max(len(curve), earned.err.size)
    if not _FIRST <= first <= _LAST - pd.DateOffset(months=months):
        return _both(NUM)  # the months of the series must lie in the engine's calendar
    inputs = _one_project(first, np.diff(curve, prepend=0.0), duration, earned, confidence)
    row = evm_table(inputs).iloc[0]
    return [row["FinishLow"], row["FinishHigh"]]


def _one_project(first: pd.Timestamp, amounts: np.ndarray, duration: float, earned: XValue,
                 confidence: Any) -> Inputs:
    """The canonical inputs of one project "P" (no tblActuals) for Refresh's engine."""
    month0 = int(month_index(np.array([first.to_datetime64()]))[0])
    months = from_month_index(month0 + np.arange(len(amounts)))
    projects = pd.concat([empty_frame(tables.PROJECTS), pd.DataFrame({
        "ProjectID": ["P"], "ProjectName": ["P"], "BaselineStart": months[:1],
        "BaselineFinish": from_month_index(month0 + int(duration) - 1), "BAC": [np.nan]})])
    plan = pd.DataFrame({"ProjectID": "P", "Period": months, "CostType": None,
                         "Planned": amounts})
    reported = np.flatnonzero(earned.err == OK)
    progress = pd.DataFrame({
        "ProjectID": "P", "Period": from_month_index(month0 + reported),
        "PercentComplete": np.nan, "Earned": earned.val[reported]})
    status = from_month_index(month0 + len(earned.val))[0] - pd.Timedelta(days=1)
    settings = Settings(StatusDate=status, ForecastConfidence=float(confidence))
    return Inputs(settings=settings, projects=projects, plan=plan, progress=progress,
                  present=frozenset({tables.CONFIG.name, tables.PROJECTS.name,
                                     tables.PLAN.name, tables.PROGRESS.name}))


def _is_confidence(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 1


def _both(code: int) -> list[Any]:
    error = XValue.error(code, (1,)).objects()[0]
    return [error, error]
