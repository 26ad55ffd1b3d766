"""The worksheet functions as xlwings custom functions: decorators only, no arithmetic.

One adapter per catalogue function of :mod:`xlpmo.functions`. The same module serves every
xlwings runtime (``xw.func`` resolves to the runtime's decorator):

- xlwings Lite / xlwings Server (Office.js): ``@xw.func(namespace="PMO", name="CPI")``
  registers ``=PMO.CPI(...)``;
- classic xlwings add-in (Windows COM): the VBA wrapper takes the Python name, so each
  adapter is named ``PMO_CPI`` and shows as ``=PMO_CPI(...)`` (``name``/``namespace`` are
  ignored there);
- anywhere else the decorators are no-ops and the adapters are plain functions.

Every argument is read with ``ndim=2`` (a range keeps its rows and columns, so a result
spills the way its input runs) and ``err_to_str=True`` (an error cell arrives as its text,
``"#DIV/0!"``, and propagates instead of turning into a blank). Results come back as
worksheet values: Office.js turns error texts into real error values and dates into
date-formatted numbers; in classic COM :func:`_out` wraps error texts as real COM error
values (``VT_ERROR``) when pywin32 is there. Parameter names avoid VBA reserved words
(``start_date``, not ``start``; see udfs/addin/README.md), because the classic add-in writes
them into VBA.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import xlwings as xw

import xlpmo.functions as pmo

NAMESPACE = "PMO"
CLASSIC_PREFIX = "PMO_"
#: Excel's COM error codes (SCODE of a VT_ERROR variant) by error text
_COM_ERRORS = {
    "#NULL!": -2146826288, "#DIV/0!": -2146826281, "#VALUE!": -2146826273,
    "#REF!": -2146826265, "#NAME?": -2146826259, "#NUM!": -2146826252, "#N/A": -2146826246,
}
_CLASSIC = getattr(xw.func, "__module__", "") == "xlwings.udfs"


def _com_error_factory() -> Callable[[str], Any] | None:
    """On classic COM: text -> ``VARIANT(VT_ERROR, scode)``, so Excel shows a real error."""
    if not _CLASSIC:
        return None
    try:
        import pythoncom  # type: ignore[import-not-found]
        from win32com.client import VARIANT  # type: ignore[import-not-found]
    except ImportError:  # pragma: no cover - classic xlwings always has pywin32
        return None
    return lambda text: VARIANT(pythoncom.VT_ERROR, _COM_ERRORS[text])


_com_error = _com_error_factory()


def _never_jsnull(value: Any) -> bool:
    """Pyodide's ``JsNull`` exists only inside Pyodide: elsewhere no value is one."""
    return False


def _skip_per_cell_pyodide_import() -> bool:
    """Skip xlwings Server's per-cell Pyodide import; True when the check was replaced.

    xlwings converts every argument cell of a custom function with
    ``xlwings.pro._xlofficejs._is_jsnull``, which calls ``xlwings.utils.is_jsnull``, which
    runs ``from pyodide.ffi import JsNull`` for each cell. Outside Pyodide that import fails,
    and a failed import is not cached: Python searches sys.path again for every cell (the
    cost is measured in benchmarks/udfs.py, see benchmarks/README.md). So, only on xlwings
    Server (``XLWINGS_ON_SERVER``: xlwings imported its Office.js engine) and only where
    no ``pyodide`` package can be imported, the per-cell check is replaced by
    :func:`_never_jsnull` (JsNull cannot exist there, so every answer stays the same).
    Inside Pyodide (xlwings Lite), where the import succeeds and is cached, nothing is
    changed; classic COM xlwings never loads that engine.
    """
    import importlib.util
    import sys

    engine = sys.modules.get("xlwings.pro._xlofficejs")
    if not getattr(xw, "on_server", False) or engine is None \
            or not callable(getattr(engine, "_is_jsnull", None)):
        return False
    try:
        in_pyodide = importlib.util.find_spec("pyodide") is not None
    except (ImportError, ValueError):
        in_pyodide = False
    if in_pyodide:
        return False
    engine._is_jsnull = _never_jsnull
    return True


#: True when :func:`_skip_per_cell_pyodide_import` replaced xlwings' per-cell check
JSNULL_CHECK_REPLACED = _skip_per_cell_pyodide_import()


