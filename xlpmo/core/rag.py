"""Red / Amber / Green status from thresholds (tblConfig: CPIAmber, CPIRed, ...).

Two shapes of rule, both vectorised:

- index rules (CPI, SPI, SPI(t)): higher is better; ``value < red`` is Red,
  ``value < amber`` is Amber, otherwise Green (workbook.md: "index below Amber is
  amber, below Red is red").
- variance rules (cumulative variance %): the absolute value is compared;
  ``|value| > red`` is Red, ``|value| > amber`` is Amber, otherwise Green.

A value that is an Excel error (or missing) has no status: the error is passed on
(``#DIV/0!`` stays ``#DIV/0!``, missing becomes ``#N/A``), never a colour.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlpmo.core.arith import as_float
from xlpmo.core.xvalue import OK, codes_of, errors_of
from xlpmo.errors import XLError

__all__ = ["AMBER", "GREEN", "RED", "rag", "rag_higher_is_better", "rag_lower_is_better",
           "rag_variance"]

GREEN, AMBER, RED = "Green", "Amber", "Red"


def _finish(status: np.ndarray, values: Any, index: Any) -> pd.Series:
    codes = codes_of(values)
    out = status.astype(object)
    has_err = codes != OK
    out[has_err] = errors_of(codes[has_err])
    missing = np.isnan(as_float(values)) & ~has_err
    out[missing] = XLError.NA
    return pd.Series(out, index=index, dtype=object)


def rag_higher_is_better(values: Any, amber: float, red: float, index: Any = None) -> pd.Series:
    """Index rule: Red below ``red``, Amber below ``amber``, else Green."""
    v = as_float(values)
    with np.errstate(invalid="ignore"):
        status = np.where(v < red, RED, np.where(v < amber, AMBER, GREEN))
    return _finish(status, values, index)


def rag_lower_is_better(values: Any, amber: float, red: float, index: Any = None) -> pd.Series:
    """Threshold rule on size: Red above ``red``, Amber above ``amber``, else Green."""
    v = as_float(values)
    with np.errstate(invalid="ignore"):
        status = np.where(v > red, RED, np.where(v > amber, AMBER, GREEN))
    return _finish(status, values, index)


def rag_variance(values: Any, amber: float, red: float, index: Any = None) -> pd.Series:
    """Variance rule: the absolute variance % against the thresholds."""
    v = np.abs(as_float(values)).astype(object)
    codes = codes_of(values)
    has_err = codes != OK
    v[has_err] = errors_of(codes[has_err])
    return rag_lower_is_better(v, amber, red, index)


def rag(value: Any, amber: float, red: float, higher_is_better: bool = True) -> Any:
    """Scalar form (the RAG worksheet function). Higher is better when amber > red."""
    rule = rag_higher_is_better if higher_is_better else rag_lower_is_better
    return rule(np.array([value], dtype=object), amber, red).iloc[0]


def red_reasons(evm: pd.DataFrame, settings: Any) -> list[tuple[str, str, list[str]]]:
    """Why each Red project of tblEVM is Red: ``(ProjectID, ProjectName, reasons)`` for the
    projects whose CostRAG or ScheduleRAG is Red, in tblEVM's order. A reason names the
    index, its value and the threshold it fell below (``CPI 0.82 < CPIRed 0.90``); the
    schedule index is the one ScheduleRAG uses (SPI(t), or SPI when ScheduleIndex is SPI)."""
    schedule = "SPI" if str(settings.ScheduleIndex).upper() == "SPI" else "SPIt"
    out = []
    for row in evm.to_dict("records"):
        reasons = []
        if row.get("CostRAG") == RED:
            reasons.append(f"cost: CPI {row['CPI']:.2f} < CPIRed {settings.CPIRed:.2f}")
        if row.get("ScheduleRAG") == RED:
            label = "SPI(t)" if schedule == "SPIt" else "SPI"
            reasons.append(f"schedule: {label} {row[schedule]:.2f} < SPIRed "
                           f"{settings.SPIRed:.2f}")
        if reasons:
            out.append((str(row["ProjectID"]), str(row.get("ProjectName") or ""), reasons))
    return out
