"""Rows rendered as they are written (:mod:`xlpmo.io.ooxml.rowblock`,
:meth:`Worksheet.patch_block`): a run of rows at a time, each run once and in order, and the
same sheet XML as patching every row's cells up front (expected rows written out by hand)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from xlpmo.io.ooxml.package import Package
from xlpmo.io.ooxml.rowblock import RUN, RowBlock
from xlpmo.io.ooxml.sheet import CLEAR, Worksheet

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PART = "xl/worksheets/sheet1.xml"


def _calls_block(n: int, cols: tuple[int, ...] = (1, 2)
                 ) -> tuple[RowBlock, list[tuple[int, int]]]:
    calls: list[tuple[int, int]] = []

    def render(start: int, stop: int) -> list[list[str | None]]:
        calls.append((start, stop))
        return [[f"{c}:{i}" for i in range(start, stop)] for c in cols]

    return RowBlock(10, n, cols, render), calls


def test_a_block_renders_a_run_at_a_time_each_once_in_order() -> None:
    n = 2 * RUN + 7
    block, calls = _calls_block(n)
    got = [list(block.cells(r)) for r in block.rows()]
    assert calls == [(0, RUN), (RUN, 2 * RUN), (2 * RUN, n)]
    assert got[0] == [(1, "1:0"), (2, "2:0")]
    assert got[-1] == [(1, f"1:{n - 1}"), (2, f"2:{n - 1}")]
    assert block.rows() == range(10, 10 + n)
    assert 10 in block and 10 + n - 1 in block and 9 not in block and 10 + n not in block


def test_a_block_outside_its_rows_or_released_refuses() -> None:
    block, _ = _calls_block(3)
    with pytest.raises(IndexError):
        block.cells(13)
    block.release()
    with pytest.raises(RuntimeError, match="released"):
        block.cells(10)
    with pytest.raises(ValueError, match="differ"):
        RowBlock(1, 1, (2, 2), lambda a, b: [])


def _sheet(tmp_path: Path, rows: str) -> Worksheet:
    src = tmp_path / "b.xlsx"
    with zipfile.ZipFile(src, "w") as z:
        z.writestr(PART, f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         f'<worksheet xmlns="{NS}"><dimension ref="A1"/>'
                         f"<sheetData>{rows}</sheetData></worksheet>")
    return Worksheet(Package(src), PART, "S")


def _rows(ws: Worksheet) -> list[str]:
    root = etree.fromstring(ws.to_bytes())
    return [etree.tostring(r).decode().replace(f' xmlns="{NS}"', "")
            for r in root.find(f"{{{NS}}}sheetData")]


def _cell(ref: str, v: int) -> str:
    return f'<c r="{ref}"><v>{v}</v></c>'


def test_blocks_and_patches_merge_by_column(tmp_path: Path) -> None:
    """Two blocks side by side (one with its columns out of order), a patch on a block cell
    (it wins), a patch beside the blocks, a cell with no value (None: no cell), a row whose
    every cell is None (left out), a hidden row: the rows the same as written by hand."""
    ws = _sheet(tmp_path, "")
    ws.patch_block(2, 3, [1, 2], lambda a, b: [[_cell(f"A{2 + i}", i) for i in range(a, b)],
                                              [None if i == 1 else _cell(f"B{2 + i}", 10 + i)
                                               for i in range(a, b)]])
    ws.patch_block(3, 2, [4, 3], lambda a, b: [[_cell(f"D{3 + i}", 40 + i) for i in range(a, b)],
                                              [_cell(f"C{3 + i}", 30 + i) for i in range(a, b)]])
    ws.patch_block(7, 2, [1], lambda a, b: [[None] * (b - a)])
    ws.patch(3, 1, _cell("A3", 99))
    ws.patch(4, 6, _cell("F4", 6))
    ws.set_row_hidden(8, True)
    ws.apply()
    assert _rows(ws) == [
        '<row r="2"><c r="A2"><v>0</v></c><c r="B2"><v>10</v></c></row>',
        '<row r="3"><c r="A3"><v>99</v></c><c r="C3"><v>30</v></c><c r="D3"><v>40</v></c></row>',
        '<row r="4"><c r="A4"><v>2</v></c><c r="B4"><v>12</v></c><c r="C4"><v>31</v></c>'
        '<c r="D4"><v>41</v></c><c r="F4"><v>6</v></c></row>',
        '<row r="8" hidden="1"/>',
    ]


def test_existing_rows_covered_or_with_kept_cells(tmp_path: Path) -> None:
    """An existing row whose cells all lie in the block keeps its attributes (not spans) and
    gets the new cells; a row with a cell beside the block keeps that cell (merged in the
    tree); a CLEAR patch on a block row keeps the cell's style; rows outside stay."""
    ws = _sheet(tmp_path,
                '<row r="1"><c r="A1" t="inlineStr"><is><t>head</t></is></c></row>'
                '<row r="2" spans="1:2" ht="20" customHeight="1">'
                '<c r="A2"><v>1</v></c><c r="B2"><v>2</v></c></row>'
                '<row r="3"><c r="A3"><v>3</v></c><c r="E3" s="2"><v>5</v></c></row>'
                '<row r="4"><c r="A4"><v>4</v></c><c r="C4" s="3"><v>6</v></c></row>')
    ws.patch_block(2, 3, [1, 2], lambda a, b: [[_cell(f"A{2 + i}", 100 + i) for i in range(a, b)],
                                              [_cell(f"B{2 + i}", 200 + i) for i in range(a, b)]])
    ws.patch(4, 3, CLEAR)
    ws.apply()
    assert _rows(ws) == [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>head</t></is></c></row>',
        '<row r="2" ht="20" customHeight="1"><c r="A2"><v>100</v></c>'
        '<c r="B2"><v>200</v></c></row>',
        '<row r="3"><c r="A3"><v>101</v></c><c r="B3"><v>201</v></c>'
        '<c r="E3" s="2"><v>5</v></c></row>',
        '<row r="4"><c r="A4"><v>102</v></c><c r="B4"><v>202</v></c><c r="C4" s="3"/></row>',
    ]


def test_a_rendering_error_comes_when_the_rows_are_written(tmp_path: Path) -> None:
    """The renderer is called when the part is serialised, not when the block is queued;
    its error reaches the caller of the serialisation."""
    def render(a: int, b: int) -> list[list[str | None]]:
        raise ValueError("cell A2: not a value")

    ws = _sheet(tmp_path, "")
    ws.patch_block(2, 1, [1], render)
    ws.apply()
    with pytest.raises(ValueError, match="cell A2"):
        ws.to_bytes()
