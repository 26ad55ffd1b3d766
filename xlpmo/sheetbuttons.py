"""The script buttons on the template's Dashboard (xlwings Lite / xlwings Server).

Office.js cannot attach a script to a shape, so xlwings' *sheet buttons* are a shape with
a hyperlink to a cell it covers: a click selects that cell, and the add-in runs the script
whose ``button`` reference is ``[shape name]Sheet!Cell``. The add-in registers a button
only when a shape of that name is on that sheet, so in a workbook without these shapes a
click on the cell runs nothing. The template draws the shapes
(:mod:`xlpmo.template`), the scripts carry the references (:mod:`xlpmo_udfs.commands`);
both read them from here. In the classic add-in the shapes only select their cell (its
commands are on the PMO ribbon tab).
"""

from __future__ import annotations

from dataclasses import dataclass

SHEET = "Dashboard"


@dataclass(frozen=True)
class SheetButton:
    """One button: the script it runs (display name), its shape's name, the cell it covers
    and links to (A1, on :data:`SHEET`), and its column and row (0-based) for placing it."""

    script: str
    shape: str
    cell: str
    row: int
    col: int

    @property
    def reference(self) -> str:
        """The ``button`` argument of ``xlwings.script``: ``[xlpmo_refresh]Dashboard!F3``."""
        return f"[{self.shape}]{SHEET}!{self.cell}"


BUTTONS = (
    SheetButton("Refresh", "xlpmo_refresh", "F3", 2, 5),
    SheetButton("Validate", "xlpmo_validate", "H3", 2, 7),
    SheetButton("Report", "xlpmo_report", "J3", 2, 9),
)


def button_for(script: str) -> SheetButton | None:
    """The button of the script with this display name, or None."""
    return next((b for b in BUTTONS if b.script == script), None)
