"""Earned value management: the measures, variances, indices and forecasts of tblEVM.

Authorities (formulas, signs and names):

- PMI, *Practice Standard for Earned Value Management*, 2nd ed. (2011), ch. 4 and 5;
- DAU (Defense Acquisition University), *Earned Value Management "Gold Card"* (2018):
  CV% = CV/BCWP, SV% = SV/BCWS, the EAC formulas, TCPI(BAC) and TCPI(EAC);
- Microsoft Project field reference (CPI, SPI, CV, SV, EAC, VAC, TCPI fields):
  CPI = BCWP/ACWP, SPI = BCWP/BCWS, TCPI = (BAC − BCWP)/(BAC − ACWP).

Units: BAC, PV, EV, AC, CV, SV, EAC, ETC and VAC are money in the workbook's currency;
CPI, SPI, TCPI are ratios (1 = on plan, above 1 favourable); CVPct, SVPct are fractions.

Two layers, one set of formulas:

1. **Primitives** (:func:`cv`, :func:`sv`, :func:`cpi`, :func:`spi`, :func:`cv_pct`,
   :func:`sv_pct`, :func:`eac`, :func:`etc`, :func:`vac`, :func:`tcpi`). Each takes scalars,
   lists, numpy arrays or Series (elements may be numbers, ``None``/NaN = missing, or
   :class:`~xlpmo.errors.XLError` members) and returns the same shape: a scalar gives a
   ``float`` or an ``XLError``; an array gives an object ndarray; a Series gives an object
   Series on the same index. Excel's rules: a zero denominator is ``#DIV/0!``; a missing input
   is ``#N/A``; an input error passes through (the leftmost operand's error wins, as in an
   Excel formula); text or booleans where a number belongs are ``#VALUE!``.
2. **Tables**: :func:`project_measures` (BAC, PV, EV, AC, start, duration, ES, bottom-up ETC
   per project, vectorised across all projects) and :func:`evm_table` (exactly the columns of
   ``tables.EVM``).

Conventions decided here (workbook.md is silent on them):

- EV at the status date comes from the latest tblProgress row at or before the status
  period. When that row has both ``Earned`` money and ``PercentComplete``, **Earned wins**
  (it is the measured value; % complete × BAC is the fallback). Rows with neither are
  ignored. Two rows of one project in one period: the later row in the table wins.
- A project without progress rows has EV ``#N/A`` (not 0). Without tblActuals at all, AC is
  ``#N/A``; with tblActuals but no rows for a project, AC is 0.
- A project without plan rows has PV ``#N/A`` (no baseline), and BAC ``#N/A`` unless given.
- The bottom-up ETC (BOTTOMUP method) is the sum of tblForecast after the status period;
  ``#N/A`` for a project that has no tblForecast rows at all.
- TCPI in tblEVM is TCPI(BAC) = (BAC − EV)/(BAC − AC), as in MS Project.
- A complete project (BAC > 0 and EV ≥ BAC; workbook.md v2) stops the clock: AT is the
  month in which it completed, EAC = AC by every method, ETC = 0, VAC = BAC − AC (its final
  cost variance), and TCPI = 0 (no work left; #DIV/0! when AC = BAC exactly, as any zero
  denominator).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import tables
from xlpmo.contract.model import Inputs
from xlpmo.contract.periods import from_month_index, month_index
from xlpmo.core.rag import rag_higher_is_better
from xlpmo.core.ranges import append_ranges
from xlpmo.core.schedule import earned_schedule, finish_dates
from xlpmo.core.trend import Phasing
from xlpmo.core.xvalue import NA, NUM, OK, VALUE, XValue, _shape_like, to_output
from xlpmo.errors import InputError

# -- primitives -----------------------------------------------------------------------------


def cv(ev: Any, ac: Any) -> Any:
    """Cost variance CV = EV − AC, money; positive = under budget (PMI PS-EVM 2nd ed. §4)."""
    return to_output(XValue.of(ev) - XValue.of(ac), _shape_like(ev, ac))


def sv(ev: Any, pv: Any) -> Any:
    """Schedule variance SV = EV − PV, money; positive = ahead of plan (PMI PS-EVM §4)."""
    return to_output(XValue.of(ev) - XValue.of(pv), _shape_like(ev, pv))


def cpi(ev: Any, ac: Any) -> Any:
    """Cost performance index CPI = EV / AC (MS Project: BCWP/ACWP); #DIV/0! when AC = 0."""
    return to_output(XValue.of(ev) / XValue.of(ac), _shape_like(ev, ac))


