"""Chart parts (``xl/charts/chartN.xml``): a DrawingML chart written whole, XlsxWriter style.

:class:`Chart` collects a chart's type, series, titles and axes, then :meth:`Chart.xml`
writes the ``c:chartSpace`` part (ECMA-376 Part 1, 21.2, transitional namespaces). Only what
the Report needs, and what Excel, LibreOffice and the xlwings object model all draw:

- ``line`` (``c:lineChart``, no markers), ``column`` (clustered ``c:barChart``) and
  ``scatter`` (``c:scatterChart``, markers only);
- each series is one column of cells: its name from a cell (``c:tx/c:strRef``), its values
  from a range (``c:val`` / ``c:yVal``) and the categories, or the x values of a scatter,
  from a range (``c:cat`` / ``c:xVal``); every reference carries a cache of the values, so
  a viewer that does not read the cells still draws the chart;
- a series colour (``a:srgbClr``): the Report passes the Office theme's accent colours in
  series order, which is what Excel gives a chart made through its object model, so the
  chart looks the same whether Excel or this module made it;
- title, axis titles, axis number formats, legend at the bottom, blank cells as gaps.

The element order inside each parent follows the schema's sequences (CT_ChartSpace,
CT_Chart, CT_LineSer, CT_BarSer, CT_ScatterSer, CT_CatAx, CT_ValAx): Excel refuses a chart
part whose children are out of order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from xlpmo.io.ooxml.cells import escape_attr, escape_text, number_text

CHART_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CHART_REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

KINDS = ("line", "column", "scatter")
_CAT_AX, _VAL_AX = 500000001, 500000002  # axis ids: any two distinct unsigned ints


@dataclass
class Series:
    """One series: ``name_ref`` (a cell) and ``values_ref`` / ``categories_ref`` (ranges) are
    sheet-qualified A1 references (``'Report'!$B$5``); the cached values are what the cells
    hold (None = blank: a gap)."""

    name_ref: str
    name: str
    values_ref: str
    values: Sequence[float | None]
    categories_ref: str | None = None
    categories: Sequence[Any] = ()
    colour: str = "4472C4"


@dataclass
class Axis:
    title: str | None = None
    number_format: str | None = None


@dataclass
class Chart:
    """A chart part; add series, then :meth:`xml`."""

    kind: str
    title: str | None = None
    x_axis: Axis = field(default_factory=Axis)
    y_axis: Axis = field(default_factory=Axis)
    series: list[Series] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"chart kind {self.kind!r} is not one of {', '.join(KINDS)}")

    def add_series(self, series: Series) -> None:
        self.series.append(series)

    # -- the part ---------------------------------------------------------------------------
    def xml(self) -> bytes:
        body = "".join([
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n',
            f'<c:chartSpace xmlns:c="{C_NS}" xmlns:a="{A_NS}" xmlns:r="{R_NS}">',
            '<c:lang val="en-US"/><c:roundedCorners val="0"/>',
            "<c:chart>",
            _title(self.title, 1200) if self.title else "",
            f'<c:autoTitleDeleted val="{0 if self.title else 1}"/>',
            "<c:plotArea><c:layout/>", self._plot(), self._axes(), "</c:plotArea>",
            '<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>',
            '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/>',
            "</c:chart>",
            '<c:spPr><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill>'
            '<a:ln w="9525"><a:solidFill><a:srgbClr val="D9D9D9"/></a:solidFill></a:ln></c:spPr>',
            "</c:chartSpace>",
        ])
        return body.encode("utf-8")

    def _plot(self) -> str:
        series = "".join(self._series(i, s) for i, s in enumerate(self.series))
        axes = f'<c:axId val="{_CAT_AX}"/><c:axId val="{_VAL_AX}"/>'
        if self.kind == "line":
            return ('<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>'
                    f'{series}<c:marker val="1"/>{axes}</c:lineChart>')
        if self.kind == "column":
            return ('<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/>'
                    f'<c:varyColors val="0"/>{series}<c:gapWidth val="150"/>{axes}'
                    "</c:barChart>")
        return ('<c:scatterChart><c:scatterStyle val="lineMarker"/><c:varyColors val="0"/>'
                f"{series}{axes}</c:scatterChart>")

    def _series(self, i: int, s: Series) -> str:
        head = (f'<c:idx val="{i}"/><c:order val="{i}"/><c:tx><c:strRef>'
                f"<c:f>{escape_text(s.name_ref)}</c:f>{_str_cache([s.name])}</c:strRef></c:tx>")
        fill = f'<a:solidFill><a:srgbClr val="{s.colour}"/></a:solidFill>'
        values = _num_ref(s.values_ref, s.values)
        cats = ""
        if s.categories_ref is not None:
            cats = (_num_ref(s.categories_ref, s.categories, self.x_axis.number_format)
                    if _numeric(s.categories) else _str_ref(s.categories_ref, s.categories))
        if self.kind == "line":
            return (f"<c:ser>{head}<c:spPr><a:ln w=\"28575\" cap=\"rnd\">{fill}<a:round/></a:ln>"
                    '</c:spPr><c:marker><c:symbol val="none"/></c:marker>'
                    f'{_wrap("c:cat", cats)}{_wrap("c:val", values)}<c:smooth val="0"/></c:ser>')
        if self.kind == "column":
            return (f"<c:ser>{head}<c:spPr>{fill}</c:spPr><c:invertIfNegative val=\"0\"/>"
                    f'{_wrap("c:cat", cats)}{_wrap("c:val", values)}</c:ser>')
        return (f'<c:ser>{head}<c:spPr><a:ln w="19050"><a:noFill/></a:ln></c:spPr>'
                f'<c:marker><c:symbol val="circle"/><c:size val="7"/><c:spPr>{fill}'
                f"<a:ln w=\"9525\">{fill}</a:ln></c:spPr></c:marker>"
                f'{_wrap("c:xVal", cats)}{_wrap("c:yVal", values)}<c:smooth val="0"/></c:ser>')

    def _axes(self) -> str:
        x, y = self.x_axis, self.y_axis
        common = ('<c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>')
        ticks = '<c:majorTickMark val="out"/><c:minorTickMark val="none"/>'
        grid = ('<c:majorGridlines><c:spPr><a:ln w="9525"><a:solidFill><a:srgbClr val="D9D9D9"/>'
                "</a:solidFill></a:ln></c:spPr></c:majorGridlines>")
        y_part = (f'<c:valAx><c:axId val="{_VAL_AX}"/>{common}<c:axPos val="l"/>{grid}'
                  f"{_title(y.title, 1000) if y.title else ''}{_num_fmt(y.number_format)}"
                  f'{ticks}<c:tickLblPos val="nextTo"/><c:crossAx val="{_CAT_AX}"/>'
                  '<c:crosses val="autoZero"/>'
                  f'<c:crossBetween val="{"midCat" if self.kind == "scatter" else "between"}"/>'
                  "</c:valAx>")
        x_title = _title(x.title, 1000) if x.title else ""
        if self.kind == "scatter":
            x_part = (f'<c:valAx><c:axId val="{_CAT_AX}"/>{common}<c:axPos val="b"/>'
                      f"{x_title}{_num_fmt(x.number_format)}{ticks}"
                      f'<c:tickLblPos val="low"/><c:crossAx val="{_VAL_AX}"/>'
                      '<c:crosses val="autoZero"/><c:crossBetween val="midCat"/></c:valAx>')
        else:
            x_part = (f'<c:catAx><c:axId val="{_CAT_AX}"/>{common}<c:axPos val="b"/>'
                      f"{x_title}{_num_fmt(x.number_format)}{ticks}"
                      f'<c:tickLblPos val="low"/><c:crossAx val="{_VAL_AX}"/>'
                      '<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/>'
                      '<c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>')
        return x_part + y_part


# -- pieces ---------------------------------------------------------------------------------


def _wrap(tag: str, inner: str) -> str:
    return f"<{tag}>{inner}</{tag}>" if inner else ""


def _title(text: str, size: int) -> str:
    return ("<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr>"
            f'<a:defRPr sz="{size}" b="1"/></a:pPr><a:r><a:rPr lang="en-US" sz="{size}" b="1"/>'
            f"<a:t>{escape_text(text)}</a:t></a:r></a:p></c:rich></c:tx>"
            '<c:overlay val="0"/></c:title>')


def _num_fmt(code: str | None) -> str:
    if not code:
        return ""
    return f'<c:numFmt formatCode="{escape_attr(code)}" sourceLinked="0"/>'


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _numeric(values: Sequence[Any]) -> bool:
    present = [v for v in values if v is not None]
    return bool(present) and all(_is_number(v) for v in present)


def _num_ref(ref: str, values: Sequence[Any], code: str | None = None) -> str:
    pts = "".join(f'<c:pt idx="{i}"><c:v>{number_text(v)}</c:v></c:pt>'
                  for i, v in enumerate(values) if _is_number(v))
    return (f"<c:numRef><c:f>{escape_text(ref)}</c:f><c:numCache>"
            f"<c:formatCode>{escape_text(code or 'General')}</c:formatCode>"
            f'<c:ptCount val="{len(values)}"/>{pts}</c:numCache></c:numRef>')


def _str_cache(values: Sequence[Any]) -> str:
    pts = "".join(f'<c:pt idx="{i}"><c:v>{escape_text(str(v))}</c:v></c:pt>'
                  for i, v in enumerate(values) if v is not None)
    return f'<c:strCache><c:ptCount val="{len(values)}"/>{pts}</c:strCache>'


def _str_ref(ref: str, values: Sequence[Any]) -> str:
    return f"<c:strRef><c:f>{escape_text(ref)}</c:f>{_str_cache(values)}</c:strRef>"
