"""Checks that run inside the xlwings server child (:mod:`helpers.xlwings_server`, request
kind ``probe``): the JSON book read and written by column (:mod:`xlpmo_udfs.officejs`,
:mod:`xlpmo_udfs.cellvalues`) against xlwings' own per-cell ``Range.value``.

Each probe takes the request and returns JSON: values as ``[type name, repr]`` pairs, so a
``1`` that became ``True`` or ``1.0`` shows.
"""

from __future__ import annotations

from typing import Any

from xlpmo.errors import XLError

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


PROBES = {"reads": reads}