def spi(ev: Any, pv: Any) -> Any:
    """Schedule performance index SPI = EV / PV (MS Project: BCWP/BCWS); #DIV/0! when PV = 0."""
    return to_output(XValue.of(ev) / XValue.of(pv), _shape_like(ev, pv))


def cv_pct(ev: Any, ac: Any) -> Any:
    """Cost variance % = CV / EV, a fraction (DAU Gold Card: CV% = CV/BCWP); #DIV/0! at EV = 0."""
    e = XValue.of(ev)
    return to_output((e - XValue.of(ac)) / e, _shape_like(ev, ac))


def sv_pct(ev: Any, pv: Any) -> Any:
    """Schedule variance % = SV / PV, a fraction (DAU Gold Card: SV% = SV/BCWS)."""
    p = XValue.of(pv)
    return to_output((XValue.of(ev) - p) / p, _shape_like(ev, pv))


def complete(bac: XValue, ev: XValue) -> np.ndarray:
    """Where a project is complete: BAC > 0 and EV ≥ BAC (workbook.md v2, "Earned schedule
    and completion"). Errors and blanks are not complete; a zero budget has nothing to
    complete."""
    ok = (bac.err == OK) & (ev.err == OK)
    with np.errstate(invalid="ignore"):
        return ok & (bac.val > 0) & (ev.val >= bac.val)


def eac_x(
    bac: XValue, ev: XValue, ac: XValue, method: Any = "CPI", pv: XValue | None = None,
    weight: Any = 0.8, etc: XValue | None = None,
) -> XValue:
    """:func:`eac` on :class:`XValue` operands (shared by the primitives and the table)."""
    shape = np.broadcast_shapes(bac.val.shape, ev.val.shape, ac.val.shape)
    name = str(method).strip().upper() if method is not None else ""
    name = name or "CPI"  # an omitted method (None or blank) is the default
    weight = 0.8 if weight is None else weight
    if name not in ("CPI", "BUDGET", "BOTTOMUP", "COMPOSITE", "WEIGHTED"):
        return XValue.error(VALUE, shape)
    w = XValue.of(weight)
    if name == "WEIGHTED" and w.err.any():
        return XValue.error(int(w.err.reshape(-1)[0]), shape)
    if name == "WEIGHTED" and not np.all((w.val >= 0) & (w.val <= 1)):
        return XValue.error(NUM, shape)
    by_method = _eac_by_method(name, bac, ev, ac, pv, w, etc, shape)
    done = np.broadcast_to(complete(bac, ev), by_method.val.shape)
    ac_b = XValue(*(np.broadcast_to(a, by_method.val.shape) for a in (ac.val, ac.err)))
    return by_method.where(~done, ac_b)  # a complete project's EAC is its AC


def _eac_by_method(name: str, bac: XValue, ev: XValue, ac: XValue, pv: XValue | None,
                   w: XValue, etc: XValue | None, shape: tuple[int, ...]) -> XValue:
    if name == "CPI":
        return bac / (ev / ac)
    if name == "BUDGET":
        return ac + (bac - ev)
    if name == "BOTTOMUP":
        return ac + (etc if etc is not None else XValue.error(NA, shape))
    pv = pv if pv is not None else XValue.error(NA, shape)
    cpi_, spi_ = ev / ac, ev / pv
    if name == "COMPOSITE":
        return ac + (bac - ev) / (cpi_ * spi_)
    return ac + (bac - ev) / (w * cpi_ + (1 - w) * spi_)


