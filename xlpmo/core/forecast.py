"""Spend forecasts: per-period forecasts and bands, phasing, S-curves, PERT.

(tblForecastOut, the whole table, is :mod:`xlpmo.core.forecast_out`.)

Worksheet primitives (functions.md, "Forecast") take cells: numbers, blanks (``None``/NaN),
Excel errors and text. Each returns its numbers, or one :class:`~xlpmo.errors.XLError` when
the whole result cannot be computed (``#N/A`` missing input, ``#DIV/0!`` zero denominator,
``#NUM!`` impossible number, ``#VALUE!`` wrong type); an error cell in an argument is passed on.

History series (``history``) are per-period amounts, oldest first. Leading and trailing blanks
are trimmed (a range may run into months not yet filled in); a blank between two numbers is a
period without cost and counts as 0 (workbook.md: "Blank means 0" for time-phased money).

Methods of :func:`forecast` (``x`` = 1..n over the history):
- RUNRATE: the mean of the last ``window`` periods, repeated (an inner blank counts as a
  0 period, where Excel's AVERAGE would skip it).
- LINEAR: least-squares line through (x, y), continued at x = n+1..n+h: exactly Excel's
  ``FORECAST.LINEAR(n+k, history, {1..n})`` for a history without inner or trailing blanks
  (FORECAST.LINEAR skips a pair with a blank; here an inner blank is a period of 0 spend,
  and trailing blanks are not periods).
- HOLT: Holt's linear (additive-trend) exponential smoothing, Hyndman & Athanasopoulos,
  *Forecasting: Principles and Practice*, 3rd ed. (fpp3), §8.2, see :func:`holt_fit`.
- PLAN: the remaining plan scaled so that actual to date + forecast = ``target`` (e.g. EAC).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from xlpmo.core.specfun import betaincinv, norm_ppf, t_ppf
from xlpmo.core.variance import parse_cells
from xlpmo.errors import XLError

METHODS = ("RUNRATE", "LINEAR", "HOLT", "PLAN")
BAND_METHODS = ("RUNRATE", "LINEAR", "HOLT")
SHAPES = ("LINEAR", "FRONT", "BACK", "BELL")


class Band(NamedTuple):
    """A prediction band per forecast period (spills as two columns Low, High)."""

    low: np.ndarray
    high: np.ndarray


# -- argument parsing ---------------------------------------------------------------------------


def _series(values: Any, blank_is_zero: bool = True) -> np.ndarray | XLError:
    """A 1-D series of cells -> floats, or the first error cell / ``#VALUE!`` for a 2-D block.

    ``blank_is_zero``: blanks become 0; otherwise they stay NaN.
    """
    floats, errors = parse_cells(values)
    if floats.ndim > 1 and sum(d > 1 for d in floats.shape) > 1:
        return XLError.VALUE  # a series is one row or one column
    floats, errors = floats.ravel(), errors.ravel()
    for err in errors:
        if err is not None:
            return err
    return np.nan_to_num(floats, nan=0.0) if blank_is_zero else floats


def _history(history: Any) -> np.ndarray | XLError:
    """History cells -> floats with leading/trailing blanks trimmed, inner blanks 0.

    ``#N/A`` when no number is left.
    """
    values = _series(history, blank_is_zero=False)
    if isinstance(values, XLError):
        return values
    known = np.flatnonzero(~np.isnan(values))
    if not len(known):
        return XLError.NA
    return np.nan_to_num(values[known[0]: known[-1] + 1], nan=0.0)


def _scalar(value: Any) -> float | XLError:
    """One cell -> float; blank is ``#N/A``, text ``#VALUE!``, an error is passed on."""
    floats, errors = parse_cells(value)
    if floats.size != 1:
        return XLError.VALUE
    err = errors.ravel()[0]
    if err is not None:
        return err
    number = float(floats.ravel()[0])
    return XLError.NA if math.isnan(number) else number


def _count(value: Any) -> int | XLError:
    """A count argument (horizon, window, periods): truncated like Excel, at least 1."""
    number = _scalar(value)
    if isinstance(number, XLError):
        return number
    return XLError.NUM if number < 1 else int(number)


def _choice(value: Any, allowed: tuple[str, ...]) -> str | XLError:
    text = str(value).strip().upper() if isinstance(value, str) else None
    return text if text in allowed else XLError.VALUE


# -- linear least squares -------------------------------------------------------------------------


@dataclass(frozen=True)
class LineFit:
    """Ordinary least squares ``y = intercept + slope·x`` with what its intervals need."""

    intercept: float
    slope: float
    n: int
    x_mean: float
    sxx: float  # Σ(x − x̄)²
    sse: float  # Σ residual²

    def at(self, x: Any) -> np.ndarray:
        return self.intercept + self.slope * np.asarray(x, dtype=float)


