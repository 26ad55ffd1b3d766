"""Statistical ranges of the EAC and the finish date, and the EAC realism test (tblEVM's
EACLow, EACHigh, FinishLow, FinishHigh, BACAtRisk).

Authority: W. Lipke, O. Zwikael, K. Henderson, F. Anbari (2009), "Prediction of project
outcome: the application of statistical methods to earned value management and earned
schedule performance indexes", *International Journal of Project Management* 27(4) 400-407
(workbook.md's "Statistical methods applied to EVM and ES"): the logarithms of the periodic
CPI and SPI(t) are close to normally distributed, so confidence limits of the cumulative
index are computed on ln(index), with the finite-population correction of a project that has
a known number of periods. Exactly as workbook.md v2, "Statistical ranges":

- the sample: a project's periodic values (tblTrend PeriodCPI / PeriodSPIt) of its periods of
  performance (up to the one in which it completed); a period with ΔEV ≤ 0 or ΔAC ≤ 0 is
  left out of the CPI sample, one with ΔES ≤ 0 (or before the project's Start, no time
  elapsed) out of the SPI(t) sample (ln needs a positive value); n = the values left;
- σ = the sample standard deviation of ln(periodic index) (divisor n − 1);
- SE = σ/√n × √((N − n)/(N − 1)), N = the planned duration in months (PD); SE = 0 when
  n ≥ N (every period observed);
- z = the two-sided normal quantile of ``ForecastConfidence`` c: Φ⁻¹((1 + c)/2) (1.645 at
  0.90, :func:`xlpmo.core.specfun.norm_ppf`);
- index bounds exp(ln I ± z·SE) = I·e^(±z·SE) with I the cumulative CPI (or SPI(t)) at the
  status date (tblEVM's);
- EACLow = AC + (BAC − EV)/CPI_high, EACHigh = AC + (BAC − EV)/CPI_low (money);
- IEAC(t) bounds PD/SPI(t)_high and PD/SPI(t)_low (months); FinishLow/FinishHigh the dates
  they end, by the same function as ForecastFinish (:func:`xlpmo.core.schedule.finish_dates`).

Undefined cases: fewer than 3 values in the sample: ``#N/A``; a cumulative index ≤ 0 has no
logarithm: ``#NUM!``; errors of tblEVM's figures pass through (leftmost first). Decided here
(workbook.md is silent): a complete project (EV ≥ BAC > 0) has nothing left to forecast, so
EACLow = EACHigh = AC and FinishLow = FinishHigh = ForecastFinish, however many periods it
has. With EACMethod CPI, EAC = AC + (BAC − EV)/CPI, so EACLow ≤ EAC ≤ EACHigh whenever
BAC ≥ EV.

BACAtRisk, the EAC realism test of EVM practice (DAU EVM Gold Card: "TCPI vs CPI"; Lipke,
"Examination of the threshold for the to complete indexes", *The Measurable News* 2016):
TRUE when TCPI(BAC) exceeds the CPI by more than 0.10, i.e. the budget can only be met by
performing markedly better than to date. Decided here: a project whose budget is already
spent while work remains (BAC − AC ≤ 0 < BAC − EV: TCPI infinite or negative) is at risk
(TRUE); a complete project is not (FALSE); otherwise an error of TCPI or CPI (``#DIV/0!``
when nothing is spent yet) passes through.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract.model import Inputs
from xlpmo.core.schedule import finish_dates
from xlpmo.core.specfun import norm_ppf
from xlpmo.core.trend import Phasing, period_cpi, period_spit, trend_measures
from xlpmo.core.xvalue import NA, NUM, OK, XValue, first_error

__all__ = [
    "MIN_VALUES", "RISK_MARGIN", "Sample", "append_ranges", "bac_at_risk", "cpi_sample",
    "eac_bounds", "finish_bounds", "index_bounds", "samples", "spit_sample", "z_value",
]

MIN_VALUES = 3  # fewer periodic values than this: no range (#N/A)
RISK_MARGIN = 0.10  # BACAtRisk: TCPI − CPI above this


@dataclass(frozen=True)
class Sample:
    """The statistics of a sample of ln(periodic index) per project (arrays, one element per
    project): ``n`` values, their standard deviation ``sigma`` (n − 1; NaN when n < 2)."""

    n: np.ndarray
    sigma: np.ndarray


def z_value(confidence: float) -> float:
    """The two-sided standard normal quantile of a confidence c: Φ⁻¹((1 + c)/2).

    Raises ValueError unless 0 < c < 1.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"a confidence is between 0 and 1, not {confidence}")
    return norm_ppf((1.0 + confidence) / 2.0)


