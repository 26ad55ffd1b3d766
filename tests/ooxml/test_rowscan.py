"""The byte scan that finds the rows a rewrite leaves out (:mod:`xlpmo.io.ooxml.rowscan`),
against its oracle, the lxml row-by-row parse (``leftout.parse_leaving_out``).

Whenever the scan answers (it may decline: None), its tree must serialise to the same bytes
as the lxml path's and its start tags of the left-out rows must be the same. Sheets are
generated with hypothesis from the markup real producers write (xlpmo, Excel, LibreOffice,
openpyxl: spans, row heights, ``x14ac:dyDescent``, shared and inline strings, empty styled
cells, whitespace between rows) and what makes a row stay or the scan decline (formulas,
cells beside the block, cells or rows without references, rich text, row children that are
not cells, comments, rows out of order, entity references in attributes, a prefixed main
namespace). A second property keeps to the markup the scan must handle itself and requires
it to answer. Hand-written cases pin what the scan leaves out.
"""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from xlpmo.io.a1 import CellRange, col_letter
from xlpmo.io.ooxml import leftout
from xlpmo.io.ooxml.rowscan import scan_rows

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
PART = "xl/worksheets/sheet1.xml"

# cell bodies by kind: (attributes after r, content); None content: self-closing
PLAIN_CELLS = {
    "number": ("", "<v>1.5</v>"),
    "styled": (' s="3"', "<v>-2E-3</v>"),
    "shared": (' t="s"', "<v>7</v>"),
    "inline": (' t="inlineStr"', '<is><t xml:space="preserve"> a &amp; b &lt;c&gt; </t></is>'),
    "inline_bare": (' t="inlineStr"', "<is><t>Red</t></is>"),
    "error": (' s="6" t="e"', "<v>#DIV/0!</v>"),
    "bool": (' t="b"', "<v>1</v>"),
    "empty": (' s="1"', None),
    "empty_value": ("", "<v></v>"),
    "unicode": (' t="inlineStr"', "<is><t>Zürich – 東京</t></is>"),
}
ODD_CELLS = {
    "formula": ("", "<f>1+1</f><v>2</v>"),
    "shared_formula": ("", '<f t="shared" ref="B2:B4" si="0">A2*2</f><v>4</v>'),
    "rich": (' t="inlineStr"', "<is><r><rPr><b/></rPr><t>rich</t></r></is>"),
    "style_first": (' s="2"', "<v>3</v>"),  # written as <c s="2" r="..."> below
    "no_ref": ("", "<v>5</v>"),
    "ext": ("", "<v>1</v><extLst/>"),
    "self_closing_v": ("", "<v/>"),
}

ROW_ATTRS = ["", ' spans="1:8"', ' spans="2:5" x14ac:dyDescent="0.25"',
             ' ht="20.25" customHeight="1"', ' hidden="1"',
             ' customFormat="false" ht="12.8" hidden="false" customHeight="false" '
             'outlineLevel="0" collapsed="false"']
ODD_ROW_ATTRS = [' ht="1&amp;2"', " ht='3'", ' x14ac:dyDescent="0.3" spans="1:2"',
                 ' thickBot="1" ph="1"']
GAPS = ["", "", "\n", "\n  ", " "]


def cell(row: int, col: int, kind: str) -> str:
    attrs, content = {**PLAIN_CELLS, **ODD_CELLS}[kind]
    ref = f' r="{col_letter(col)}{row}"'
    if kind == "style_first":
        start = f"<c{attrs}{ref}"
    elif kind == "no_ref":
        start = f"<c{attrs}"
    else:
        start = f"<c{ref}{attrs}"
    return f"{start}/>" if content is None else f"{start}>{content}</c>"


@st.composite
def rows_xml(draw: st.DrawFn, odd: bool) -> tuple[str, list[int]]:
    """sheetData content: rows 1..30 in order (some missing), each with cells in A..H."""
    numbers = sorted(draw(st.sets(st.integers(1, 30), min_size=1, max_size=14)))
    plain = sorted(PLAIN_CELLS)
    if odd and draw(st.integers(0, 9)) == 0:  # rows out of order
        numbers.reverse()
    out = []
    for r in numbers:
        kinds = plain + sorted(ODD_CELLS) if odd and draw(st.integers(0, 3)) == 0 else plain
        attrs = draw(st.sampled_from(ROW_ATTRS + (ODD_ROW_ATTRS if odd else [])))
        if odd and draw(st.integers(0, 19)) == 0:
            ref = "" if draw(st.booleans()) else f' r="0{r}"'  # no r / a leading zero
        else:
            ref = f' r="{r}"'
        cols = sorted(draw(st.sets(st.integers(1, 8), max_size=6)))
        if odd and len(cols) > 1 and draw(st.integers(0, 9)) == 0:
            cols.reverse()  # cells out of order
        sep = draw(st.sampled_from(GAPS)) if odd else ""
        body = sep.join(cell(r, c, draw(st.sampled_from(kinds))) for c in cols)
        if odd and draw(st.integers(0, 19)) == 0:
            body += draw(st.sampled_from(["<extLst/>", "<!-- note -->", "<?pi x?>"]))
        gap = draw(st.sampled_from(GAPS))
        if not body and draw(st.booleans()):
            out.append(f"{gap}<row{ref}{attrs}/>")
        else:
            out.append(f"{gap}<row{ref}{attrs}>{body}</row>")
    if odd and draw(st.integers(0, 19)) == 0:
        out.insert(draw(st.integers(0, len(out))), "<!-- between rows -->")
    return "".join(out) + draw(st.sampled_from(GAPS)), numbers


