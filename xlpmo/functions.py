"""The worksheet function catalogue as plain Python (shared/spec/functions.md).

``import xlpmo.functions as pmo; pmo.CPI(35000, 36000)`` — the same 37 functions Excel
shows as ``=PMO.CPI(...)`` (xlwings Lite / Office.js) or ``=PMO_CPI(...)`` (classic add-in),
without Excel or xlwings. Arguments: numbers, lists (1-D or lists of rows), ``None`` for
blanks, dates (``datetime``, Excel serial numbers, ISO text), Excel error values (their text
or :class:`~xlpmo.errors.XLError`). Results: scalars, lists (a range gives a range of the
same shape), tables as lists of rows with a header row (unless ``header=False``), and Excel
errors as their text (``'#DIV/0!'``). No function raises: anything unexpected is
``'#VALUE!'``.

Every formula lives once, in the core module named in each docstring; this module only
reads the arguments (:mod:`xlpmo.excel.args`) and hands over. The first docstring line of
each function is its one-line description in Excel's function wizard.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from xlpmo import __version__
from xlpmo.contract import periods as _periods
from xlpmo.contract import tables
from xlpmo.errors import XLError
from xlpmo.excel import args as xa

__all__ = [  # noqa: RUF022 - the catalogue, in the order of functions.md
    "CV", "SV", "CPI", "SPI", "EAC", "ETC", "VAC", "TCPI", "ES", "SVT", "SPIT", "IEACT",
    "FINISH", "EVM", "EACRANGE", "FINISHRANGE", "TREND", "VARIANCE", "VARPCT", "RAG",
    "VARTABLE", "FORECAST", "FORECASTRANGE",
    "RUNRATE", "PHASE", "SCURVE", "PERT", "FORECASTTABLE", "WORKDAYS", "CAPACITY",
    "UTILISATION", "OVERALLOCATED", "UTILTABLE", "CAPACITYPLAN", "PERIOD", "PERIODS",
    "VERSION",
]

fn = xa.excel_function

EAC_METHODS = ("CPI", "BUDGET", "COMPOSITE", "WEIGHTED", "BOTTOMUP")


# -- earned value ---------------------------------------------------------------------------


@fn
def CV(ev: Any, ac: Any) -> Any:
    """Cost variance: EV − AC (money; positive = under budget).

    Element by element for ranges. Missing input ``#N/A``; authority PMI Practice Standard
    for EVM §4 (:func:`xlpmo.core.evm.cv`).
    """
    from xlpmo.core.evm import cv

    return xa.ungrid(cv(xa.grid(ev), xa.grid(ac)))


@fn
def SV(ev: Any, pv: Any) -> Any:
    """Schedule variance: EV − PV (money; positive = ahead of plan).

    Element by element for ranges. Missing input ``#N/A``; authority PMI Practice Standard
    for EVM §4 (:func:`xlpmo.core.evm.sv`).
    """
    from xlpmo.core.evm import sv

    return xa.ungrid(sv(xa.grid(ev), xa.grid(pv)))


@fn
def CPI(ev: Any, ac: Any) -> Any:
    """Cost performance index: EV / AC (ratio; above 1 = under budget).

    ``#DIV/0!`` when AC is 0, ``#N/A`` when an input is blank; authority PMI Practice
    Standard for EVM, MS Project CPI field (:func:`xlpmo.core.evm.cpi`).
    """
    from xlpmo.core.evm import cpi

    return xa.ungrid(cpi(xa.grid(ev), xa.grid(ac)))


@fn
def SPI(ev: Any, pv: Any) -> Any:
    """Schedule performance index: EV / PV (ratio; above 1 = ahead of plan).

    ``#DIV/0!`` when PV is 0, ``#N/A`` when an input is blank; authority PMI Practice
    Standard for EVM, MS Project SPI field (:func:`xlpmo.core.evm.spi`).
    """
    from xlpmo.core.evm import spi

    return xa.ungrid(spi(xa.grid(ev), xa.grid(pv)))


def _eac_call(core: Any, bac: Any, ev: Any, ac: Any, method: Any, pv: Any, weight: Any,
              etc: Any) -> Any:
    m = xa.choice(method, EAC_METHODS, default="CPI")
    w = xa.number(weight, default=0.8)
    p, t = xa.optional_grid(pv), xa.optional_grid(etc)
    return xa.ungrid(core(xa.grid(bac), xa.grid(ev), xa.grid(ac), m, p, w, t))


@fn
def EAC(bac: Any, ev: Any, ac: Any, method: Any = "CPI", pv: Any = None, weight: Any = 0.8,
        etc: Any = None) -> Any:
    """Estimate at completion (money) by the CPI, BUDGET, COMPOSITE, WEIGHTED or BOTTOMUP method.

    CPI: BAC / CPI; BUDGET: AC + (BAC − EV); COMPOSITE: AC + (BAC − EV)/(CPI·SPI) (needs
    pv); WEIGHTED: AC + (BAC − EV)/(w·CPI + (1−w)·SPI) (needs pv, weight w in 0..1, default
    0.8); BOTTOMUP: AC + etc. A complete project (EV ≥ BAC > 0) has EAC = AC by every
    method. Unknown method ``#VALUE!``, weight outside 0..1 ``#NUM!``,
    missing input ``#N/A``, zero index denominators ``#DIV/0!``. Authority PMI Practice
    Standard for EVM §5.3, DAU EVM Gold Card (:func:`xlpmo.core.evm.eac`).
    """
    from xlpmo.core.evm import eac

    return _eac_call(eac, bac, ev, ac, method, pv, weight, etc)


@fn
def ETC(bac: Any, ev: Any, ac: Any, method: Any = "CPI", pv: Any = None, weight: Any = 0.8,
        etc: Any = None) -> Any:
    """Estimate to complete: EAC − AC (money), with the same arguments as EAC.

    0 for a complete project (EV ≥ BAC > 0). Errors as for EAC; authority PMI Practice
    Standard for EVM, DAU EVM Gold Card (:func:`xlpmo.core.evm.etc`).
    """
    from xlpmo.core.evm import etc as core

    return _eac_call(core, bac, ev, ac, method, pv, weight, etc)


@fn
def VAC(bac: Any, ev: Any, ac: Any, method: Any = "CPI", pv: Any = None, weight: Any = 0.8,
        etc: Any = None) -> Any:
    """Variance at completion: BAC − EAC (money; positive = forecast under budget).

    BAC − AC for a complete project (EV ≥ BAC > 0). Same arguments and errors as EAC;
    authority PMI Practice Standard for EVM, DAU EVM Gold Card (:func:`xlpmo.core.evm.vac`).
    """
    from xlpmo.core.evm import vac

    return _eac_call(vac, bac, ev, ac, method, pv, weight, etc)


@fn
def TCPI(bac: Any, ev: Any, ac: Any, eac: Any = None) -> Any:
    """To-complete performance index: (BAC − EV)/(BAC − AC), or (BAC − EV)/(EAC − AC) with eac.

    Ratio; a complete project (EV ≥ BAC > 0) has no work left, so 0. ``#DIV/0!`` when the
    remaining funds are exactly 0. Authority DAU EVM Gold Card, MS Project TCPI field
    (:func:`xlpmo.core.evm.tcpi`).
    """
    from xlpmo.core.evm import tcpi

    e = xa.optional_grid(eac)
    return xa.ungrid(tcpi(xa.grid(bac), xa.grid(ev), xa.grid(ac), e))


def _series(value: Any) -> Any:
    """A series argument as one flat object array of clean cells (row by row)."""
    g = xa.grid(value)
    arr = np.empty(1, dtype=object)
    if not isinstance(g, np.ndarray):
        arr[0] = g
        return arr
    return g.reshape(-1)


def _cell(value: Any) -> Any:
    """A single-cell argument, cleaned (errors as XLError, blank as None)."""
    return xa.clean_cell(xa.single(value))


@fn
def ES(pv_series: Any, ev: Any, cumulative: Any = False) -> Any:
    """Earned schedule (periods): Lipke's count of periods with cumulative PV ≤ EV, plus a fraction.

    ES = C + (EV − PV_C)/(PV_C+1 − PV_C), PV_0 = 0, C the number of whole periods with
    cumulative PV ≤ EV (Lipke's count: where the plan is flat, the last period of the flat
    stretch, so a project on plan through a month with nothing planned has SV(t) = 0);
    ES = PD when EV ≥ BAC. pv_series: planned value per period from the first period
    (cumulative values when cumulative is TRUE); ev: cumulative earned value. Units:
    periods. Blank EV or empty series ``#N/A``. Authority Lipke, Earned Schedule (2009)
    (:func:`xlpmo.core.schedule.es`).
    """
    from xlpmo.core.schedule import es

    return es(_series(pv_series), _cell(ev), xa.boolean(cumulative, default=False))


@fn
def SVT(pv_series: Any, ev: Any, at: Any, cumulative: Any = False) -> Any:
    """Schedule variance in time: ES − AT (periods; negative = behind schedule).

    at: actual time, the periods elapsed to the status date; for a complete project (EV ≥
    BAC) the periods to the one in which it completed (the clock stops, as tblEVM's AT).
    Authority Lipke, Earned Schedule (:func:`xlpmo.core.schedule.svt`).
    """
    from xlpmo.core.schedule import svt

    return svt(_series(pv_series), _cell(ev), _cell(at), xa.boolean(cumulative, default=False))


@fn
def SPIT(pv_series: Any, ev: Any, at: Any, cumulative: Any = False) -> Any:
    """Schedule performance index in time: ES / AT (ratio; above 1 = ahead of schedule).

    ``#DIV/0!`` when AT is 0. Authority Lipke, Earned Schedule (:func:`xlpmo.core.schedule.spit`).
    """
    from xlpmo.core.schedule import spit

    return spit(_series(pv_series), _cell(ev), _cell(at), xa.boolean(cumulative, default=False))


@fn
def IEACT(pv_series: Any, ev: Any, at: Any, cumulative: Any = False) -> Any:
    """Independent estimate at completion in time: planned duration / SPI(t), in periods.

    PD is the last period of the series with a planned amount; ``#DIV/0!`` when nothing is
    earned yet or AT is 0. Authority Lipke, Earned Schedule (:func:`xlpmo.core.schedule.ieact`).
    """
    from xlpmo.core.schedule import ieact

    return ieact(_series(pv_series), _cell(ev), _cell(at), xa.boolean(cumulative, default=False))


@fn
def FINISH(start_date: Any, pv_series: Any, ev: Any, at: Any, cumulative: Any = False) -> Any:
    """Forecast finish date: the day on which IEAC(t) months from the start's month end.

    start_date: the project's first planned period. A fractional month is spread over the
    days of the month it lands in; a project on plan finishes on the last day of its last
    planned month (its BaselineFinish), as tblEVM's ForecastFinish. Dates run to 9999-12-31
    (later ``#NUM!``). Errors of IEAC(t) pass through. Authority Lipke, Earned Schedule
    (:func:`xlpmo.core.schedule.forecast_finish`).
    """
    from xlpmo.core.schedule import forecast_finish

    start = xa.date(start_date)
    return forecast_finish(start, _series(pv_series), _cell(ev), _cell(at),
                           xa.boolean(cumulative, default=False))


# -- whole tables ---------------------------------------------------------------------------


def _raw_table(name: str, value: Any, required: bool = True) -> Any:
    """A table argument (2-D range with its header row) as the reader's RawTable; a blank
    optional argument is None, a blank required one ``#N/A``."""
    from xlpmo.io.a1 import address
    from xlpmo.io.raw import RawTable

    spec = tables.spec(name)
    if value is None or (not isinstance(value, (list, tuple, np.ndarray))
                         and xa.is_blank(value)):
        if required:
            raise xa.ArgError(XLError.NA, f"{name} is required")
        return None
    cells = xa.table_array(value, name, clean=False)  # RawTable blanks the rest
    return RawTable.from_values(cells, address(spec.sheet, 1, 1), spec.name, is_listobject=True)


def _inputs(status_date: Any, config: Any, **named: Any) -> Any:
    """Canonical Inputs from table arguments (``named``: contract name -> RawTable or None),
    through the reader's coercion, as a workbook refresh would build them."""
    from xlpmo.io.coerce import coerce_inputs
    from xlpmo.io.raw import RawTable

    raw = {name: table for name, table in named.items() if table is not None}
    cfg = _raw_table(tables.CONFIG.name, config, required=False)
    raw[tables.CONFIG.name] = cfg if cfg is not None else RawTable.from_values(
        [["Setting", "Value"]], "Config!A1", tables.CONFIG.name, is_listobject=True)
    inputs, _findings = coerce_inputs(raw)
    status = xa.date(status_date, default=None)
    if status is not None:
        inputs.settings = inputs.settings.with_status_date(status)
    return inputs


def _table_result(frame: Any, header: Any) -> Any:
    return xa.frame_rows(frame, xa.boolean(header, default=True))


@fn
def EVM(projects: Any, plan: Any, actuals: Any, progress: Any, status_date: Any = None,
        config: Any = None, header: Any = True) -> Any:
    """The whole tblEVM table (BAC, PV, EV, AC, CV … ForecastFinish, RAG) per project.

    Arguments are whole Excel Tables including their header rows (tblProjects, tblPlan,
    tblActuals, tblProgress, optional tblConfig); status_date overrides the StatusDate
    setting. Columns and rules as workbook.md (:func:`xlpmo.core.evm.evm_table`). Spills with a
    header row unless header is FALSE.
    """
    from xlpmo.core.evm import evm_table

    inputs = _evm_inputs(projects, plan, actuals, progress, status_date, config)
    return _table_result(evm_table(inputs), header)


def _evm_inputs(projects: Any, plan: Any, actuals: Any, progress: Any, status_date: Any,
                config: Any) -> Any:
    """Inputs from the four earned-value tables (tblActuals, tblProgress optional)."""
    return _inputs(
        status_date, config,
        tblProjects=_raw_table(tables.PROJECTS.name, projects),
        tblPlan=_raw_table(tables.PLAN.name, plan),
        tblActuals=_raw_table(tables.ACTUALS.name, actuals, required=False),
        tblProgress=_raw_table(tables.PROGRESS.name, progress, required=False),
    )


@fn
def EACRANGE(bac: Any, ev: Any, ac: Any, period_cpi: Any, planned_duration: Any,
             confidence: Any = 0.90) -> Any:
    """Statistical EAC range (Lipke): EACLow and EACHigh from the periodic CPIs (spills 1×2).

    EAC bounds AC + (BAC − EV)/(CPI·e^(±z·SE)), SE = σ/√n × √((N − n)/(N − 1)) of
    ln(period_cpi), N = planned_duration (months), z the two-sided normal quantile of
    confidence (default 0.90). period_cpi: a project's PeriodCPI values (tblTrend); values
    ≤ 0, blanks and errors are left out; fewer than 3 left ``#N/A``. Money. Authority Lipke et
    al. (2009), workbook.md "Statistical ranges" (:func:`xlpmo.core.range_functions.eac_range`).
    """
    from xlpmo.core.range_functions import eac_range

    return [eac_range(_cell(bac), _cell(ev), _cell(ac), _series(period_cpi),
                      _cell(planned_duration), xa.number(confidence, default=0.90))]


@fn
def FINISHRANGE(start_date: Any, pv_series: Any, ev_series: Any, confidence: Any = 0.90
                ) -> Any:
    """Statistical finish range (Lipke): FinishLow and FinishHigh dates from the periodic
    SPI(t) (spills 1×2).

    pv_series: planned value per month from the project's first month; ev_series: cumulative
    EV, one value per month from that month to the status month (blank: not reported).
    IEAC(t) bounds PD/(SPI(t)·e^(±z·SE)) as dates, computed as Refresh does; fewer than 3
    months with schedule earned ``#N/A``. Authority Lipke et al. (2009), workbook.md
    "Statistical ranges" (:func:`xlpmo.core.range_functions.finish_range`).
    """
    from xlpmo.core.range_functions import finish_range

    start = xa.date(start_date)
    return [finish_range(start, _series(pv_series), _series(ev_series),
                         xa.number(confidence, default=0.90))]


@fn
def TREND(projects: Any, plan: Any, actuals: Any, progress: Any, status_date: Any = None,
          config: Any = None, header: Any = True) -> Any:
    """The tblTrend table: each project's PV, EV, AC, CPI, SPI, SPI(t), periodic indices and
    EAC month by month.

    Arguments are whole Excel Tables including their header rows (tblProjects, tblPlan,
    tblActuals, tblProgress, optional tblConfig); one row per project and month with a
    progress row, up to the status date. Columns and rules as workbook.md "Trend"
    (:func:`xlpmo.core.trend_out.trend_table`). Spills with a header row unless header is
    FALSE.
    """
    from xlpmo.core.trend_out import trend_table

    inputs = _evm_inputs(projects, plan, actuals, progress, status_date, config)
    return _table_result(trend_table(inputs), header)


# -- variance -------------------------------------------------------------------------------


@fn
def VARIANCE(planned: Any, actual: Any, cumulative: Any = False) -> Any:
    """Cost variance: Planned − Actual, element by element (money; positive = under budget).

    Ranges of different sizes are ``#VALUE!`` (a single cell is used against every
    element); a blank cell ``#N/A``. cumulative: the inputs are cumulative amounts (same
    arithmetic). Authority PMI Practice Standard for EVM (:func:`xlpmo.core.variance.variance`).
    """
    from xlpmo.core.variance import variance

    return xa.ungrid(variance(xa.grid(planned), xa.grid(actual),
                              xa.boolean(cumulative, default=False)))


@fn
def VARPCT(planned: Any, actual: Any, cumulative: Any = False) -> Any:
    """Variance percent: (Planned − Actual) / Planned, element by element (fraction).

    ``#DIV/0!`` where Planned is 0; with cumulative amounts the result is the cumulative
    variance % (money summed first). (:func:`xlpmo.core.variance.variance_pct`).
    """
    from xlpmo.core.variance import variance_pct

    return xa.ungrid(variance_pct(xa.grid(planned), xa.grid(actual),
                                  xa.boolean(cumulative, default=False)))


@fn
def RAG(value: Any, amber: Any, red: Any, higher_is_better: Any = None) -> Any:
    """Red / Amber / Green status of a value against two thresholds.

    Higher is better (indices): below red is ``Red``, below amber ``Amber``, else ``Green``.
    Lower is better (variances, when higher_is_better is FALSE; by default when amber <
    red): above red ``Red``, above amber ``Amber``. An error value keeps its error, a blank
    is ``#N/A``. Element by element for ranges (:func:`xlpmo.core.rag`).
    """
    from xlpmo.core.rag import rag_higher_is_better, rag_lower_is_better

    a, r = xa.number(amber), xa.number(red)
    higher = xa.boolean(higher_is_better, default=a >= r)
    rule = rag_higher_is_better if higher else rag_lower_is_better
    g = xa.grid(value)
    arr = np.atleast_1d(np.asarray(g, dtype=object))
    out = rule(arr.reshape(-1), a, r).to_numpy(dtype=object).reshape(arr.shape)
    return out.reshape(-1)[0] if np.ndim(g) == 0 else out.tolist()


@fn
def VARTABLE(plan: Any, actuals: Any, status_date: Any = None, config: Any = None,
             header: Any = True) -> Any:
    """The tblVariance table: planned, actual and variance per project and period.

    plan, actuals (and optional config): whole Excel Tables with their header rows.
    Variance = Planned − Actual; cumulative columns run to the status period; RAG from
    the VarianceAmber / VarianceRed settings (:func:`xlpmo.core.variance.variance_table`).
    """
    from xlpmo.core.variance import variance_table

    inputs = _inputs(status_date, config,
                     tblPlan=_raw_table(tables.PLAN.name, plan),
                     tblActuals=_raw_table(tables.ACTUALS.name, actuals, required=False))
    return _table_result(variance_table(inputs), header)


# -- forecast -------------------------------------------------------------------------------

FORECAST_METHODS = ("RUNRATE", "LINEAR", "HOLT", "PLAN")
BAND_METHODS = ("RUNRATE", "LINEAR", "HOLT")
SCURVE_SHAPES = ("LINEAR", "FRONT", "BACK", "BELL")


def _checked(result: Any) -> Any:
    """A core result that is one XLError for the whole function -> raise it."""
    if isinstance(result, XLError):
        raise xa.ArgError(result)
    return result


@fn
def FORECAST(history: Any, horizon: Any, method: Any = "RUNRATE", window: Any = 3,
             target: Any = None, plan: Any = None) -> Any:
    """The next horizon per-period amounts by RUNRATE, LINEAR, HOLT or PLAN (money per period).

    RUNRATE: mean of the last window periods; LINEAR: least-squares trend; HOLT:
    additive-trend exponential smoothing (Hyndman & Athanasopoulos, fpp3 §8.2); PLAN: the
    remaining plan (plan, per future period) scaled so actual to date + forecast = target
    (e.g. the EAC). history: per-period amounts, oldest first; a blank between two amounts
    is a period without spend (0) and trailing blanks are not periods (xlpmo's rule for
    time-phased money). So LINEAR gives the numbers of Excel's FORECAST.LINEAR(n+k, history,
    {1..n}) only for a history without inner or trailing blanks (FORECAST.LINEAR skips a
    blank pair instead of reading 0), and RUNRATE equals AVERAGE of the last window cells
    only without inner blanks (AVERAGE skips them). Spills like history (a row for a row).
    Empty history ``#N/A`` (:func:`xlpmo.core.forecast.forecast`).
    """
    from xlpmo.core.forecast import forecast

    m = xa.choice(method, FORECAST_METHODS, default="RUNRATE")
    h = xa.integer(horizon, minimum=1, maximum=xa.MAX_SPILL)
    w = xa.integer(window, default=3, minimum=1)
    t = xa.number(target, default=None)
    p = _series(plan) if xa.optional_grid(plan) is not None else None
    values = _checked(forecast(_series(history), h, m, w, t, p))
    return xa.spill(history, list(values))


@fn
def FORECASTRANGE(history: Any, horizon: Any, method: Any = "LINEAR", confidence: Any = 0.95,
                  window: Any = 3) -> Any:
    """Low and High prediction band of the next horizon periods (money per period).

    confidence (0 < c < 1, default 0.95): probability that a period's amount falls inside.
    LINEAR: OLS prediction interval (Montgomery, Peck & Vining §2.5), RUNRATE: prediction
    interval of the last window periods, HOLT: ETS(A,A,N) interval (fpp3 §8.7). Blanks as
    in FORECAST (inner blank = 0 spend, trailing blanks dropped). Spills two
    columns Low, High (two rows when history is a row). ``#DIV/0!`` with too few periods
    (:func:`xlpmo.core.forecast.forecast_range`).
    """
    from xlpmo.core.forecast import forecast_range

    m = xa.choice(method, BAND_METHODS, default="LINEAR")
    h = xa.integer(horizon, minimum=1, maximum=xa.MAX_SPILL)
    c = xa.number(confidence, default=0.95)
    w = xa.integer(window, default=3, minimum=1)
    band = _checked(forecast_range(_series(history), h, m, c, window=w))
    dims = xa.shape(history) if isinstance(history, (list, tuple)) else None
    if dims is not None and dims[0] == 1 and dims[1] > 1:
        return [list(band.low), list(band.high)]
    return [[lo, hi] for lo, hi in zip(band.low, band.high, strict=True)]


@fn
def RUNRATE(history: Any, window: Any = 3) -> Any:
    """Average per-period amount of the last window periods (money per period).

    A blank between two amounts is a period without spend (0) and trailing blanks are not
    periods, so RUNRATE equals Excel's AVERAGE of the last window cells only for a history
    without inner or trailing blanks (AVERAGE skips blanks). A window longer than the history
    uses all of it; empty history ``#N/A``, window below 1 ``#NUM!``
    (:func:`xlpmo.core.forecast.runrate`).
    """
    from xlpmo.core.forecast import runrate

    return runrate(_series(history), xa.integer(window, default=3, minimum=1))


@fn
def PHASE(amount: Any, profile: Any) -> Any:
    """Spreads an amount over periods in proportion to a profile (money per period).

    result_k = amount × p_k / Σp; the results add up to the amount. ``#DIV/0!`` when the
    profile sums to 0. Spills like profile (:func:`xlpmo.core.forecast.phase`).
    """
    from xlpmo.core.forecast import phase

    return xa.spill(profile, list(_checked(phase(_cell(amount), _series(profile)))))


@fn
def SCURVE(total: Any, periods: Any, shape: Any = "LINEAR") -> Any:
    """A planned cumulative S-curve reaching total after periods periods (spills down).

    shape: LINEAR (even), FRONT, BACK or BELL (beta-distribution CDFs: Beta(1,1), (2,4),
    (4,2), (3,3)). Cumulative money; periods below 1 ``#NUM!``
    (:func:`xlpmo.core.forecast.scurve`).
    """
    from xlpmo.core.forecast import scurve

    kind = xa.choice(shape, SCURVE_SHAPES, default="LINEAR")
    n = xa.integer(periods, minimum=1, maximum=xa.MAX_SPILL)
    return xa.column(list(_checked(scurve(_cell(total), n, kind))))


@fn
def PERT(optimistic: Any, likely: Any, pessimistic: Any, probability: Any = None) -> Any:
    """PERT mean (O + 4M + P)/6, or the beta-PERT value at a probability.

    Units of the estimates. ``#NUM!`` unless O ≤ M ≤ P and 0 ≤ probability ≤ 1. Authority
    PMBOK Guide 6th ed. §6.4.2.4, Vose, Risk Analysis (:func:`xlpmo.core.forecast.pert`).
    """
    from xlpmo.core.forecast import pert

    p = xa.number(probability, default=None)
    return pert(_cell(optimistic), _cell(likely), _cell(pessimistic), p)


@fn
def FORECASTTABLE(plan: Any, actuals: Any, forecast: Any, status_date: Any = None,
                  config: Any = None, projects: Any = None, progress: Any = None,
                  header: Any = True) -> Any:
    """The tblForecastOut table: actual and forecast spend per project and period with bands.

    plan, actuals, forecast (and optional config, projects, progress): whole Excel Tables
    with their header rows. With projects and progress (tblProjects, tblProgress) the
    remaining plan is scaled to each project's EAC from the earned-value engine, so the
    result is Refresh's tblForecastOut; without them there is no EAC to steer by, and the
    bottom-up forecast, the unscaled plan or a run rate carries the future
    (:func:`xlpmo.core.forecast_out.forecast_table`).
    """
    from xlpmo.core.evm import evm_table
    from xlpmo.core.forecast_out import forecast_table
    from xlpmo.core.tracker import eac_by_project, first_project_rows

    inputs = _inputs(status_date, config,
                     tblPlan=_raw_table(tables.PLAN.name, plan),
                     tblActuals=_raw_table(tables.ACTUALS.name, actuals, required=False),
                     tblForecast=_raw_table(tables.FORECAST.name, forecast, required=False),
                     tblProjects=_raw_table(tables.PROJECTS.name, projects, required=False),
                     tblProgress=_raw_table(tables.PROGRESS.name, progress, required=False))
    eac = finish = None
    if inputs.has(tables.PROJECTS.name):
        inputs = first_project_rows(inputs)
        evm = evm_table(inputs)
        eac, finish = eac_by_project(evm), eac_by_project(evm, "ForecastFinish")
    return _table_result(forecast_table(inputs, eac, finish=finish), header)


# -- resources and utilisation --------------------------------------------------------------


@fn
def WORKDAYS(start_date: Any, end_date: Any, holidays: Any = None, workweek: Any = None) -> Any:
    """Working days from start to end, both included, like Excel's NETWORKDAYS.INTL (days).

    workweek: ``Mon-Fri`` style text, Excel's weekend number (1–7, 11–17) or 7-character
    mask (1 = non-working, Monday first); default Mon–Fri. Holidays on working days are
    removed; a start after the end counts negative. Blank date ``#N/A``
    (:func:`xlpmo.core.capacity.workdays`).
    """
    from xlpmo.core.capacity import workdays

    s, e = xa.date(start_date), xa.date(end_date)
    days = xa.date_list(holidays) if holidays is not None else []
    return workdays(s, e, days or None, xa.weekmask(workweek))


@fn
def CAPACITY(periods: Any, fte: Any = 1, hours_per_day: Any = 8, holidays: Any = None,
             start_date: Any = None, end_date: Any = None, leave_hours: Any = 0,
             workweek: Any = None) -> Any:
    """Capacity hours per period: working days × hours_per_day × fte − leave_hours, not below 0.

    periods: months (any date in each). Working days of each month within start..end (blank
    = open), holidays removed; fte (default 1), hours_per_day (default 8) and leave_hours
    (default 0) are single values or ranges like periods. Units: hours. Spills like periods
    (:func:`xlpmo.core.capacity.capacity`).
    """
    from xlpmo.core.capacity import capacity

    days = xa.date_list(holidays) if holidays is not None else []
    months = xa.date_grid(periods)
    shape = np.shape(months)

    def along(value: Any, blank: float) -> Any:  # a single value, or one per period
        g = xa.number_grid(value, blank)
        if np.size(g) == 1:
            return float(np.ravel(g)[0])
        if np.shape(g) != shape:
            raise xa.ArgError(XLError.VALUE, "a range not the size of periods")
        return np.ravel(g)

    hours = capacity(
        np.ravel(months), along(fte, 1.0), along(hours_per_day, 8.0), days or None,
        xa.date(start_date, default=None), xa.date(end_date, default=None),
        along(leave_hours, 0.0), xa.weekmask(workweek),
    )
    return xa.ungrid(np.reshape(hours, shape)) if shape else float(np.ravel(hours)[0])


@fn
def UTILISATION(hours: Any, capacity: Any) -> Any:
    """Utilisation: hours / capacity (fraction; 0.85 = 85 %).

    Element by element; ``#DIV/0!`` for zero capacity, ``#N/A`` for a blank. Time-based
    utilisation (:func:`xlpmo.core.utilisation.utilisation`).
    """
    from xlpmo.core.utilisation import utilisation

    return xa.ungrid(utilisation(xa.grid(hours), xa.grid(capacity)))


@fn
def OVERALLOCATED(allocated: Any, capacity: Any) -> Any:
    """TRUE where allocated hours exceed capacity hours.

    Element by element; zero capacity with hours allocated is TRUE, a blank ``#N/A``
    (:func:`xlpmo.core.utilisation.overallocated`; MS Project over-allocation).
    """
    from xlpmo.core.utilisation import overallocated

    return xa.ungrid(overallocated(xa.grid(allocated), xa.grid(capacity)))


@fn
def UTILTABLE(resources: Any, timesheets: Any, allocations: Any, holidays: Any = None,
              leave: Any = None, periods: Any = None, config: Any = None,
              header: Any = True) -> Any:
    """The tblUtilisation table: capacity, allocated, actual and billable hours per resource
    and month.

    resources, timesheets, allocations (and optional holidays, leave, config): whole Excel
    Tables with their header rows; periods: the months to report (default: those of the
    allocations and timesheets). Ratios are fractions, ``#DIV/0!`` at zero capacity
    (:func:`xlpmo.core.utilisation.utilisation_table`).
    """
    from xlpmo.core.utilisation import utilisation_table

    inputs = _inputs(None, config,
                     tblResources=_raw_table(tables.RESOURCES.name, resources),
                     tblTimesheets=_raw_table(tables.TIMESHEETS.name, timesheets,
                                              required=False),
                     tblAllocations=_raw_table(tables.ALLOCATIONS.name, allocations,
                                               required=False),
                     tblHolidays=_raw_table(tables.HOLIDAYS.name, holidays, required=False),
                     tblLeave=_raw_table(tables.LEAVE.name, leave, required=False))
    months = None
    if xa.optional_grid(periods) is not None:
        days = xa.date_grid(periods)
        months = [d for d in np.atleast_1d(days).ravel() if not np.isnat(d)]
    return _table_result(utilisation_table(inputs, months), header)


@fn
def CAPACITYPLAN(resources: Any, allocations: Any, holidays: Any = None, leave: Any = None,
                 config: Any = None, header: Any = True) -> Any:
    """The tblCapacityPlan table: demand (named and unnamed) against capacity by role or team
    and month.

    resources, allocations (and optional holidays, leave, config): whole Excel Tables with
    their header rows. Groups by tblConfig's CapacityBy (Role or Team), months from the first
    allocation or the status month to PlanningHorizon months after the status month;
    GapHours = CapacityHours − DemandHours (hours), Utilisation a fraction, ``#DIV/0!`` at
    zero capacity (:func:`xlpmo.core.capacityplan.capacity_plan_table`, workbook.md).
    """
    from xlpmo.core.capacityplan import capacity_plan_table

    inputs = _inputs(None, config,
                     tblResources=_raw_table(tables.RESOURCES.name, resources),
                     tblAllocations=_raw_table(tables.ALLOCATIONS.name, allocations),
                     tblHolidays=_raw_table(tables.HOLIDAYS.name, holidays, required=False),
                     tblLeave=_raw_table(tables.LEAVE.name, leave, required=False))
    return _table_result(capacity_plan_table(inputs), header)


# -- helpers --------------------------------------------------------------------------------


@fn
def PERIOD(date_value: Any) -> Any:
    """The period (month) of a date: the first day of its month.

    Accepts Excel dates, serial numbers and text (``2026-03-15``, ``Mar-2026``); a blank is
    ``#N/A``, text that is not a date ``#VALUE!``
    (:func:`xlpmo.contract.periods.month_start_scalar`).
    Element by element for ranges.
    """
    g = xa.grid(date_value)
    if isinstance(g, np.ndarray):
        return [PERIOD(c) for c in g] if g.ndim == 1 else [[PERIOD(c) for c in r] for r in g]
    return _periods.month_start_scalar(xa.date(g))


@fn
def PERIODS(start_date: Any, end_date: Any) -> Any:
    """The months from start to end, one first-of-month date per row (spills down).

    Both ends' months are included; an end before the start is ``#NUM!``
    (:func:`xlpmo.contract.periods.period_range`).
    """
    s, e = xa.date(start_date), xa.date(end_date)
    if e < s:
        raise xa.ArgError(XLError.NUM, "end before start")
    return xa.column(list(_periods.period_range(s, e)))


@fn
def VERSION() -> str:
    """The version of xlpmo behind the functions."""
    return __version__
