"""The script buttons on the template's Dashboard (xlwings Lite / xlwings Server).

Office.js cannot attach a script to a shape, so xlwings' *sheet buttons* are a shape with
a hyperlink to a cell it covers: a click selects that cell, and the add-in runs the script
whose ``button`` reference is ``[shape name]Sheet!Cell``. The add-in registers a button
only when a shape of that name is on that sheet, so in a workbook without these shapes a
click on the cell runs nothing. The template draws the shapes
(:mod:`xlpmo.template.builder`), the scripts carry the references (:mod:`xlpmo_udfs.commands`);
both read them from here. In the classic add-in the shapes only select their cell (its
commands are on the PMO ribbon tab).
"""

from __future__ import annotations

from dataclasses import dataclass

from xlpmo.io.a1 import cell_ref

__all__ = ["BUTTONS", "SHEET", "SheetButton", "button_for"]

SHEET = "Dashboard"


@dataclass(frozen=True)
class SheetButton:
    """One button: the script it runs (display name), its shape's name, and the row and
    column (0-based) of the cell on :data:`SHEET` it covers and links to."""

    script: str
    shape: str
    row: int
    col: int

    @property
    def cell(self) -> str:
        """The cell it covers and links to, in A1 form (``F3``)."""
        return cell_ref(self.row + 1, self.col + 1)

    @property
    def reference(self) -> str:
        """The ``button`` argument of ``xlwings.script``: ``[xlpmo_refresh]Dashboard!F3``."""
        return f"[{self.shape}]{SHEET}!{self.cell}"


BUTTONS = (
    SheetButton("Refresh", "xlpmo_refresh", 2, 5),  # F3
    SheetButton("Validate", "xlpmo_validate", 2, 7),  # H3
    SheetButton("Report", "xlpmo_report", 2, 9),  # J3
)


def button_for(script: str) -> SheetButton | None:
    """The button of the script with this display name, or None."""
    return next((b for b in BUTTONS if b.script == script), None)