def line_fit(x: np.ndarray, y: np.ndarray) -> LineFit | XLError:
    """OLS fit of y on x: slope = Σ(x−x̄)(y−ȳ)/Σ(x−x̄)², intercept = ȳ − slope·x̄.

    The formulas of Excel's FORECAST.LINEAR / SLOPE / INTERCEPT (Microsoft documentation).
    ``#N/A`` without points, ``#DIV/0!`` when all x are equal (one point included).
    """
    n = len(y)
    if n == 0:
        return XLError.NA
    x_mean, y_mean = float(np.mean(x)), float(np.mean(y))
    dx = x - x_mean
    sxx = float(np.dot(dx, dx))
    if sxx == 0:
        return XLError.DIV0
    slope = float(np.dot(dx, y - y_mean)) / sxx
    intercept = y_mean - slope * x_mean
    resid = y - (intercept + slope * x)
    return LineFit(intercept, slope, n, x_mean, sxx, float(np.dot(resid, resid)))


def forecast_linear(x_new: Any, known_y: Any, known_x: Any) -> Any:
    """Excel's ``FORECAST.LINEAR(x, known_y's, known_x's)``: intercept + slope·x.

    Pairs where either value is blank are skipped (as Excel skips empty cells); different
    lengths are ``#N/A`` (as in Excel); an error cell is passed on. ``x_new`` may be one cell
    (returns a float) or several (returns an array).
    """
    y = _series(known_y, blank_is_zero=False)
    x = _series(known_x, blank_is_zero=False)
    new = _series(x_new, blank_is_zero=False)
    err = XLError.first((new, y, x))
    if err is not None:
        return err
    if len(x) != len(y):
        return XLError.NA
    keep = ~(np.isnan(x) | np.isnan(y))
    fit = line_fit(x[keep], y[keep])
    if isinstance(fit, XLError):
        return fit
    if np.isnan(new).any():
        return XLError.NA
    out = fit.at(new)
    return float(out[0]) if np.ndim(x_new) == 0 else out


# -- Holt -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HoltFit:
    """Final state and parameters of Holt's linear method (fpp3 §8.2)."""

    level: float
    trend: float
    alpha: float
    beta: float  # β* of fpp3 §8.2 (the trend smoothing parameter of the method form)
    sse: float  # Σ one-step errors² over t = 3..n
    n_errors: int  # n − 2

    def forecast(self, horizon: int) -> np.ndarray:
        return self.level + self.trend * np.arange(1, horizon + 1, dtype=float)


def _holt_run(y: np.ndarray, alpha: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, ...]:
    """Run the recursions for many (alpha, beta) pairs at once (vectorised over the pairs)."""
    level = np.full(alpha.shape, y[1])
    trend = np.full(alpha.shape, y[1] - y[0])
    sse = np.zeros(alpha.shape)
    for value in y[2:]:
        predicted = level + trend
        error = value - predicted
        sse += error * error
        new_level = predicted + alpha * error  # = α·y + (1 − α)(ℓ + b)
        trend = beta * (new_level - level) + (1.0 - beta) * trend
        level = new_level
    return level, trend, sse


def _grid(center: float | None) -> np.ndarray:
    if center is None:
        return np.linspace(1.0, 0.0, 101)  # descending: ties go to the larger parameter
    return np.clip(np.linspace(center + 0.01, center - 0.01, 41), 0.0, 1.0)


