"""A sheet drawn whole: blocks of values, colour scales and charts over the blocks.

The plan of the Report sheet (:mod:`xlpmo.report.sheet` makes it) and of nothing else the
workbook holds. It is drawn by two renderers with the same result: :mod:`xlpmo.io.canvaswriter`
writes it into an xlsx package, and :mod:`xlpmo_udfs.report` draws it in Excel through the
xlwings object model. So it holds only what both can draw:

- :class:`Block`: values from a top-left cell (text, numbers, dates, None = blank), one
  contract column kind per column for the number format (:data:`xlpmo.contract.tables.
  NUMBER_FORMATS`) and a number of leading rows in bold (titles, headers) with a kind of
  their own;
- :class:`ColourScale`: a three-colour scale on a range (the heatmaps), thresholds in numbers;
- :class:`ChartPlan`: a chart anchored at a cell with a size in points, whose series are the
  columns of ``source`` (header row = series names, as Excel's ``plot_by="columns"``) and
  whose categories (x values of a scatter) are the cells of ``categories``.

Rows and columns are 1-based. Cells are 15 points high and 48 points wide unless a column
width is given (Excel's defaults for the Calibri 11 Normal style).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xlpmo.io.a1 import CellRange, cell_ref

ROW_POINTS = 15.0
COLUMN_POINTS = 48.0
#: The Office theme's accent colours, the order Excel gives a new chart's series.
SERIES_COLOURS = ("4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "70AD47",
                  "264478", "9E480E", "636363", "997300", "255E91", "43682B")
CHART_KINDS = ("line", "column", "scatter")


@dataclass(frozen=True)
class Block:
    row: int
    col: int
    rows: tuple[tuple[Any, ...], ...]
    kinds: tuple[str, ...]  # per column; the number format of its cells below the bold rows
    bold_rows: int = 1
    head_kind: str = "text"  # the kind of the bold rows (``period`` for month headers)

    def __post_init__(self) -> None:
        width = len(self.kinds)
        if not self.rows or any(len(r) != width for r in self.rows):
            raise ValueError("a block needs rows, each with one value per kind")

    @property
    def range(self) -> CellRange:
        return CellRange(self.row, self.col, self.row + len(self.rows) - 1,
                         self.col + len(self.kinds) - 1)

    def body(self) -> CellRange | None:
        """The cells below the bold rows (None when there are none)."""
        if len(self.rows) <= self.bold_rows:
            return None
        rng = self.range
        return CellRange(rng.r1 + self.bold_rows, rng.c1, rng.r2, rng.c2)


@dataclass(frozen=True)
class ColourScale:
    range: CellRange
    thresholds: tuple[float, float, float]
    colours: tuple[str, str, str]  # RRGGBB, low to high


@dataclass(frozen=True)
class ChartPlan:
    name: str
    kind: str
    title: str
    row: int
    col: int
    width: float  # points
    height: float
    source: CellRange  # header row + one column per series
    categories: CellRange | None  # the data rows of the categories / x values
    x_title: str | None = None
    y_title: str | None = None
    x_format: str | None = None
    y_format: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in CHART_KINDS:
            raise ValueError(f"chart kind {self.kind!r} is not one of {CHART_KINDS}")
        if self.source.rows < 2:
            raise ValueError(f"chart {self.name!r}: the source needs a header and data rows")


@dataclass(frozen=True)
class Canvas:
    """Everything on the sheet ``sheet``; ``mark`` is the cell whose text, starting with
    ``mark_text``, says the sheet is this canvas's (and may be replaced)."""

    sheet: str
    mark: tuple[int, int]
    mark_text: str
    blocks: tuple[Block, ...]
    charts: tuple[ChartPlan, ...] = ()
    scales: tuple[ColourScale, ...] = ()
    widths: dict[int, float] = field(default_factory=dict)  # column -> width in characters

    def value(self, row: int, col: int) -> Any:
        """The value the canvas puts in a cell (None when blank)."""
        for block in self.blocks:
            if block.range.contains(row, col):
                return block.rows[row - block.row][col - block.col]
        return None

    def values(self, rng: CellRange) -> list[Any]:
        """The values of a one-column or one-row range, in order."""
        return [self.value(r, c) for r in range(rng.r1, rng.r2 + 1)
                for c in range(rng.c1, rng.c2 + 1)]

    def owns(self, text: Any) -> bool:
        """True when ``text`` (the mark cell of an existing sheet) is this canvas's mark."""
        return isinstance(text, str) and text.startswith(self.mark_text)

    def refusal(self, sheet: str, kind: str = "worksheet") -> str:
        """Why an existing sheet called ``sheet`` (not this canvas's) is not replaced."""
        what = (f"is a {kind}, not the {self.sheet} sheet xlpmo makes" if kind != "worksheet"
                else f"was not made by xlpmo ({cell_ref(*self.mark)} does not start with "
                f"{self.mark_text!r})")
        return (f"the sheet {sheet!r} {what}, so xlpmo will not replace it: rename it and run "
                f"again, and xlpmo adds its own {self.sheet} sheet; nothing was written")
