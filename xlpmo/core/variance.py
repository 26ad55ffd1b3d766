"""Cost variance: Planned − Actual by project and period (tblVariance).

The budget variance of plan against actual cost, as shared/spec/workbook.md defines it:
Variance = Planned − Actual, with the sign convention of the EVM standard (PMI *Practice
Standard for Earned Value Management*, 2nd ed.: CV = EV − AC, positive = favourable), so a
positive variance means less was spent than planned. VariancePct = (Planned − Actual) /
Planned, a fraction. Money is summed first and then divided; nothing is rounded.

Worksheet primitives (:func:`variance`, :func:`variance_pct`) work on cells: numbers, blanks
(``None``/NaN: missing, so ``#N/A``), Excel errors (passed on) and text (``#VALUE!``).
:func:`variance_table` builds the whole tblVariance from the canonical
:class:`~xlpmo.contract.model.Inputs`.

Time-phased helpers shared with :mod:`xlpmo.core.forecast` live here too: :func:`monthly`
(amount per project and month, summed over CostType) and :func:`month_grid` (every month of a
span per project, built without a per-project loop).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import tables
from xlpmo.contract.model import Inputs
from xlpmo.contract.periods import from_month_index, month_index, status_period
from xlpmo.core.arith import divide_float, error_codes, with_errors
from xlpmo.core.rag import rag_variance
from xlpmo.core.xvalue import codes_of, first_error
from xlpmo.errors import XLError

__all__ = [
    "Phased", "actuals_missing", "cells_result", "elapsed", "extreme_month", "lookup", "money",
    "month_grid", "monthly", "parse_cells", "period_column", "phased", "project_order", "variance",
    "variance_pct", "variance_table",
]

# -- cells ----------------------------------------------------------------------------------


def parse_cells(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Cells -> ``(floats, errors)``, two arrays of the shape of ``values``.

    ``floats`` holds the numbers, NaN for blanks (``None``, NaN, empty text) and for error
    cells; ``errors`` (object) holds ``None`` or the :class:`XLError` of each cell: an Excel
    error value (member or its text, ``"#DIV/0!"``) is kept, other text and booleans are
    ``#VALUE!`` (a number where text belongs). Blanks are *not* errors here: each caller
    decides what a blank means.
    """
    if isinstance(values, (np.ndarray, pd.Series)) and values.dtype.kind in "fiu":
        floats = np.asarray(values, dtype=float)  # fast path: numeric arrays
        return floats, np.full(floats.shape, None, dtype=object)
    raw = np.asarray(values, dtype=object)
    flat = raw.ravel()
    floats = np.full(flat.shape, np.nan)
    errors = np.full(flat.shape, None, dtype=object)
    for i, v in enumerate(flat):  # slow path only when text, bools or errors are present
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        err = XLError.parse(v)
        if err is not None:
            errors[i] = err
        elif isinstance(v, (bool, np.bool_, str)):
            errors[i] = XLError.VALUE
        else:
            try:
                floats[i] = float(v)
            except (TypeError, ValueError):
                errors[i] = XLError.VALUE
    return floats.reshape(raw.shape), errors.reshape(raw.shape)


def cells_result(values: np.ndarray, errors: np.ndarray, scalar: bool) -> Any:
    """Float results with per-cell error codes (:mod:`xlpmo.core.xvalue`) -> a scalar or an
    object array of the same shape.

    NaN left without an error is a missing input: ``#N/A``.
    """
    shape = values.shape
    out = with_errors(values.ravel(), errors.ravel()).to_numpy(dtype=object).reshape(shape)
    return out.reshape(()).item() if scalar else out


def _pair(planned: Any, actual: Any) -> tuple[np.ndarray, ...] | XLError:
    """Parse and broadcast two cell arguments (a single cell broadcasts; other shapes must
    match, else ``#VALUE!`` like Excel's mismatched ranges)."""
    p, pe = parse_cells(planned)
    a, ae = parse_cells(actual)
    if p.size != 1 and a.size != 1 and p.shape != a.shape:
        if p.size != a.size or p.squeeze().shape != a.squeeze().shape:
            return XLError.VALUE
        a, ae = a.reshape(p.shape), ae.reshape(p.shape)
    p, a, pe, ae = np.broadcast_arrays(p, a, pe, ae)
    return p, a, pe, ae


def variance(planned: Any, actual: Any, cumulative: bool = False) -> Any:
    """Planned − Actual, element by element (worksheet ``VARIANCE``).

    Units: money. Positive = under budget (favourable). A blank cell is missing input
    (``#N/A``), text is ``#VALUE!``, an error in either argument is passed on; ranges of
    different sizes are ``#VALUE!`` (a single cell is used against every element).

    ``cumulative``: functions.md reads series as per-period amounts unless ``cumulative`` is
    TRUE. Variance is element-wise, so the flag does not change the arithmetic: with
    per-period inputs the result is the per-period variance, with cumulative inputs
    (cumulative PV and AC) it is the cumulative variance of each period. The flag is accepted
    so every series function has the same arguments.

    Returns a float/XLError for two single cells, else an object ndarray of the shape of the
    larger argument.
    """
    del cumulative  # same arithmetic on either basis (see docstring)
    pair = _pair(planned, actual)
    if isinstance(pair, XLError):
        return pair
    p, a, pe, ae = pair
    errors = first_error(codes_of(pe), codes_of(ae))
    return cells_result(p - a, errors, scalar=p.ndim == 0)