def holt_fit(y: Any, alpha: float | None = None, beta: float | None = None) -> HoltFit | XLError:
    """Holt's linear trend method (Holt 1957; fpp3 §8.2, "Holt's linear trend method").

    Equations (fpp3 §8.2): forecast ŷ(t+h|t) = ℓ_t + h·b_t; level
    ℓ_t = α·y_t + (1 − α)(ℓ_{t−1} + b_{t−1}); trend b_t = β*(ℓ_t − ℓ_{t−1}) + (1 − β*)·b_{t−1},
    with 0 ≤ α, β* ≤ 1.

    Initialisation: ℓ_1 = y_1, b_1 = y_2 − y_1 (the classic heuristic of Holt's method, fpp
    1st ed. §7.2); the recursions run from t = 2 (which leaves ℓ_2 = y_2, b_2 = y_2 − y_1)
    to n. This equals statsmodels' ``Holt`` with ``initialization_method="known"``,
    ``initial_level = 2·y_1 − y_2``, ``initial_trend = y_2 − y_1``.

    Parameters: given ``alpha``/``beta`` are used as they are; otherwise both are chosen by
    minimising the SSE of the one-step-ahead errors e_t = y_t − (ℓ_{t−1} + b_{t−1}),
    t = 3..n (fpp3 §8.1-8.2 estimate them the same way): a grid search over [0, 1] in steps
    of 0.01, refined in steps of 0.0005 around the best point. Ties (with three points the SSE
    does not depend on the parameters) go to the largest α, then β (the most recent data).

    Needs at least two periods (``#N/A`` otherwise); with exactly two the forecast is the line
    through them.
    """
    values = np.asarray(y, dtype=float)
    if len(values) < 2:
        return XLError.NA
    for given in (alpha, beta):
        if given is not None and not 0.0 <= given <= 1.0:
            return XLError.NUM
    if alpha is not None and beta is not None:
        a, b = np.array([float(alpha)]), np.array([float(beta)])
    else:
        a, b = _search(values, alpha, beta, None, None)
        a, b = _search(values, alpha, beta, float(a[0]), float(b[0]))
    level, trend, sse = _holt_run(values, a, b)
    return HoltFit(float(level[0]), float(trend[0]), float(a[0]), float(b[0]), float(sse[0]),
                   len(values) - 2)