def work_left(bac: XValue, ev: XValue) -> XValue:
    """BAC − EV, money: the budgeted cost of the work remaining; 0 for a complete project
    (EV above BAC does not make negative work)."""
    left = bac - ev
    return left.where(~complete(bac, ev), XValue.of(np.zeros(left.val.shape)))


def _eac_args(bac: Any, ev: Any, ac: Any, pv: Any, etc: Any) -> tuple[XValue, ...]:
    opt = [None if v is None else XValue.of(v) for v in (pv, etc)]
    return (XValue.of(bac), XValue.of(ev), XValue.of(ac), *opt)


def eac(
    bac: Any, ev: Any, ac: Any, method: str = "CPI", pv: Any = None, weight: Any = 0.8,
    etc: Any = None,
) -> Any:
    """Estimate at completion, money (PMI PS-EVM 2nd ed. §5.3; DAU Gold Card EAC formulas).

    ``method`` (case-insensitive):

    - ``CPI`` (default): BAC / CPI, with CPI = EV / AC;
    - ``BUDGET``: AC + (BAC − EV) (remaining work at the budgeted rate);
    - ``COMPOSITE``: AC + (BAC − EV) / (CPI · SPI), needs ``pv`` (SPI = EV / PV);
    - ``WEIGHTED``: AC + (BAC − EV) / (w · CPI + (1 − w) · SPI), ``weight`` w in 0..1
      (default 0.8), needs ``pv``;
    - ``BOTTOMUP``: AC + ``etc`` (a bottom-up estimate to complete).

    A complete project (BAC > 0 and EV ≥ BAC, :func:`complete`) has EAC = AC whatever the
    method (the clock stops: workbook.md v2), so ETC = 0 and VAC = BAC − AC.

    An omitted ``method`` (None or blank) is CPI and an omitted ``weight`` (None) is 0.8.
    Undefined: an unknown method is ``#VALUE!``; a weight outside 0..1 is ``#NUM!``; a missing
    input (including ``pv`` / ``etc`` when the method needs them) is ``#N/A``; a zero CPI, SPI,
    AC or PV denominator is ``#DIV/0!``.
    """
    b, e, a, p, t = _eac_args(bac, ev, ac, pv, etc)
    return to_output(eac_x(b, e, a, method, p, weight, t), _shape_like(bac, ev, ac, pv, etc))


def etc(
    bac: Any, ev: Any, ac: Any, method: str = "CPI", pv: Any = None, weight: Any = 0.8,
    etc: Any = None,
) -> Any:
    """Estimate to complete ETC = EAC − AC, money; same arguments and errors as :func:`eac`."""
    b, e, a, p, t = _eac_args(bac, ev, ac, pv, etc)
    return to_output(eac_x(b, e, a, method, p, weight, t) - a, _shape_like(bac, ev, ac, pv, etc))


def vac(
    bac: Any, ev: Any, ac: Any, method: str = "CPI", pv: Any = None, weight: Any = 0.8,
    etc: Any = None,
) -> Any:
    """Variance at completion VAC = BAC − EAC, money; positive = forecast under budget."""
    b, e, a, p, t = _eac_args(bac, ev, ac, pv, etc)
    return to_output(b - eac_x(b, e, a, method, p, weight, t), _shape_like(bac, ev, ac, pv, etc))


def tcpi(bac: Any, ev: Any, ac: Any, eac: Any = None) -> Any:
    """To-complete performance index, a ratio (DAU Gold Card; MS Project TCPI field).

    TCPI(BAC) = (BAC − EV) / (BAC − AC); with ``eac`` given, TCPI(EAC) = (BAC − EV) / (EAC − AC).
    A complete project (BAC > 0, EV ≥ BAC) has no work left: the numerator is 0 (as in MS
    Project, where BCWP never exceeds the baseline cost), so TCPI = 0 while funds differ from
    AC. #DIV/0! when the remaining funds (BAC − AC or EAC − AC) are exactly 0, complete or not.
    """
    b, e, a = XValue.of(bac), XValue.of(ev), XValue.of(ac)
    target = b if eac is None else XValue.of(eac)
    return to_output(_tcpi_x(b, e, a, target), _shape_like(bac, ev, ac, eac))