def variance_pct(planned: Any, actual: Any, cumulative: bool = False) -> Any:
    """(Planned − Actual) / Planned, element by element (worksheet ``VARPCT``), a fraction.

    ``#DIV/0!`` where Planned is 0; ``#N/A`` where a cell is blank; errors in the arguments
    are passed on; mismatched ranges are ``#VALUE!``. ``cumulative`` as in :func:`variance`:
    with cumulative inputs the result is the cumulative variance % of each period (money
    summed first, then divided; never the sum or average of per-period percentages).
    """
    del cumulative
    pair = _pair(planned, actual)
    if isinstance(pair, XLError):
        return pair
    p, a, pe, ae = pair
    num, den = (p - a).ravel(), p.ravel()
    errors = first_error(codes_of(pe).ravel(), codes_of(ae).ravel(), error_codes(num, den))
    return cells_result(divide_float(num, den).reshape(p.shape), errors.reshape(p.shape),
                        scalar=p.ndim == 0)


# -- time-phased tables -----------------------------------------------------------------------


def monthly(frame: pd.DataFrame, amount: str) -> pd.Series:
    """Long time-phased table -> amount per (ProjectID, M), summed over CostType.

    ``M`` is the month index of :func:`xlpmo.contract.periods.month_index`. Rows without a ProjectID
    or a Period are ignored (the reader reports them).
    """
    if frame.empty:
        return pd.Series([], index=_month_index([], []), dtype=float, name=amount)
    keep = frame["ProjectID"].notna().to_numpy() & frame["Period"].notna().to_numpy()
    ids = frame["ProjectID"].to_numpy(dtype=object)[keep]
    months = month_index(frame["Period"].to_numpy()[keep])
    values = pd.to_numeric(frame[amount], errors="coerce").fillna(0.0).to_numpy(float)[keep]
    s = pd.Series(values, index=_month_index(ids, months), name=amount)
    return s.groupby(level=[0, 1], sort=False).sum()


def _month_index(ids: Any, months: Any) -> pd.MultiIndex:
    return pd.MultiIndex.from_arrays(
        [pd.Index(np.asarray(ids, dtype=object), dtype=object),
         pd.Index(np.asarray(months, dtype=np.int64))],
        names=["ProjectID", "M"],
    )


