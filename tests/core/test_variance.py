"""Variance primitives and tblVariance (xlpmo.core.variance)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers.variance_inputs import make_inputs
from hypothesis import given, settings
from hypothesis import strategies as st

from xlpmo.contract import tables
from xlpmo.core.variance import variance, variance_pct, variance_table
from xlpmo.errors import XLError

# -- helpers --------------------------------------------------------------------------------






def col(frame: pd.DataFrame, name: str) -> list:
    return frame[name].tolist()


# -- primitives -----------------------------------------------------------------------------


def test_variance_scalar_and_sign():
    assert variance(35000, 36000) == -1000.0  # overspend is negative (unfavourable)
    assert variance(-500, -200) == -300.0  # credits are plain numbers


def test_variance_elementwise_blanks_errors_text():
    got = variance([100, 200, None, "abc", "#DIV/0!", 5], [90, 250, 10, 1, 1, None])
    assert got.tolist() == [10.0, -50.0, XLError.NA, XLError.VALUE, XLError.DIV0, XLError.NA]


def test_variance_shapes():
    assert variance([1, 2], [1, 2, 3]) is XLError.VALUE
    assert variance([10, 20, 30], 5).tolist() == [5.0, 15.0, 25.0]  # one cell broadcasts
    got = variance([[1, 2], [3, 4]], [[0, 0], [1, 1]])
    assert got.shape == (2, 2) and got.tolist() == [[1.0, 2.0], [2.0, 3.0]]


def test_variance_pct_div0_na_and_negative():
    got = variance_pct([100, 0, 0, None, -200, 50], [90, 5, None, 3, -150, 60])
    assert got.tolist() == [
        pytest.approx(0.1), XLError.DIV0, XLError.NA, XLError.NA, pytest.approx(0.25),
        pytest.approx(-0.2),
    ]
    assert variance_pct(0, 0) is XLError.DIV0
    # a negative plan (a planned credit) divides as it is: (−200 − −150)/−200 = +25 %


def test_cumulative_flag_means_cumulative_inputs():
    # per period 100/90, 120/150, 80/70, 0/10; cumulative 100/90, 220/240, 300/310, 300/320
    cum_planned = [100.0, 220.0, 300.0, 300.0]
    cum_actual = [90.0, 240.0, 310.0, 320.0]
    cumulative = variance(cum_planned, cum_actual, cumulative=True)
    assert cumulative.tolist() == [10.0, -20.0, -10.0, -20.0]
    pct = variance_pct(cum_planned, cum_actual, cumulative=True)
    assert pct.tolist() == pytest.approx([10 / 100, -20 / 220, -10 / 300, -20 / 300])


# -- tblVariance ----------------------------------------------------------------------------

PLAN = [
    ("A", "2026-01", "Labour", 100), ("A", "2026-01", "Other", 50),
    ("A", "2026-02", "Labour", 200),
    ("A", "2026-04", "Labour", 300),  # March has no plan row (blank = 0)
    ("A", "2026-06", "Labour", 400),  # after the status period
    ("B", "2026-03", "Labour", 80),
]
ACTUALS = [
    ("A", "2026-01", "Labour", 120), ("A", "2026-01", "Other", 40),
    ("A", "2026-02", "Labour", 250),
    ("A", "2026-03", "Labour", -20),  # credit in a month without plan
    ("A", "2026-04", "Labour", 260),
    ("A", "2026-05", "Labour", 999),  # after the status period: ignored
    ("B", "2026-02", "Labour", 10),  # B's actuals start before its plan
]


def test_table_columns_dtypes_and_rows():
    out = variance_table(make_inputs(PLAN, ACTUALS, "2026-04-17"))
    assert list(out.columns) == tables.VARIANCE.column_names
    assert out["Period"].dtype == "datetime64[ns]"
    for name in ("ProjectID", "Actual", "Variance", "VariancePct", "CumActual", "CumVariance",
                 "CumVariancePct", "RAG"):
        assert out[name].dtype == object, name
    a = out[out.ProjectID == "A"]
    assert [p.strftime("%Y-%m") for p in a.Period] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    b = out[out.ProjectID == "B"]
    assert [p.strftime("%Y-%m") for p in b.Period] == ["2026-02", "2026-03", "2026-04"]


def test_table_values_by_hand():
    out = variance_table(make_inputs(PLAN, ACTUALS, "2026-04-17"))
    a = out[out.ProjectID == "A"]
    assert col(a, "Planned") == [150.0, 200.0, 0.0, 300.0]
    assert col(a, "Actual") == [160.0, 250.0, -20.0, 260.0]
    assert col(a, "Variance") == [-10.0, -50.0, 20.0, 40.0]
    assert col(a, "VariancePct")[:2] == [pytest.approx(-10 / 150), pytest.approx(-50 / 200)]
    assert col(a, "VariancePct")[2] is XLError.DIV0  # no plan in March
    assert col(a, "CumPlanned") == [150.0, 350.0, 350.0, 650.0]
    assert col(a, "CumActual") == [160.0, 410.0, 390.0, 650.0]
    assert col(a, "CumVariance") == [-10.0, -60.0, -40.0, 0.0]
    pct = [-10 / 150, -60 / 350, -40 / 350, 0.0]
    assert col(a, "CumVariancePct") == [pytest.approx(v) for v in pct]
    # |pct| vs amber 0.05 / red 0.10: 6.7 % amber, 17 % red, 11 % red, 0 % green
    assert col(a, "RAG") == ["Amber", "Red", "Red", "Green"]


def test_zero_cumulative_plan_is_div0_and_rag_passes_it_on():
    out = variance_table(make_inputs(PLAN, ACTUALS, "2026-04-17"))
    b = out[out.ProjectID == "B"]
    assert col(b, "CumPlanned") == [0.0, 80.0, 80.0]
    assert col(b, "CumVariancePct")[0] is XLError.DIV0
    assert col(b, "RAG")[0] is XLError.DIV0
    assert col(b, "CumVariancePct")[1:] == [pytest.approx((80 - 10) / 80)] * 2
    assert col(b, "RAG")[1:] == ["Red", "Red"]


def test_thresholds_come_from_settings():
    out = variance_table(make_inputs(PLAN, ACTUALS, "2026-04-17",
                                     VarianceAmber=0.2, VarianceRed=0.5))
    assert col(out[out.ProjectID == "A"], "RAG") == ["Green", "Green", "Green", "Green"]


def test_cumulative_variance_exactly_at_red_is_amber():
    # 100 planned, 110 spent: (100 − 110) / 100 = −10 %, exactly VarianceRed (10 %): not
    # above it, so Amber; 90 spent is +10 %, Amber too; 105 spent (−5 %) is Green
    plan = [("A", "2026-01", "", 100), ("B", "2026-01", "", 100), ("C", "2026-01", "", 100)]
    actuals = [("A", "2026-01", "", 110), ("B", "2026-01", "", 90), ("C", "2026-01", "", 105)]
    out = variance_table(make_inputs(plan, actuals, "2026-01-31", projects=["A", "B", "C"]))
    assert col(out, "CumVariancePct") == [-0.1, 0.1, -0.05]
    assert col(out, "RAG") == ["Amber", "Amber", "Green"]


def test_missing_actuals_table_is_na_not_zero():
    out = variance_table(make_inputs(PLAN, None, "2026-04-17"))
    a = out[out.ProjectID == "A"]
    assert col(a, "Planned") == [150.0, 200.0, 0.0, 300.0]
    assert col(a, "CumPlanned") == [150.0, 350.0, 350.0, 650.0]
    for name in ("Actual", "Variance", "VariancePct", "CumActual", "CumVariance",
                 "CumVariancePct", "RAG"):
        assert set(col(out, name)) == {XLError.NA}, name


def test_empty_actuals_table_is_zero_actuals():
    out = variance_table(make_inputs(PLAN, [], "2026-02-10"))
    a = out[out.ProjectID == "A"]
    assert col(a, "Actual") == [0.0, 0.0]
    assert col(a, "Variance") == [150.0, 200.0]
    assert col(a, "CumVariancePct") == [1.0, 1.0]


def test_status_before_every_start_gives_empty_table():
    out = variance_table(make_inputs(PLAN, ACTUALS, "2025-12-31"))
    assert out.empty
    assert list(out.columns) == tables.VARIANCE.column_names
    assert out["Period"].dtype == "datetime64[ns]"


def test_status_before_one_project_starts():
    out = variance_table(make_inputs(PLAN, ACTUALS, "2026-01-05"))
    assert col(out, "ProjectID") == ["A"]  # B starts in February


def test_status_after_finish_runs_on_with_flat_cumulatives():
    plan = [("A", "2025-01", "", 100), ("A", "2025-02", "", 100)]
    actuals = [("A", "2025-01", "", 90), ("A", "2025-02", "", 130)]
    out = variance_table(make_inputs(plan, actuals, "2025-06-30"))
    assert len(out) == 6
    assert col(out, "Planned")[2:] == [0.0] * 4
    assert col(out, "CumPlanned")[1:] == [200.0] * 5
    assert col(out, "CumActual")[1:] == [220.0] * 5
    assert col(out, "VariancePct")[2:] == [XLError.DIV0] * 4
    assert col(out, "CumVariancePct")[1:] == [pytest.approx(-0.1)] * 5


def test_leading_zero_months_do_not_start_the_project():
    # the wide layout gives a 0 for every month column before the project starts
    plan = [("A", "2026-01", "", 0), ("A", "2026-02", "", 0), ("A", "2026-03", "", 10)]
    out = variance_table(make_inputs(plan, [], "2026-04-01"))
    assert [p.month for p in out.Period] == [3, 4]


def test_project_order_follows_tbl_projects_then_unknown_ids():
    plan = [("Z", "2026-01", "", 1), ("A", "2026-01", "", 1), ("Q", "2026-01", "", 1)]
    out = variance_table(make_inputs(plan, [], "2026-01-31", projects=["Z", "A"]))
    assert col(out, "ProjectID") == ["Z", "A", "Q"]


# -- properties -----------------------------------------------------------------------------

amount = st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 2))
row = st.tuples(st.sampled_from(["P1", "P2", "P3"]), st.integers(0, 11),
                st.sampled_from(["Labour", "Other"]), amount)


def _rows(items: list[tuple]) -> list[tuple]:
    return [(p, f"2026-{m + 1:02d}", c, v) for p, m, c, v in items]


@settings(max_examples=60, deadline=None)
@given(st.lists(row, min_size=1, max_size=40), st.lists(row, max_size=40), st.integers(0, 13))
def test_cumulative_columns_are_cumsums(plan_rows, actual_rows, status_month):
    status = (pd.Timestamp("2026-01-15") + pd.DateOffset(months=status_month)).strftime("%Y-%m-%d")
    inputs = make_inputs(_rows(plan_rows), _rows(actual_rows), status)
    out = variance_table(inputs)
    planned = out["Planned"].to_numpy(float)
    actual = out["Actual"].to_numpy(float)
    assert np.allclose(out["Variance"].to_numpy(float), planned - actual)
    for pid, part in out.groupby("ProjectID", sort=False):
        assert part["Period"].is_monotonic_increasing
        months = part["Period"].dt.year.to_numpy() * 12 + part["Period"].dt.month.to_numpy()
        assert (np.diff(months) == 1).all()  # every month, no gaps
        assert np.allclose(part["CumPlanned"].to_numpy(float),
                           np.cumsum(part["Planned"].to_numpy(float)))
        assert np.allclose(part["CumActual"].to_numpy(float),
                           np.cumsum(part["Actual"].to_numpy(float)))
        # sums over CostType, per month, straight from the input rows
        for period, planned_value in zip(part["Period"], part["Planned"], strict=True):
            expect = sum(v for p, m, _, v in plan_rows
                         if p == pid and (2026, m + 1) == (period.year, period.month))
            assert planned_value == pytest.approx(expect, abs=1e-6)
    # nothing after the status period
    assert (out["Period"] <= pd.Timestamp(status).replace(day=1)).all()
