"""The JSON book of xlwings Lite / Office.js: its cells read by column.

(What the cells get when the commands write whole tables: :mod:`xlpmo_udfs.cellvalues`.)

A script in xlwings Lite (and xlwings Server) gets the workbook as the JSON the Office.js
client sends: per sheet the values from A1 to its last used cell as lists of rows, blanks
as ``""``, dates as ISO text (``2026-01-31T00:00:00.000Z``), error cells as their text
(``#N/A``). xlwings' ``Range.value`` converts that per cell (and copies the whole sheet
on every read); the commands read whole tables, so here the same conversion is done once
per table, column by column: :func:`read_block` gives the block of the sheet's JSON values
as one 2-D object array, each distinct text converted once by xlwings' cell rule (blank ->
None, date text -> :class:`datetime.datetime`) and error texts made
:class:`~xlpmo.errors.XLError` members: the raw value set of :mod:`xlpmo.io.raw`, as
``range.options(ndim=2, err_to_str=True).value`` and :meth:`XLError.parse` give it.

Classic Excel (COM) has no JSON book: :func:`is_json` says which one a book is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.errors import XLError

__all__ = ["block", "convert_texts", "is_json", "read_block", "text_cell"]


def is_json(sheet: Any) -> bool:
    """The sheet is part of a JSON book (xlwings Lite / Server), not a COM workbook."""
    api = getattr(sheet, "api", None)
    return isinstance(api, dict) and "values" in api


def block(sheet: Any, r1: int, c1: int, r2: int, c2: int) -> np.ndarray:
    """The JSON values of sheet cells r1..r2 x c1..c2 (1-based, inclusive) as a 2-D object
    array (the cells' objects, not copies); cells beyond what the book sent are ``""``
    (blank)."""
    values = sheet.api["values"]
    height, width = max(r2 - r1 + 1, 0), max(c2 - c1 + 1, 0)
    rows = values[r1 - 1 : r2]
    out = np.empty((height, width), dtype=object)
    if rows and len(rows) == height and c1 == 1 and all(len(r) == width for r in rows):
        out[:] = rows  # the usual table: whole rows of the sheet, one C loop
        return out
    out[:] = ""
    for i, row in enumerate(rows):
        part = row[c1 - 1 : c2]
        out[i, : len(part)] = part
    return out


#: an ISO date and time as the Office.js client sends a date cell (xlwings' pattern)
_ISO_DATETIME = re.compile(
    r"^(-?(?:[1-9][0-9]*)?[0-9]{4})-(1[0-2]|0[1-9])-(3[01]|0[1-9]|[12][0-9])"
    r"T(2[0-3]|[01][0-9]):([0-5][0-9]):([0-5][0-9])(\.[0-9]+)?"
    r"(Z|[+-](?:2[0-3]|[01][0-9]):[0-5][0-9])?$")


def text_cell(text: str) -> Any:
    """One text cell of the JSON book as a raw value, by xlwings' rule for the Office.js
    book (``Range.value``): ``""`` -> None, ISO date text -> :class:`datetime.datetime`
    (its last character, the ``Z``, cut off); then error texts -> :class:`XLError`
    (:meth:`XLError.parse`); other text as it is."""
    if text == "":
        return None
    if _ISO_DATETIME.match(text):
        return dt.datetime.fromisoformat(text[:-1])
    return XLError.parse(text) or text


def read_block(sheet: Any, r1: int, c1: int, r2: int, c2: int) -> np.ndarray:
    """The cells r1..r2 x c1..c2 as raw values (see the module docstring)."""
    out = block(sheet, r1, c1, r2, c2)
    for j in range(out.shape[1]):
        convert_texts(out[:, j], text_cell)
    return out


def convert_texts(column: np.ndarray, convert: Callable[[str], Any]) -> None:
    """Replace, in place, each text (and blank) cell of a 1-D object array by
    ``convert(text)``, calling it once per distinct text; NaN becomes None. Other values
    are left as they are (a text never equals a number, so numbers keep their type)."""
    if not len(column):
        return
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    new = np.empty(len(uniques), dtype=object)
    change = np.zeros(len(uniques), dtype=bool)
    for i, u in enumerate(uniques):
        if type(u) is str:
            new[i] = convert(u)
            change[i] = new[i] is not u
        elif u is None or (isinstance(u, float) and u != u):
            new[i] = None
            change[i] = u is not None
    if change.any():
        hit = change[codes]
        column[hit] = new[codes[hit]]
