"""Earned value: primitives, per-project measures and tblEVM (xlpmo.core.evm).

Published worked examples are cited in each test's docstring; their numbers are used as given.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from helpers.evm_inputs import make_inputs, row
from hypothesis import given, settings
from hypothesis import strategies as st

from xlpmo.contract import tables
from xlpmo.contract.model import Inputs
from xlpmo.contract.settings import Settings
from xlpmo.core import evm
from xlpmo.errors import XLError, XlpmoError

# -- building small Inputs ------------------------------------------------------------------








# -- published worked examples --------------------------------------------------------------


def test_pra_package_example_spi_and_cpi_through_the_table():
    """PRA (Project Risk Analysis) R package, reference pages for ``spi`` and ``cpi``
    (https://paulgovan.github.io/PRA/reference/spi.html,
    https://paulgovan.github.io/PRA/reference/cpi.html): BAC 100,000, cumulative planned
    schedule 10/20/40/70/100 %, time period 3, 35 % complete, cumulative actual costs
    9,000/18,000/36,000/70,000/100,000 -> SPI 0.875 and CPI 0.9722222.
    """
    inputs = make_inputs(
        "2026-03-31",
        plan={"P1": ("2026-01", [10_000, 10_000, 20_000, 30_000, 30_000])},
        actuals={"P1": ("2026-01", [9_000, 9_000, 18_000, 34_000, 30_000])},
        progress=[("P1", "2026-03-01", 0.35, None)],
    )
    r = row(evm.evm_table(inputs))
    assert (r["BAC"], r["PV"], r["EV"], r["AC"]) == (100_000, 40_000, 35_000, 36_000)
    assert r["SPI"] == pytest.approx(0.875)
    assert r["CPI"] == pytest.approx(0.9722222, abs=1e-7)


def test_pra_package_example_tcpi_and_eac():
    """PRA R package, reference pages ``tcpi`` and ``eac``
    (https://paulgovan.github.io/PRA/reference/tcpi.html,
    https://paulgovan.github.io/PRA/reference/eac.html): BAC 100,000, EV 35,000, AC 63,000 ->
    TCPI to meet BAC 1.76, TCPI to meet EAC 120,482: 1.13; EAC "atypical" (our BUDGET)
    AC + (BAC − EV) = 128,000; EAC "typical" BAC / CPI with CPI 0.83 = 120,481.9.
    """
    assert round(evm.tcpi(100_000, 35_000, 63_000), 2) == 1.76
    assert round(evm.tcpi(100_000, 35_000, 63_000, eac=120_482), 2) == 1.13
    assert evm.eac(100_000, 35_000, 63_000, method="BUDGET") == 128_000
    assert round(evm.eac(100_000, 0.83, 1.0), 1) == 120_481.9  # EV/AC = CPI 0.83


def test_projectsmart_forum_example_full_row():
    """"Help with calculations", Project Smart forum
    (https://www.projectsmart.co.uk/forums/viewtopic.php?t=1573): budget £10M over 10 months
    spent equally; after 2 months 5 % of the work is done and £1M spent -> PV £2M, EV £0.5M,
    CV −£0.5M, CV% −100 %, SV −£1.5M, SV% −75 %, CPI 0.5, SPI 0.25, EAC = BAC/CPI = £20M,
    ETC £19M, and "40 (38+2) months" to complete (= IEAC(t), as SPI(t) = SPI on a linear plan).
    """
    inputs = make_inputs(
        "2026-02-28",
        plan={"P1": ("2026-01", [1e6] * 10)},
        actuals={"P1": ("2026-01", [0.5e6, 0.5e6])},
        progress=[("P1", "2026-02-01", 0.05, None)],
    )
    r = row(evm.evm_table(inputs))
    expected = {"PV": 2e6, "EV": 0.5e6, "AC": 1e6, "CV": -0.5e6, "CVPct": -1.0, "SV": -1.5e6,
                "SVPct": -0.75, "CPI": 0.5, "SPI": 0.25, "EAC": 20e6, "ETC": 19e6,
                "VAC": -10e6, "ES": 0.5, "AT": 2, "SPIt": 0.25}
    for name, value in expected.items():
        assert r[name] == pytest.approx(value), name
    # start 2026-01 + IEAC(t) 40 months: the duration ends with month 40, April 2029
    assert r["ForecastFinish"] == pd.Timestamp("2029-04-30")
    assert (r["CostRAG"], r["ScheduleRAG"]) == ("Red", "Red")


def test_ms_project_spi_field_example():
    """Microsoft Project help, "SPI (Schedule Performance Index) fields"
    (https://support.microsoft.com/el-gr/project/spi-fields): a four-day task budgeted at $100;
    after two days BCWS is $50; 60 % of the work is done at a cost of $60, so BCWP = $60 and
    SPI = 60/50 = 1.2 (and CPI = BCWP/ACWP = 1.0).
    """
    assert evm.spi(60, 50) == pytest.approx(1.2)
    assert evm.cpi(60, 60) == 1.0
    assert evm.sv(60, 50) == 10


def test_scribd_evm_sheet_example():
    """"Earned Value Management" worksheet
    (https://www.scribd.com/document/425360558/Earned-Value-Management): BAC 100, PV 70,
    EV 50, AC 70 -> SPI 0.714, CPI 0.714, TCPI (BAC − EV)/(BAC − AC) 1.667, SV −20, CV −20.
    """
    assert round(evm.spi(50, 70), 3) == 0.714
    assert round(evm.cpi(50, 70), 3) == 0.714
    assert round(evm.tcpi(100, 50, 70), 3) == 1.667
    assert (evm.sv(50, 70), evm.cv(50, 70)) == (-20, -20)


def test_board_exam_eac_example():
    """CE Board Exam Generator, "Project control and earned value"
    (https://ceboardexamgenerator.com/subjects/mstc/construction/3project-control-and-earned-value):
    BAC P5,000,000, EV P1,500,000, AC P1,800,000, current cost efficiency continues ->
    EAC = BAC / CPI = P6,000,000.
    """
    assert evm.eac(5_000_000, 1_500_000, 1_800_000) == pytest.approx(6_000_000)
    assert evm.etc(5_000_000, 1_500_000, 1_800_000) == pytest.approx(4_200_000)
    assert evm.vac(5_000_000, 1_500_000, 1_800_000) == pytest.approx(-1_000_000)


# -- primitives: shapes and Excel errors ----------------------------------------------------


def test_primitives_keep_the_callers_shape():
    assert isinstance(evm.cpi(3.0, 2.0), float)
    arr = evm.cpi(np.array([1.0, 2.0]), 2.0)
    assert arr.dtype == object and arr.tolist() == [0.5, 1.0]
    ser = evm.spi(pd.Series([1.0, 4.0], index=["a", "b"]), [2.0, 0.0])
    assert ser.index.tolist() == ["a", "b"] and ser.tolist() == [0.5, XLError.DIV0]
    assert evm.cv([1, None, "#REF!", True, "x"], 1).tolist() == [
        0.0, XLError.NA, XLError.REF, XLError.VALUE, XLError.VALUE]


def test_zero_denominators_are_div0_and_missing_inputs_na():
    assert evm.cpi(10, 0) is XLError.DIV0
    assert evm.spi(0, 0) is XLError.DIV0
    assert evm.cv_pct(0, 5) is XLError.DIV0
    assert evm.sv_pct(5, 0) is XLError.DIV0
    assert evm.tcpi(100, 50, 100) is XLError.DIV0
    assert evm.tcpi(100, 50, 80, eac=80) is XLError.DIV0
    assert evm.cpi(None, 0) is XLError.NA  # missing input wins over the zero denominator
    assert evm.cpi(float("nan"), 3) is XLError.NA
    assert evm.eac(100, 0, 10) is XLError.DIV0  # CPI = 0
    assert evm.eac(100, 10, 10, method="COMPOSITE") is XLError.NA  # needs pv
    assert evm.eac(100, 10, 10, method="BOTTOMUP") is XLError.NA  # needs etc


def test_errors_pass_through_leftmost_first():
    assert evm.cpi(XLError.REF, XLError.DIV0) is XLError.REF
    assert evm.cpi(5, "#NUM!") is XLError.NUM
    assert evm.eac(XLError.NA, 10, 0) is XLError.NA  # BAC / (EV / 0): BAC's error first


def test_eac_methods():
    bac, ev, ac, pv = 1000.0, 400.0, 500.0, 500.0
    cpi_, spi_ = 0.8, 0.8
    assert evm.eac(bac, ev, ac) == pytest.approx(1250)
    assert evm.eac(bac, ev, ac, method="budget") == pytest.approx(1100)
    assert evm.eac(bac, ev, ac, "COMPOSITE", pv=pv) == pytest.approx(ac + 600 / (cpi_ * spi_))
    assert evm.eac(bac, ev, ac, "WEIGHTED", pv=600, weight=0.5) == pytest.approx(
        ac + 600 / (0.5 * 0.8 + 0.5 * (400 / 600)))
    assert evm.eac(bac, ev, ac, "BOTTOMUP", etc=700) == 1200
    assert evm.etc(bac, ev, ac, "BOTTOMUP", etc=700) == 700
    assert evm.vac(bac, ev, ac, "BOTTOMUP", etc=700) == -200
    assert evm.eac(bac, ev, ac, "MAGIC") is XLError.VALUE
    assert evm.eac(bac, ev, ac, "WEIGHTED", pv=pv, weight=1.5) is XLError.NUM
    assert evm.eac(bac, ev, ac, "WEIGHTED", pv=pv, weight="x") is XLError.VALUE


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-3, max_value=1e9)


@given(ev=finite, ac=finite.filter(lambda x: abs(x) > 1e-6))
def test_property_cpi_times_ac_is_ev(ev, ac):
    assert evm.cpi(ev, ac) * ac == pytest.approx(ev, rel=1e-12, abs=1e-9)


@given(bac=positive, ev=positive, ac=positive, w=st.floats(0, 1))
def test_property_eac_methods_agree_where_they_must(bac, ev, ac, w):
    """COMPOSITE with SPI = 1 and WEIGHTED with w = 1 are the CPI method (PMI PS-EVM §5.3);
    every method's ETC is EAC − AC and VAC is BAC − EAC."""
    by_cpi = evm.eac(bac, ev, ac)
    scale = 1e-9 * (ac + abs(bac - ev) * ac / ev)  # AC + (BAC − EV)/CPI may cancel
    assert evm.eac(bac, ev, ac, "COMPOSITE", pv=ev) == pytest.approx(by_cpi, abs=scale)
    assert evm.eac(bac, ev, ac, "WEIGHTED", pv=2 * ev, weight=1.0) == pytest.approx(
        by_cpi, abs=scale)
    for method in ("CPI", "BUDGET", "COMPOSITE", "WEIGHTED"):
        e = evm.eac(bac, ev, ac, method, pv=ev * 1.1, weight=w)
        assert evm.etc(bac, ev, ac, method, pv=ev * 1.1, weight=w) == e - ac
        assert evm.vac(bac, ev, ac, method, pv=ev * 1.1, weight=w) == bac - e


# -- per-project measures -------------------------------------------------------------------


def test_measures_bac_defaults_to_plan_and_index_is_project_id():
    inputs = make_inputs(
        "2026-02-15",
        plan={"P1": ("2026-01", [100, 200, 300]), "P2": ("2026-01", [50, 50])},
        projects={"P2": {"BAC": 120.0}, "P3": {}},
        actuals={},
    )
    m = evm.project_measures(inputs)
    assert m.index.name == "ProjectID" and m.index.tolist() == ["P2", "P3", "P1"]
    assert m.loc["P1", "BAC"] == 600 and m.loc["P2", "BAC"] == 120
    assert math.isnan(m.loc["P3", "BAC"]) and math.isnan(m.loc["P3", "PV"])  # no plan, no BAC
    assert m.loc["P1", "PV"] == 300 and m.loc["P1", "AC"] == 0
    assert m.loc["P1", "Start"] == pd.Timestamp("2026-01-01")
    assert (m.loc["P1", "PD"], m.loc["P1", "AT"]) == (3, 2)


def test_ev_prefers_earned_money_and_takes_latest_row_at_or_before_status():
    """EV = Earned when given, else PercentComplete × BAC, from the latest row at or before
    the status period; rows after it and rows with neither value are ignored."""
    inputs = make_inputs(
        "2026-03-20",
        plan={"P1": ("2026-01", [400, 300, 300]), "P2": ("2026-01", [500, 500]),
              "P3": ("2026-01", [100])},
        progress=[
            ("P1", "2026-02-01", 0.2, None),
            ("P1", "2026-03-01", 0.5, 420.0),  # both given: Earned wins
            ("P1", "2026-04-01", 0.9, None),  # after the status period
            ("P2", "2026-02-01", 0.3, None),
            ("P2", "2026-03-01", None, None),  # nothing reported: ignored
        ],
    )
    m = evm.project_measures(inputs)
    assert m.loc["P1", "EV"] == 420
    assert m.loc["P2", "EV"] == pytest.approx(300)  # 30 % of BAC 1000
    assert math.isnan(m.loc["P3", "EV"])  # no progress rows: #N/A, not 0
    assert row(evm.evm_table(inputs), "P3")["EV"] is XLError.NA


def test_actuals_table_absent_vs_present_without_rows():
    plan = {"P1": ("2026-01", [100, 100]), "P2": ("2026-01", [100, 100])}
    progress = [("P1", "2026-01-01", 0.5, None), ("P2", "2026-01-01", 0.5, None)]
    without = evm.evm_table(make_inputs("2026-01-31", plan, progress=progress))
    assert row(without)["AC"] is XLError.NA and row(without)["CPI"] is XLError.NA
    assert row(without)["CostRAG"] is XLError.NA
    present = evm.evm_table(make_inputs(
        "2026-01-31", plan, actuals={"P1": ("2026-01", [80, 90])}, progress=progress))
    assert row(present)["AC"] == 80 and row(present)["CPI"] == pytest.approx(100 / 80)
    assert row(present, "P2")["AC"] == 0 and row(present, "P2")["CPI"] is XLError.DIV0


def test_negative_period_amounts_are_summed_as_given():
    """Credits and re-plans: negative amounts count with their sign (workbook.md)."""
    inputs = make_inputs(
        "2026-03-31",
        plan={"P1": ("2026-01", [500, -100, 300, 300])},
        actuals={"P1": ("2026-01", [450, -50, 200])},
        progress=[("P1", "2026-03-01", None, 600.0)],
    )
    r = row(evm.evm_table(inputs))
    assert (r["BAC"], r["PV"], r["AC"]) == (1000, 700, 600)
    assert r["CPI"] == 1.0 and r["SPI"] == pytest.approx(600 / 700)
    # curve 500, 400, 700, 1000: EV 600 first reached inside period 3 (400 -> 700)
    assert r["ES"] == pytest.approx(2 + 200 / 300)


def test_ev_above_bac_is_kept_and_every_metric_uses_it():
    inputs = make_inputs(
        "2026-02-28",
        plan={"P1": ("2026-01", [500, 500])},
        actuals={"P1": ("2026-01", [600, 600])},
        progress=[("P1", "2026-02-01", None, 1200.0)],
    )
    r = row(evm.evm_table(inputs))
    assert r["EV"] == 1200 and r["SV"] == 200 and r["SPI"] == pytest.approx(1.2)
    # EV ≥ BAC: complete, so EAC = AC = 1,200 (not BAC/CPI = 1,000, less than spent) and no
    # work is left: TCPI = 0/(1,000 − 1,200) = 0
    assert r["CPI"] == 1.0 and r["EAC"] == 1200 and r["ETC"] == 0
    assert r["TCPI"] == 0
    assert r["ES"] == 2 and r["SPIt"] == 1.0  # ES = PD when EV ≥ BAC


def test_status_before_start_and_after_finish():
    plan = {"P1": ("2026-06", [100, 100, 100])}
    before = make_inputs("2026-03-31", plan, actuals={},
                         progress=[("P1", "2026-02-01", 0.0, None)])
    r = row(evm.evm_table(before))
    assert (r["PV"], r["EV"], r["AT"], r["ES"], r["SVt"]) == (0, 0, 0, 0, 0)
    assert r["SPI"] is XLError.DIV0 and r["SPIt"] is XLError.DIV0
    assert r["ForecastFinish"] is XLError.DIV0 and r["ScheduleRAG"] is XLError.DIV0
    no_progress = row(evm.evm_table(make_inputs("2026-03-31", plan, actuals={})))
    assert no_progress["SPI"] is XLError.NA and no_progress["AT"] == 0

    after = make_inputs("2027-02-10", plan, actuals={"P1": ("2026-06", [100] * 5)},
                        progress=[("P1", "2027-01-01", 0.8, None)])
    r = row(evm.evm_table(after))
    assert r["PV"] == 300 and r["AT"] == 9  # Jun 2026 .. Feb 2027
    assert r["ES"] == pytest.approx(2.4) and r["SVt"] == pytest.approx(-6.6)
    # IEAC(t) = 3 / (2.4/9) = 11.25 months: a quarter of May 2027 (7.75 days) -> 8 May
    assert r["ForecastFinish"] == pd.Timestamp("2027-05-08")


def test_baseline_dates_set_start_and_duration():
    inputs = make_inputs(
        "2026-03-31",
        plan={"P1": ("2026-01", [0, 100, 100, 0])},
        projects={"P1": {"BaselineStart": "2025-12-15", "BaselineFinish": "2026-05-20"}},
        progress=[("P1", "2026-03-01", 0.5, None)],
    )
    m = evm.project_measures(inputs)
    assert m.loc["P1", "Start"] == pd.Timestamp("2025-12-01")
    assert (m.loc["P1", "PD"], m.loc["P1", "AT"]) == (6, 4)
    assert m.loc["P1", "ES"] == pytest.approx(3.0)  # curve 0,0,100,200: EV 100 at period 3
    plain = evm.project_measures(make_inputs(
        "2026-03-31", plan={"P1": ("2026-01", [0, 100, 100, 0])}))
    assert plain.loc["P1", "Start"] == pd.Timestamp("2026-02-01")  # first non-zero amount
    assert plain.loc["P1", "PD"] == 2


def test_bottom_up_eac_uses_forecast_after_the_status_period():
    inputs = make_inputs(
        "2026-02-28",
        plan={"P1": ("2026-01", [100, 100, 100]), "P2": ("2026-01", [100, 100])},
        actuals={"P1": ("2026-01", [90, 120]), "P2": ("2026-01", [50])},
        progress=[("P1", "2026-02-01", 0.6, None), ("P2", "2026-02-01", 0.2, None)],
        forecast={"P1": ("2026-02", [999, 150, 60])},  # Feb is not after the status period
        EACMethod="BOTTOMUP",
    )
    table = evm.evm_table(inputs)
    assert row(table)["EAC"] == 210 + 210 and row(table)["ETC"] == 210
    assert row(table, "P2")["EAC"] is XLError.NA  # no tblForecast rows for P2
    m = evm.project_measures(inputs)
    assert m.loc["P1", "ETC"] == 210 and math.isnan(m.loc["P2", "ETC"])


@pytest.mark.parametrize(("method", "expected"), [
    ("CPI", 300 / (180 / 210)),
    ("BUDGET", 210 + 120),
    ("COMPOSITE", 210 + 120 / ((180 / 210) * (180 / 200))),
    ("WEIGHTED", 210 + 120 / (0.3 * (180 / 210) + 0.7 * (180 / 200))),
])
def test_table_uses_the_configured_eac_method(method, expected):
    inputs = make_inputs(
        "2026-02-28", plan={"P1": ("2026-01", [100, 100, 100])},
        actuals={"P1": ("2026-01", [90, 120])}, progress=[("P1", "2026-02-01", 0.6, None)],
        EACMethod=method, EACWeight=0.3,
    )
    r = row(evm.evm_table(inputs))
    assert r["EAC"] == pytest.approx(expected)
    assert r["ETC"] == pytest.approx(expected - 210) and r["VAC"] == pytest.approx(300 - expected)


def test_schedule_rag_follows_schedule_index_setting():
    """Front-loaded plan: SPI = 200/400 = 0.5 but ES = 1 + 100/300, SPI(t) = 0.667."""
    base = {"plan": {"P1": ("2026-01", [100, 300, 100])},
            "actuals": {"P1": ("2026-01", [100, 100])},
            "progress": [("P1", "2026-02-01", None, 200.0)], "SPIAmber": 0.6, "SPIRed": 0.55}
    by_spit = row(evm.evm_table(make_inputs("2026-02-28", **base)))
    assert by_spit["SPI"] == 0.5 and by_spit["SPIt"] == pytest.approx(2 / 3)
    assert by_spit["ScheduleRAG"] == "Green" and by_spit["CostRAG"] == "Green"
    by_spi = row(evm.evm_table(make_inputs("2026-02-28", **base, ScheduleIndex="SPI")))
    assert by_spi["ScheduleRAG"] == "Red"
    amber = row(evm.evm_table(make_inputs("2026-02-28", **{**base, "SPIAmber": 0.7})))
    assert amber["ScheduleRAG"] == "Amber"


def test_table_has_exactly_the_contract_columns_and_object_ratios():
    inputs = make_inputs("2026-02-28", plan={"P1": ("2026-01", [1, 2])}, actuals={})
    table = evm.evm_table(inputs)
    assert table.columns.tolist() == tables.EVM.column_names
    assert table["CPI"].dtype == object and table["StatusDate"].iloc[0] == pd.Timestamp(
        "2026-02-28")
    assert table["ProjectName"].iloc[0] == "Project P1"


def test_plan_rows_of_unknown_projects_are_ignored_and_empty_inputs_work():
    inputs = make_inputs("2026-02-28", plan={"P1": ("2026-01", [100]), "ZZ": ("2026-01", [7])},
                         projects={"P1": {}})
    inputs.projects = inputs.projects[inputs.projects["ProjectID"] == "P1"]
    assert evm.project_measures(inputs).index.tolist() == ["P1"]
    empty = evm.evm_table(Inputs(settings=Settings(StatusDate=pd.Timestamp("2026-01-01"))))
    assert empty.empty and empty.columns.tolist() == tables.EVM.column_names


def test_duplicate_project_ids_are_a_clear_user_error():
    inputs = make_inputs("2026-02-28", plan={"P1": ("2026-01", [100])})
    inputs.projects = pd.concat([inputs.projects, inputs.projects], ignore_index=True)
    with pytest.raises(XlpmoError, match=r"tblProjects.*P1"):
        evm.evm_table(inputs)


def _synthetic(n_projects: int, n_months: int, seed: int = 3) -> Inputs:
    rng = np.random.default_rng(seed)
    months = pd.date_range("2024-01-01", periods=n_months, freq="MS")
    ids = np.array([f"P{i:04d}" for i in range(n_projects)], dtype=object)

    def long(values: np.ndarray, amount: str) -> pd.DataFrame:
        return pd.DataFrame({"ProjectID": np.repeat(ids, n_months),
                             "Period": np.tile(months.to_numpy(), n_projects),
                             "CostType": "", amount: values.reshape(-1)})

    planned = rng.uniform(0, 1000, (n_projects, n_months))
    progress = long(np.clip(rng.uniform(0, 1.2, (n_projects, n_months)), 0, 1),
                    "PercentComplete").drop(columns="CostType")
    progress["Earned"] = np.nan
    projects = pd.DataFrame({c: [None] * n_projects for c in tables.PROJECTS.column_names})
    projects["ProjectID"] = ids
    projects = projects.astype({"BaselineStart": "datetime64[ns]",
                                "BaselineFinish": "datetime64[ns]", "BAC": float})
    return Inputs(
        settings=Settings(StatusDate=months[n_months * 2 // 3]), projects=projects,
        plan=long(planned, "Planned"), actuals=long(planned * 1.1, "Actual"), progress=progress,
        present=frozenset({"tblActuals"}),
    )


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_property_table_metrics_equal_the_primitives_on_the_measures(seed):
    inputs = _synthetic(5, 8, seed)
    m = evm.project_measures(inputs)
    t = evm.evm_table(inputs)
    assert t["CPI"].tolist() == list(evm.cpi(m["EV"].to_numpy(), m["AC"].to_numpy()))
    assert t["SPI"].tolist() == list(evm.spi(m["EV"].to_numpy(), m["PV"].to_numpy()))
    assert t["TCPI"].tolist() == list(evm.tcpi(m["BAC"].to_numpy(), m["EV"].to_numpy(),
                                               m["AC"].to_numpy()))
    assert t["EAC"].tolist() == list(evm.eac(m["BAC"].to_numpy(), m["EV"].to_numpy(),
                                             m["AC"].to_numpy()))


def test_omitted_optional_arguments_take_their_defaults():
    """functions.md: EAC(bac, ev, ac, [method], [pv], [weight], [etc]); an omitted argument
    arrives as None and means the default (CPI, weight 0.8)."""
    assert evm.eac(1000, 400, 500, None) == evm.eac(1000, 400, 500) == 1250
    assert evm.eac(1000, 400, 500, "", pv=500) == 1250
    assert evm.eac(1000, 400, 500, "WEIGHTED", pv=500, weight=None) == evm.eac(
        1000, 400, 500, "WEIGHTED", pv=500, weight=0.8)
