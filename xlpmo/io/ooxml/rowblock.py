"""A table's data rows whose cells are rendered when the rows are written, a run at a time.

The writer used to render a whole output table before its sheet was saved: every cell's
XML text in column lists, then a dict of them per row, all held until the rows were joined.
For tblTrend at 8,000 projects x 120 months (648,000 rows x 11 columns) that was ~1.1 GB
at once. A :class:`RowBlock` keeps only how to render its columns (the caller's callable,
which holds the DataFrame's columns) and renders :data:`RUN` rows at a time, when the first
of them is asked for, dropping the run before the next one is rendered. The worksheet asks
for its rows in order while it serialises the part, so each run is rendered once and only
one run's cell text is in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

RUN = 1 << 12
"""Rows rendered at a time."""

Renderer = Callable[[int, int], Sequence[Sequence[str | None]]]
"""``render(start, stop)``: the cell text of data rows ``start`` to ``stop - 1`` (0-based
within the block), one sequence per column in the block's column order; None = no cell."""


class RowBlock:
    """Rows ``first`` to ``first + n - 1`` of a sheet, whose columns ``cols`` are rendered by
    ``render``."""

    __slots__ = ("_cells", "_render", "_run", "cols", "first", "n", "ordered")

    def __init__(self, first: int, n: int, cols: Sequence[int], render: Renderer) -> None:
        if len(set(cols)) != len(cols):
            raise ValueError("a row block's columns must differ")
        self.first = first
        self.n = n
        self.cols = tuple(cols)
        self.ordered = list(self.cols) == sorted(self.cols)  # cells come out by column
        self._render = render
        self._run = -1
        self._cells: Sequence[Sequence[str | None]] = ()

    def rows(self) -> range:
        """The sheet rows of the block."""
        return range(self.first, self.first + self.n)

    def __contains__(self, row: int) -> bool:
        return self.first <= row < self.first + self.n

    def cells(self, row: int) -> Iterator[tuple[int, str | None]]:
        """(column, cell text or None) of one row of the block, in the block's column order.

        Renders the row's run when it is not the one held (rendering errors are the
        renderer's, raised here).
        """
        i = row - self.first
        if not 0 <= i < self.n:
            raise IndexError(f"row {row} is not in the block's rows {self.first}..."
                             f"{self.first + self.n - 1}")
        run, j = divmod(i, RUN)
        if run != self._run:
            self._cells = ()  # the run held is released before the next is rendered
            start = run * RUN
            self._cells = self._render(start, min(start + RUN, self.n))
            self._run = run
        return zip(self.cols, (column[j] for column in self._cells), strict=True)

    def release(self) -> None:
        """Drop the run held and the renderer (with the columns it holds)."""
        self._cells = ()
        self._run = -1
        self._render = _released


def _released(start: int, stop: int) -> Sequence[Sequence[str | None]]:
    raise RuntimeError("the row block was released: its rows were already written")


__all__ = ["RUN", "Renderer", "RowBlock"]
