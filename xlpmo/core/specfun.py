"""Special functions for the forecast bands and beta-PERT (numpy/math only, no scipy).

- :func:`betainc`: the regularised incomplete beta function ``I_x(a, b)`` (the CDF of the
  Beta(a, b) distribution; Excel ``BETA.DIST(x, a, b, TRUE)``), evaluated by the continued
  fraction of DLMF 8.17.22 with the modified Lentz algorithm (Press et al., *Numerical
  Recipes*, 3rd ed., §6.4 ``betacf``), using the symmetry ``I_x(a, b) = 1 − I_{1−x}(b, a)``
  where the fraction converges slowly (``x > (a + 1)/(a + b + 2)``).
- :func:`betaincinv`: its inverse in ``x`` (Excel ``BETA.INV(p, a, b)``), by bisection on
  [0, 1]: ``I_x`` is continuous and increasing in ``x``, so bisection cannot fail; it runs
  until the interval can no longer be halved in floating point.
- :func:`t_ppf`: the Student t quantile (Excel ``T.INV(q, df)``), from
  ``P(|T| > t) = I_{df/(df + t²)}(df/2, 1/2)`` (Abramowitz & Stegun 26.7.1 and 26.5.27),
  solved for ``t²/(df + t²)`` instead when ``|t|`` is small, so no digits cancel.
- :func:`norm_ppf`: the standard normal quantile (Excel ``NORM.S.INV``), by bisection on
  ``Φ(x) = erfc(−x/√2)/2``.

All are scalar functions (they are called once per distinct argument, never per data row).
"""

from __future__ import annotations

import math

__all__ = ["betainc", "betaincinv", "norm_cdf", "norm_ppf", "t_ppf"]

_TINY = 1e-300
_EPS = 1e-15
_MAX_TERMS = 1000


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for I_x(a, b) (modified Lentz), valid for x < (a+1)/(a+b+2)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_TERMS + 1):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                   -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + aa / c
            c = c if abs(c) > _TINY else _TINY
            delta = d * c
            h *= delta
        if abs(delta - 1.0) < _EPS:
            return h
    return h  # pragma: no cover - the fraction converges in far fewer terms for a, b < 1e5


def betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta ``I_x(a, b)`` for ``a, b > 0`` and ``0 <= x <= 1``.

    Raises ValueError outside that domain.
    """
    if not (a > 0 and b > 0) or not 0.0 <= x <= 1.0:
        raise ValueError(f"betainc needs a, b > 0 and 0 <= x <= 1 (got {a}, {b}, {x})")
    if x == 0.0 or x == 1.0:
        return x
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
        + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def betaincinv(a: float, b: float, p: float) -> float:
    """The ``x`` in [0, 1] with ``I_x(a, b) = p`` (``0 <= p <= 1``), by bisection."""
    if not (a > 0 and b > 0) or not 0.0 <= p <= 1.0:
        raise ValueError(f"betaincinv needs a, b > 0 and 0 <= p <= 1 (got {a}, {b}, {p})")
    if p in (0.0, 1.0):
        return p
    lo, hi = 0.0, 1.0
    for _ in range(2000):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if betainc(a, b, mid) < p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def t_ppf(q: float, df: float) -> float:
    """Quantile of Student's t with ``df > 0`` degrees of freedom, ``0 < q < 1``."""
    if not df > 0 or not 0.0 < q < 1.0:
        raise ValueError(f"t_ppf needs df > 0 and 0 < q < 1 (got {q}, {df})")
    if q == 0.5:
        return 0.0
    tail = 2.0 * min(q, 1.0 - q)  # P(|T| > |t|)
    if tail < 0.5:  # large |t|: solve for x = df/(df + t²), which is small
        x = betaincinv(df / 2.0, 0.5, tail)
        t = math.sqrt(df * (1.0 - x) / x)
    else:  # small |t|: solve for y = 1 − x = t²/(df + t²) to avoid cancellation in 1 − x
        y = betaincinv(0.5, df / 2.0, abs(2.0 * q - 1.0))
        t = math.sqrt(df * y / (1.0 - y))
    return t if q > 0.5 else -t


def norm_cdf(x: float) -> float:
    """Standard normal CDF ``Φ(x)``."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def norm_ppf(q: float) -> float:
    """Standard normal quantile ``Φ⁻¹(q)`` for ``0 < q < 1``, by bisection."""
    if not 0.0 < q < 1.0:
        raise ValueError(f"norm_ppf needs 0 < q < 1 (got {q})")
    if q == 0.5:
        return 0.0
    if q > 0.5:  # bisect on the lower tail, where erfc keeps full precision
        return -norm_ppf(1.0 - q)
    lo, hi = -40.0, 0.0
    for _ in range(2000):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if norm_cdf(mid) < q:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)
