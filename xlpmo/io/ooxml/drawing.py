"""Drawing parts (``xl/drawings/drawingN.xml``): where a sheet's charts sit.

A worksheet shows charts through one drawing part (its ``<drawing r:id>``); the drawing
holds one anchored graphic frame per chart, each pointing at a chart part through the
drawing's relationships (ECMA-376 Part 1, 20.5 SpreadsheetML drawing). Charts are placed
with a ``oneCellAnchor``: the top-left cell plus a size in EMU (12,700 per point), which is
what the xlwings object model's ``charts.add(anchor=..., width=..., height=...)`` does, so
the chart keeps its size whatever the column widths.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlpmo.io.ooxml.cells import escape_attr
from xlpmo.io.ooxml.chart import C_NS, R_NS

DRAWING_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
DRAWING_REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
XDR_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
EMU_PER_POINT = 12_700


@dataclass(frozen=True)
class ChartFrame:
    """A chart on the sheet: ``rid`` of the chart part in the drawing's rels, the 1-based
    top-left cell, and the size in points."""

    rid: str
    name: str
    row: int
    col: int
    width: float
    height: float


def drawing_xml(frames: list[ChartFrame]) -> bytes:
    """The drawing part holding ``frames``."""
    anchors = []
    for i, f in enumerate(frames):
        cx, cy = round(f.width * EMU_PER_POINT), round(f.height * EMU_PER_POINT)
        anchors.append(
            "<xdr:oneCellAnchor>"
            f"<xdr:from><xdr:col>{f.col - 1}</xdr:col><xdr:colOff>0</xdr:colOff>"
            f"<xdr:row>{f.row - 1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
            f'<xdr:ext cx="{cx}" cy="{cy}"/>'
            '<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr>'
            f'<xdr:cNvPr id="{i + 2}" name="{escape_attr(f.name)}"/><xdr:cNvGraphicFramePr/>'
            '</xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/>'
            f'</xdr:xfrm><a:graphic><a:graphicData uri="{C_NS}">'
            f'<c:chart xmlns:c="{C_NS}" xmlns:r="{R_NS}" r:id="{f.rid}"/>'
            "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/>"
            "</xdr:oneCellAnchor>"
        )
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            f'<xdr:wsDr xmlns:xdr="{XDR_NS}" xmlns:a="{A_NS}">{"".join(anchors)}</xdr:wsDr>'
            ).encode()
