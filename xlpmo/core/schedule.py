"""Earned schedule: schedule performance in time units (Lipke).

Sources: W. Lipke, "Schedule is Different", *The Measurable News* (PMI College of
Performance Management), March 2003; W. Lipke, *Earned Schedule* (2009) and the ES calculator
at earnedschedule.com; PMI *Practice Standard for Earned Value Management*, 2nd ed. (2011),
Appendix D.

Definitions (units: periods = months, counted from the project's first planned period):

- PV curve: cumulative planned value at the end of each period, P_0 = 0, P_1 … P_N.
- ES = C + I with C the number of whole periods earned and I = (EV − P_C)/(P_{C+1} − P_C)
  the linear interpolation inside the period in progress (Lipke's ES = C + I).
- ES = PD when EV ≥ BAC (the whole baseline is earned). ES is never above PD.
- AT: periods from the first planned period to the status period inclusive (0 before it).
- SV(t) = ES − AT (months; negative = behind); SPI(t) = ES / AT (#DIV/0! at AT = 0).
- IEAC(t) = PD / SPI(t) (months); forecast finish = start + IEAC(t) months, the fraction
  spread over the days of the month it lands in (:func:`xlpmo.contract.periods.add_months`).

The off-by-one and flat stretches. ES is the *earliest* time at which the interpolated PV
curve reaches EV: C is the last period before the first one whose cumulative PV reaches EV,
so P_C < EV ≤ P_{C+1} and the denominator is never 0. For a strictly increasing curve this is
exactly Lipke's C = number of periods with P_k ≤ EV (EV = P_k gives ES = k, with I = 0 or 1).
Where PV is flat (a stretch of periods with no planned work), Lipke's count would credit the
flat periods and divide 0 by 0 at their end; following Lipke's definition of ES as the time
the current EV *should have been earned*, a flat stretch counts as earned only once EV goes
beyond it: EV equal to a plateau value gives the period in which the plateau was first
reached, and EV = 0 gives ES = 0. Curves that go down (negative amounts: credits, re-plans)
use the same rule: the first time the cumulative plan reached EV.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract.periods import add_months, parse_date
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
    ES = PD where EV ≥ BAC. A NaN anywhere in a project's row, EV or PD gives NaN.
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
    j = (reached < ev[:, None]).sum(axis=1)  # first index whose plan reaches EV
    jj = np.clip(j, 1, width)[:, None]
    lo = np.take_along_axis(full, jj - 1, axis=1)[:, 0]
    hi = np.take_along_axis(full, jj, axis=1)[:, 0]
    with np.errstate(all="ignore"):
        es_ = jj[:, 0] - 1 + (ev - lo) / (hi - lo)
    es_ = np.where(j == 0, 0.0, es_)
    es_ = np.where(j > width, dur, es_)  # EV above every point of the plan
    with np.errstate(invalid="ignore"):
        es_ = np.where(ev >= total, dur, es_)
    es_ = np.minimum(es_, dur)
    bad = np.isnan(ev) | np.isnan(dur) | np.isnan(curve).any(axis=1)
    return np.where(bad, np.nan, es_)


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
    """Forecast finish date = the first day of ``start``'s month + IEAC(t) months.

    ``start`` is the project's first planned period (a date, Excel serial or ISO text);
    a fractional month is spread over the days of the month it lands in
    (:func:`xlpmo.contract.periods.add_months`). Errors of IEAC(t) pass through; an unreadable start
    is #VALUE!, a blank one #N/A; a date beyond the calendar is #NUM!.
    """
    if start is None or (isinstance(start, str) and not start.strip()):
        return XLError.NA
    parsed = XLError.parse(start)
    if parsed is not None:
        return parsed
    date = parse_date(start)
    if date is None:
        return XLError.VALUE
    months = to_output(_ieact_x(pv_series, ev, at, cumulative), None)
    if isinstance(months, XLError):
        return months
    try:
        return add_months(date, months)
    except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):
        return XLError.NUM


# -- vectorised finish dates for the table ---------------------------------------------------

_FIRST_MONTH = np.datetime64("1678-01", "M")  # datetime64[ns] covers 1677-09 .. 2262-04
_LAST_MONTH = np.datetime64("2262-03", "M")


def finish_dates(start: np.ndarray, months: Any) -> np.ndarray:
    """Vectorised :func:`xlpmo.contract.periods.add_months`: start's month + ``months`` per element.

    ``start``: datetime64 array (NaT = unknown start, giving #N/A); ``months``: floats or an
    :class:`~xlpmo.core.xvalue.XValue` (its errors pass through). Returns an object array of
    Timestamps or XLError members; a date outside the calendar is #NUM!.
    """
    m = XValue.of(months)
    base = np.asarray(start, dtype="datetime64[ns]").astype("datetime64[M]")
    err = np.where(np.isnat(base) & (m.err == OK), NA, m.err)
    with np.errstate(invalid="ignore"):
        ok = (err == OK) & (np.abs(m.val) < 12 * 600)  # finite and within six centuries
    whole = np.floor(np.where(ok, m.val, 0.0))
    landing = np.where(ok, base, _FIRST_MONTH) + whole.astype(np.int64).astype("timedelta64[M]")
    ok &= (landing >= _FIRST_MONTH) & (landing <= _LAST_MONTH)
    err = np.where((err == OK) & ~ok, NUM, err)
    landing = np.where(ok, landing, _FIRST_MONTH)
    first_day = landing.astype("datetime64[D]")
    days = ((landing + 1).astype("datetime64[D]") - first_day).astype(np.int64)
    frac = np.where(ok, m.val - whole, 0.0)
    # the same steps as add_months: the day the fraction of the month falls in
    day = np.floor(frac * days).astype(np.int64)
    dates = (first_day + day.astype("timedelta64[D]")).astype("datetime64[ns]")
    out = pd.DatetimeIndex(dates).to_numpy(dtype=object)
    bad = err != OK
    out[bad] = XValue(np.full(bad.sum(), np.nan), err[bad].astype(np.int8)).objects()
    return out