def _search(y: np.ndarray, alpha: float | None, beta: float | None, ca: float | None,
            cb: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Grid point (alpha, beta) of least SSE; a given parameter stays fixed."""
    alphas = np.array([alpha], dtype=float) if alpha is not None else _grid(ca)
    betas = np.array([beta], dtype=float) if beta is not None else _grid(cb)
    a, b = (g.ravel() for g in np.meshgrid(alphas, betas, indexing="ij"))
    sse = _holt_run(y, a, b)[2]
    best = int(np.argmin(sse))
    return a[best: best + 1], b[best: best + 1]


# -- forecasts ------------------------------------------------------------------------------------


def runrate(history: Any, window: Any = 3) -> Any:
    """Average per-period amount of the last ``window`` periods (worksheet ``RUNRATE``).

    Σ(last w amounts)/w with w = min(window, periods in the history) (a window longer than
    the history uses all of it). Money per period. ``#N/A`` for an empty history, ``#NUM!``
    for a window below 1.
    """
    values, w = _history(history), _count(window)
    err = XLError.first((values, w))
    if err is not None:
        return err
    return float(np.mean(values[-w:]))


def forecast(
    history: Any,
    horizon: Any,
    method: Any = "RUNRATE",
    window: Any = 3,
    target: Any = None,
    plan: Any = None,
    *,
    alpha: float | None = None,
    beta: float | None = None,
) -> np.ndarray | XLError:
    """The next ``horizon`` per-period amounts (worksheet ``FORECAST``), money per period.

    - RUNRATE: :func:`runrate` of the last ``window`` periods, for every future period.
    - LINEAR: a + b·x at x = n+1..n+horizon, a and b the least-squares line through
      (1, y_1)..(n, y_n) (:func:`line_fit`) = ``FORECAST.LINEAR(n+k, y, {1..n})``.
      One period: ``#DIV/0!`` as in Excel.
    - HOLT: ℓ_n + h·b_n from :func:`holt_fit` (``alpha``/``beta`` fixed when given, else
      fitted by least squares). Needs two periods (``#N/A``).
    - PLAN: ``plan`` is the remaining plan per future period; each amount is
      plan_k·(target − AC)/Σplan with AC = Σ history (an empty history is AC = 0), so that
      AC + Σ forecast = target. Periods past the end of ``plan`` are 0 (nothing planned);
      ``#N/A`` without target or plan, ``#DIV/0!`` when the remaining plan sums to 0.
    """
    h, m = _count(horizon), _choice(method, METHODS)
    err = XLError.first((h, m))
    if err is not None:
        return err
    if m == "PLAN":
        return _plan_forecast(history, h, target, plan)
    values = _history(history)
    if isinstance(values, XLError):
        return values
    if m == "RUNRATE":
        rate = runrate(values, window)
        return rate if isinstance(rate, XLError) else np.full(h, rate)
    if m == "LINEAR":
        fit = line_fit(np.arange(1.0, len(values) + 1), values)
        return fit if isinstance(fit, XLError) else fit.at(np.arange(len(values) + 1.0,
                                                                     len(values) + h + 1))
    holt = holt_fit(values, alpha, beta)
    return holt if isinstance(holt, XLError) else holt.forecast(h)


def _plan_forecast(history: Any, h: int, target: Any, plan: Any) -> np.ndarray | XLError:
    if target is None or plan is None:
        return XLError.NA
    goal, remaining = _scalar(target), _series(plan)
    values = _series(history)  # only its sum counts: blanks (nothing spent yet) are 0
    err = XLError.first((goal, remaining, values))
    if err is not None:
        return err
    total = float(np.sum(remaining))
    if total == 0:
        return XLError.DIV0
    scaled = remaining * ((goal - float(np.sum(values))) / total)
    out = np.zeros(h)
    out[: min(h, len(scaled))] = scaled[:h]
    return out


def forecast_range(
    history: Any, horizon: Any, method: Any = "LINEAR", confidence: Any = 0.95, *,
    window: Any = 3,
) -> Band | XLError:
    """Low/High prediction band per forecast period (worksheet ``FORECASTRANGE``).

    ``confidence`` (0 < c < 1) is the probability that the period's amount falls inside.

    - LINEAR: the OLS prediction interval for a new observation (Montgomery, Peck & Vining,
      *Introduction to Linear Regression Analysis*, 5th ed., §2.5): ŷ₀ ± t((1+c)/2, n−2)·s·
      √(1 + 1/n + (x₀ − x̄)²/Sxx), s² = SSE/(n−2); in Excel terms
      ``FORECAST.LINEAR ± T.INV.2T(1−c, n−2)·STEYX·SQRT(1 + 1/n + (x₀−x̄)²/DEVSQ(x))``.
      Needs three periods (``#DIV/0!`` below, as STEYX).
    - RUNRATE: the prediction interval for one future observation of a normal sample, here
      the last w = min(window, n) periods (Montgomery & Runger, *Applied Statistics and
      Probability for Engineers*, "Prediction interval for a future observation"):
      mean ± t((1+c)/2, w−1)·s·√(1 + 1/w), s the sample standard deviation. The same band
      for every period (the run rate assumes no trend). ``#DIV/0!`` with w = 1 (as STDEV.S).
    - HOLT: fpp3 §8.7 (Table 8.8, ETS(A,A,N), whose point forecasts are Holt's):
      ŷ ± z((1+c)/2)·σ_h, σ_h² = σ̂²·[1 + Σ_{j=1}^{h−1}(α + β·j)²] with β = α·β* (fpp3 §8.5),
      i.e. σ̂²[1 + (h−1){α² + αβh + β²h(2h−1)/6}]; σ̂² = SSE/(n−2), the mean squared
      one-step error. ``#DIV/0!`` with two periods (no one-step error to measure).
    - PLAN has no statistical band: ``#VALUE!``.
    """
    h, m, c = _count(horizon), _choice(method, BAND_METHODS), _scalar(confidence)
    values = _history(history)
    err = XLError.first((h, m, c, values))
    if err is not None:
        return err
    if not 0.0 < c < 1.0:
        return XLError.NUM
    n = len(values)
    q = (1.0 + c) / 2.0
    if m == "LINEAR":
        x = np.arange(1.0, n + 1)
        fit = line_fit(x, values)
        if isinstance(fit, XLError):
            return fit
        if n <= 2:
            return XLError.DIV0
        x0 = np.arange(n + 1.0, n + h + 1)
        s = math.sqrt(fit.sse / (n - 2))
        half = t_ppf(q, n - 2) * s * np.sqrt(1.0 + 1.0 / n + (x0 - fit.x_mean) ** 2 / fit.sxx)
        center = fit.at(x0)
    elif m == "RUNRATE":
        w = _count(window)
        if isinstance(w, XLError):
            return w
        last = values[-w:]
        if len(last) < 2:
            return XLError.DIV0
        s = float(np.std(last, ddof=1))
        center = np.full(h, float(np.mean(last)))
        half = np.full(h, t_ppf(q, len(last) - 1) * s * math.sqrt(1.0 + 1.0 / len(last)))
    else:
        fit = holt_fit(values)
        if isinstance(fit, XLError):
            return fit
        if fit.n_errors == 0:
            return XLError.DIV0
        center = fit.forecast(h)
        half = norm_ppf(q) * np.sqrt(holt_variance(fit, h))
    return Band(center - half, center + half)


def holt_variance(fit: HoltFit, horizon: int) -> np.ndarray:
    """Forecast variance σ_h², h = 1..horizon, of ETS(A,A,N) (fpp3 §8.7, Table 8.8).

    σ_h² = σ̂²·[1 + Σ_{j=1}^{h−1}(α + β·j)²], β = α·β*; σ̂² = SSE/(n−2).
    """
    beta = fit.alpha * fit.beta
    c2 = (fit.alpha + beta * np.arange(1, horizon, dtype=float)) ** 2
    factor = 1.0 + np.concatenate([[0.0], np.cumsum(c2)])
    return fit.sse / fit.n_errors * factor


# -- phasing, S-curves, PERT ----------------------------------------------------------------------


def phase(amount: Any, profile: Any) -> np.ndarray | XLError:
    """Spread ``amount`` over periods in proportion to ``profile`` (worksheet ``PHASE``).

    result_k = amount·p_k/Σp; the results sum to ``amount``. Blank profile cells weigh 0;
    negative weights are allowed (a credit). ``#DIV/0!`` when the weights sum to 0.
    """
    total, weights = _scalar(amount), _series(profile)
    err = XLError.first((total, weights))
    if err is not None:
        return err
    denominator = float(np.sum(weights))
    if denominator == 0:
        return XLError.DIV0
    return total * weights / denominator


def scurve_fraction(x: np.ndarray, shape: str) -> np.ndarray:
    """Cumulative fraction F(x) of the planned total at elapsed fraction x of the duration.

    Each shape is the CDF of a beta distribution with integer parameters, so F is a
    polynomial, F(0) = 0, F(1) = 1, increasing on [0, 1]; the per-period spend follows the
    beta density:

    - LINEAR: F(x) = x (Beta(1, 1): even spend).
    - FRONT:  F(x) = 1 − (1 − x)⁴(1 + 4x) (Beta(2, 4): spend peaks at 25 % of the duration).
    - BACK:   F(x) = x⁴(5 − 4x) (Beta(4, 2): spend peaks at 75 %).
    - BELL:   F(x) = x³(10 − 15x + 6x²) (Beta(3, 3): the classic symmetric S-curve, spend
      peaks at mid-project).
    """
    if shape == "LINEAR":
        return x.copy()
    if shape == "FRONT":
        return 1.0 - (1.0 - x) ** 4 * (1.0 + 4.0 * x)
    if shape == "BACK":
        return x**4 * (5.0 - 4.0 * x)
    return x**3 * (10.0 - 15.0 * x + 6.0 * x * x)


def scurve(total: Any, periods: Any, shape: Any = "LINEAR") -> np.ndarray | XLError:
    """Planned CUMULATIVE curve over ``periods`` periods ending at ``total`` (``SCURVE``).

    C_k = total·F(k/n), k = 1..n, with F of :func:`scurve_fraction`; C_n = total exactly.
    Monotone (non-decreasing for a positive total). ``#NUM!`` for periods < 1, ``#VALUE!``
    for an unknown shape.
    """
    amount, n, kind = _scalar(total), _count(periods), _choice(shape, SHAPES)
    err = XLError.first((amount, n, kind))
    if err is not None:
        return err
    fraction = scurve_fraction(np.arange(1, n + 1, dtype=float) / n, kind)
    out = amount * fraction
    out[-1] = amount
    return out


def pert(optimistic: Any, likely: Any, pessimistic: Any, probability: Any = None) -> Any:
    """PERT three-point estimate (worksheet ``PERT``).

    Without ``probability``: the PERT mean (O + 4M + P)/6 (Malcolm et al. 1959; PMI *PMBOK
    Guide*, 6th ed., §6.4.2.4 "Three-point estimating", beta distribution).

    With ``probability`` p (0..1): the value x with P(X ≤ x) = p for the beta-PERT
    distribution on [O, P] with mode M: X = O + (P − O)·B, B ~ Beta(α, β),
    α = 1 + 4(M − O)/(P − O), β = 1 + 4(P − M)/(P − O) (Vose, *Risk Analysis: A Quantitative
    Guide*, 3rd ed., 2008; Vose Software risk wiki, "PERT distribution");
    x = O + (P − O)·I⁻¹_p(α, β) = Excel ``BETA.INV(p, α, β, O, P)``, the inverse regularised
    incomplete beta by bisection (:mod:`xlpmo.core.specfun`).

    ``#NUM!`` unless O ≤ M ≤ P and 0 ≤ p ≤ 1; with O = P every value is O.
    """
    o, m, p = _scalar(optimistic), _scalar(likely), _scalar(pessimistic)
    err = XLError.first((o, m, p))
    if err is not None:
        return err
    if not o <= m <= p:
        return XLError.NUM
    if probability is None:
        return (o + 4.0 * m + p) / 6.0
    prob = _scalar(probability)
    if isinstance(prob, XLError):
        return prob
    if not 0.0 <= prob <= 1.0:
        return XLError.NUM
    if o == p:
        return o
    width = p - o
    a, b = 1.0 + 4.0 * (m - o) / width, 1.0 + 4.0 * (p - m) / width
    return o + width * betaincinv(a, b, prob)
