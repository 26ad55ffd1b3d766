"""Percentages typed in PercentComplete and allocation Percent: which cells are fractions.

shared/spec/workbook.md v2, "Reading values": percentages are fractions, as Excel stores a
percent-formatted cell (``40 %`` is 0.4), and **one cell never changes how another is
read**:

- a percent-formatted cell, and text such as ``45%``, is a fraction, always;
- the other numbers of a column (*plain* cells) are read on the 0–100 scale only when
  together they leave no doubt: none of them lies in (0, 1] (where both scales give a
  believable value) and some lie above the largest fraction the quantity believably takes
  — 1 (100 %) for PercentComplete, 10 (1,000 %) for an allocation, whose Percent above 1 is
  over-allocation (a Role row's 300 % is three people). The reader then says so with a
  Warning naming the column. Otherwise plain cells are fractions too;
- where the number formats are not known (the in-Excel commands: Office.js does not
  give them with the values) no column is ever rescaled: every number is a fraction;
- after that, a value that fits neither the scale nor the quantity — PercentComplete above
  100 % or below 0, an allocation below 0, or a plain allocation above 1,000 % in a column
  not read on the 0–100 scale (11 is 1,100 % or 11 %: a doubt, and a Warning names the
  column) — is an Error naming its cell, and the cell is left out (for progress, the
  project's previous progress row counts). Numbers no scale fits (a PercentComplete of 150
  in a 0–100 column) do not vote on the column's scale, nor do the cells of a row ignored
  for its ID or period.

Percent-formatted and percentage-text cells never depend on other cells. A plain cell can
depend on the others of its column only through the column's scale, and then never
silently: a change of scale is a Warning naming the column, a value left out an Error
naming its cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: the largest fraction each quantity takes believably (above it: certainly 0–100 text)
EVIDENT = {"PercentComplete": 1.0, "Percent": 10.0}
#: the largest fraction each quantity may take at all (None: no limit)
MAXIMUM = {"PercentComplete": 1.0, "Percent": None}
_TOL = 1e-9


@dataclass
class Fractions:
    """A fraction column read: values (NaN where blank or left out), the cells left out
    as too high or below 0, and whether its plain cells were read on the 0–100 scale."""

    values: np.ndarray
    too_high: np.ndarray
    negative: np.ndarray
    scaled: bool
    plain: np.ndarray  # cells read by the column's scale (not percent-formatted or "45%")
    doubt: bool = False  # plain values all above 1 but not evidently 0–100 (allocations)
    mixed: bool = False  # plain values up to 1 and above EVIDENT: the latter left out


def read_fractions(name: str, values: np.ndarray, explicit: np.ndarray,
                   formats_known: bool, voters: np.ndarray | None = None) -> Fractions:
    """Read one fraction column (see the module docstring).

    ``values``: the numbers as typed (NaN = blank or unreadable); ``explicit``: cells that
    are fractions whatever the column holds (percent-formatted, ``45%`` text);
    ``formats_known``: False where the number formats are unknown (never rescale);
    ``voters``: the cells that weigh on the scale (a row ignored for its ID does not);
    default every cell.
    """
    out = np.array(values, dtype=float, copy=True)
    finite = np.isfinite(out)
    plain = finite & ~explicit
    limit = MAXIMUM.get(name)
    evident = EVIDENT.get(name, 1.0)
    with np.errstate(invalid="ignore"):
        weighed = plain & (out > 0) if voters is None else plain & (out > 0) & voters
        if limit is not None:  # a value no scale fits (150 in a 0–100 column) does not vote
            weighed &= out <= 100.0 * limit
    positive = out[weighed]
    above_one = bool(len(positive) and positive.min() > 1.0)
    scaled = bool(formats_known and above_one and positive.max() > evident)
    if scaled:
        out[plain] /= 100.0
    with np.errstate(invalid="ignore"):
        negative = finite & (out < -_TOL)
        too_high = (finite & (out > limit + _TOL)) if limit is not None else np.zeros_like(finite)
        # unscaled plain numbers no fraction believably is (1,100 % of capacity): doubt
        unbelievable = plain & (out > evident + _TOL) if not scaled else np.zeros_like(finite)
    mixed = bool(limit is None and unbelievable.any())
    too_high |= unbelievable
    doubt = above_one and not scaled and not mixed and limit is None
    out[negative | too_high] = np.nan
    return Fractions(out, too_high, negative, scaled, plain, doubt, mixed)
