"""Package-level OOXML (xlsx/xlsm) editing that keeps every part it does not own.

- :mod:`.package`: zip parts, safe XML parsing, relationships, content types, raw-copy save
- :mod:`.cells`: cell values -> cell XML (A1 references: :mod:`xlpmo.io.a1`)
- :mod:`.styles`: number formats of cell styles; styles xlpmo appends
- :mod:`.tablepart`: Excel Table parts
- :mod:`.sheet`: worksheet parts and sheetData row patching
- :mod:`.leftout`: a worksheet part parsed without the rows a rewrite replaces
- :mod:`.rowscan`: the rows a rewrite replaces, found by a byte scan (lxml's result, faster)
- :mod:`.rowblock`: a table's data rows rendered a run at a time as the part is written
- :mod:`.deflated`: a new part deflated as its pieces are serialised
- :mod:`.render`: DataFrame columns -> cell XML with the right styles
- :mod:`.follow`: chart series, defined names and CF/DV ranges that follow a resized table
- :mod:`.chart`, :mod:`.drawing`: chart parts and the drawing that anchors them
- :mod:`.gridsheet`: a worksheet part of cells xlpmo makes whole (the Report sheet)
- :mod:`.pivots`: pivot caches over a written table refreshed on load
- :mod:`.autofilter`: a table's filter and sort, read and cleared
- :mod:`.formula`: a formula moved to another cell as Excel moves it
- :mod:`.workbook`: the workbook (sheets, tables, calcPr/calcChain) and saving

The public entry point is :func:`xlpmo.io.writer.write_tables`.
"""

__all__ = [
    "autofilter", "cells", "chart", "deflated", "docprops", "drawing", "follow", "formula",
    "gridsheet", "leftout", "package", "pivots", "render", "rowblock", "rowscan", "sheet",
    "styles", "tablepart", "workbook",
]
