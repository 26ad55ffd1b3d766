"""Resource utilisation per resource and month (tblUtilisation, workbook.md).

Per resource and month (hours; ratios are fractions)::

    CapacityHours        capacity after holidays and leave (xlpmo.core.capacity)
    AllocatedHours       Σ tblAllocations.Hours, or Percent × CapacityHours per row
    ActualHours          Σ tblTimesheets.Hours by the month of Date
    BillableHours        Σ tblTimesheets.Hours where Billable is TRUE (blank read as TRUE)
    Utilisation          = ActualHours / CapacityHours
    BillableUtilisation  = BillableHours / CapacityHours
    Allocation           = AllocatedHours / CapacityHours
    OverAllocated        = AllocatedHours > CapacityHours

Utilisation is time-based: hours worked (or billable hours, or hours allocated) over
the hours the resource is available in the month, after holidays and leave. Over-allocation
follows MS Project's ``Overallocated`` resource field: TRUE when the work assigned in a
period exceeds the resource's capacity (its Max Units over the working time) in it.

Decisions where the contract is silent:

- An allocation row with both Hours and Percent uses Hours; with neither it adds 0.
  Percent is a fraction of the month's capacity (after holidays and leave).
- Timesheet and allocation rows of a ResourceID not in tblResources are left out here
  (validation reports them); so are rows outside the periods.
- Every resource of tblResources gets a row for every period, even outside its
  StartDate..EndDate (capacity 0, ratios ``#DIV/0!``), so the table is a full grid.
- A ratio with zero capacity is ``#DIV/0!``. OverAllocated with zero capacity is TRUE
  when any hours are allocated. The comparison allows 1e-9 hours (float noise of
  Percent × capacity sums), which never changes a real decision.
- Hours past the largest double (about 1.8E308) are ``#NUM!``, as Excel's overflowed sums,
  and so are the ratios and OverAllocated computed from them (unknown, not FALSE).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import tables
from xlpmo.contract.model import Inputs
from xlpmo.core import arith
from xlpmo.core.capacity import CapacityGrid, capacity_grid, grid_frame
from xlpmo.errors import XLError

__all__ = ["TOLERANCE_HOURS", "overallocated", "utilisation", "utilisation_table"]

#: hours of float noise ignored when comparing allocated hours with capacity
TOLERANCE_HOURS = 1e-9


def _cells(grid: CapacityGrid, resource_ids: pd.Series, dates: Any
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row and column of each input row in the grid, and a mask of the rows that fall in
    it (known resource, month among the periods)."""
    r = grid.resource_ids.get_indexer(resource_ids)
    p = grid.month_position(dates)
    return r, p, (r >= 0) & (p >= 0)


def _sum(grid: CapacityGrid, r: np.ndarray, p: np.ndarray, ok: np.ndarray,
         weights: np.ndarray) -> np.ndarray:
    """Σ weights per (resource, period) cell over the rows where ``ok``."""
    flat = r[ok] * len(grid.periods) + p[ok]
    return np.bincount(flat, weights=weights[ok], minlength=grid.hours.size).reshape(
        grid.hours.shape)


def allocation_hours(grid: CapacityGrid, allocations: pd.DataFrame) -> np.ndarray:
    """Allocated hours per (resource, period) cell of the grid: Σ Hours, or Percent ×
    the cell's CapacityHours per row (Hours wins; neither adds 0). Rows of an unknown or
    blank ResourceID, or outside the periods, are left out."""
    hours = pd.to_numeric(allocations["Hours"], errors="coerce").to_numpy(dtype=float)
    percent = pd.to_numeric(allocations["Percent"], errors="coerce").to_numpy(dtype=float)
    r, p, ok = _cells(grid, allocations["ResourceID"], allocations["Period"])
    cap = np.zeros(len(allocations))
    cap[ok] = grid.hours[r[ok], p[ok]]
    row_hours = np.where(~np.isnan(hours), hours, np.where(~np.isnan(percent), percent * cap, 0))
    return _sum(grid, r, p, ok, row_hours)


