"""Checks that run inside the xlwings server child (:mod:`helpers.xlwings_server`, request
kind ``probe``): the JSON book read and written by column (:mod:`xlpmo_udfs.officejs`,
:mod:`xlpmo_udfs.cellvalues`) against xlwings' own per-cell ``Range.value``.

Each probe takes the request and returns JSON: values as ``[type name, repr]`` pairs, so a
``1`` that became ``True`` or ``1.0`` shows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.errors import XLError
from xlpmo.io.keyed import Formula

ISO = "{}T{}.000Z"


def typed(value: Any) -> list[str]:
    return [type(value).__name__, repr(value)]


def tricky_sheet_values() -> list[list[Any]]:
    """A sheet's JSON values with every kind of cell the Office.js client sends, and text
    that only looks like them."""
    return [
        ["ProjectID", "When", "Amount", "Flag", "Note"],
        ["P1", ISO.format("2026-01-31", "00:00:00"), 1, True, ""],
        ["P2", ISO.format("2026-02-28", "13:45:10"), 1.0, False, "#N/A"],
        ["", "2026-03-31", 0, 1, " #n/a "],
        ["P4", "2026-03-31 00:00:00", 2.5, 0, "#SPILL!"],
        ["#DIV/0!", "31/03/2026", -0.0, "TRUE", "=SUM(A1)"],
        ["P6", ISO.format("1899-12-30", "00:00:00"), 1e300, "", "'0042"],
    ]


def reads(req: dict) -> dict:
    """Each rectangle of ``req["ranges"]`` on the first sheet, as xlwings reads it
    (``options(ndim=2, err_to_str=True).value`` and :meth:`XLError.parse`) and as
    :func:`xlpmo_udfs.book.range_grid` reads it."""
    import xlwings as xw
    from xlpmo_udfs.book import range_grid

    book = xw.Book(json=req["payload"])
    sheet = book.sheets[0]
    out = []
    for r1, c1, r2, c2 in req["ranges"]:
        rng = sheet.range((r1, c1), (r2, c2))
        rows = rng.options(ndim=2, err_to_str=True).value
        xlwings_way = [[typed(XLError.parse(v) or v if isinstance(v, str) else v)
                        for v in row] for row in rows]
        ours = [[typed(v) for v in row] for row in range_grid(rng).tolist()]
        out.append({"xlwings": xlwings_way, "ours": ours})
    return {"ranges": out}


def tricky_frame(rows: int) -> pd.DataFrame:
    """An output table of ``rows`` rows with every dtype and value the core hands the
    writers: NaN (#N/A), errors, dates with and without a time, NaT, text to protect."""
    i = np.arange(rows)
    stamps = pd.Series(pd.Timestamp("2026-01-31") + pd.to_timedelta(i % 40, unit="D"))
    stamps[i % 7 == 3] = pd.NaT
    stamps[i % 11 == 5] = pd.Timestamp("2026-02-03 04:05:06")
    mixed = np.empty(rows, dtype=object)
    choices = [1.5, float("nan"), XLError.DIV0, XLError.NA, "=cmd", "0042", "plain", None,
               pd.Timestamp("2026-03-31"), np.float64("nan"), np.float64(2.25), 7,
               Formula("=[@CPI]*2"), "TRUE", "", pd.NaT, dt.datetime(2026, 4, 1, 8, 30)]
    for k in range(rows):
        mixed[k] = choices[k % len(choices)]
    floats = (i * 0.5).astype(float)
    floats[i % 5 == 0] = np.nan
    return pd.DataFrame({
        "ProjectID": [f"P{k:03d}" for k in i], "Period": stamps, "Amount": floats,
        "Count": i.astype(np.int64), "Over": i % 3 == 0, "Mixed": pd.Series(mixed, dtype=object),
        "=Header": np.full(rows, "x"),
    })


def writes(req: dict) -> dict:
    """The actions of writing :func:`tricky_frame` the xlwings way (each cell through
    :func:`cell_value`, then ``Range.value``) and as Refresh writes a whole table
    (:func:`xlpmo_udfs.book.final_rows`, in blocks within xlwings' cell budget)."""
    import xlwings as xw
    from xlpmo_udfs.book import final_rows, frame_cells, set_cells
    from xlpmo_udfs.cellvalues import cell_value

    frame = tricky_frame(req["rows"])
    out = {}
    for way in ("xlwings", "ours"):
        book = xw.Book(json=req["payload"])
        sheet = book.sheets[0]
        if way == "xlwings":
            rows = [[cell_value(v) for v in r] for r in frame_cells(frame)]
            sheet.range((2, 3), (len(rows) + 1, len(rows[0]) + 2)).value = rows
        else:
            rows, raw = final_rows(book, frame)
            assert raw
            set_cells(sheet.range((2, 3), (len(rows) + 1, len(rows[0]) + 2)), rows, raw)
        out[way] = book.json()["actions"]
    return out


PROBES = {"reads": reads, "writes": writes}
