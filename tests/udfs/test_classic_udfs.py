"""The classic (Windows COM) UDF path, exercised on Linux with the UNMODIFIED xlwings modules.

Inert stand-ins for pywin32 (``xlpmo_udfs.addin.pywin32_standins``) let ``xlwings._xlwindows``,
``xlwings.udfs`` and ``xlwings.com_server`` import; inside ``classic_xlwings()`` ``xw.func`` is
the classic ``udfs.xlfunc`` as on Windows. Then:
(a) ``udfs.xlfunc`` records the metadata of the worksheet functions of ``xlpmo_udfs.functions``,
(b) xlwings' VBA wrapper generator writes ``Function PMO_CPI(...)`` wrappers,
(c) ``XLPython().CallUDF(...)`` runs a call exactly as the VBA wrapper makes it.
Live ranges, ``expand=``, async functions and recalculation still need Excel on Windows.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import types
from collections.abc import Iterator

import pytest
import xlwings
from xlpmo_udfs.addin.classic_udfs import (
    ClassicArg,
    ClassicFunction,
    _fresh_import,
    classic_functions,
    identifier_problems,
    vba_attribute_text,
    wrappers_module_source,
)
from xlpmo_udfs.addin.pywin32_standins import VT_ERROR, TimeType, classic_xlwings

MODULE = "xlpmo_udfs.functions"
MISSING = -2147352572  # what COM passes for an omitted optional argument
DIV0 = -2146826281  # Excel's #DIV/0! as a COM error code


class AddinBook:
    Name = "xlpmo.xlam"


@pytest.fixture
def classic() -> Iterator[tuple[types.ModuleType, types.ModuleType, types.ModuleType]]:
    """(xlwings.udfs, xlwings.com_server, xlpmo_udfs.functions) as on Windows."""
    with classic_xlwings() as udfs:
        yield udfs, sys.modules["xlwings.com_server"], _fresh_import(MODULE)


def classic_names(module: types.ModuleType) -> dict[str, dict]:
    return {name: getattr(module, name).__xlfunc__ for name in dir(module)
            if hasattr(getattr(module, name), "__xlfunc__")}


# ------------------------------------------------------------------------------ (a) metadata
def test_xlfunc_records_every_catalogue_function(classic) -> None:
    udfs, _, functions = classic
    assert xlwings.func is udfs.xlfunc  # the classic decorator, as xlwings binds it on Windows
    recorded = classic_names(functions)
    catalogue = {name: getattr(functions, name).__pmo__ for name in recorded}
    assert recorded and set(recorded) == {f"PMO_{c['name']}" for c in catalogue.values()}
    for name, xlf in recorded.items():
        pmo = catalogue[name]
        assert xlf["name"] == name  # the classic Excel name is the Python name
        assert xlf["category"] == "PMO"
        assert xlf["ret"]["doc"] == pmo["description"]
        assert [(a["name"], a["doc"], "optional" in a) for a in xlf["args"]] == [
            (p["name"], p["description"], p["optional"]) for p in pmo["parameters"]]


def test_arguments_are_read_as_2d_with_error_text(classic) -> None:
    _, _, functions = classic
    for arg in functions.PMO_CPI.__xlfunc__["args"]:
        assert arg["options"] == {"ndim": 2, "err_to_str": True}


# ----------------------------------------------------------------------- (b) VBA wrappers
def test_wrapper_generator_writes_pmo_functions(classic) -> None:
    udfs, _, functions = classic
    out = io.StringIO()
    udfs.generate_vba_wrapper(MODULE, functions, out, AddinBook())
    vba = out.getvalue()
    declared = re.findall(r"^Function (PMO_\w+)\((.*)\)$", vba, re.M)
    assert {name for name, _ in declared} == set(classic_names(functions))
    signatures = dict(declared)
    assert signatures["PMO_CPI"] == "ev, ac"
    assert signatures["PMO_EAC"] == ("bac, ev, ac, Optional method, Optional pv, Optional weight,"
                                     " Optional etc")
    assert signatures["PMO_VERSION"] == ""
    # an add-in's wrappers hand over the caller's workbook, not the add-in itself
    assert 'PMO_CPI = XLPy.CallUDF("xlpmo_udfs.functions", "PMO_CPI", Array(ev, ac), ' \
        "ActiveWorkbook, Application.Caller)" in vba


def test_every_function_compiles_as_vba() -> None:
    result = classic_functions(MODULE)
    assert result.functions
    assert identifier_problems(result.functions) == []
    source = wrappers_module_source(result)
    source.encode("cp1252")  # the module text must fit the project's code page
    described = re.findall(r'^Attribute (PMO_\w+)\.VB_Description = "(.*)"$', source, re.M)
    assert {n for n, _ in described} == {f.name for f in result.functions}


def test_classic_functions_leaves_no_trace() -> None:
    import xlpmo_udfs
    import xlpmo_udfs.functions  # imported before, as in a running session

    before = (xlwings.func, sys.modules[MODULE], xlpmo_udfs.functions)
    classic_functions(MODULE)
    assert (xlwings.func, sys.modules[MODULE], xlpmo_udfs.functions) == before
    assert "pythoncom" not in sys.modules and "xlwings.udfs" not in sys.modules


def tiny_module(source: str) -> types.ModuleType:
    module = types.ModuleType("tiny_udfs")
    module.__file__ = __file__
    exec(compile(source, "tiny_udfs", "exec"), module.__dict__)
    return module


def tiny_functions(module: types.ModuleType) -> list[ClassicFunction]:
    return [ClassicFunction(x["name"], "", "", tuple(ClassicArg(a["name"], a["doc"],
                                                                "optional" in a)
                                                     for a in x["args"]))
            for x in classic_names(module).values()]


def test_identifier_problems_catch_what_breaks_a_vba_module() -> None:
    with classic_xlwings() as udfs:
        module = tiny_module(
            "import xlwings as xw\n"
            "@xw.func\ndef PMO_SPAN(start, end):\n    return 1\n"
            "@xw.func\ndef PMO_OK(ev, EV2):\n    return 1\n"
            "@xw.func\ndef PMO_ERR(err):\n    return 1\n"
            "ALIAS = PMO_OK\n")
        out = io.StringIO()
        udfs.generate_vba_wrapper("tiny_udfs", module, out, AddinBook())
    # the alias makes the generator write PMO_OK twice: "Ambiguous name detected" in VBA
    assert out.getvalue().count("Function PMO_OK(") == 2
    problems = identifier_problems(tiny_functions(module))
    assert any("'end' is a VBA reserved" in p for p in problems)
    assert any("'err' is a VBA reserved or wrapper-internal" in p for p in problems)
    assert any("PMO_OK: defined twice" in p for p in problems)
    assert not any("'start'" in p or "'ev'" in p for p in problems)


def test_vba_attribute_text_fits_the_code_page() -> None:
    assert vba_attribute_text('EV − AC, "quoted"\nnext') == 'EV - AC, ""quoted"" next'
    assert vba_attribute_text("fte × hours ≤ cap") == "fte × hours <= cap"
    assert vba_attribute_text("漢") == "?"


# ------------------------------------------------------------------------------ (c) CallUDF
def call(com_server: types.ModuleType, name: str, *args):
    """What the wrapper does: XLPy.CallUDF("xlpmo_udfs.functions", name, Array(args...))."""
    return com_server.XLPython().CallUDF(MODULE, name, args)


def test_calludf_runs_a_scalar_call(classic) -> None:
    _, com_server, _ = classic
    assert call(com_server, "PMO_CPI", 35000.0, 36000.0) == pytest.approx(35000 / 36000)
    assert call(com_server, "PMO_CV", 35000.0, 36000.0) == pytest.approx(-1000.0)


def test_calludf_spills_a_range_and_returns_real_com_errors(classic) -> None:
    _, com_server, _ = classic
    # a 2-row column range arrives from COM as a tuple of row tuples
    result = call(com_server, "PMO_CPI", ((100.0,), (80.0,)), ((50.0,), (0.0,)))
    assert result[0] == [pytest.approx(2.0)]
    error = result[1][0]
    assert (error.varianttype, error.value) == (VT_ERROR, DIV0)


def test_calludf_fills_omitted_optionals_with_the_python_defaults(classic) -> None:
    _, com_server, _ = classic
    bac, ev, ac = 1000.0, 400.0, 500.0
    eac = call(com_server, "PMO_EAC", bac, ev, ac, MISSING, MISSING, MISSING, MISSING)
    assert eac == pytest.approx(bac / (ev / ac))  # default method CPI: BAC / CPI
    budget = call(com_server, "PMO_EAC", bac, ev, ac, "BUDGET", MISSING, MISSING, MISSING)
    assert budget == pytest.approx(ac + bac - ev)


def test_calludf_passes_every_optional_argument_through(classic) -> None:
    """The adapters as COM calls them, each optional argument given (an adapter that drops
    or swaps one fails); expected values by hand, scipy for the beta-PERT quantile."""
    from scipy.stats import beta

    _, com_server, _ = classic

    def day(y: int, m: int, d: int) -> TimeType:
        return TimeType(y, m, d, tzinfo=dt.timezone.utc)

    # Mon-Thu from Jan 5 to Feb 20, 2026: January 16 days less the Jan 15 holiday, February
    # 12; × 7.5 h × 0.5 FTE, less 4 h of leave in January
    hours = call(com_server, "PMO_CAPACITY", ((day(2026, 1, 15),), (day(2026, 2, 15),)), 0.5,
                 7.5, day(2026, 1, 15), day(2026, 1, 5), day(2026, 2, 20), ((4.0,), (0.0,)),
                 "Mon-Thu")
    assert hours == [[pytest.approx(15 * 3.75 - 4)], [pytest.approx(12 * 3.75)]]
    # beta-PERT on [1, 6] with mode 2: alpha = 1.8, beta = 4.2; its median
    assert call(com_server, "PMO_PERT", 1.0, 2.0, 6.0, 0.5) == pytest.approx(
        1 + 5 * beta.ppf(0.5, 1.8, 4.2))


def test_calludf_trend_and_the_statistical_ranges(classic) -> None:
    """EACRANGE, FINISHRANGE and TREND as the VBA wrappers call them: COM ranges (tuples of
    rows), COM dates, omitted optionals; one row of two cells back for the ranges."""
    import xlpmo.functions as pmo

    _, com_server, _ = classic
    cpis = ((0.8,), (0.9,), (0.7,), (0.85,))
    # hand-worked in tests/core/test_ranges.py: EACLow 1,197.62, EACHigh 1,306.31 at 90 %
    # (xlwings' COM layer hands a one-row result to Excel as a row)
    low, high = call(com_server, "PMO_EACRANGE", 1000.0, 400.0, 500.0, cpis, 10.0, MISSING)
    assert (low, high) == (pytest.approx(1197.62, abs=0.01), pytest.approx(1306.31, abs=0.01))
    start = TimeType(2026, 1, 1, tzinfo=dt.timezone.utc)
    plan, earned = ((100.0,) * 10,), ((90.0, 180.0, 250.0, 330.0, 400.0),)
    got = call(com_server, "PMO_FINISHRANGE", start, plan, earned, 0.8)
    (low, high), = pmo.FINISHRANGE(dt.datetime(2026, 1, 1), plan, earned, 0.8)
    assert [d.replace(tzinfo=None) for d in got] == [low, high] and low < high
    projects = (("ProjectID", "BAC"), ("P1", 1000.0))
    plan_t = (("ProjectID", "Period", "Planned"), ("P1", start, 500.0),
              ("P1", TimeType(2026, 2, 1, tzinfo=dt.timezone.utc), 500.0))
    actuals = (("ProjectID", "Period", "Actual"), ("P1", start, 300.0))
    progress = (("ProjectID", "Period", "PercentComplete"), ("P1", start, 0.25))
    rows = call(com_server, "PMO_TREND", projects, plan_t, actuals, progress,
                TimeType(2026, 1, 31, tzinfo=dt.timezone.utc), MISSING, MISSING)
    row = dict(zip(rows[0], rows[1], strict=True))
    # January: PV 500, EV 250, AC 300; EAC = BAC / CPI = 1000 × 300 / 250
    assert (row["PV"], row["EV"], row["AC"]) == (500, 250, 300)
    assert row["EAC"] == pytest.approx(1200)


def test_calludf_takes_com_dates(classic) -> None:
    _, com_server, _ = classic
    result = call(com_server, "PMO_PERIOD", TimeType(2026, 3, 17, tzinfo=dt.timezone.utc))
    assert (result.year, result.month, result.day) == (2026, 3, 1)


def test_calludf_with_a_tiny_module_of_our_own(tmp_path, monkeypatch) -> None:
    (tmp_path / "tiny_pmo.py").write_text(
        "import xlwings as xw\n\n"
        "@xw.func\n@xw.arg('values', ndim=2, doc='numbers')\n"
        "def PMO_TOTAL(values, scale=1):\n"
        "    return scale * sum(v for row in values for v in row if v is not None)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with classic_xlwings():
        com_server = sys.modules["xlwings.com_server"]
        module = _fresh_import("tiny_pmo")
        assert module.PMO_TOTAL.__xlfunc__["args"][0]["doc"] == "numbers"
        total = com_server.XLPython().CallUDF("tiny_pmo", "PMO_TOTAL",
                                              (((1.0, None), (2.0, 4.0)), MISSING))
        assert total == 7.0
        # a single cell comes as a 1x1 array; ndim=2 keeps it a list of rows
        assert com_server.XLPython().CallUDF("tiny_pmo", "PMO_TOTAL", (((1.0,),), 3.0)) == 3.0


def test_calludf_spills_the_capacity_plan(classic) -> None:
    """=PMO_CAPACITYPLAN(tblResources[#All], tblAllocations[#All], , , tblConfig[#All]) as
    the VBA wrapper passes it: ranges as tuples of row tuples, dates as COM dates, omitted
    arguments as the missing marker; the table spills with real COM errors."""
    _, com_server, _ = classic
    utc = dt.timezone.utc
    resources = (("ResourceID", "Role", "FTE"), ("R1", "Tester", 1.0))
    allocations = (("ResourceID", "Role", "ProjectID", "Period", "Hours", "Percent"),
                   (None, "Tester", "P1", TimeType(2026, 3, 1, tzinfo=utc), None, 0.5))
    config = (("Setting", "Value"), ("StatusDate", TimeType(2026, 3, 31, tzinfo=utc)),
              ("PlanningHorizon", 0.0))
    result = call(com_server, "PMO_CAPACITYPLAN", resources, allocations, MISSING, MISSING,
                  config, MISSING)
    assert result[0][:4] == ["Group", "Period", "Headcount", "CapacityHours"]
    assert len(result) == 2  # March 2026 only: the status month, horizon 0
    row = dict(zip(result[0], result[1], strict=True))
    # March 2026: 22 weekdays x 8 h = 176 h; unnamed 50 % of one full-time person = 88 h
    assert (row["Group"], row["CapacityHours"], row["UnnamedDemandHours"]) == ("Tester", 176, 88)
    assert (row["GapHours"], row["Utilisation"], row["RAG"]) == (88, 0.5, "Amber")
    nobody = call(com_server, "PMO_CAPACITYPLAN", (("ResourceID", "Role"),), allocations,
                  MISSING, MISSING, config, MISSING)
    error = dict(zip(nobody[0], nobody[1], strict=True))["Utilisation"]
    assert (error.varianttype, error.value) == (VT_ERROR, DIV0)  # no capacity: #DIV/0!