def _timesheet_hours(grid: CapacityGrid, timesheets: pd.DataFrame
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(actual, billable) hours per cell."""
    hours = pd.to_numeric(timesheets["Hours"], errors="coerce").to_numpy(dtype=float)
    hours = np.where(np.isnan(hours), 0.0, hours)
    billable = timesheets["Billable"]
    if billable.dtype != bool:  # canonical is bool; blank still means TRUE
        billable = billable.astype(object).where(billable.notna(), True).astype(bool)
    r, p, ok = _cells(grid, timesheets["ResourceID"], timesheets["Date"])
    return (_sum(grid, r, p, ok, hours),
            _sum(grid, r, p, ok, np.where(billable.to_numpy(dtype=bool), hours, 0.0)))


def _over(allocated: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    return allocated - capacity > TOLERANCE_HOURS


def _over_or_unknown(allocated: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """:func:`_over`, with ``#NUM!`` where the hours overflowed (±inf): unknown, not FALSE."""
    over = _over(allocated, capacity)
    unknown = arith.overflowed(allocated, capacity)
    if not unknown.any():
        return over
    out = over.astype(object)
    out[unknown] = XLError.NUM
    return out


def utilisation_table(inputs: Inputs, periods: Any = None) -> pd.DataFrame:
    """The tblUtilisation table: one row per resource (tblResources order) and period.

    ``periods``: months to report (any dates in them); default: the months spanned by
    allocations, timesheets and the status period. Formulas and decisions: module
    docstring. Ratio columns are object (float or ``XLError.DIV0``).
    """
    grid = capacity_grid(inputs, periods)
    cap = grid.hours
    allocated = allocation_hours(grid, inputs.allocations)
    actual, billable = _timesheet_hours(grid, inputs.timesheets)
    cap_flat = cap.reshape(-1)
    frame = grid_frame(grid, {
        "CapacityHours": cap,
        "AllocatedHours": allocated,
        "ActualHours": actual,
        "BillableHours": billable,
        "Utilisation": arith.divide(actual.reshape(-1), cap_flat).to_numpy(),
        "BillableUtilisation": arith.divide(billable.reshape(-1), cap_flat).to_numpy(),
        "Allocation": arith.divide(allocated.reshape(-1), cap_flat).to_numpy(),
        "OverAllocated": _over_or_unknown(allocated, cap).reshape(-1),
    })
    for col in ("Utilisation", "BillableUtilisation", "Allocation"):
        frame[col] = frame[col].astype(object)
    return frame[tables.UTILISATION.column_names]


# -- element-wise worksheet forms -----------------------------------------------------------


def _operand(value: Any) -> tuple[np.ndarray, np.ndarray]:
    """A worksheet argument -> (floats with NaN for blanks/errors, XLError or None each)."""
    arr = np.asarray(value.to_numpy() if isinstance(value, (pd.Series, pd.Index)) else value,
                     dtype=object)
    errors = np.full(arr.shape, None, dtype=object)
    floats = np.full(arr.shape, np.nan)
    for i, v in np.ndenumerate(arr):
        err = XLError.parse(v)
        if err is not None:
            errors[i] = err
        elif isinstance(v, (bool, np.bool_)):
            errors[i] = XLError.VALUE
        elif v is not None and not (isinstance(v, str) and not v.strip()):
            try:
                floats[i] = float(v)
            except (TypeError, ValueError):
                errors[i] = XLError.VALUE
    return floats, errors


def _elementwise(a: Any, b: Any, compute: Any) -> Any:
    """Apply ``compute(x, y) -> object array`` to two worksheet arguments with Excel error
    propagation (first argument's error wins, blank -> #N/A); scalar in, scalar out."""
    (fa, ea), (fb, eb) = _operand(a), _operand(b)
    fa, fb = np.broadcast_arrays(fa, fb)
    ea, eb = np.broadcast_arrays(ea, eb)
    out = np.array(compute(fa.ravel(), fb.ravel()), dtype=object)  # a writable copy
    missing = np.isnan(fa.ravel()) | np.isnan(fb.ravel())
    out[missing] = XLError.NA
    for errs in (eb.ravel(), ea.ravel()):  # first argument's error applied last, so it wins
        has = np.array([e is not None for e in errs], dtype=bool)
        out[has] = errs[has]
    out = out.reshape(fa.shape)
    return out.item() if out.ndim == 0 else out


def utilisation(hours: Any, capacity: Any) -> Any:
    """UTILISATION(hours, capacity) = hours / capacity, element by element.

    Fraction (0.85 = 85 %); ``#DIV/0!`` for zero capacity, ``#N/A`` for a blank,
    ``#VALUE!`` for text; input errors propagate. Scalars give a scalar, arrays an
    object array of floats and XLError members.
    """
    return _elementwise(hours, capacity, lambda h, c: arith.divide(h, c).to_numpy())


def overallocated(allocated: Any, capacity: Any) -> Any:
    """OVERALLOCATED(allocated, capacity): TRUE where allocated hours exceed capacity.

    Zero capacity with hours allocated is TRUE; equal is FALSE (1e-9 h tolerance).
    Blank -> ``#N/A``, text -> ``#VALUE!``, input errors propagate. Scalars give a bool,
    arrays an object array of bools and XLError members.
    """
    return _elementwise(allocated, capacity,
                        lambda a, c: np.array([bool(x) for x in _over(a, c)], dtype=object))