def _out(result: Any) -> Any:
    """A catalogue result in the running runtime's form (classic: real COM errors)."""
    if _com_error is None:
        return result
    if isinstance(result, list):
        return [_out(v) for v in result]
    if isinstance(result, str) and result in _COM_ERRORS:
        return _com_error(result)
    return result


def pmo_function(core: Callable[..., Any], **docs: str) -> Callable[[Callable], Callable]:
    """Register an adapter of the catalogue function ``core`` with every runtime.

    Checks that the adapter is named ``PMO_<NAME>``, has exactly ``core``'s parameters
    and defaults, and that every parameter has help text; then applies ``xw.arg`` (help,
    ``ndim=2``, ``err_to_str=True``) for each parameter and ``xw.func(namespace="PMO",
    name=<NAME>)``. The description is the first line of ``core``'s docstring.
    ``__pmo__`` keeps the same facts for :func:`xlpmo_udfs.catalogue.catalogue` where
    xlwings keeps none (the no-op decorators).
    """
    name = core.__name__

    def decorate(adapter: Callable) -> Callable:
        if adapter.__name__ != CLASSIC_PREFIX + name:
            raise TypeError(f"the adapter of {name} must be named {CLASSIC_PREFIX}{name}")
        params = inspect.signature(adapter).parameters
        core_params = inspect.signature(core).parameters
        if [(p.name, p.default) for p in params.values()] != [
            (p.name, p.default) for p in core_params.values()
        ]:
            raise TypeError(f"{adapter.__name__} must take the arguments of {name}")
        if set(docs) != set(params):
            raise TypeError(f"{adapter.__name__}: help text needed for exactly {list(params)}")
        description = (core.__doc__ or name).strip().splitlines()[0]
        adapter.__doc__ = description
        for param in params:
            adapter = xw.arg(param, doc=docs[param], ndim=2, err_to_str=True)(adapter)
        adapter = xw.func(namespace=NAMESPACE, name=name, category="PMO")(adapter)
        adapter.__pmo__ = {  # type: ignore[attr-defined]
            "name": name,
            "description": description,
            "parameters": [
                {"name": p.name, "description": docs[p.name],
                 "optional": p.default is not inspect.Parameter.empty}
                for p in params.values()
            ],
        }
        return adapter

    return decorate


# help texts used by several functions
_EV = "Earned value: budgeted cost of the work performed (money, cumulative)"
_AC = "Actual cost of the work performed (money, cumulative)"
_PV = "Planned value: budgeted cost of the work scheduled (money, cumulative)"
_BAC = "Budget at completion (money)"
_METHOD = "EAC method: CPI (default), BUDGET, COMPOSITE, WEIGHTED or BOTTOMUP"
_WEIGHT = "WEIGHTED method: weight of CPI, 0 to 1 (default 0.8)"
_ETC = "BOTTOMUP method: a bottom-up estimate to complete (money)"
_PV_SERIES = "Planned value per period from the project's first period (a row or column)"
_AT = ("Actual time: periods from the first planned period to the status period (to the "
       "period it completed in, for a complete project)")
_CUMULATIVE = "TRUE when the series holds cumulative amounts (default FALSE: per period)"
_PLANNED = "Planned amounts (a cell or a range)"
_ACTUAL = "Actual amounts (a cell or a range of the same size)"
_HOLIDAYS = "Holiday dates to leave out (a range; optional)"
_WORKWEEK = "Working days: Mon-Fri (default), Excel's weekend number or 7-character mask"
_STATUS = "Status date (optional; default: tblConfig's StatusDate)"
_CONFIG = "tblConfig with its header row (optional)"
_HEADER = "FALSE to leave out the header row (default TRUE)"
_HISTORY = ("Per-period amounts, oldest first (a row or column); a blank between two "
            "amounts is 0 spend, trailing blanks are not periods")
_HORIZON = "Number of future periods"


def _table(name: str) -> str:
    return f"The whole {name} Excel Table, including its header row"


# -- earned value ---------------------------------------------------------------------------


@pmo_function(pmo.CV, ev=_EV, ac=_AC)
def PMO_CV(ev, ac):
    return _out(pmo.CV(ev, ac))


@pmo_function(pmo.SV, ev=_EV, pv=_PV)
def PMO_SV(ev, pv):
    return _out(pmo.SV(ev, pv))


