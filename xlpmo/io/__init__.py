"""Workbooks in and out: reading, checking and safely writing files; never imports
:mod:`xlpmo.core`.

- :mod:`.reader`: a workbook file -> RawTables (the cells of each contract table);
- :mod:`.coerce`, :mod:`.validate`: RawTables -> Inputs, and the findings of tblChecks;
- :mod:`.writer`: output tables into a copy of the file, every other part kept
  (:mod:`.ooxml` does the package work);
- :mod:`.safesave`: locks, the fingerprint check, backup and the atomic replace;
- :mod:`.importer`: an accounting export -> tblActuals rows;
- :mod:`.canvas`, :mod:`.canvaswriter`: a sheet of cells and native charts (the Report)
  planned, then written into a copy of the file;
- :mod:`.limits`: the size caps of what xlpmo reads.
"""

__all__ = [
    "canvas", "canvaswriter", "changes", "coerce", "importer", "limits", "ooxml", "reader",
    "safesave", "validate", "writer",
]
