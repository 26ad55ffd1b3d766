"""Workbooks in and out: reading, checking and safely writing files; never imports
:mod:`xlpmo.core`.

- :mod:`.reader`: a workbook file -> RawTables (the cells of each contract table), on the
  one zip reader :class:`.ooxml.package.Package`; :mod:`.raw` holds RawTable and the file
  :class:`~.raw.Fingerprint`, :mod:`.extent` bounds a sheet's used rectangle before
  calamine reads it; :mod:`.outside` names data typed next to an input table, outside it;
- :mod:`.a1`: A1 references, ranges and sheet names in references (the one A1 module);
- :mod:`.coerce`, :mod:`.validate`: RawTables -> Inputs, and the findings of tblChecks
  (:mod:`.values` types one column of cells, :mod:`.headers` matches headers and reads month
  headers as a set, :mod:`.percent` decides how percentages read, :mod:`.cellxml` finds
  error cells, percent-formatted cells and formulas without a saved value in the sheet XML);
- :mod:`.writer`: output tables into a copy of the file, every other part kept
  (:mod:`.ooxml` does the package work); :mod:`.jobs` plans each table's range and
  columns, :mod:`.rowplan` (with :mod:`.keyed` and :mod:`.refilter`) keeps user columns
  with their row's key and re-applies filters and sorts, :mod:`.sheetlimits` reports a
  table too big for a sheet;
- :mod:`.safesave`: locks, the fingerprint check, backup and the atomic replace;
- :mod:`.importer`: an accounting export -> tblActuals rows;
- :mod:`.canvas`, :mod:`.canvaswriter`: a sheet of cells and native charts (the Report)
  planned, then written into a copy of the file;
- :mod:`.limits`: the size caps of what xlpmo reads.
"""

__all__ = [
    "a1", "canvas", "canvaswriter", "cellxml", "changes", "coerce", "extent", "headers",
    "importer", "jobs", "keyed", "limits", "ooxml", "outside", "percent", "raw", "reader",
    "refilter", "rowplan", "safesave", "sheetlimits", "validate", "values", "writer",
]