@pmo_function(pmo.CPI, ev=_EV, ac=_AC)
def PMO_CPI(ev, ac):
    return _out(pmo.CPI(ev, ac))


@pmo_function(pmo.SPI, ev=_EV, pv=_PV)
def PMO_SPI(ev, pv):
    return _out(pmo.SPI(ev, pv))


@pmo_function(pmo.EAC, bac=_BAC, ev=_EV, ac=_AC, method=_METHOD, pv=_PV, weight=_WEIGHT,
              etc=_ETC)
def PMO_EAC(bac, ev, ac, method="CPI", pv=None, weight=0.8, etc=None):
    return _out(pmo.EAC(bac, ev, ac, method, pv, weight, etc))


@pmo_function(pmo.ETC, bac=_BAC, ev=_EV, ac=_AC, method=_METHOD, pv=_PV, weight=_WEIGHT,
              etc=_ETC)
def PMO_ETC(bac, ev, ac, method="CPI", pv=None, weight=0.8, etc=None):
    return _out(pmo.ETC(bac, ev, ac, method, pv, weight, etc))


@pmo_function(pmo.VAC, bac=_BAC, ev=_EV, ac=_AC, method=_METHOD, pv=_PV, weight=_WEIGHT,
              etc=_ETC)
def PMO_VAC(bac, ev, ac, method="CPI", pv=None, weight=0.8, etc=None):
    return _out(pmo.VAC(bac, ev, ac, method, pv, weight, etc))


@pmo_function(pmo.TCPI, bac=_BAC, ev=_EV, ac=_AC,
              eac="Estimate at completion to reach instead of BAC (optional)")
def PMO_TCPI(bac, ev, ac, eac=None):
    return _out(pmo.TCPI(bac, ev, ac, eac))


@pmo_function(pmo.ES, pv_series=_PV_SERIES, ev=_EV, cumulative=_CUMULATIVE)
def PMO_ES(pv_series, ev, cumulative=False):
    return _out(pmo.ES(pv_series, ev, cumulative))


@pmo_function(pmo.SVT, pv_series=_PV_SERIES, ev=_EV, at=_AT, cumulative=_CUMULATIVE)
def PMO_SVT(pv_series, ev, at, cumulative=False):
    return _out(pmo.SVT(pv_series, ev, at, cumulative))


@pmo_function(pmo.SPIT, pv_series=_PV_SERIES, ev=_EV, at=_AT, cumulative=_CUMULATIVE)
def PMO_SPIT(pv_series, ev, at, cumulative=False):
    return _out(pmo.SPIT(pv_series, ev, at, cumulative))


@pmo_function(pmo.IEACT, pv_series=_PV_SERIES, ev=_EV, at=_AT, cumulative=_CUMULATIVE)
def PMO_IEACT(pv_series, ev, at, cumulative=False):
    return _out(pmo.IEACT(pv_series, ev, at, cumulative))


@pmo_function(pmo.FINISH, start_date="The project's first planned period (a date)",
              pv_series=_PV_SERIES, ev=_EV, at=_AT, cumulative=_CUMULATIVE)
def PMO_FINISH(start_date, pv_series, ev, at, cumulative=False):
    return _out(pmo.FINISH(start_date, pv_series, ev, at, cumulative))


@pmo_function(pmo.EVM, projects=_table("tblProjects"), plan=_table("tblPlan"),
              actuals=_table("tblActuals"), progress=_table("tblProgress"),
              status_date=_STATUS, config=_CONFIG, header=_HEADER)
def PMO_EVM(projects, plan, actuals, progress, status_date=None, config=None, header=True):
    return _out(pmo.EVM(projects, plan, actuals, progress, status_date, config, header))


_CONFIDENCE = "Two-sided confidence of the range, 0 to 1 (default 0.90)"


@pmo_function(pmo.EACRANGE, bac=_BAC, ev=_EV, ac=_AC,
              period_cpi="The project's periodic CPIs, e.g. its tblTrend PeriodCPI cells",
              planned_duration="Planned duration in months", confidence=_CONFIDENCE)
def PMO_EACRANGE(bac, ev, ac, period_cpi, planned_duration, confidence=0.90):
    return _out(pmo.EACRANGE(bac, ev, ac, period_cpi, planned_duration, confidence))


@pmo_function(pmo.FINISHRANGE, start_date="The project's first planned month (a date)",
              pv_series=_PV_SERIES,
              ev_series="Cumulative EV per month from the first month to the status month",
              confidence=_CONFIDENCE)