def month_grid(ids: Any, start: Any, stop: Any) -> pd.DataFrame:
    """Every month ``start..stop`` (inclusive, month indices) of each project, in order.

    Returns ``ProjectID`` (object), ``Pos`` (the project's position in ``ids``), ``M``
    (int64) and ``Step`` (1, 2, ... within each project); a project with ``stop < start``
    gets no rows. Vectorised with ``np.repeat``.
    """
    ids = np.asarray(ids, dtype=object)
    start = np.asarray(start, dtype=np.int64)
    counts = np.maximum(np.asarray(stop, dtype=np.int64) - start + 1, 0)
    step = np.arange(counts.sum(), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return pd.DataFrame({
        "ProjectID": pd.Series(np.repeat(ids, counts), dtype=object),
        "Pos": np.repeat(np.arange(len(ids), dtype=np.int64), counts),
        "M": np.repeat(start, counts) + step,
        "Step": step + 1,
    })


def lookup(series: pd.Series, grid: pd.DataFrame) -> np.ndarray:
    """Values of a (ProjectID, M) series at the grid's rows; 0 where it has none."""
    if series.empty or grid.empty:
        return np.zeros(len(grid))
    index = _month_index(grid["ProjectID"].to_numpy(), grid["M"].to_numpy())
    return series.reindex(index).fillna(0.0).to_numpy(float)


def extreme_month(series: pd.Series, last: bool = False) -> pd.Series:
    """First (or last) month with a non-zero amount per project (blank means 0)."""
    nonzero = series[series.to_numpy() != 0]
    months = pd.Series(nonzero.index.get_level_values("M"), index=nonzero.index.get_level_values(0))
    grouped = months.groupby(level=0, sort=False)
    return grouped.max() if last else grouped.min()


def project_order(inputs: Inputs, ids: pd.Index) -> pd.Index:
    """``ids`` ordered as tblProjects lists them; ids it does not list follow, sorted."""
    listed = pd.Index(inputs.projects["ProjectID"].dropna().to_numpy(dtype=object), dtype=object)
    ids = pd.Index(ids, dtype=object)
    known = listed[listed.isin(ids)].unique()
    others = ids[~ids.isin(listed)].unique()
    return known.append(pd.Index(sorted(others, key=str), dtype=object))


def actuals_missing(inputs: Inputs) -> bool:
    """True when the workbook has no tblActuals at all (actual cost is then unknown, #N/A).

    An Inputs built in code without ``present`` counts its actuals as given when it has rows.
    """
    return not inputs.has(tables.ACTUALS.name) and inputs.actuals.empty


@dataclass(frozen=True)
class Phased:
    """Plan and actuals per project and month (summed over CostType), and the status month.

    ``first``: per project (tblProjects order), the earliest month with a non-zero Planned or
    Actual amount, so a wide-layout row of blanks before the start does not count.
    ``actual`` is empty and ``actuals_missing`` True when the workbook has no tblActuals.
    """

    plan: pd.Series
    actual: pd.Series
    actuals_missing: bool
    first: pd.Series
    status: int


def phased(inputs: Inputs) -> Phased:
    """Collect the time-phased plan and actuals of ``inputs`` (see :class:`Phased`)."""
    plan = monthly(inputs.plan, "Planned")
    missing = actuals_missing(inputs)
    actual = monthly(inputs.actuals, "Actual") if not missing else plan.iloc[:0]
    first = pd.concat([extreme_month(plan), extreme_month(actual)]).groupby(level=0).min()
    first = first.reindex(project_order(inputs, first.index))
    status = int(month_index(np.array([status_period(inputs.settings.StatusDate)]))[0])
    return Phased(plan, actual, missing, first, status)


def period_column(months: np.ndarray) -> np.ndarray:
    """Month indices -> datetime64[ns] first days of the months."""
    return from_month_index(months).to_numpy(dtype="datetime64[ns]") if len(months) else (
        np.array([], dtype="datetime64[ns]"))


def elapsed(ph: Phased) -> pd.DataFrame:
    """Every project month from the project's first period through the status period.

    Returns ``ProjectID``, ``Pos``, ``M``, ``Step``, ``Period``, ``Planned`` and ``Actual``
    (float; NaN in every row when the workbook has no tblActuals). Projects in
    ``ph.first`` order, months ascending; a project starting after the status period has none.
    """
    first = ph.first
    grid = month_grid(first.index, first.to_numpy(), np.full(len(first), ph.status))
    grid["Period"] = period_column(grid["M"].to_numpy())
    grid["Planned"] = lookup(ph.plan, grid)
    grid["Actual"] = np.nan if ph.actuals_missing else lookup(ph.actual, grid)
    return grid


def money(values: Any) -> pd.Series:
    """Float money -> object Series with ``#N/A`` where the value is missing (NaN) and
    ``#NUM!`` where a sum overflowed (±inf)."""
    return with_errors(values, np.zeros(np.shape(values), dtype=np.int8))


def variance_table(inputs: Inputs) -> pd.DataFrame:
    """The tblVariance output: one row per project and period (workbook.md).

    Rows: every month from the project's first period (earliest non-zero Planned or Actual)
    through the status period. Months after the status period have no actuals yet and are
    left out (their plan is in tblForecastOut); a project that starts after the status period
    has no rows; a project that finished before it runs on to the status period with zero
    Planned and Actual, so its cumulative figures stay visible.

    Columns (money summed over CostType first):
    - Planned, Actual: per period (blank = 0). Without a tblActuals table Actual is ``#N/A``
      (missing input, not 0), and so is everything computed from it.
    - Variance = Planned − Actual (positive = under budget).
    - VariancePct = Variance / Planned (``#DIV/0!`` where Planned is 0).
    - CumPlanned, CumActual, CumVariance: running sums from the first period.
    - CumVariancePct = CumVariance / CumPlanned (sums first, then divided).
    - RAG: |CumVariancePct| above VarianceRed is Red, above VarianceAmber Amber, else Green;
      an error in CumVariancePct is passed on instead of a colour.

    Vectorised over all projects and periods (groupby + cumsum).
    """
    grid = elapsed(phased(inputs))
    planned = grid["Planned"].to_numpy(float)
    actual = grid["Actual"].to_numpy(float)
    var = planned - actual
    group = grid.groupby("ProjectID", sort=False)
    cum_planned = group["Planned"].cumsum().to_numpy(float)
    cum_actual = group["Actual"].cumsum(skipna=False).to_numpy(float)
    cum_var = cum_planned - cum_actual
    cum_pct = _ratio(cum_var, cum_planned)
    settings = inputs.settings
    out = pd.DataFrame({
        "ProjectID": grid["ProjectID"].astype(object),
        "Period": grid["Period"].to_numpy(dtype="datetime64[ns]"),
        "Planned": planned,
        "Actual": money(actual),
        "Variance": money(var),
        "VariancePct": _ratio(var, planned),
        "CumPlanned": cum_planned,
        "CumActual": money(cum_actual),
        "CumVariance": money(cum_var),
        "CumVariancePct": cum_pct,
        "RAG": rag_variance(cum_pct.to_numpy(), settings.VarianceAmber, settings.VarianceRed),
    })
    return out[tables.VARIANCE.column_names].reset_index(drop=True)


def _ratio(num: np.ndarray, den: np.ndarray) -> pd.Series:
    return with_errors(divide_float(num, den), error_codes(num, den))
