"""xlpmo in Excel: the xlwings layer (import name ``xlpmo_udfs``).

- :mod:`xlpmo_udfs.functions`: the worksheet functions (``=PMO.CPI`` / ``=PMO_CPI``);
- :mod:`xlpmo_udfs.book`: an open workbook as a command session (tables in, placements out);
  :mod:`xlpmo_udfs.officejs` reads the JSON book of xlwings Lite / Office.js by column,
  :mod:`xlpmo_udfs.cellvalues` makes values what a cell gets;
- :mod:`xlpmo_udfs.commands`: the ribbon / task-pane commands (Refresh, Validate, ...);
- :mod:`xlpmo_udfs.keep`: what people add to the output tables kept by the in-Excel writes;
- :mod:`xlpmo_udfs.lite`: the xlwings Lite plugin module (functions and scripts);
- :mod:`xlpmo_udfs.catalogue`: the catalogue as registered with xlwings;
- ``xlpmo_udfs.addin*``: the classic add-in (ribbon and VBA).

Nothing here computes: the numbers come from the core package :mod:`xlpmo`.
"""

__all__ = [
    "addin", "addin_build", "book", "catalogue", "cellvalues", "commands", "functions",
    "keep", "lite", "officejs", "report",
]
