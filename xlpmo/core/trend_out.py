"""tblTrend, the output table of the trend (:mod:`xlpmo.core.trend`), and the findings about
the periods the statistical ranges leave out (:mod:`xlpmo.core.ranges`).

Columns (workbook.md v2): ProjectID, Period (the month), PV, EV, AC (money, cumulative to the
end of the month), CPI = EV/AC, SPI = EV/PV, SPIt = ES/AT, PeriodCPI = ΔEV/ΔAC, PeriodSPIt =
ΔES per month elapsed (ratios), EAC as of the month by ``EACMethod`` (money; the function of
tblEVM, :func:`xlpmo.core.evm.eac_x`; BOTTOMUP only in the status month's row, the earlier
rows ``#N/A``: the inputs keep no past bottom-up ETC). Formulas, authorities and undefined
cases: :mod:`xlpmo.core.trend`. The status month's row (when the project has a progress row
in it) holds tblEVM's PV, AC, CPI, SPI, SPIt and EAC.

tblHistory (Close period) is what was published each month; tblTrend is recomputed from
today's inputs, so a corrected actual or a re-baselined plan changes the past rows of
tblTrend and never tblHistory.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import tables
from xlpmo.contract.model import Inputs
from xlpmo.contract.periods import from_month_index
from xlpmo.core.evm import eac_x, phasing, project_measures
from xlpmo.core.ranges import MIN_VALUES, cpi_sample
from xlpmo.core.trend import period_cpi, period_spit, trend_measures, value_where
from xlpmo.core.xvalue import XValue
from xlpmo.errors import Finding

__all__ = ["LIMIT", "range_findings", "trend_rows", "trend_table"]

LIMIT = 20  # projects named per severity; then one finding with the count of the rest
_SHOWN = 6  # months named in one finding


def trend_rows(inputs: Inputs) -> pd.DataFrame:
    """:func:`xlpmo.core.trend.trend_measures` of ``inputs`` (on tblEVM's measures and PV
    curve), for :func:`trend_table` and :func:`xlpmo.core.evm.evm_table` to share."""
    m = project_measures(inputs)
    return trend_measures(inputs, m, phasing(inputs, m))


def trend_table(inputs: Inputs, findings: list[Finding] | None = None,
                trend: pd.DataFrame | None = None) -> pd.DataFrame:
    """tblTrend: exactly the columns of ``tables.TREND``, one row per project and month with a
    progress row up to the status period (money and indices as object columns of floats or
    :class:`~xlpmo.errors.XLError`). ``findings``: when given, :func:`range_findings` are
    appended to it (for tblChecks). ``trend``: :func:`trend_rows` of ``inputs`` when the
    caller has them."""
    t = trend_rows(inputs) if trend is None else trend
    if findings is not None:
        findings.extend(range_findings(inputs, t))
    s = inputs.settings
    pv, ac, at, etc = (XValue.of(t[c].to_numpy(dtype=float)) for c in ("PV", "AC", "AT", "ETC"))
    # a negative BAC: #VALUE! for it, EV from PercentComplete and ES (as tblEVM)
    bac, es = value_where(t["BAC"], t["BadBAC"]), value_where(t["ES"], t["BadBAC"])
    ev = value_where(t["EV"], t["BadEV"])
    columns = {
        "PV": pv, "EV": ev, "AC": ac, "CPI": ev / ac, "SPI": ev / pv, "SPIt": es / at,
        "PeriodCPI": period_cpi(t), "PeriodSPIt": period_spit(t),
        "EAC": eac_x(bac, ev, ac, s.EACMethod, pv, s.EACWeight, etc),
    }
    out = pd.DataFrame({
        "ProjectID": t["ProjectID"].to_numpy(dtype=object),
        "Period": from_month_index(t["Month"].to_numpy(dtype=np.int64)),
    })
    for name, value in columns.items():
        out[name] = pd.Series(value.objects(), dtype=object)
    return out[tables.TREND.column_names]


def range_findings(inputs: Inputs, trend: pd.DataFrame) -> list[Finding]:
    """One finding per project with periods of performance left out of the statistical
    ranges because EV or AC did not grow in them (ΔEV ≤ 0 or ΔAC ≤ 0; workbook.md v2,
    "Statistical ranges"), naming the project, the months and the tblProgress cell of the
    first: a Warning when one went down (progress revised down, a credit: worth checking),
    an Info when they only stood still (a pause, no cost booked). ``trend``:
    :func:`xlpmo.core.trend.trend_measures`."""
    d_ev, d_ac = trend["dEV"].to_numpy(float), trend["dAC"].to_numpy(float)
    # periods of performance: before completion, from the project's Start (or earlier when
    # something was earned or spent)
    moved = (trend["Clock"].to_numpy(float) >= 1) | (d_ev != 0) | (d_ac != 0)
    with np.errstate(invalid="ignore"):
        known = (trend["Open"].to_numpy(bool) & moved & ~np.isnan(d_ev)
                 & ~np.isnan(d_ac))
        left = known & ~cpi_sample(trend)
        down = left & ((d_ev < 0) | (d_ac < 0))
    left_rows = np.flatnonzero(left)  # trend rows are sorted by project
    if left_rows.size == 0:
        return []
    pos = trend["Pos"].to_numpy(dtype=np.int64)
    projects, first = np.unique(pos[left_rows], return_index=True)
    groups = np.split(left_rows, first[1:])
    known_n = np.bincount(pos[known], minlength=int(pos.max()) + 1)[projects]
    severe = np.logical_or.reduceat(down[left_rows], first)
    source = inputs.sources.get(tables.PROGRESS.name)
    cells = source if source is not None and len(source) == len(inputs.progress) else None
    out: dict[str, list[Finding]] = {"Warning": [], "Info": []}
    for rows, n_known, is_down in zip(groups, known_n, severe, strict=True):
        severity = "Warning" if is_down else "Info"
        if len(out[severity]) > LIMIT:  # the rest are only counted
            continue
        row = int(trend["Row"].iloc[rows[0]])
        cell = cells.cell(row, "Period") if cells is not None else tables.PROGRESS.name
        out[severity].append(Finding(severity, tables.PROGRESS.name, cell,
                                     _message(trend, rows, int(n_known))))
    return [*_capped(out["Warning"], int(severe.sum())),
            *_capped(out["Info"], int((~severe).sum()))]


def _message(trend: pd.DataFrame, rows: np.ndarray, known: int) -> str:
    left = len(rows)
    pid = trend["ProjectID"].iloc[rows[0]]
    months = from_month_index(trend["Month"].to_numpy()[rows[:_SHOWN]])
    parts = []
    for month, r in zip(months, rows[:_SHOWN], strict=True):
        change = [f"{name} {_money(trend[col].iloc[r])}"
                  for name, col in (("ΔEV", "dEV"), ("ΔAC", "dAC")) if trend[col].iloc[r] <= 0]
        parts.append(f"{month:%Y-%m} ({', '.join(change)})")
    more = f" and {len(rows) - _SHOWN} more" if len(rows) > _SHOWN else ""
    kept = known - left
    tail = (f"the EAC range uses the other {kept}" if kept >= MIN_VALUES else
            f"fewer than {MIN_VALUES} months remain, so its EACLow and EACHigh are #N/A")
    return (f"project {pid!r}: {left} of its {known} months of progress are left out of the "
            f"statistical EAC range because EV or AC did not grow in them: "
            f"{'; '.join(parts)}{more}; {tail} (months where EV did not grow are left out of "
            "the finish range as well)")


def _money(value: Any) -> str:
    text = f"{float(value):,.2f}"
    return text[:-3] if text.endswith(".00") else text


def _capped(findings: list[Finding], total: int) -> list[Finding]:
    """The first :data:`LIMIT` findings, then one that counts the rest."""
    if total <= LIMIT:
        return findings
    rest = findings[LIMIT]
    return [*findings[:LIMIT], Finding(
        rest.severity, rest.table, rest.cell,
        f"{total - LIMIT:,} more projects have months left out of the statistical ranges "
        f"in the same way, the first: {rest.message}")]
