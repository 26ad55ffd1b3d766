"""The groups of the capacity plan: which Role or Team cells name the same group.

tblCapacityPlan (workbook.md, "Capacity plan") groups resources by the ``CapacityBy``
setting and matches unnamed demand (tblAllocations rows with a Role and no ResourceID) to
the resources of that Role. Two cells name the same group when they are equal after
trimming, collapsing inner white space and ignoring case, as Excel's SUMIFS and pivot
tables compare text (``"Developer "`` and ``"developer"`` are one group). The group is
shown with its first spelling. A blank cell is the group ``(blank)``, as in a pivot table.

Validation (:mod:`xlpmo.io.validate`) and the core (:mod:`xlpmo.core.capacityplan`) both
match roles through :func:`group_keys`, so a Warning and a figure never disagree.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

#: the label of the group of resources whose Role (or Team) cell is blank
BLANK_GROUP = "(blank)"


def _key(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    text = " ".join(str(value).split()).casefold()
    return text or None


def group_keys(values: Any) -> np.ndarray:
    """Cells -> their matching keys (object array; None for a blank cell).

    ``" Senior  Developer"`` and ``"senior developer"`` give the same key. Each distinct
    cell is looked at once.
    """
    arr = _cells(values)
    if not len(arr):
        return np.empty(0, dtype=object)
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    keys = np.empty(len(uniques) + 1, dtype=object)
    keys[:-1] = [_key(u) for u in uniques]
    keys[-1] = None  # code -1: a missing cell
    return keys[codes]


def _cells(values: Any) -> np.ndarray:
    return np.asarray(values.to_numpy() if isinstance(values, (pd.Series, pd.Index)) else values,
                      dtype=object)


def factorize_groups(*columns: Any) -> tuple[list[np.ndarray], list[str]]:
    """Codes of one shared set of groups for several columns of cells.

    -> (codes per column, -1 for a blank cell; the label of each code: the first spelling
    met, columns in order, with white space collapsed). Codes follow first appearance.
    """
    cells = [_cells(c) for c in columns]
    keys = np.concatenate([group_keys(c) for c in cells]) if cells else np.empty(0, object)
    codes, _ = pd.factorize(keys, use_na_sentinel=True)
    known = np.flatnonzero(codes >= 0)
    _, first = np.unique(codes[known], return_index=True)  # codes count up from 0 in order
    flat = np.concatenate(cells) if cells else np.empty(0, object)
    labels = [" ".join(str(v).split()) for v in flat[known[first]]]
    bounds = np.cumsum([0, *(len(c) for c in cells)])
    split = [codes[a:b].astype(np.int64) for a, b in itertools.pairwise(bounds)]
    return split, labels


def same_group(a: Any, b: Any) -> np.ndarray:
    """Element by element: do two columns of cells name the same group? (blank = blank)"""
    ka, kb = group_keys(_cells(a)), group_keys(_cells(b))
    return np.array(ka == kb, dtype=bool) if len(ka) else np.zeros(0, dtype=bool)