def _tcpi_x(bac: XValue, ev: XValue, ac: XValue, target: XValue) -> XValue:
    return work_left(bac, ev) / (target - ac) + 0.0  # + 0.0: no −0 for a complete project


# -- per-project measures -------------------------------------------------------------------

def project_measures(inputs: Inputs) -> pd.DataFrame:
    """The inputs of every EVM metric, one row per tblProjects row, indexed by ProjectID.

    Columns (floats, NaN = cannot be computed = ``#N/A``):

    - ``BAC``: tblProjects.BAC, or the sum of the project's Planned when blank;
    - ``PV``: cumulative Planned of the periods up to and including the status period;
    - ``EV``: from the latest tblProgress row at or before the status period: ``Earned`` when
      given, else ``PercentComplete`` × BAC;
    - ``AC``: cumulative Actual up to and including the status period (0 for a project with no
      rows; NaN for all when the workbook has no tblActuals);
    - ``Start``: the project's first period (Timestamp): the month of BaselineStart, else the
      first period with a non-zero Planned amount;
    - ``PD``: planned duration in months, Start to the finish period inclusive (the month of
      BaselineFinish, else the last period with a non-zero Planned amount);
    - ``AT``: actual time in months, Start to the status period inclusive (0 before Start);
      for a complete project (EV ≥ BAC > 0) Start to the month in which it completed: the
      clock stops (workbook.md v2), so a project finished on plan keeps SPI(t) = 1;
    - ``ES``: earned schedule in months (:func:`xlpmo.core.schedule.earned_schedule`);
    - ``ETC``: bottom-up estimate to complete, the sum of tblForecast after the status period;
    - ``Complete``: EV ≥ BAC > 0 (bool);
    - ``BadBAC``: the given BAC is negative (bool); BAC is then NaN here (not the plan sum)
      and every figure that needs it is #VALUE! in :func:`evm_table`;
    - ``EVFromPercent``: EV is PercentComplete × BAC (no Earned money in the row used).

    Plan amounts dated before Start (BaselineStart later than the first plan amount) are put
    into Start's period of the PV curve used for ES; PV itself counts them by their date.
    """

    projects = inputs.projects
    index = pd.Index(projects["ProjectID"].to_numpy(dtype=object), name="ProjectID")
    if index.has_duplicates:
        dups = ", ".join(sorted(map(str, index[index.duplicated()].unique())))
        raise InputError(f"tblProjects: ProjectID must be unique; repeated: {dups}")
    n = len(index)
    status = _month_number(inputs.settings.StatusDate)

    pos, month, amount = _phased(inputs.plan, "Planned", index)
    has_plan = np.bincount(pos, minlength=n) > 0
    bac_plan = _sum_where(pos, amount, np.ones(len(pos), dtype=bool), n)
    pv = np.where(has_plan, _sum_where(pos, amount, month <= status, n), np.nan)
    given_bac = projects["BAC"].to_numpy(dtype=float, na_value=np.nan)
    bad_bac = given_bac < 0  # not a budget: #VALUE! in tblEVM, an Error of io.validate
    bac = np.where(np.isnan(given_bac), np.where(has_plan, bac_plan, np.nan), given_bac)
    bac = np.where(bad_bac, np.nan, bac)

    nonzero = amount != 0
    first = _extreme(np.minimum, pos[nonzero], month[nonzero], n, np.inf)
    last = _extreme(np.maximum, pos[nonzero], month[nonzero], n, -np.inf)
    start = _prefer(_months_of(projects["BaselineStart"]), first)
    finish = _prefer(_months_of(projects["BaselineFinish"]), last)
    pd_ = finish - start + 1
    pd_ = np.where(pd_ >= 1, pd_, np.nan)
    at_status = np.where(np.isnan(start), np.nan, np.clip(status - start + 1, 0, None))

    ev, done, from_pct = _earned_value(inputs.progress, index, status, bac)
    # the clock stops at completion: AT counts to the month in which the project completed
    at = np.where(np.isnan(done), at_status, np.clip(done - start + 1, 0, None))
    actuals_present = inputs.has("tblActuals") or len(inputs.actuals) > 0
    if actuals_present:
        apos, amonth, aamount = _phased(inputs.actuals, "Actual", index)
        ac = _sum_where(apos, aamount, amonth <= status, n)
    else:
        ac = np.full(n, np.nan)
    fpos, fmonth, famount = _phased(inputs.forecast, "Forecast", index)
    has_fc = np.bincount(fpos, minlength=n) > 0
    etc_ = np.where(has_fc, _sum_where(fpos, famount, fmonth > status, n), np.nan)

    curve = _pv_curve(pos, month, amount, start, pd_, has_plan)
    pv = _pv_from_curve(curve, at_status, pv)
    es = earned_schedule(curve, ev, pd=pd_, bac=bac)
    starts = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    known = ~np.isnan(start)
    starts.iloc[np.flatnonzero(known)] = from_month_index(start[known].astype(np.int64))
    return pd.DataFrame(
        {"BAC": bac, "PV": pv, "EV": ev, "AC": ac, "Start": starts.to_numpy(), "PD": pd_,
         "AT": at, "ES": es, "ETC": etc_, "Complete": ~np.isnan(done), "BadBAC": bad_bac,
         "EVFromPercent": from_pct},
        index=index,
    )


