"""An output table too big for an Excel sheet: the Error that says which, why and what to do.

workbook.md, "Limits": an output table that would exceed Excel's sheet (1,048,576 rows,
16,384 columns) is not written; an Error in tblChecks says which and why, and the other
tables are written. The table keeps what it held before (the figures of an earlier
refresh), which the message says, so nobody reads them as current.
"""

from __future__ import annotations

from xlpmo.errors import Finding
from xlpmo.io.a1 import MAX_COLS, MAX_ROWS, CellRange

__all__ = ["too_big_finding"]

# what makes each output table long: one row per ... (workbook.md); the cure to suggest
_GROWS_WITH = {
    "tblvariance": "one row per project and month",
    "tblforecastout": "one row per project and month",
    "tbltrend": "one row per project and month",
    "tblutilisation": "one row per resource and month",
    "tblcapacityplan": "one row per group and month to PlanningHorizon months after the "
                       "status date",
}
_CURE = {
    "tblcapacityplan": "a shorter PlanningHorizon in tblConfig, or fewer Roles/Teams",
    "tblutilisation": "fewer months (a shorter plan or a later first allocation) or fewer "
                      "resources",
}
_DEFAULT_CURE = ("fewer months (a shorter plan or forecast, an earlier StatusDate, or a "
                 "shorter PlanningHorizon) or fewer projects")


def too_big_finding(name: str, sheet_label: str, rng: CellRange, existed: bool) -> Finding:
    """The Error for table ``name`` that would need ``rng`` on ``sheet_label``."""
    data_rows = rng.rows - 1
    grows = _GROWS_WITH.get(name.lower())
    why = f"{data_rows:,} rows" + (f" ({grows})" if grows else "")
    parts = []
    if rng.r2 > MAX_ROWS:
        parts.append(f"it needs {why} from row {rng.r1:,} down to row {rng.r2:,}, past the "
                     f"last row of an Excel sheet ({MAX_ROWS:,})")
    if rng.c2 > MAX_COLS:
        parts.append(f"it needs {rng.cols:,} columns, past the last column of an Excel sheet "
                     f"(XFD, {MAX_COLS:,})")
    cure = _CURE.get(name.lower(), _DEFAULT_CURE)
    if rng.c2 > MAX_COLS and rng.r2 <= MAX_ROWS:
        cure = "fewer columns (fewer months in a wide layout)"
    kept = ("It still holds the figures of an earlier refresh: do not read them as current."
            if existed else "It was not created.")
    message = (f"{name} was not written: {' and '.join(parts)}. The other tables were "
               f"written. {kept} To make it fit: {cure}.")
    corner = CellRange(rng.r1, rng.c1, rng.r1, rng.c1)
    return Finding("Error", name, f"{sheet_label}!{corner}", message)
