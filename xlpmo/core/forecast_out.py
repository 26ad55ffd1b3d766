"""tblForecastOut: actual and forecast spend per project and month, ending at tblEVM's EAC.

workbook.md: tblForecastOut has Actual rows to the status period and Forecast rows after it;
v2 (issue #10): the final Cumulative of every project is tblEVM's EAC (the EACMethod's EAC;
BOTTOMUP: AC + the bottom-up total) whenever that EAC is a number, and the remaining amount
runs to ForecastFinish, not into whatever months the plan has left.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlpmo.contract import tables
from xlpmo.contract.model import Inputs
from xlpmo.core.arith import with_errors
from xlpmo.core.specfun import t_ppf
from xlpmo.core.variance import (
    Phased,
    elapsed,
    extreme_month,
    lookup,
    money,
    month_grid,
    monthly,
    parse_cells,
    period_column,
    phased,
    project_order,
)
from xlpmo.errors import InputError, XLError

#: the longest forecast spread after the status period (months): a ForecastFinish further
#: out (IEAC(t) of a project that has earned almost nothing) is cut to this
MAX_FORECAST_MONTHS = 120
#: an ETC = EAC − AC within this fraction of max(|EAC|, 1) is float noise, not money left to
#: spend (a finished project's EAC = BAC/CPI = AC up to rounding: 4.7e-10 on an AC of about
#: 1e6 gave a Forecast row or not depending on the 16th digit of the inputs)
ETC_NOISE = 1e-9

_NONE, _BOTTOMUP, _PLAN, _RUNRATE, _SPREAD = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class _Projects:
    """Per project (one entry per id, tblProjects order) what the forecast is made from."""

    first: np.ndarray  # first month with a plan, actual or forecast amount (NaN: none)
    start: np.ndarray  # first forecast month: max(first, status + 1)
    plan_last: np.ndarray  # last month with a non-zero Planned amount
    remaining: np.ndarray  # Σ Planned after the status period
    bottom_last: np.ndarray  # last month with a non-zero tblForecast amount after the status
    bottom_sum: np.ndarray  # Σ tblForecast after the status period
    m: np.ndarray  # elapsed months (Actual rows)
    ac: np.ndarray  # actual cost to date (NaN: no tblActuals)
    past_planned: np.ndarray  # Σ Planned over the elapsed months
    rate: np.ndarray  # mean Actual of the last 3 elapsed months
    target: np.ndarray  # EAC (NaN: missing or an error)
    finish: np.ndarray  # month of ForecastFinish (NaN: missing or an error)


def forecast_table(inputs: Inputs, eac: pd.Series | None, confidence: float = 0.95,
                   finish: pd.Series | None = None) -> pd.DataFrame:
    """The tblForecastOut output: actual and forecast spend per project and period.

    ``eac``: EAC per ProjectID (tblEVM's EAC: float, NaN or XLError values), or None;
    ``finish``: ForecastFinish per ProjectID (Timestamps or XLError), or None;
    ``confidence``: coverage of the Low/High band (0 < c < 1, else XlpmoError).

    Rows per project (tblProjects order), months ascending:

    - Kind "Actual": every month from the project's first period (earliest non-zero Planned
      or Actual) through the status period; Amount = actual cost of the month summed over
      CostType (0 when none; ``#N/A`` without a tblActuals table).
    - Kind "Forecast": months after the status period. With a number for the EAC, the
      forecast spends ETC = EAC − AC, so Cumulative ends at the EAC, with the shape of:

      1. the bottom-up forecast, when the project has non-zero tblForecast amounts after the
         status period (summing to other than 0): its own months, its amounts × ETC/Σ
         (× 1 under EACMethod BOTTOMUP, whose ETC is that sum); tblForecast rows at or
         before the status period are ignored (actuals rule there);
      2. else the remaining plan (planned months after the status period, summing to other
         than 0), **stretched or squeezed in time to end in the month of ForecastFinish**:
         with R planned months left and D months to ForecastFinish, the forecast's
         cumulative share after k months is G(k·R/D), G the remaining plan's cumulative
         share (linear between month ends), so a late project's rest runs at the pace its
         schedule performance says, not crammed into the last planned months. Without a
         ForecastFinish after the status period, the planned months themselves (D = R);
      3. else evenly over the months to ForecastFinish, or without one over ⌈ETC / run rate⌉
         months (run rate = mean actual of the last 3 elapsed months; 1 month when it is
         not positive).

      Spreads end at most :data:`MAX_FORECAST_MONTHS` after the status period. An ETC with
      \\|ETC\\| ≤ :data:`ETC_NOISE` × max(\\|EAC\\|, 1) is 0: no Forecast rows (a complete
      project, EAC = AC). Without a usable EAC: the bottom-up amounts as entered; else the
      remaining plan as it is for a project with no elapsed month, or the run rate in each
      remaining planned month; else no Forecast rows.
    - Cumulative: running total of Amount (an ``#N/A`` Amount makes the rest ``#N/A``).
    - Low/High: a band around **Cumulative**. Actual rows: Low = High = Cumulative (known).
      Forecast row h (1, 2, ... after the status period): Cumulative ∓ t((1+c)/2, m−1)·s·
      √(h + h²/m), the form of the prediction interval for the total of h future
      observations (Hahn & Meeker, *Statistical Intervals*, 1991) over the project's m
      elapsed months, with s the misses of the forecast's own rate on those months:
      s² = Σ(Actual_k − λ·Planned_k)²/(m − 1), λ = (the forecast's mean amount per month) /
      (the remaining plan's per month, else the elapsed plan's). A forecast that spends as
      the history did gets a band as narrow as the history's noise; one that departs from it
      (a bottom-up £170k a month after £35k months) gets a band as wide as the departure.
      Where nothing was planned, λ·Planned is the forecast's mean amount. ``#N/A`` without
      elapsed months or actuals, ``#DIV/0!`` with one elapsed month (as STDEV.S), ``#NUM!``
      where the sum of squared misses overflows (amounts near 1E308).
      **Low never falls below what is already spent**: Low = max(Cumulative − half,
      min(AC to date, Cumulative)), AC to date the project's Cumulative at its last Actual
      row (0 before its first): money spent cannot be un-spent, so a wide band stops at the
      actual cost, and a forecast of credits (Cumulative below AC) keeps its own Low.

    Vectorised over all projects and months; the only loop is over distinct history lengths
    (for the t quantiles).
    """
    if not 0.0 < confidence < 1.0:
        raise InputError(f"the forecast band's confidence must be in (0, 1), not {confidence}")
    ph = phased(inputs)
    past = elapsed(ph)
    s = ph.status
    fc = monthly(inputs.forecast, "Forecast")
    fc_after = fc[fc.index.get_level_values("M").to_numpy() > s]
    plan_after = ph.plan[ph.plan.index.get_level_values("M").to_numpy() > s]
    fc_first = extreme_month(fc_after)
    steered = _numbers(eac)
    ids = project_order(inputs, ph.first.index.append(fc_first.index).append(
        steered.index[steered.notna().to_numpy()]))
    if not len(ids):
        return _empty_table()
    p = _collect(ids, ph, past, fc_after, plan_after, fc_first, steered, finish)
    # NaN (unknown AC, an error EAC) flows through the arithmetic and ends as #N/A
    with np.errstate(invalid="ignore", divide="ignore"):
        source, end, total, steer = _sources(s, p)
        ahead = month_grid(ids, p.start, end)
        amount = _amounts(ids, ahead, source, total, steer, p, fc_after, plan_after)
        sd = _spread_of_misses(ids, past, ahead, amount, p)
        return _assemble(ids, past, ahead, amount, p.m, sd, confidence)


def _numbers(values: pd.Series | None) -> pd.Series:
    """Per ProjectID floats (NaN where missing or an error); the first value of an ID."""
    if values is None or values.empty:
        return pd.Series([], dtype=float)
    series = pd.Series(values.to_numpy(dtype=object), index=pd.Index(values.index, dtype=object))
    series = series[~series.index.duplicated()]
    return pd.Series(parse_cells(series.to_numpy(dtype=object))[0], index=series.index)


def _finish_months(finish: pd.Series | None, ids: pd.Index) -> np.ndarray:
    """ForecastFinish per project as a month number (months since 1970-01), NaN if none."""
    if finish is None or finish.empty:
        return np.full(len(ids), np.nan)
    series = pd.Series(finish.to_numpy(dtype=object), index=pd.Index(finish.index, dtype=object))
    series = series[~series.index.duplicated()].reindex(ids)
    return np.array([(v.year - 1970) * 12 + v.month - 1 if isinstance(v, pd.Timestamp)
                     else np.nan for v in series.to_numpy(dtype=object)], dtype=float)


def _collect(ids: pd.Index, ph: Phased, past: pd.DataFrame, fc_after: pd.Series,
             plan_after: pd.Series, fc_first: pd.Series, steered: pd.Series,
             finish: pd.Series | None) -> _Projects:
    first = np.fmin(ph.first.reindex(ids).to_numpy(float), fc_first.reindex(ids).to_numpy(float))
    by_project = past.groupby("ProjectID", sort=False)
    ac = (np.full(len(ids), np.nan) if ph.actuals_missing
          else by_project["Actual"].sum().reindex(ids).fillna(0.0).to_numpy(float))
    rate = (by_project.tail(3).groupby("ProjectID", sort=False)["Actual"].mean()
            .reindex(ids).to_numpy(float))

    def total(series: pd.Series) -> np.ndarray:
        return series.groupby(level=0).sum().reindex(ids).fillna(0.0).to_numpy(float)

    return _Projects(
        first=first,
        start=np.where(np.isnan(first), ph.status + 1, np.maximum(first, ph.status + 1)),
        plan_last=extreme_month(ph.plan, last=True).reindex(ids).to_numpy(float),
        remaining=total(plan_after),
        bottom_last=extreme_month(fc_after, last=True).reindex(ids).to_numpy(float),
        bottom_sum=total(fc_after),
        m=by_project.size().reindex(ids).fillna(0).to_numpy(np.int64),
        ac=ac,
        past_planned=by_project["Planned"].sum().reindex(ids).fillna(0.0).to_numpy(float),
        rate=rate,
        target=steered.reindex(ids).to_numpy(float),
        finish=_finish_months(finish, ids),
    )


def _sources(s: int, p: _Projects) -> tuple[np.ndarray, ...]:
    """Per project: forecast source, last forecast month, the total to spread (ETC = EAC
    − AC; NaN when AC is unknown) and whether the forecast is steered by the EAC."""
    usable = ~np.isnan(p.target)
    bottom = ~np.isnan(p.bottom_last)
    has_plan = np.nan_to_num(p.plan_last, nan=-np.inf) > s
    etc = p.target - p.ac
    noise = np.abs(etc) <= ETC_NOISE * np.maximum(np.abs(p.target), 1.0)
    steer = usable & ~noise
    by_bottom = steer & bottom & (p.bottom_sum != 0)
    by_plan = steer & ~by_bottom & has_plan & (p.remaining != 0)
    spread = steer & ~by_bottom & ~by_plan
    as_entered = ~usable & bottom
    plan_as_is = ~usable & ~bottom & has_plan & (p.m == 0)
    by_rate = ~usable & ~bottom & has_plan & (p.m > 0)
    months = np.where((p.rate > 0) & (etc > 0), np.ceil(etc / p.rate), 1.0)
    months = np.clip(np.nan_to_num(months, nan=1.0), 1, MAX_FORECAST_MONTHS)
    cap = p.start - 1 + MAX_FORECAST_MONTHS
    to_finish = np.where((p.finish >= p.start) & ~np.isnan(p.finish), np.minimum(p.finish, cap),
                         np.nan)
    source = np.select([by_bottom | as_entered, by_plan | plan_as_is, by_rate, spread],
                       [_BOTTOMUP, _PLAN, _RUNRATE, _SPREAD], _NONE)
    end = np.full(len(source), s, dtype=float)
    end = np.where(by_bottom | as_entered, p.bottom_last, end)
    end = np.where(plan_as_is | by_rate, p.plan_last, end)
    end = np.where(by_plan, np.where(np.isnan(to_finish), p.plan_last, to_finish), end)
    end = np.where(spread, np.where(np.isnan(to_finish), p.start - 1 + months, to_finish), end)
    return source, end.astype(np.int64), np.where(steer, etc, np.nan), steer


def _amounts(ids: pd.Index, ahead: pd.DataFrame, source: np.ndarray, total: np.ndarray,
             steer: np.ndarray, p: _Projects, fc_after: pd.Series, plan_after: pd.Series
             ) -> np.ndarray:
    """The Forecast rows' amounts (see :func:`forecast_table` for the rules)."""
    pos = ahead["Pos"].to_numpy()
    src = source[pos]
    bottom_factor = np.where(steer, total / p.bottom_sum, 1.0)
    plan_factor = np.where(steer, total / p.remaining, 1.0)
    months = ahead.groupby("Pos")["Step"].max().reindex(range(len(ids))).to_numpy(float)
    planned = lookup(plan_after, ahead) * plan_factor[pos]
    stretched = _stretched(ids, ahead, (src == _PLAN) & steer[pos], total, p, plan_after)
    plan_amount = np.where(np.isnan(stretched), planned, stretched)
    even = (total / months)[pos]
    return np.select(
        [src == _BOTTOMUP, src == _PLAN, src == _RUNRATE],
        [lookup(fc_after, ahead) * bottom_factor[pos], plan_amount, p.rate[pos]],
        even,
    )


def _stretched(ids: pd.Index, ahead: pd.DataFrame, rows: np.ndarray, total: np.ndarray,
               p: _Projects, plan_after: pd.Series) -> np.ndarray:
    """Amounts of the remaining plan stretched (or squeezed) over the forecast months.

    For a project with R planned months left (start .. plan_last) and D forecast months
    (D ≠ R), forecast month k gets total × (G(k·R/D) − G((k−1)·R/D)), G(x) the share of the
    remaining plan to the end of month x (G(0) = 0, G(R) = 1, linear in between). NaN on
    the rows that are not stretched (D = R: the plan months themselves).
    """
    out = np.full(len(ahead), np.nan)
    pos = ahead["Pos"].to_numpy()
    steps = ahead.groupby("Pos")["Step"].max().reindex(range(len(ids))).to_numpy(float)
    plan_len = p.plan_last - p.start + 1
    stretch = np.zeros(len(ids), dtype=bool)
    stretch[np.unique(pos[rows])] = True
    stretch &= (plan_len >= 1) & (steps != plan_len)
    if not stretch.any():
        return out
    which = np.flatnonzero(stretch)
    grid = month_grid(ids[which], p.start[which], p.plan_last[which])
    cum = pd.Series(lookup(plan_after, grid)).groupby(grid["Pos"].to_numpy()).cumsum()
    share = cum.to_numpy(float) / p.remaining[which][grid["Pos"].to_numpy()]
    offset = np.full(len(ids), -1, dtype=np.int64)
    offset[which] = np.concatenate([[0], np.cumsum(plan_len[which])[:-1]]).astype(np.int64)

    def g(x: np.ndarray, q: np.ndarray) -> np.ndarray:
        r = plan_len[q].astype(np.int64)
        j = np.minimum(np.floor(x).astype(np.int64), r - 1)
        frac = x - j
        lo = np.where(j > 0, share[offset[q] + np.maximum(j, 1) - 1], 0.0)
        hi = share[offset[q] + j]
        return lo + frac * (hi - lo)

    sel = np.flatnonzero(stretch[pos])
    q = pos[sel]
    k = ahead["Step"].to_numpy(float)[sel]
    ratio = plan_len[q] / steps[q]
    out[sel] = total[q] * (g(k * ratio, q) - g((k - 1) * ratio, q))
    return out


def _spread_of_misses(ids: pd.Index, past: pd.DataFrame, ahead: pd.DataFrame,
                      amount: np.ndarray, p: _Projects) -> np.ndarray:
    """s per project: √(Σ(Actual − λ·Planned)²/(m − 1)) over the elapsed months, λ the
    forecast's mean monthly amount over the plan's (see :func:`forecast_table`)."""
    n = len(ids)
    pos = ahead["Pos"].to_numpy()
    count = np.bincount(pos, minlength=n).astype(float)
    mean_forecast = np.bincount(pos, weights=amount, minlength=n) / count
    plan_len = p.plan_last - p.start + 1
    remaining_rate = np.where((p.remaining != 0) & (plan_len >= 1), p.remaining / plan_len,
                              np.nan)
    past_rate = np.where(p.past_planned != 0, p.past_planned / p.m, np.nan)
    plan_rate = np.where(np.isnan(remaining_rate), past_rate, remaining_rate)
    lam = mean_forecast / plan_rate
    past_pos = ids.get_indexer(past["ProjectID"].to_numpy(dtype=object))
    planned = past["Planned"].to_numpy(float)
    basis = np.where(np.isnan(lam[past_pos]), mean_forecast[past_pos], lam[past_pos] * planned)
    miss = past["Actual"].to_numpy(float) - basis
    squares = np.bincount(past_pos, weights=miss * miss, minlength=n)
    return np.sqrt(squares / (p.m - 1))


def _assemble(ids: pd.Index, past: pd.DataFrame, ahead: pd.DataFrame, amount: np.ndarray,
              m: np.ndarray, sd: np.ndarray, confidence: float) -> pd.DataFrame:
    """Stack Actual and Forecast rows, add Cumulative and the band."""
    past_pos = ids.get_indexer(past["ProjectID"].to_numpy(dtype=object))
    pos = np.concatenate([past_pos, ahead["Pos"].to_numpy()])
    months = np.concatenate([past["M"].to_numpy(), ahead["M"].to_numpy()])
    is_fc = np.concatenate([np.zeros(len(past), bool), np.ones(len(ahead), bool)])
    amounts = np.concatenate([past["Actual"].to_numpy(float), amount])
    step = np.concatenate([np.zeros(len(past)), ahead["Step"].to_numpy(float)])
    order = np.lexsort((months, pos))
    pos, months, is_fc, amounts, step = (a[order] for a in (pos, months, is_fc, amounts, step))
    cumulative = pd.Series(amounts).groupby(pos, sort=False).cumsum(skipna=False).to_numpy(float)

    q = (1.0 + confidence) / 2.0
    t = np.full(len(ids), np.nan)
    for history in np.unique(m[m >= 2]):
        t[m == history] = t_ppf(q, float(history - 1))
    mm = m[pos].astype(float)
    half = np.where(is_fc, t[pos] * sd[pos] * np.sqrt(step + step**2 / mm), 0.0)
    spent = np.zeros(len(ids))  # AC to date: the Cumulative of each project's last Actual row
    actual = np.flatnonzero(~is_fc)  # rows ascend by project, then month
    last = actual[np.r_[pos[actual][1:] != pos[actual][:-1], True]] if len(actual) else actual
    spent[pos[last]] = cumulative[last]
    low = cumulative - half
    floor = np.minimum(spent[pos], cumulative)
    low = np.where(np.isnan(floor), low, np.maximum(low, floor))
    band_err = np.full(len(pos), None, dtype=object)
    band_err[is_fc & (m[pos] == 1) & ~np.isnan(cumulative)] = XLError.DIV0
    band_err[np.isinf(half)] = XLError.NUM  # the misses overflowed: no band, not Low = AC
    out = pd.DataFrame({
        "ProjectID": pd.Series(ids.to_numpy(dtype=object)[pos], dtype=object),
        "Period": period_column(months),
        "Kind": pd.Series(np.where(is_fc, "Forecast", "Actual"), dtype=object),
        "Amount": money(amounts),
        "Cumulative": money(cumulative),
        "Low": with_errors(low, band_err),
        "High": with_errors(cumulative + half, band_err),
    })
    return out[tables.FORECAST_OUT.column_names]


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame({
        "ProjectID": pd.Series([], dtype=object),
        "Period": np.array([], dtype="datetime64[ns]"),
        **{c: pd.Series([], dtype=object) for c in ("Kind", "Amount", "Cumulative", "Low", "High")},
    })[tables.FORECAST_OUT.column_names]
