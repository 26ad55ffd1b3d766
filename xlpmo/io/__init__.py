"""Workbooks in and out: reading, checking and safely writing files; never imports
:mod:`xlpmo.core`.

- :mod:`.reader`: a workbook file -> RawTables (the cells of each contract table);
- :mod:`.coerce`, :mod:`.validate`: RawTables -> Inputs, and the findings of tblChecks;
- :mod:`.writer`: output tables into a copy of the file, every other part kept
  (:mod:`.ooxml` does the package work); :mod:`.jobs` plans each table's range and
  columns, :mod:`.rowplan` (with :mod:`.keyed` and :mod:`.refilter`) keeps user columns
  with their row's key and re-applies filters and sorts, :mod:`.sheetlimits` reports a
  table too big for a sheet;
- :mod:`.safesave`: locks, the fingerprint check, backup and the atomic replace;
- :mod:`.importer`: an accounting export -> tblActuals rows;
- :mod:`.limits`: the size caps of what xlpmo reads.
"""

__all__ = [
    "changes", "coerce", "importer", "jobs", "keyed", "limits", "ooxml", "reader", "refilter",
    "rowplan", "safesave", "sheetlimits", "validate", "writer",
]