def PMO_FINISHRANGE(start_date, pv_series, ev_series, confidence=0.90):
    return _out(pmo.FINISHRANGE(start_date, pv_series, ev_series, confidence))


@pmo_function(pmo.TREND, projects=_table("tblProjects"), plan=_table("tblPlan"),
              actuals=_table("tblActuals"), progress=_table("tblProgress"),
              status_date=_STATUS, config=_CONFIG, header=_HEADER)
def PMO_TREND(projects, plan, actuals, progress, status_date=None, config=None, header=True):
    return _out(pmo.TREND(projects, plan, actuals, progress, status_date, config, header))


# -- variance -------------------------------------------------------------------------------


@pmo_function(pmo.VARIANCE, planned=_PLANNED, actual=_ACTUAL, cumulative=_CUMULATIVE)
def PMO_VARIANCE(planned, actual, cumulative=False):
    return _out(pmo.VARIANCE(planned, actual, cumulative))


@pmo_function(pmo.VARPCT, planned=_PLANNED, actual=_ACTUAL, cumulative=_CUMULATIVE)
def PMO_VARPCT(planned, actual, cumulative=False):
    return _out(pmo.VARPCT(planned, actual, cumulative))


@pmo_function(pmo.RAG, value="The value to rate (a cell or a range)",
              amber="Amber threshold", red="Red threshold",
              higher_is_better="TRUE when higher values are better (default: amber > red)")
def PMO_RAG(value, amber, red, higher_is_better=None):
    return _out(pmo.RAG(value, amber, red, higher_is_better))


@pmo_function(pmo.VARTABLE, plan=_table("tblPlan"), actuals=_table("tblActuals"),
              status_date=_STATUS, config=_CONFIG, header=_HEADER)
def PMO_VARTABLE(plan, actuals, status_date=None, config=None, header=True):
    return _out(pmo.VARTABLE(plan, actuals, status_date, config, header))


# -- forecast -------------------------------------------------------------------------------


@pmo_function(pmo.FORECAST, history=_HISTORY, horizon=_HORIZON,
              method="RUNRATE (default), LINEAR, HOLT or PLAN",
              window="RUNRATE: number of recent periods to average (default 3)",
              target="PLAN: the total to reach, e.g. the EAC",
              plan="PLAN: the remaining plan per future period")
def PMO_FORECAST(history, horizon, method="RUNRATE", window=3, target=None, plan=None):
    return _out(pmo.FORECAST(history, horizon, method, window, target, plan))


@pmo_function(pmo.FORECASTRANGE, history=_HISTORY, horizon=_HORIZON,
              method="LINEAR (default), RUNRATE or HOLT",
              confidence="Probability inside the band, 0 to 1 (default 0.95)",
              window="RUNRATE: number of recent periods (default 3)")
def PMO_FORECASTRANGE(history, horizon, method="LINEAR", confidence=0.95, window=3):
    return _out(pmo.FORECASTRANGE(history, horizon, method, confidence, window))


@pmo_function(pmo.RUNRATE, history=_HISTORY,
              window="Number of recent periods to average (default 3)")
def PMO_RUNRATE(history, window=3):
    return _out(pmo.RUNRATE(history, window))


@pmo_function(pmo.PHASE, amount="The amount to spread (money)",
              profile="Weights per period (a row or column)")
def PMO_PHASE(amount, profile):
    return _out(pmo.PHASE(amount, profile))


@pmo_function(pmo.SCURVE, total="The total to reach (money)",
              periods="Number of periods", shape="LINEAR (default), FRONT, BACK or BELL")
def PMO_SCURVE(total, periods, shape="LINEAR"):
    return _out(pmo.SCURVE(total, periods, shape))


@pmo_function(pmo.PERT, optimistic="Optimistic estimate", likely="Most likely estimate",
              pessimistic="Pessimistic estimate",
              probability="Probability 0 to 1 (optional; default: the PERT mean)")
def PMO_PERT(optimistic, likely, pessimistic, probability=None):
    return _out(pmo.PERT(optimistic, likely, pessimistic, probability))


