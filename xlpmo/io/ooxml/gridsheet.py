"""A worksheet part written whole: rendered cells, column widths, colour scales, a drawing.

For a sheet xlpmo owns entirely (the Report): nothing of an earlier version is kept, so the
part is composed as text in the schema's order (CT_Worksheet: sheetPr, dimension,
sheetViews, sheetFormatPr, cols, sheetData, conditionalFormatting, pageMargins, pageSetup,
drawing). Patching a sheet that holds other content is :mod:`.sheet`'s job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from xlpmo.io.a1 import CellRange
from xlpmo.io.ooxml.cells import number_text

_NO_GRIDLINES = 'showGridLines="0" '


@dataclass(frozen=True)
class ColourScaleRule:
    range: CellRange
    thresholds: tuple[float, ...]
    colours: tuple[str, ...]  # RRGGBB


def gridsheet_xml(ns: str, rel_ns: str, rows: Mapping[int, Sequence[str]],
                  widths: Mapping[int, float], scales: Sequence[ColourScaleRule],
                  drawing_rid: str | None, *, gridlines: bool = False) -> bytes:
    """The worksheet part. ``rows`` maps a row number to its cells' XML, in column order;
    ``widths`` a column to its width in characters; ``scales`` are colour-scale rules."""
    used = [CellRange.parse(_first_ref(cells)).union(CellRange.parse(_last_ref(cells)))
            for cells in rows.values() if cells]
    dim = used[0] if used else CellRange(1, 1, 1, 1)
    for rng in used[1:]:
        dim = dim.union(rng)
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n',
        f'<worksheet xmlns="{ns}" xmlns:r="{rel_ns}">',
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
        f'<dimension ref="{dim}"/>',
        f"<sheetViews><sheetView {'' if gridlines else _NO_GRIDLINES}"
        'workbookViewId="0"/></sheetViews>',
        '<sheetFormatPr defaultRowHeight="15"/>',
    ]
    if widths:
        parts.append("<cols>")
        for col in sorted(widths):
            parts.append(f'<col min="{col}" max="{col}" width="{number_text(widths[col])}" '
                         'customWidth="1"/>')
        parts.append("</cols>")
    parts.append("<sheetData>")
    for r in sorted(rows):
        if rows[r]:
            parts.append(f'<row r="{r}">{"".join(rows[r])}</row>')
    parts.append("</sheetData>")
    for priority, rule in enumerate(scales, start=1):
        cfvos = "".join(f'<cfvo type="num" val="{number_text(t)}"/>' for t in rule.thresholds)
        colours = "".join(f'<color rgb="FF{c}"/>' for c in rule.colours)
        parts.append(f'<conditionalFormatting sqref="{rule.range}"><cfRule type="colorScale" '
                     f'priority="{priority}"><colorScale>{cfvos}{colours}</colorScale>'
                     "</cfRule></conditionalFormatting>")
    parts.append('<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" '
                 'footer="0.3"/>')
    parts.append('<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" '
                 'fitToHeight="0"/>')
    if drawing_rid:
        parts.append(f'<drawing r:id="{drawing_rid}"/>')
    parts.append("</worksheet>")
    return "".join(parts).encode("utf-8")


def _first_ref(cells: Sequence[str]) -> str:
    return _ref(cells[0])


def _last_ref(cells: Sequence[str]) -> str:
    return _ref(cells[-1])


def _ref(cell: str) -> str:
    start = cell.index(' r="') + 4
    return cell[start:cell.index('"', start)]