def _month_number(date: Any) -> int:
    ts = pd.Timestamp(date)
    return (ts.year - 1970) * 12 + ts.month - 1


def _months_of(dates: pd.Series) -> np.ndarray:
    """Datetimes -> month numbers as float (NaN for NaT)."""
    d = pd.to_datetime(dates)
    out = month_index(d.to_numpy(dtype="datetime64[ns]")).astype(float)
    out[d.isna().to_numpy()] = np.nan
    return out


def _prefer(given: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(given), fallback, given)


def _phased(frame: pd.DataFrame, amount: str, index: pd.Index) -> tuple[np.ndarray, ...]:
    """Long time-phased table -> (project position, month number, amount) of usable rows."""
    pos = index.get_indexer(frame["ProjectID"].to_numpy(dtype=object))
    periods = pd.to_datetime(frame["Period"])
    keep = (pos >= 0) & periods.notna().to_numpy()
    month = month_index(periods.to_numpy(dtype="datetime64[ns]")[keep])
    values = frame[amount].to_numpy(dtype=float, na_value=np.nan)[keep]
    return pos[keep], month, np.nan_to_num(values, nan=0.0)  # blank amount = 0 (workbook.md)


def _sum_where(pos: np.ndarray, amount: np.ndarray, cond: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(pos[cond], weights=amount[cond], minlength=n).astype(float)


def _extreme(ufunc: Any, pos: np.ndarray, month: np.ndarray, n: int, init: float) -> np.ndarray:
    out = np.full(n, init)
    ufunc.at(out, pos, month.astype(float))
    out[np.isinf(out)] = np.nan
    return out


def _earned_value(
    progress: pd.DataFrame, index: pd.Index, status: int, bac: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """EV per project from the latest usable progress row at or before the status period,
    the month (number) in which a complete project completed (NaN when not complete), and
    whether EV came from PercentComplete (bool).

    Completion: the latest row has EV ≥ BAC > 0; the project completed in the month of the
    first row of its last run of rows with EV ≥ BAC (a 100 % revised down to 95 % and back
    to 100 % completed the second time).
    """
    n = len(index)
    ev, done, from_pct = np.full(n, np.nan), np.full(n, np.nan), np.zeros(n, dtype=bool)
    if progress.empty:
        return ev, done, from_pct
    pos = index.get_indexer(progress["ProjectID"].to_numpy(dtype=object))
    periods = pd.to_datetime(progress["Period"])
    month = np.where(periods.isna(), np.iinfo(np.int64).max,
                     month_index(periods.fillna(pd.Timestamp(0)).to_numpy("datetime64[ns]")))
    earned = progress["Earned"].to_numpy(dtype=float, na_value=np.nan)
    pct = progress["PercentComplete"].to_numpy(dtype=float, na_value=np.nan)
    keep = (pos >= 0) & (month <= status) & ~(np.isnan(earned) & np.isnan(pct))
    rows = np.flatnonzero(keep)
    if rows.size == 0:
        return ev, done, from_pct
    order = rows[np.lexsort((rows, month[rows], pos[rows]))]  # by project, period, table order
    p = pos[order]
    row_ev = np.where(np.isnan(earned[order]), pct[order] * bac[p], earned[order])
    is_last = np.append(p[1:] != p[:-1], True)
    ev[p[is_last]] = row_ev[is_last]
    from_pct[p[is_last]] = np.isnan(earned[order][is_last])
    with np.errstate(invalid="ignore"):
        at_bac = (bac[p] > 0) & (row_ev >= bac[p])
    # rows from which every later row of the project is at or above BAC
    tail = pd.Series(at_bac[::-1]).groupby(p[::-1], sort=False).cummin().to_numpy()[::-1]
    np.fmin.at(done, p[tail], month[order][tail].astype(float))
    return ev, done, from_pct


def _pv_curve(
    pos: np.ndarray, month: np.ndarray, amount: np.ndarray, start: np.ndarray,
    pd_: np.ndarray, has_plan: np.ndarray,
) -> np.ndarray:
    """Cumulative planned value per project [projects × periods], period 1 = Start.

    Each row runs as long as the longest plan or duration of all projects; a shorter plan
    stays flat at its total after its last period. Rows without plan or Start are NaN.
    """
    n = len(start)
    known = ~np.isnan(start[pos])
    col = np.zeros(len(pos), dtype=np.int64)
    col[known] = np.clip(month[known] - start[pos[known]].astype(np.int64), 0, None)
    width = int(max(col[known].max(initial=0) + 1, np.nanmax(pd_, initial=1)))
    flat = np.bincount(pos[known] * width + col[known], weights=amount[known],
                       minlength=n * width).astype(float)
    curve = np.cumsum(flat.reshape(n, width), axis=1)
    curve[~(has_plan & ~np.isnan(start))] = np.nan
    return curve


def _pv_from_curve(curve: np.ndarray, at: np.ndarray, pv: np.ndarray) -> np.ndarray:
    """PV read off the ES curve where the status period is on it (AT ≥ 1).

    The same number as the direct sum, added in the same order as the curve, so that
    EV = PV gives ES = AT exactly; before Start the direct sum stays.
    """
    on_curve = (at >= 1) & ~np.isnan(curve[:, 0])
    col = (np.minimum(np.nan_to_num(at, nan=1.0), curve.shape[1]) - 1).astype(np.int64)
    from_curve = np.take_along_axis(curve, col[:, None], axis=1)[:, 0]
    return np.where(on_curve, from_curve, pv)


# -- the tblEVM table -----------------------------------------------------------------------


def evm_table(inputs: Inputs, trend: pd.DataFrame | None = None) -> pd.DataFrame:
    """tblEVM: one row per project with exactly the columns of ``tables.EVM``.

    Settings from ``inputs.settings``: StatusDate, EACMethod, EACWeight, ScheduleIndex,
    CPIAmber/CPIRed (CostRAG from CPI) and SPIAmber/SPIRed (ScheduleRAG from SPIt, or from SPI
    when ScheduleIndex is SPI). CVPct = CV/EV and SVPct = SV/PV (DAU Gold Card). ES, AT, SVt
    are months; SPIt = ES/AT; ForecastFinish = the day Start + IEAC(t) months end, IEAC(t) =
    PD/SPIt (:mod:`xlpmo.core.schedule`). A complete project: AT to its completion month,
    EAC = AC, ETC = 0, TCPI = 0 (:func:`complete`). A negative BAC is #VALUE!, and so is
    every figure computed from it (EV from PercentComplete, ES and the schedule figures, EAC,
    ETC, VAC, TCPI, the ranges). Money and index columns are object columns of floats or
    XLError. EACLow ... BACAtRisk: :func:`xlpmo.core.ranges.append_ranges`, from ``trend``
    (:func:`xlpmo.core.trend.trend_measures` of ``inputs``) when the caller has it.
    """

    return evm_outputs(inputs, trend)[0]


def evm_outputs(inputs: Inputs, trend: pd.DataFrame | None = None
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(tblEVM, the per-project measures it was computed from: :func:`project_measures`).
    ``trend``: :func:`xlpmo.core.trend_out.trend_rows` of ``inputs`` when the caller has them
    (the refresh shares them with tblTrend); computed here otherwise."""
    s = inputs.settings
    m = project_measures(inputs)
    bac, pv, ev, ac = (XValue.of(m[c].to_numpy()) for c in ("BAC", "PV", "EV", "AC"))
    es, at, pd_ = (XValue.of(m[c].to_numpy()) for c in ("ES", "AT", "PD"))
    bad = m["BadBAC"].to_numpy(dtype=bool)
    if bad.any():  # a negative BAC: #VALUE! for it and for what needs it
        wrong = XValue.error(VALUE, bad.shape)
        bac = bac.where(~bad, wrong)
        ev = ev.where(~(bad & m["EVFromPercent"].to_numpy(dtype=bool)), wrong)
        es = es.where(~bad, wrong)
    cv_, sv_ = ev - ac, ev - pv
    cpi_, spi_ = ev / ac, ev / pv
    spit_ = es / at
    eac_ = eac_x(bac, ev, ac, s.EACMethod, pv, s.EACWeight, XValue.of(m["ETC"].to_numpy()))
    tcpi_ = _tcpi_x(bac, ev, ac, bac)
    ieact_ = pd_ / spit_
    projects = inputs.projects
    out = pd.DataFrame({
        "ProjectID": m.index.to_numpy(dtype=object),
        "ProjectName": projects["ProjectName"].to_numpy(dtype=object),
        "Portfolio": projects["Portfolio"].to_numpy(dtype=object),
        "StatusDate": np.full(len(m), pd.Timestamp(s.StatusDate), dtype="datetime64[ns]"),
    })
    columns = {
        "BAC": bac, "PV": pv, "EV": ev, "AC": ac, "CV": cv_, "CVPct": cv_ / ev, "SV": sv_,
        "SVPct": sv_ / pv, "CPI": cpi_, "SPI": spi_, "ES": es, "AT": at, "SVt": es - at,
        "SPIt": spit_, "EAC": eac_, "ETC": eac_ - ac, "VAC": bac - eac_,
        "TCPI": tcpi_,
    }
    for name, value in columns.items():
        out[name] = pd.Series(value.objects(), dtype=object)
    out["ForecastFinish"] = pd.Series(
        finish_dates(m["Start"].to_numpy(dtype="datetime64[ns]"), ieact_), dtype=object)
    out["CostRAG"] = rag_higher_is_better(out["CPI"].to_numpy(), s.CPIAmber, s.CPIRed)
    schedule_index = "SPI" if str(s.ScheduleIndex).upper() == "SPI" else "SPIt"
    out["ScheduleRAG"] = rag_higher_is_better(
        out[schedule_index].to_numpy(), s.SPIAmber, s.SPIRed)
    out = append_ranges(out, inputs, m, phasing(inputs, m), trend)  # EACLow ... BACAtRisk
    return out[tables.EVM.column_names], m


def phasing(inputs: Inputs, measures: pd.DataFrame) -> Phasing:
    """The plan and actuals as :func:`project_measures` reads them, and its PV curve (the one
    ES uses), for the trend (:mod:`xlpmo.core.trend`). ``measures``: project_measures(inputs).
    """
    index = measures.index
    plan = _phased(inputs.plan, "Planned", index)
    has_plan = np.bincount(plan[0], minlength=len(index)) > 0
    start = _months_of(measures["Start"])
    curve = _pv_curve(*plan, start, measures["PD"].to_numpy(dtype=float), has_plan)
    return Phasing(plan, _phased(inputs.actuals, "Actual", index), curve)