def worksheet(rows: str, prefixed: bool = False) -> bytes:
    p = "x:" if prefixed else ""
    xmlns = f'xmlns:x="{MAIN}"' if prefixed else f'xmlns="{MAIN}"'
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<{p}worksheet {xmlns} xmlns:x14ac="{X14AC}"><{p}dimension ref="A1:H30"/>'
        f"<{p}sheetData>{rows.replace('<row', f'<{p}row').replace('</row', f'</{p}row')}"
        f'</{p}sheetData><{p}pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
        f'header="0.3" footer="0.3"/></{p}worksheet>'
    ).encode()


blocks_st = st.lists(
    st.tuples(st.integers(1, 30), st.integers(0, 20), st.integers(1, 8), st.integers(0, 7))
    .map(lambda t: CellRange(t[0], t[2], t[0] + t[1], min(t[2] + t[3], 8))),
    min_size=1, max_size=2)


def same_as_lxml(data: bytes, blocks: list[CellRange]) -> bool:
    """Checks the scan against the lxml path; True when the scan answered."""
    scanned = leftout.parse_scanned(data, PART, blocks)
    if scanned is None:
        return False
    oracle = leftout.parse_leaving_out(data, PART, blocks)
    assert oracle is not None, "the scan answered where lxml parses the part whole"
    assert etree.tostring(scanned[0]) == etree.tostring(oracle[0])
    assert scanned[1] == oracle[1]
    return True


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows_xml(odd=True), blocks_st, st.integers(0, 19))
def test_the_scan_agrees_with_lxml_or_declines(rows: tuple[str, list[int]],
                                               blocks: list[CellRange], flip: int) -> None:
    data = worksheet(rows[0], prefixed=flip == 0)
    event("scanned" if same_as_lxml(data, blocks) else "declined")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows_xml(odd=False), blocks_st)
def test_the_scan_answers_for_the_markup_producers_write(rows: tuple[str, list[int]],
                                                         blocks: list[CellRange]) -> None:
    assert same_as_lxml(worksheet(rows[0]), blocks)


def left_out(rows: str, block: str) -> list[int] | None:
    scan = scan_rows(worksheet(rows), [CellRange.parse(block)])
    return None if scan is None else sorted(scan.left_out)


def row(r: int, cells: str, attrs: str = "") -> str:
    return f'<row r="{r}"{attrs}>{cells}</row>'


def test_rows_left_out_by_hand() -> None:
    abc = lambda r: "".join(cell(r, c, "number") for c in (1, 2, 3))  # noqa: E731
    rows = "".join(row(r, abc(r)) for r in range(1, 7))
    assert left_out(rows, "A3:C5") == [3, 4, 5]
    assert left_out(rows, "A3:B5") == []  # a cell in C: beside the block, kept
    assert left_out(rows, "B3:D5") == []  # the first cell, in A, lies left of the block
    beside = rows.replace(row(4, abc(4)), row(4, abc(4) + cell(4, 5, "number")))
    assert left_out(beside, "A2:C6") == [2, 3, 5, 6]
    formula = rows.replace(row(4, abc(4)), row(4, cell(4, 1, "formula")))
    assert left_out(formula, "A2:C6") == [2, 3, 5, 6]
    assert left_out(rows + '<row r="7"/><row r="8"></row>', "A2:C9") == [2, 3, 4, 5, 6, 7, 8]


def test_the_scan_declines_what_it_does_not_follow() -> None:
    abc = lambda r: "".join(cell(r, c, "number") for c in (1, 2, 3))  # noqa: E731
    rows = "".join(row(r, abc(r)) for r in range(1, 7))
    for odd in [
        rows.replace(row(4, abc(4)), row(4, cell(4, 1, "rich"))),  # rich text in the block
        rows.replace(row(4, abc(4)), row(4, "<c r=\"A4\"><v>1</c>")),  # not well-formed
        rows.replace('<row r="5">', "<row>"),  # no reference
        rows.replace('<row r="5">', '<row r="5" ht="1&amp;2">'),  # a reference in a value
        rows.replace('<row r="5">', '<row r="3">'),  # out of order
        rows + "<!-- c -->",
        rows.replace("<v>1.5</v>", "<v>1\x01</v>", 1),  # a control character
        rows.replace("<v>1.5</v>", "<v>]]></v>", 1),
        rows.replace('<row r="2">', f'<row r="2" xmlns="{MAIN}">'),
    ]:
        assert left_out(odd, "A2:C6") is None, odd
    assert scan_rows(worksheet(rows).replace(b"UTF-8", b"ISO-8859-1"),
                     [CellRange.parse("A2:C6")]) is None
    # a control character far into a big part (the part is searched a few MB at a time)
    many = "".join(row(r, abc(r)) for r in range(1, 130_001))
    assert len(many) > 3 * (1 << 22)
    assert left_out(many, "A2:C130000") == list(range(2, 130_001))
    late = many.replace(row(120_000, abc(120_000)),
                        row(120_000, abc(120_000)).replace("</v>", "\x1f</v>", 1))
    assert late != many and left_out(late, "A2:C130000") is None