def samples(group: np.ndarray, values: np.ndarray, use: np.ndarray, groups: int) -> Sample:
    """n and σ of ln(values) per group, over the elements where ``use`` is true (values
    there must be > 0). ``group``: the group (project position) of each element. Vectorised:
    sums per group, no loop."""
    g = group[use]
    logs = np.log(values[use])
    n = np.bincount(g, minlength=groups).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(g, weights=logs, minlength=groups) / n
        squares = np.bincount(g, weights=(logs - mean[g]) ** 2, minlength=groups)
        sigma = np.sqrt(squares / (n - 1))
    return Sample(n, np.where(n >= 2, sigma, np.nan))


def index_bounds(index: XValue, sample: Sample, periods: Any, z: float
                 ) -> tuple[XValue, XValue]:
    """(low, high) bounds I·e^(∓z·SE) of a cumulative index I, SE = σ/√n × √((N − n)/(N − 1))
    (0 when n ≥ N). ``periods``: N, the planned duration in months per project.

    #N/A with fewer than :data:`MIN_VALUES` values or an unknown N; #NUM! when I ≤ 0 (no
    logarithm); an error of I passes through.
    """
    n, sigma = sample.n, sample.sigma
    big_n = np.asarray(periods, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        fpc = np.sqrt((big_n - n) / (big_n - 1))
        se = np.where(n >= big_n, 0.0, sigma / np.sqrt(n) * fpc)
    missing = (n < MIN_VALUES) | np.isnan(big_n)
    with np.errstate(invalid="ignore"):
        no_log = (index.err == OK) & ~(index.val > 0)
    err = first_error(index.err, np.where(missing, NA, np.where(no_log, NUM, OK)))
    spread = np.exp(z * np.where(err == OK, se, 0.0))
    low = XValue(np.where(err == OK, index.val / spread, np.nan), err)
    high = XValue(np.where(err == OK, index.val * spread, np.nan), err)
    return low, high


def eac_bounds(bac: XValue, ev: XValue, ac: XValue, cpi_low: XValue, cpi_high: XValue,
               complete: np.ndarray) -> tuple[XValue, XValue]:
    """(EACLow, EACHigh) = AC + (BAC − EV)/CPI_high, AC + (BAC − EV)/CPI_low; AC for a
    complete project."""
    left = bac - ev
    low, high = ac + left / cpi_high, ac + left / cpi_low
    return low.where(~complete, ac), high.where(~complete, ac)


def finish_bounds(start: np.ndarray, duration: XValue, spit_low: XValue, spit_high: XValue,
                  finish: np.ndarray, complete: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(FinishLow, FinishHigh): the dates IEAC(t) = PD/SPI(t)_high and PD/SPI(t)_low months
    from ``start`` end (object arrays of Timestamps or errors); ``finish`` (ForecastFinish)
    for a complete project."""
    low = finish_dates(start, duration / spit_high)
    high = finish_dates(start, duration / spit_low)
    return np.where(complete, finish, low), np.where(complete, finish, high)


def bac_at_risk(bac: XValue, ev: XValue, ac: XValue, tcpi: XValue, cpi: XValue,
                complete: np.ndarray) -> np.ndarray:
    """BACAtRisk per project (object array of bools or errors): TCPI − CPI > 0.10; TRUE when
    the budget is spent with work left, FALSE when complete (module docstring)."""
    inputs_err = first_error(bac.err, ev.err, ac.err)
    diff = tcpi - cpi
    with np.errstate(invalid="ignore"):
        spent = (bac.val - ac.val <= 0) & (bac.val - ev.val > 0)
        verdict = diff.val > RISK_MARGIN
    err = np.where(inputs_err != OK, inputs_err,
                   np.where(complete | spent, OK, diff.err)).astype(np.int8)
    value = np.where(complete, False, np.where(spent, True, verdict))
    out = np.asarray(value, dtype=bool).astype(object)
    bad = err != OK
    out[bad] = XValue(np.full(int(bad.sum()), np.nan), err[bad]).objects()
    return out


def cpi_sample(trend: pd.DataFrame) -> np.ndarray:
    """Which trend rows enter the CPI sample: periods before completion with ΔEV > 0 and
    ΔAC > 0 (:func:`xlpmo.core.trend.trend_measures`)."""
    with np.errstate(invalid="ignore"):
        return (trend["Open"].to_numpy(dtype=bool) & (trend["dEV"].to_numpy(float) > 0)
                & (trend["dAC"].to_numpy(float) > 0))


def spit_sample(trend: pd.DataFrame) -> np.ndarray:
    """Which trend rows enter the SPI(t) sample: periods before completion with ΔES > 0 over
    at least one month of the project's time (not before its Start)."""
    with np.errstate(invalid="ignore"):
        return (trend["Open"].to_numpy(dtype=bool) & (trend["dES"].to_numpy(float) > 0)
                & (trend["Elapsed"].to_numpy(float) > 0))


def append_ranges(out: pd.DataFrame, inputs: Inputs, measures: pd.DataFrame,
                  phasing: Phasing, trend: pd.DataFrame | None = None) -> pd.DataFrame:
    """tblEVM ``out`` (its columns up to ScheduleRAG, one row per project of ``measures``)
    with EACLow, EACHigh, FinishLow, FinishHigh and BACAtRisk added (module docstring).

    The samples come from the trend rows of :func:`xlpmo.core.trend.trend_measures` (given
    as ``trend`` when the caller has them, else computed); the status-date figures (BAC, EV,
    AC, CPI, SPIt, TCPI, ForecastFinish) are tblEVM's own, so their errors pass through.
    """
    if trend is None:
        trend = trend_measures(inputs, measures, phasing)
    groups = len(measures)
    pos = trend["Pos"].to_numpy(dtype=np.int64)
    z = z_value(float(inputs.settings.ForecastConfidence))
    col = {c: XValue.of(out[c].to_numpy(dtype=object))
           for c in ("BAC", "EV", "AC", "CPI", "SPIt", "TCPI")}
    bac, ev, ac = col["BAC"], col["EV"], col["AC"]
    with np.errstate(invalid="ignore"):
        complete = (bac.err == OK) & (ev.err == OK) & (bac.val > 0) & (ev.val >= bac.val)
    dur = measures["PD"].to_numpy(dtype=float)

    cpi_sampled = samples(pos, period_cpi(trend).val, cpi_sample(trend), groups)
    cpi_low, cpi_high = index_bounds(col["CPI"], cpi_sampled, dur, z)
    eac_low, eac_high = eac_bounds(bac, ev, ac, cpi_low, cpi_high, complete)

    spit_sampled = samples(pos, period_spit(trend).val, spit_sample(trend), groups)
    spit_low, spit_high = index_bounds(col["SPIt"], spit_sampled, dur, z)
    finish = out["ForecastFinish"].to_numpy(dtype=object)
    start = measures["Start"].to_numpy(dtype="datetime64[ns]")
    finish_low, finish_high = finish_bounds(start, XValue.of(dur), spit_low, spit_high, finish,
                                            complete)
    out = out.copy()
    out["EACLow"] = pd.Series(eac_low.objects(), index=out.index, dtype=object)
    out["EACHigh"] = pd.Series(eac_high.objects(), index=out.index, dtype=object)
    out["FinishLow"] = pd.Series(finish_low, index=out.index, dtype=object)
    out["FinishHigh"] = pd.Series(finish_high, index=out.index, dtype=object)
    out["BACAtRisk"] = pd.Series(bac_at_risk(bac, ev, ac, col["TCPI"], col["CPI"], complete),
                                 index=out.index, dtype=object)
    return out
