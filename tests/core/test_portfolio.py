"""Portfolio roll-up (xlpmo.core.portfolio): sums first, then ratios; errors and idle projects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers.evm_inputs import make_inputs
from hypothesis import given, settings
from hypothesis import strategies as st

from xlpmo.contract import tables
from xlpmo.core import evm
from xlpmo.core.portfolio import portfolio_table
from xlpmo.errors import XLError

NA, DIV0 = XLError.NA, XLError.DIV0


def evm_frame(rows: list[dict]) -> pd.DataFrame:
    """A tblEVM-shaped frame with only the columns the roll-up reads filled in."""
    frame = pd.DataFrame(rows)
    for c in tables.EVM.column_names:
        if c not in frame:
            frame[c] = None
    return frame[tables.EVM.column_names].astype(object)


def by_label(table: pd.DataFrame) -> dict[str, pd.Series]:
    return {r["Portfolio"]: r for _, r in table.iterrows()}


def test_groups_in_order_of_appearance_blank_is_none_then_total():
    table = portfolio_table(evm_frame([
        {"Portfolio": "Infra", "BAC": 100.0, "PV": 50.0, "EV": 40.0, "AC": 50.0, "EAC": 125.0},
        {"Portfolio": None, "BAC": 10.0, "PV": 5.0, "EV": 5.0, "AC": 4.0, "EAC": 8.0},
        {"Portfolio": " Digital ", "BAC": 200.0, "PV": 100.0, "EV": 110.0, "AC": 100.0,
         "EAC": 181.8},
        {"Portfolio": "Infra", "BAC": 300.0, "PV": 150.0, "EV": 120.0, "AC": 150.0,
         "EAC": 375.0},
        {"Portfolio": "  ", "BAC": 1.0, "PV": 0.0, "EV": 0.0, "AC": 0.0, "EAC": 1.0},
    ]))
    assert table.columns.tolist() == tables.PORTFOLIO.column_names
    assert table["Portfolio"].tolist() == ["Infra", "(none)", "Digital", "Total"]
    infra = by_label(table)["Infra"]
    assert (infra["BAC"], infra["PV"], infra["EV"], infra["AC"]) == (400, 200, 160, 200)
    assert (infra["CV"], infra["SV"], infra["EAC"], infra["VAC"]) == (-40, -40, 500, -100)
    assert infra["CPI"] == pytest.approx(0.8) and infra["SPI"] == pytest.approx(0.8)
    total = by_label(table)["Total"]
    assert total["EV"] == 275 and total["CPI"] == pytest.approx(275 / 304)
    assert by_label(table)["(none)"]["SPI"] == pytest.approx(5 / 5)


def test_indices_are_never_averaged():
    """Two projects with CPI 2.0 and 0.5: the average index would say 1.25; the sums say
    ΣEV/ΣAC = (200 + 50) / (100 + 100) = 1.25 only by coincidence, so use unequal sizes."""
    table = portfolio_table(evm_frame([
        {"Portfolio": "P", "BAC": 1e3, "PV": 100.0, "EV": 200.0, "AC": 100.0, "EAC": 500.0},
        {"Portfolio": "P", "BAC": 1e4, "PV": 1e3, "EV": 500.0, "AC": 1e3, "EAC": 2e4},
    ]))
    assert by_label(table)["P"]["CPI"] == pytest.approx(700 / 1100)  # not (2.0 + 0.5) / 2


def test_not_started_project_does_not_wipe_out_its_portfolio():
    """PV 0, no progress (EV #N/A), nothing spent: enters with EV 0 and EAC = BAC (MS Project
    rolls a not-started task up with BCWP = ACWP = 0)."""
    table = portfolio_table(evm_frame([
        {"Portfolio": "A", "BAC": 100.0, "PV": 50.0, "EV": 50.0, "AC": 40.0, "EAC": 80.0},
        {"Portfolio": "A", "BAC": 500.0, "PV": 0.0, "EV": NA, "AC": 0.0, "EAC": NA},
    ]))
    a = by_label(table)["A"]
    assert (a["BAC"], a["PV"], a["EV"], a["AC"], a["EAC"]) == (600, 50, 50, 40, 580)
    assert a["CPI"] == pytest.approx(50 / 40) and a["VAC"] == 20


def test_missing_progress_on_a_started_project_propagates_na():
    table = portfolio_table(evm_frame([
        {"Portfolio": "A", "BAC": 100.0, "PV": 50.0, "EV": 50.0, "AC": 40.0, "EAC": 80.0},
        {"Portfolio": "A", "BAC": 200.0, "PV": 20.0, "EV": NA, "AC": 0.0, "EAC": NA},
        {"Portfolio": "B", "BAC": 200.0, "PV": 0.0, "EV": NA, "AC": 15.0, "EAC": NA},
    ]))
    a, b = by_label(table)["A"], by_label(table)["B"]
    assert (a["BAC"], a["PV"], a["AC"]) == (300, 70, 40)  # the known sums stay known
    assert [a[c] for c in ("EV", "CV", "SV", "CPI", "SPI", "EAC", "VAC")] == [NA] * 7
    assert b["EV"] is NA  # money spent but no progress: a missing report, not "not started"


def test_first_error_in_table_order_wins_and_div0_propagates():
    table = portfolio_table(evm_frame([
        {"Portfolio": "A", "BAC": 100.0, "PV": 50.0, "EV": 0.0, "AC": 10.0, "EAC": DIV0},
        {"Portfolio": "A", "BAC": 100.0, "PV": 50.0, "EV": 10.0, "AC": 10.0, "EAC": NA},
    ]))
    a = by_label(table)["A"]
    assert a["EAC"] is DIV0 and a["VAC"] is DIV0
    empty = portfolio_table(evm_frame([]))
    assert empty["Portfolio"].tolist() == ["Total"] and empty["CPI"].iloc[0] is DIV0


money = st.floats(0, 1e7, allow_nan=False)


@given(st.lists(
    st.tuples(st.sampled_from(["X", "Y", None, ""]), money, money, money, money, money),
    min_size=1, max_size=12,
))
def test_property_rows_equal_primitives_on_summed_inputs(projects):
    frame = evm_frame([
        {"Portfolio": p, "BAC": b, "PV": pv, "EV": ev, "AC": ac, "EAC": e}
        for p, b, pv, ev, ac, e in projects
    ])
    table = by_label(portfolio_table(frame))
    labels = np.array([p or "(none)" for p, *_ in projects], dtype=object)
    values = np.array([r[1:] for r in projects], dtype=float)
    groups = {**{lab: labels == lab for lab in set(labels)}, "Total": np.ones(len(labels), bool)}
    for label, mask in groups.items():
        bac, pv, ev, ac, eac = values[mask].sum(axis=0)
        got = table[label]
        assert got["EV"] == pytest.approx(ev) and got["AC"] == pytest.approx(ac)
        # the Gold Card's formulas on the sums, by plain arithmetic (not the code's own)
        assert _same(got["CPI"], _excel_ratio(ev, ac)) and _same(got["SPI"], _excel_ratio(ev, pv))
        assert got["CV"] == pytest.approx(ev - ac)
        assert got["SV"] == pytest.approx(ev - pv)
        assert got["VAC"] == pytest.approx(bac - eac)


def _excel_ratio(num: float, den: float) -> float | XLError:
    """Excel's num / den: ``#DIV/0!`` for a zero denominator (0 / 0 included), ``#NUM!`` for a
    quotient beyond the largest number (1.797e308, as Excel's =4/2.2E-308)."""
    if den == 0:
        return XLError.DIV0
    with np.errstate(over="ignore"):
        ratio = np.float64(num) / np.float64(den)
    return XLError.NUM if np.isinf(ratio) else ratio


def _same(a, b) -> bool:
    if isinstance(a, XLError) or isinstance(b, XLError):
        return a is b
    return a == pytest.approx(b)


@settings(max_examples=25, deadline=None)
@given(st.lists(
    st.tuples(st.lists(st.floats(0, 1e5), min_size=1, max_size=6),
              st.lists(st.floats(0, 1e5), min_size=1, max_size=6),
              st.floats(0, 1.2)),
    min_size=1, max_size=5,
))
def test_property_total_row_equals_one_project_of_the_summed_inputs(projects):
    """The portfolio Total of several projects = the EVM of one project whose plan, actuals
    and earned value are the sums of theirs (money summed first, then the ratios)."""
    plan = {f"P{i}": ("2026-01", p) for i, (p, _, _) in enumerate(projects)}
    actuals = {f"P{i}": ("2026-01", a) for i, (_, a, _) in enumerate(projects)}
    earned = [sum(p) * f for p, _, f in projects]
    progress = [(f"P{i}", "2026-03-01", None, e) for i, e in enumerate(earned)]
    table = evm.evm_table(make_inputs("2026-03-31", plan, actuals=actuals, progress=progress))
    total = by_label(portfolio_table(table))["Total"]

    width = max(len(p) for p, _, _ in projects)
    summed_plan = [sum(p[k] for p, _, _ in projects if k < len(p)) for k in range(width)]
    width_a = max(len(a) for _, a, _ in projects)
    summed_actual = [sum(a[k] for _, a, _ in projects if k < len(a)) for k in range(width_a)]
    one = evm.evm_table(make_inputs(
        "2026-03-31", {"ALL": ("2026-01", summed_plan)},
        actuals={"ALL": ("2026-01", summed_actual)},
        progress=[("ALL", "2026-03-01", None, sum(earned))],
    )).iloc[0]
    for column in ("BAC", "PV", "EV", "AC", "CV", "SV", "CPI", "SPI"):
        assert _same(total[column], one[column]) or total[column] == pytest.approx(
            one[column], rel=1e-9, abs=1e-6), column