@pmo_function(pmo.FORECASTTABLE, plan=_table("tblPlan"), actuals=_table("tblActuals"),
              forecast=_table("tblForecast"), status_date=_STATUS, config=_CONFIG,
              projects=_table("tblProjects") + " (optional: with progress, scales the plan "
              "to the EAC as Refresh does)",
              progress=_table("tblProgress") + " (optional)", header=_HEADER)
def PMO_FORECASTTABLE(plan, actuals, forecast, status_date=None, config=None, projects=None,
                      progress=None, header=True):
    return _out(pmo.FORECASTTABLE(plan, actuals, forecast, status_date, config, projects,
                                  progress, header))


# -- resources and utilisation --------------------------------------------------------------


@pmo_function(pmo.WORKDAYS, start_date="First day (counted)", end_date="Last day (counted)",
              holidays=_HOLIDAYS, workweek=_WORKWEEK)
def PMO_WORKDAYS(start_date, end_date, holidays=None, workweek=None):
    return _out(pmo.WORKDAYS(start_date, end_date, holidays, workweek))


@pmo_function(pmo.CAPACITY, periods="Months: any date in each (a cell or a range)",
              fte="Full-time equivalent, 0 to 1 (default 1)",
              hours_per_day="Hours of a full working day (default 8)", holidays=_HOLIDAYS,
              start_date="Employment start (optional)", end_date="Employment end (optional)",
              leave_hours="Hours of leave in each period (default 0)", workweek=_WORKWEEK)
def PMO_CAPACITY(periods, fte=1, hours_per_day=8, holidays=None, start_date=None,
                 end_date=None, leave_hours=0, workweek=None):
    return _out(pmo.CAPACITY(periods, fte, hours_per_day, holidays, start_date, end_date,
                             leave_hours, workweek))


@pmo_function(pmo.UTILISATION, hours="Hours worked (a cell or a range)",
              capacity="Capacity hours (a cell or a range of the same size)")
def PMO_UTILISATION(hours, capacity):
    return _out(pmo.UTILISATION(hours, capacity))


@pmo_function(pmo.OVERALLOCATED, allocated="Allocated hours (a cell or a range)",
              capacity="Capacity hours (a cell or a range of the same size)")
def PMO_OVERALLOCATED(allocated, capacity):
    return _out(pmo.OVERALLOCATED(allocated, capacity))


@pmo_function(pmo.UTILTABLE, resources=_table("tblResources"),
              timesheets=_table("tblTimesheets"), allocations=_table("tblAllocations"),
              holidays=_table("tblHolidays") + " (optional)",
              leave=_table("tblLeave") + " (optional)",
              periods="Months to report (optional; any date in each)", config=_CONFIG,
              header=_HEADER)
def PMO_UTILTABLE(resources, timesheets, allocations, holidays=None, leave=None, periods=None,
                  config=None, header=True):
    return _out(pmo.UTILTABLE(resources, timesheets, allocations, holidays, leave, periods,
                              config, header))


@pmo_function(pmo.CAPACITYPLAN, resources=_table("tblResources"),
              allocations=_table("tblAllocations") + " (a Role and no ResourceID: unnamed "
              "demand)",
              holidays=_table("tblHolidays") + " (optional)",
              leave=_table("tblLeave") + " (optional)", config=_CONFIG + ": StatusDate, "
              "PlanningHorizon, CapacityBy (Role or Team), UtilisationTarget", header=_HEADER)
def PMO_CAPACITYPLAN(resources, allocations, holidays=None, leave=None, config=None,
                     header=True):
    return _out(pmo.CAPACITYPLAN(resources, allocations, holidays, leave, config, header))


# -- helpers --------------------------------------------------------------------------------


@pmo_function(pmo.PERIOD, date_value="A date (or a range of dates)")
def PMO_PERIOD(date_value):
    return _out(pmo.PERIOD(date_value))


@pmo_function(pmo.PERIODS, start_date="Any date in the first month",
              end_date="Any date in the last month")
def PMO_PERIODS(start_date, end_date):
    return _out(pmo.PERIODS(start_date, end_date))


@pmo_function(pmo.VERSION)
def PMO_VERSION():
    return _out(pmo.VERSION())


#: the adapters (``PMO_CPI`` ...) in the order of functions.md, and their registration helper
__all__ = ["CLASSIC_PREFIX", "JSNULL_CHECK_REPLACED", "NAMESPACE", "pmo_function",
           *(CLASSIC_PREFIX + name for name in pmo.__all__)]
