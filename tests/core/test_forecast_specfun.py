"""Incomplete beta, its inverse, t and normal quantiles (xlpmo.core.specfun), no scipy at runtime.

Published values: Microsoft's documentation examples of BETA.DIST / BETA.INV, T.INV.2T and
NORM.S.INV; closed forms of I_x(a, b) for integer parameters. scipy (a dev dependency through
statsmodels) is an independent oracle for random arguments.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlpmo.core.specfun import betainc, betaincinv, norm_ppf, t_ppf

special = pytest.importorskip("scipy.special")


def test_microsoft_beta_dist_and_beta_inv_examples():
    # BETA.DIST(2, 8, 10, TRUE, 1, 3) = 0.6854706: x = 2 on [1, 3] is 0.5 on [0, 1]
    assert betainc(8, 10, 0.5) == pytest.approx(0.6854706, abs=5e-8)
    # BETA.INV(0.685470581, 8, 10, 1, 3) = 2
    assert 1 + 2 * betaincinv(8, 10, 0.685470581) == pytest.approx(2.0, abs=1e-8)


def test_microsoft_t_inv_2t_examples():
    # T.INV.2T(p, df) = t with P(|T| > t) = p, i.e. the (1 − p/2) quantile
    assert t_ppf(1 - 0.546449 / 2, 60) == pytest.approx(0.606533, abs=5e-7)
    # the page prints 2.28139 for T.INV.2T(0.05, 10): a misprint of 2.228139 (the t-table
    # value 2.228 for 10 degrees of freedom, two-sided 5 %), which is what Excel returns
    assert t_ppf(1 - 0.05 / 2, 10) == pytest.approx(2.228139, abs=5e-7)
    # printed 1.812462; the exact quantile is 1.8124611228... (Excel's last digit is off by 1)
    assert t_ppf(1 - 0.1 / 2, 10) == pytest.approx(1.812462, abs=1e-6)


def test_t_closed_forms_and_symmetry():
    # df = 1 is Cauchy: tan(π(q − 1/2)); df = 2: (2q − 1)/sqrt(2q(1 − q))
    for q in (0.6, 0.9, 0.975, 0.999):
        assert t_ppf(q, 1) == pytest.approx(math.tan(math.pi * (q - 0.5)), rel=1e-10)
        assert t_ppf(q, 2) == pytest.approx((2 * q - 1) / math.sqrt(2 * q * (1 - q)), rel=1e-10)
        assert t_ppf(1 - q, 7) == pytest.approx(-t_ppf(q, 7), rel=1e-12)
    assert t_ppf(0.5, 3) == 0.0


def test_microsoft_norm_s_inv_example():
    assert norm_ppf(0.908789) == pytest.approx(1.3333, abs=5e-5)  # NORM.S.INV(0.908789)
    assert norm_ppf(0.975) == pytest.approx(1.959963984540054, rel=1e-12)
    assert norm_ppf(0.5) == 0.0


@pytest.mark.parametrize("x", [0.0, 1e-9, 0.1, 0.37, 0.5, 0.81, 0.999999, 1.0])
def test_betainc_closed_forms(x):
    assert betainc(1, 1, x) == pytest.approx(x, abs=1e-14)
    assert betainc(3.5, 1, x) == pytest.approx(x**3.5, abs=1e-14)
    assert betainc(1, 2.5, x) == pytest.approx(1 - (1 - x) ** 2.5, abs=1e-14)
    # Beta(3, 3): 10x³ − 15x⁴ + 6x⁵
    assert betainc(3, 3, x) == pytest.approx(10 * x**3 - 15 * x**4 + 6 * x**5, abs=1e-14)


def test_betainc_symmetric_median_and_domain():
    for a in (0.3, 1, 2.5, 40, 400):
        assert betainc(a, a, 0.5) == pytest.approx(0.5, abs=1e-12)
    with pytest.raises(ValueError):
        betainc(0, 1, 0.5)
    with pytest.raises(ValueError):
        betainc(1, 1, 1.5)
    with pytest.raises(ValueError):
        betaincinv(1, 1, -0.1)


@settings(max_examples=200, deadline=None)
@given(st.floats(0.05, 200), st.floats(0.05, 200), st.floats(0, 1))
def test_betainc_matches_scipy(a, b, x):
    assert betainc(a, b, x) == pytest.approx(float(special.betainc(a, b, x)), abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.floats(0.2, 100), st.floats(0.2, 100), st.floats(1e-6, 1 - 1e-6))
def test_betaincinv_inverts(a, b, p):
    x = betaincinv(a, b, p)
    assert 0.0 <= x <= 1.0
    # x is the best float: p lies between the CDF at its two neighbours (near 1 a steep CDF
    # can jump by more than 1e-12 from one float to the next)
    below = betainc(a, b, float(np.nextafter(x, 0)))
    above = betainc(a, b, float(np.nextafter(x, 1)))
    assert below - 1e-12 <= p <= above + 1e-12
    assert x == pytest.approx(float(special.betaincinv(a, b, p)), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.001, 0.999), st.integers(1, 500))
def test_t_ppf_matches_scipy(q, df):
    expect = float(special.stdtrit(df, q))
    assert t_ppf(q, df) == pytest.approx(expect, rel=1e-9, abs=1e-12)
