"""Earned schedule: schedule performance in time units (Lipke).

Sources: W. Lipke, "Schedule is Different", *The Measurable News* (PMI College of
Performance Management), March 2003; W. Lipke, *Earned Schedule* (2009) and the ES calculator
at earnedschedule.com; PMI *Practice Standard for Earned Value Management*, 2nd ed. (2011),
Appendix D.

Definitions (units: periods = months, counted from the project's first planned period):

- PV curve: cumulative planned value at the end of each period, P_0 = 0, P_1 … P_N.
- ES = C + I (Lipke): C = the number of whole periods whose cumulative PV ≤ EV, and
  I = (EV − P_C)/(P_{C+1} − P_C) the linear interpolation inside the period in progress.
- ES = PD when EV ≥ BAC (the whole baseline is earned). ES is never above PD; ES = 0 when
  EV < 0.
- AT: periods from the first planned period to the status period inclusive (0 before it);
  for a complete project (EV ≥ BAC) the period in which it completed (the clock stops:
  :func:`xlpmo.core.evm.project_measures`).
- SV(t) = ES − AT (months; negative = behind); SPI(t) = ES / AT (#DIV/0! at AT = 0).
- IEAC(t) = PD / SPI(t) (months); the forecast finish is the day on which IEAC(t) months
  from the start of the first period end (:func:`finish_dates`): a project on plan
  finishes on the last day of its last planned month.

Flat stretches (months with nothing planned: a holiday pause). Lipke's count puts C at the
*last* period of a flat stretch whose cumulative PV ≤ EV: a project exactly on plan through
a month with nothing planned has ES = AT and SV(t) = 0 (workbook.md v2; Project Flight Deck,
"Count the number of time periods in which the Earned Value is greater than or equal to
the Planned Value"). The interpolation then runs inside the first period that plans more
than EV, so its denominator is never 0. Curves that go down (negative amounts: credits,
re-plans) use the same rule on the periods before the plan first goes above EV, i.e. on
the running maximum of the curve; on a non-decreasing curve that is exactly Lipke's count.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract.periods import parse_date
from xlpmo.core.xvalue import NA, NUM, OK, XValue, to_output
from xlpmo.errors import XLError

__all__ = [
    "earned_schedule", "es", "finish_dates", "forecast_finish", "ieact", "spit", "svt",
]


def earned_schedule(
    pv_cum: np.ndarray, ev: np.ndarray, pd: np.ndarray | None = None,
    bac: np.ndarray | None = None,
) -> np.ndarray:
    """Vectorised ES for many projects at once, in periods (float; NaN = cannot be computed).

    ``pv_cum``: cumulative PV [projects × periods], column k−1 = P_k at the end of period k
    (P_0 = 0 is implied). ``ev``: EV per project. ``pd``: planned duration per project
    (default: the number of columns). ``bac``: per project (default: the last column);
    ES = PD where EV ≥ BAC. A NaN anywhere in a project's row, EV or PD gives NaN; an
    infinite value there (a sum past the largest double) gives +inf, which the callers'
    :class:`~xlpmo.core.xvalue.XValue` shows as ``#NUM!``: a plan that cannot be added up
    has no earned schedule, as its PV is ``#NUM!``.
    No Python loop per project: one pass of comparisons over the matrix.
    """
    curve = np.atleast_2d(np.asarray(pv_cum, dtype=float))
    n, width = curve.shape
    ev = np.asarray(ev, dtype=float).reshape(n)
    dur = np.full(n, float(width)) if pd is None else np.asarray(pd, dtype=float).reshape(n)
    full = np.hstack([np.zeros((n, 1)), curve])
    total = full[:, -1] if bac is None else np.asarray(bac, dtype=float).reshape(n)
    if width == 0:
        return np.where(np.isnan(ev) | np.isnan(dur), np.nan, np.where(ev > 0, dur, 0.0))
    reached = np.maximum.accumulate(np.nan_to_num(full, nan=-np.inf), axis=1)
    # C = the periods before the plan first goes above EV (P_0 = 0 counts as period 0)
    c = (reached <= ev[:, None]).sum(axis=1) - 1
    cc = np.clip(c, 0, width - 1)[:, None]
    lo = np.take_along_axis(full, cc, axis=1)[:, 0]
    hi = np.take_along_axis(full, cc + 1, axis=1)[:, 0]
    with np.errstate(all="ignore"):
        es_ = cc[:, 0] + (ev - lo) / (hi - lo)  # P_C ≤ EV < P_C+1: the denominator is > 0
    es_ = np.where(c < 0, 0.0, es_)  # EV below 0
    es_ = np.where(c >= width, dur, es_)  # EV at or above every point of the plan
    with np.errstate(invalid="ignore"):
        es_ = np.where(ev >= total, dur, es_)
    es_ = np.minimum(es_, dur)
    overflow = np.isinf(ev) | np.isinf(dur) | np.isinf(curve).any(axis=1)
    bad = np.isnan(ev) | np.isnan(dur) | np.isnan(curve).any(axis=1)
    return np.where(bad, np.nan, np.where(overflow, np.inf, es_))


# -- scalar forms for the worksheet functions ------------------------------------------------


def _plan(pv_series: Any, cumulative: bool) -> tuple[np.ndarray, float] | XValue:
    """A PV series (per period, or cumulative) -> (cumulative curve, PD), or an error.

    Blank entries are 0 per-period amounts (workbook.md: blank means 0); trailing blanks are
    not periods. PD = the last period with a non-zero per-period amount.
    """
    x = XValue.of(np.asarray(pv_series, dtype=object).reshape(-1))
    hard = x.err[(x.err != OK) & (x.err != NA)]
    if hard.size:
        return XValue.error(int(hard[0]))
    filled = np.flatnonzero(x.err == OK)
    if filled.size == 0:
        return XValue.error(NA)
    values = x.val[: filled[-1] + 1]
    if cumulative:
        values = pd.Series(values).ffill().fillna(0.0).to_numpy()
        amounts = np.diff(values, prepend=0.0)
    else:
        amounts = np.nan_to_num(values, nan=0.0)
    nonzero = np.flatnonzero(amounts != 0)
    pd_ = float(nonzero[-1] + 1) if nonzero.size else 0.0
    with np.errstate(over="ignore"):  # a plan past the largest double: ES is #NUM!
        return np.cumsum(amounts), pd_


def _es_x(pv_series: Any, ev: Any, cumulative: bool) -> tuple[XValue, XValue]:
    """(ES, PD) as XValues for one PV series and one EV."""
    plan = _plan(pv_series, cumulative)
    e = XValue.of(ev)
    if isinstance(plan, XValue):  # the series' error, as PV is the first argument
        return plan, plan
    curve, pd_ = plan
    if e.err.reshape(-1)[0] != OK:
        return e, XValue.of(pd_)
    value = earned_schedule(curve[None, :], e.val.reshape(1), pd=np.array([pd_]))[0]
    return XValue.of(value), XValue.of(pd_)


def _at_x(at: Any) -> XValue:
    a = XValue.of(at)
    if a.err.reshape(-1)[0] == OK and a.val.reshape(-1)[0] < 0:
        return XValue.error(NUM)
    return a


def es(pv_series: Any, ev: Any, cumulative: bool = False) -> float | XLError:
    """Earned schedule in periods (Lipke ES = C + I; see the module docstring).

    ``pv_series``: planned value per period from the project's first period (cumulative
    values when ``cumulative`` is true); ``ev``: cumulative earned value. ES = PD when EV ≥ BAC
    (the series' total). #N/A for missing input (blank EV or an empty series).
    """
    return to_output(_es_x(pv_series, ev, cumulative)[0], None)


def svt(pv_series: Any, ev: Any, at: Any, cumulative: bool = False) -> float | XLError:
    """Schedule variance in time SV(t) = ES − AT, periods; negative = behind schedule."""
    return to_output(_es_x(pv_series, ev, cumulative)[0] - _at_x(at), None)


def spit(pv_series: Any, ev: Any, at: Any, cumulative: bool = False) -> float | XLError:
    """Schedule performance index in time SPI(t) = ES / AT; #DIV/0! at AT = 0."""
    return to_output(_es_x(pv_series, ev, cumulative)[0] / _at_x(at), None)


def _ieact_x(pv_series: Any, ev: Any, at: Any, cumulative: bool) -> XValue:
    es_, pd_ = _es_x(pv_series, ev, cumulative)
    return pd_ / (es_ / _at_x(at))


def ieact(pv_series: Any, ev: Any, at: Any, cumulative: bool = False) -> float | XLError:
    """Independent estimate at completion (time) IEAC(t) = PD / SPI(t), in periods.

    PD is the planned duration: the last period of the series with a planned amount.
    #DIV/0! when SPI(t) is 0 (nothing earned yet) or AT is 0.
    """
    return to_output(_ieact_x(pv_series, ev, at, cumulative), None)


def forecast_finish(
    start: Any, pv_series: Any, ev: Any, at: Any, cumulative: bool = False
) -> pd.Timestamp | XLError:
    """Forecast finish date: the day on which IEAC(t) months from ``start``'s month end.

    ``start`` is the project's first planned period (a date, Excel serial or ISO text); the
    date is computed as in tblEVM (:func:`finish_dates`): a project on plan (IEAC(t) = PD)
    finishes on the last day of its last planned month. Errors of IEAC(t) pass through; an
    unreadable start is #VALUE!, a blank one #N/A; a date outside Excel's calendar
    (1900-01-01 .. 9999-12-31) is #NUM!.
    """
    if start is None or (isinstance(start, str) and not start.strip()):
        return XLError.NA
    parsed = XLError.parse(start)
    if parsed is not None:
        return parsed
    date = parse_date(start)
    if date is None:
        return XLError.VALUE
    months = _ieact_x(pv_series, ev, at, cumulative)
    day = np.array([date.to_datetime64()]).astype("datetime64[D]")
    return finish_dates(day, months)[0]


# -- vectorised finish dates for the table ---------------------------------------------------

FIRST_DAY = np.datetime64("1900-01-01", "D")  # Excel's calendar (1900 date system) ...
LAST_DAY = np.datetime64("9999-12-31", "D")  # ... to its last day
_MAX_MONTHS = 12 * 10_000  # beyond any date of the calendar from any start in it
#: a duration within this many days of the end of a day ends on that day (float noise in
#: PD / SPI(t) must not move a finish by a day)
DAY_NOISE = 1e-9


def finish_dates(start: np.ndarray, months: Any) -> np.ndarray:
    """The day on which ``months`` (fractional) months from the start of ``start``'s month end.

    Formula: with W = ⌊months⌋ and F = months − W, the duration ends F × (days of the month
    W months after the start month) days into that month; the finish is the day in which it
    ends: that month's first day + ⌈F × days⌉ − 1 (a duration ending exactly at midnight ends
    on the day before). So 10 months from 1 January is 31 October (a project on plan ends on
    its BaselineFinish); 1.5 months from 1 January end at the end of 14 February.

    ``start``: datetime64 array (NaT = unknown start, giving #N/A); ``months``: floats or an
    :class:`~xlpmo.core.xvalue.XValue` (its errors pass through). Returns an object array
    of Timestamps or XLError members; a date outside Excel's calendar (1900-01-01 ..
    9999-12-31) is #NUM!. Dates run to 9999-12-31 (numpy months and days, not
    nanosecond Timestamps, whose range ends in 2262).
    """
    m = XValue.of(months)
    base = np.asarray(start).astype("datetime64[M]")
    err = np.where(np.isnat(base) & (m.err == OK), NA, m.err)
    with np.errstate(invalid="ignore"):
        ok = (err == OK) & (np.abs(m.val) < _MAX_MONTHS)  # finite and within the calendar
    whole = np.floor(np.where(ok, m.val, 0.0))
    anchor = FIRST_DAY.astype("datetime64[M]")
    landing = np.where(ok, base, anchor) + whole.astype(np.int64).astype("timedelta64[M]")
    first_day = landing.astype("datetime64[D]")
    days = ((landing + 1).astype("datetime64[D]") - first_day).astype(np.int64)
    frac = np.where(ok, m.val - whole, 0.0)
    offset = np.ceil(frac * days - DAY_NOISE).astype(np.int64)
    dates = first_day + (offset - 1).astype("timedelta64[D]")
    ok &= (dates >= FIRST_DAY) & (dates <= LAST_DAY)
    err = np.where((err == OK) & ~ok, NUM, err)
    out = np.empty(len(dates), dtype=object)
    good = np.flatnonzero(ok)
    out[good] = [pd.Timestamp(d) for d in dates[good]]
    bad = err != OK
    out[bad] = XValue(np.full(bad.sum(), np.nan), err[bad].astype(np.int8)).objects()
    return out
