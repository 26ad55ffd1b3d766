"""tblPortfolio: the EVM roll-up per Portfolio plus a Total row.

Rule of the roll-up (PMI Practice Standard for EVM, 2nd ed., and the DAU Gold Card: EVM data
summarise up the WBS by adding BCWS, BCWP, ACWP, BAC and EAC; indices of the summary are
computed from the summed values, never averaged; MS Project does the same for summary
tasks, CPI = ΣBCWP / ΣACWP):

- money first: BAC, PV, EV, AC and EAC are the sums of the projects' values;
- then CV = ΣEV − ΣAC, SV = ΣEV − ΣPV, CPI = ΣEV / ΣAC, SPI = ΣEV / ΣPV,
  VAC = ΣBAC − ΣEAC;
- one row per Portfolio in order of first appearance (a blank portfolio is ``(none)``),
  then ``Total`` over all projects.

Errors in the roll-up (decided here; workbook.md says only "nothing is silently replaced by
0"):

- An error in a project's BAC, PV, EV, AC or EAC makes that column's sum the error, as Excel's
  SUM does (the first error in table order wins), and so every ratio built on it.
- Exception, the **not-yet-started project**: PV = 0 (nothing planned up to the status
  period), EV ``#N/A`` (no progress reported) and no actual cost (AC 0 or ``#N/A``). In MS
  Project a task that has not started has BCWP = ACWP = 0 and still rolls up into its summary;
  the DAU's EV is the budget of work performed, which is 0 before work starts. Such a project
  enters the roll-up with EV = 0 and, when its own EAC is an error (CPI = 0/0), with EAC = BAC
  (no performance yet: the budget is the estimate). Its AC stays as it is (0, or ``#N/A``
  when the workbook has no tblActuals, which makes every AC unknown anyway).
  A project that has spent money or was planned to have earned value but reports no
  progress is a missing status report, and its ``#N/A`` propagates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlpmo.contract import tables
from xlpmo.core.xvalue import NA, OK, XValue

__all__ = ["NONE_LABEL", "TOTAL_LABEL", "portfolio_names", "portfolio_table"]

NONE_LABEL = "(none)"
TOTAL_LABEL = "Total"
_SUMMED = ("BAC", "PV", "EV", "AC", "EAC")


def portfolio_table(evm: pd.DataFrame) -> pd.DataFrame:
    """tblPortfolio from tblEVM (see the module docstring), columns of ``tables.PORTFOLIO``."""
    names = portfolio_names(evm["Portfolio"])
    values = {c: XValue.of(evm[c].to_numpy(dtype=object)) for c in _SUMMED}
    values = _not_started_as_zero(values)
    labels = list(dict.fromkeys(names))
    groups = pd.Index(labels).get_indexer(names)
    rows = [_roll_up(values, groups, len(labels)), _roll_up(values, np.zeros(len(names), int), 1)]
    out = pd.concat(rows, ignore_index=True)
    out.insert(0, "Portfolio", pd.Series([*labels, TOTAL_LABEL], dtype=object))
    return out[tables.PORTFOLIO.column_names]


def portfolio_names(column: pd.Series) -> np.ndarray:
    """Portfolio labels: text stripped; blank (None, NaN, empty) is ``(none)``."""
    text = column.astype(object).where(column.notna(), "").map(lambda v: str(v).strip())
    return np.where(text == "", NONE_LABEL, text).astype(object)


def _not_started_as_zero(values: dict[str, XValue]) -> dict[str, XValue]:
    bac, pv, ev, ac, eac = (values[c] for c in _SUMMED)
    nothing_spent = (ac.err == NA) | ((ac.err == OK) & (ac.val == 0))
    idle = (pv.err == OK) & (pv.val == 0) & (ev.err == NA) & nothing_spent
    zero = XValue.of(np.zeros(len(idle)))
    out = dict(values)
    out["EV"] = zero.where(idle, ev)
    out["EAC"] = bac.where(idle & (eac.err != OK), eac)
    return out


def _group_sum(x: XValue, groups: np.ndarray, n: int) -> XValue:
    """Per group: the sum of the values, or the first error (table order) if there is one."""
    total = np.bincount(groups, weights=np.where(x.err == OK, x.val, 0.0), minlength=n)
    err = np.zeros(n, dtype=np.int8)
    bad = np.flatnonzero(x.err != OK)
    if bad.size:
        first = pd.Series(x.err[bad]).groupby(groups[bad], sort=False).first()
        err[first.index.to_numpy()] = first.to_numpy()
    return XValue(np.where(err == OK, total, np.nan), err)


def _roll_up(values: dict[str, XValue], groups: np.ndarray, n: int) -> pd.DataFrame:
    bac, pv, ev, ac, eac = (_group_sum(values[c], groups, n) for c in _SUMMED)
    columns = {
        "BAC": bac, "PV": pv, "EV": ev, "AC": ac, "CV": ev - ac, "SV": ev - pv,
        "CPI": ev / ac, "SPI": ev / pv, "EAC": eac, "VAC": bac - eac,
    }
    return pd.DataFrame({k: pd.Series(v.objects(), dtype=object) for k, v in columns.items()})
