"""The workbook contract (shared/spec/workbook.md) as code; imports nothing of xlpmo but
:mod:`xlpmo.errors`.

- :mod:`.tables`: every table's name, sheet, columns and kinds (the one contract);
- :mod:`.model`: :class:`~xlpmo.contract.model.Inputs`, the canonical inputs the core takes;
- :mod:`.settings`: :class:`~xlpmo.contract.settings.Settings` (tblConfig) and their rules;
- :mod:`.periods`: months as periods, Excel date serials, wide and long layouts;
- :mod:`.countries`: the one reading of a Country cell (ISO codes, names, subdivisions);
- :mod:`.groups`: which Role or Team cells name the same group of the capacity plan;
- :mod:`.parse`: the one parser of text typed where a number, a percentage or a date
  belongs (workbook.md "Reading values"; DateOrder).
"""

__all__ = ["countries", "groups", "model", "parse", "periods", "settings", "tables"]
