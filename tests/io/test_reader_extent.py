"""The reader's guard on a sheet's used rectangle (calamine allocates the whole rectangle
its cells span and aborts the process when that fails; see test_reader_guards).

- :func:`extent.quick_bound` (one regex pass, the common case) never returns a bound some
  cell or row reference exceeds, whatever form its ``r`` attribute takes;
- :func:`extent.extent` gives what it gave before the quick path existed for sheets whose
  references are written ``r="A1"`` (the old function is kept below as the reference), and
  the largest reference in any form otherwise;
- the refusal decision read_workbook takes is the one the exact extent gives;
- references hidden from the old checks (white space around ``=``, no space before ``r``)
  are found: such a sheet is refused, not handed to calamine.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.reader_books import PLAN_LONG, rezip, table_book
from hypothesis import given, settings
from hypothesis import strategies as st

from xlpmo.errors import XlpmoError
from xlpmo.io import a1, extent
from xlpmo.io.reader import read_workbook

SHEET = "xl/worksheets/sheet1.xml"


def old_extent(xml: bytes) -> tuple[int, int]:
    """extent.extent as it was before the quick path (commit 133efb7)."""
    m = extent.RE_DIMENSION.search(xml, 0, 1 << 16)
    odd = b"r='" in xml or b"\tr=" in xml or b"\nr=" in xml or b"\rr=" in xml
    if m and not odd and not re.search(rb' r="\$?[a-z]', xml):
        corner = (m[2] or m[1]).decode().replace("$", "")
        rows, cols = a1.parse_ref(corner)
        beyond = re.compile(
            b' r="(?:(?:' + extent.letters_gt(a1.letters_any(cols)) + b")[0-9]|"
            b"[A-Z]{0,3}0*(?:" + extent.num_gt(rows) + b')")'
        )
        if not beyond.search(xml):
            return rows, cols
    any_ref = re.compile(rb"\sr\s*=\s*[\"']\$?([A-Za-z]*)\$?0*([0-9]+)[\"']")
    rows = cols = 0
    for letters, digits in set(any_ref.findall(xml)):
        rows = max(rows, int(digits))
        if letters:
            cols = max(cols, a1.col_index(letters.decode()))
    return rows, max(cols, 1)


#: how an r attribute may be written (before the element name's space is added)
PLAIN = ' r="{}"'
FORMS = [PLAIN, PLAIN, PLAIN, PLAIN, " r='{}'", ' r ="{}"', ' r= "{}"', '\tr="{}"',
         '\nr="{}"', ' r = "{}"']


@st.composite
def sheets(draw: st.DrawFn) -> tuple[bytes, list[tuple[int, int]], bool, tuple | None]:
    """(sheet XML, every (row, col) a reference names, all written plainly, dimension).

    References fall mostly inside the declared dimension, some past it or past Excel's
    grid, written in any of the forms calamine reads."""
    dim = None
    if draw(st.integers(0, 3)):
        dim = (draw(st.integers(1, 1_048_576)), draw(st.integers(1, 16_384)))
    top = dim or (1_048_576, 16_384)

    def row_number() -> int:
        return draw(st.one_of(st.integers(1, top[0]), st.integers(1, top[0]),
                              st.integers(1, 1_200_000)))

    refs: list[tuple[int, int]] = []
    plain = True
    body = []
    for _ in range(draw(st.integers(0, 5))):
        row = row_number()
        form = draw(st.sampled_from(FORMS))
        plain &= form == PLAIN
        refs.append((row, 0))
        cells = []
        for _ in range(draw(st.integers(0, 3))):
            col = draw(st.one_of(st.integers(1, top[1]), st.integers(1, top[1]),
                                 st.integers(1, 17_000)))
            r = row_number()
            letters = a1.letters_any(col)
            zeros = "0" * draw(st.sampled_from([0, 0, 0, 0, 1, 2]))
            lower = draw(st.sampled_from([False, False, False, False, True]))
            cform = draw(st.sampled_from([*FORMS, 'r="{}"']))  # also right after a quote
            plain &= cform == PLAIN and not lower
            text = (letters.lower() if lower else letters) + zeros + str(r)
            cells.append(f'<c t="n"{cform.format(text)}><v>1</v></c>')
            refs.append((r, col))
        body.append(f"<row{form.format(row)}>{''.join(cells)}</row>")
    head = f'<dimension ref="A1:{a1.letters_any(dim[1])}{dim[0]}"/>' if dim else ""
    xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
           f'{head}<sheetData>{"".join(body)}</sheetData>'
           '<pageMargins left="0.7" right="0.7" header="0.3" footer="0.3"/></worksheet>')
    return xml.encode(), refs, plain, dim


def expected_extent(refs: list[tuple[int, int]], plain: bool, dim: tuple | None):
    """The declared dimension when every reference is plain and inside it, else the
    largest row and column referenced."""
    rows = max((r for r, _ in refs), default=0)
    cols = max((c for _, c in refs), default=0)
    if dim is not None and plain and rows <= dim[0] and cols <= dim[1]:
        return dim
    return rows, max(cols, 1)


@settings(max_examples=600, deadline=None)
@given(sheets())
def test_quick_bound_is_sound_and_the_decision_is_the_exact_one(sheet):
    xml, refs, plain, dim = sheet
    exact = expected_extent(refs, plain, dim)
    assert extent.extent(xml) == exact
    if plain:
        assert old_extent(xml) == exact
    bound = extent.quick_bound(xml)
    if bound is not None:
        assert all(r <= bound[0] and c <= bound[1] for r, c in refs)
        assert dim is not None and dim[0] <= bound[0] and dim[1] == bound[1]
    used = bound if bound is not None and extent.fits(*bound) else extent.extent(xml)
    assert extent.fits(*used) == extent.fits(*exact)


def test_quick_bound_of_a_plain_sheet():
    xml = (b'<worksheet><dimension ref="A1:E500001"/><sheetData><row r="1"><c r="A1"/>'
           b'<c r="E1"/></row><row r="500001"><c r="E500001"/></row></sheetData>'
           b'<pageMargins header="0.3" footer="0.3"/></worksheet>')
    assert extent.quick_bound(xml) == (599_999, 5)
    assert extent.quick_bound(xml.replace(b'"E1"', b'"F1"')) is None
    assert extent.quick_bound(xml.replace(b'"E1"', b'"E600000"')) is None
    assert extent.quick_bound(xml.replace(b"<dimension", b"<nodimension")) is None


@pytest.mark.parametrize("far", [
    b'<row r="3"><c r ="AZ900000"><v>1</v></c></row>',  # white space before "="
    b'<row r="3"><c r= "AZ900000"><v>1</v></c></row>',  # white space after "="
    b'<row r="3"><c t="n"r="AZ900000"><v>1</v></c></row>',  # no white space before r
    b'<row r="3"><c r="AZ0900000"><v>1</v></c></row>',  # leading zero
])
def test_far_cells_in_forms_calamine_reads_are_refused(tmp_path: Path, far: bytes) -> None:
    """calamine reads each of these as cell AZ900000 (a 46.8 M-cell rectangle: it aborted
    the process before these forms were checked); the dimension still says A1:D4."""
    plan = table_book(tmp_path / "plan.xlsx", "tblPlan", PLAN_LONG)
    path = rezip(plan, tmp_path / "Hidden.xlsx",
                 {SHEET: lambda d: d.replace(b"</sheetData>", far + b"</sheetData>")})
    with pytest.raises(XlpmoError, match="more than xlpmo reads"):
        read_workbook(path)
