"""Rows the writer rewrites whole are left out of the parse: same bytes, far less memory.

:func:`xlpmo.io.writer.write_tables` announces the data rows of a table whose every column it
writes again (``announce_rewrites``), and the worksheet is parsed without them. These tests
write hand-made packages with every kind of row the left-out path must get right (extra row
attributes, namespaced attributes, cells beside the table, formulas, rows or cells without
references, empty rows, non-cell children, a totals row, a prefixed main namespace, two
tables on one sheet, rows out of order, a DTD) twice, with and without the announcement
(the whole-parse path, as the writer worked before), and require byte-identical packages or
the same refusal. A spy on the row-by-row parser checks that the cases do leave rows out.

The memory test rewrites a 20,000-row table in a child process and bounds the growth of
its peak resident memory by ten times the sheet's XML (measured ~5; the whole parse ~26).
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xlpmo.errors import XlpmoError
from xlpmo.io import writer
from xlpmo.io.a1 import CellRange
from xlpmo.io.ooxml import leftout
from xlpmo.io.ooxml import sheet as sheet_module
from xlpmo.io.writer import write_tables

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

STYLES = (
    f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" '
    'formatCode="#,##0.00"/></numFmts><fonts count="1"><font><sz val="11"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" '
    'fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" '
    'fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" '
    'borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="14" fontId="0" fillId="0" '
    'borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>'
)


@dataclass
class Table:
    name: str
    ref: str
    columns: tuple[str, ...]
    totals: bool = False


def package(path: Path, sheet_xml: str, tables: list[Table], *, calc_chain: bool = False) -> Path:
    """A minimal xlsx: one worksheet ``Data`` (``sheet_xml`` as given) holding ``tables``."""
    overrides = [("/xl/workbook.xml", f"{CT}.sheet.main+xml"),
                 ("/xl/worksheets/sheet1.xml", f"{CT}.worksheet+xml"),
                 ("/xl/styles.xml", f"{CT}.styles+xml")]
    overrides += [(f"/xl/tables/table{i}.xml", f"{CT}.table+xml")
                  for i in range(1, len(tables) + 1)]
    wb_rels = [("rId1", "worksheet", "worksheets/sheet1.xml"), ("rId2", "styles", "styles.xml")]
    if calc_chain:
        overrides.append(("/xl/calcChain.xml", f"{CT}.calcChain+xml"))
        wb_rels.append(("rId3", "calcChain", "calcChain.xml"))
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
            + "</Types>"),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Data" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG_REL}">'
            + "".join(f'<Relationship Id="{i}" Type="{REL}/{t}" Target="{p}"/>'
                      for i, t, p in wb_rels)
            + "</Relationships>"),
        "xl/styles.xml": STYLES,
        "xl/worksheets/sheet1.xml": sheet_xml,
        "xl/worksheets/_rels/sheet1.xml.rels": (
            f'<Relationships xmlns="{PKG_REL}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{REL}/table" '
                      f'Target="../tables/table{i}.xml"/>' for i in range(1, len(tables) + 1))
            + "</Relationships>"),
    }
    if calc_chain:
        parts["xl/calcChain.xml"] = f'<calcChain xmlns="{MAIN}"><c r="D3" i="1"/></calcChain>'
    for i, t in enumerate(tables, 1):
        rng = CellRange.parse(t.ref)
        body = str(CellRange(rng.r1, rng.c1, rng.r2 - t.totals, rng.c2))
        cols = "".join(f'<tableColumn id="{k}" name="{c}"/>' for k, c in enumerate(t.columns, 1))
        totals = ' totalsRowCount="1"' if t.totals else ""
        parts[f"xl/tables/table{i}.xml"] = (
            f'<table xmlns="{MAIN}" id="{i}" name="{t.name}" displayName="{t.name}" '
            f'ref="{t.ref}"{totals}><autoFilter ref="{body}"/><tableColumns '
            f'count="{len(t.columns)}">{cols}</tableColumns><tableStyleInfo '
            'name="TableStyleMedium2" showRowStripes="1"/></table>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' + text)
    return path


def worksheet(rows: str, *, prefix: str = "", extra: str = "", tables: int = 1,
              head: str = "") -> str:
    """A worksheet part around ``rows`` (``prefix``: write the main namespace as ``x:``)."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    parts = "".join(f'<{p}tablePart r:id="rId{i}"/>' for i in range(1, tables + 1))
    return (f'{head}<{p}worksheet {xmlns} xmlns:r="{REL}" xmlns:x14ac="{X14AC}">'
            f'<{p}dimension ref="A1:C9"/><{p}sheetData>{rows}</{p}sheetData>{extra}'
            f'<{p}tableParts count="{tables}">{parts}</{p}tableParts></{p}worksheet>')


def cells(r: int, p: str = "", cols: str = "ABC", style: bool = True) -> str:
    out = []
    for k, col in enumerate(cols):
        s = ' s="1"' if style and k else ""
        if k == 0:
            out.append(f'<{p}c r="{col}{r}" t="inlineStr"><{p}is><{p}t>n{r}</{p}t></{p}is>'
                       f"</{p}c>")
        else:
            out.append(f'<{p}c r="{col}{r}"{s}><{p}v>{r * 10 + k}</{p}v></{p}c>')
    return "".join(out)


def header(p: str = "", names: tuple[str, ...] = ("Name", "Amount", "Other")) -> str:
    return (f'<{p}row r="1">' + "".join(
        f'<{p}c r="{chr(65 + k)}1" t="inlineStr"><{p}is><{p}t>{n}</{p}t></{p}is></{p}c>'
        for k, n in enumerate(names)) + f"</{p}row>")


def data_rows(first: int, last: int, p: str = "", attrs: str = ' spans="1:3"') -> str:
    return "".join(f'<{p}row r="{r}"{attrs}>{cells(r, p)}</{p}row>'
                   for r in range(first, last + 1))


ABC = ("Name", "Amount", "Other")
T9 = [Table("tblA", "A1:C9", ABC)]


def _case_plain() -> tuple[str, list[Table]]:
    return worksheet(header() + data_rows(2, 9)), T9


def _case_row_attributes() -> tuple[str, list[Table]]:
    hidden = ' hidden="1"'
    rows = header() + "".join(
        f'<row r="{r}" spans="1:3" ht="20.25" customHeight="1" x14ac:dyDescent="0.25"'
        f'{hidden if r == 5 else ""}>{cells(r)}</row>' for r in range(2, 10))
    return worksheet(rows), T9


def _case_cells_beside() -> tuple[str, list[Table]]:
    def note(r: int) -> str:
        return f'<c r="E{r}"><v>7</v></c>' if r in (4, 8) else ""

    rows = header() + "".join(f'<row r="{r}">{cells(r)}{note(r)}</row>' for r in range(2, 10))
    return worksheet(rows), T9


def _case_formula() -> tuple[str, list[Table]]:
    rows = header() + data_rows(2, 5) + (
        '<row r="6"><c r="A6" t="inlineStr"><is><t>f</t></is></c><c r="B6"><f>1+1</f>'
        '<v>2</v></c><c r="C6"><v>1</v></c></row>') + data_rows(7, 9)
    return worksheet(rows), T9


def _case_no_references() -> tuple[str, list[Table]]:
    def unreferenced(r: int) -> str:
        return cells(r).replace(f' r="A{r}"', "")

    rows = header() + data_rows(2, 4) + "".join(
        f"<row>{unreferenced(r)}</row>" for r in (5, 6)) + data_rows(7, 9)
    return worksheet(rows), T9


def _case_empty_and_odd_rows() -> tuple[str, list[Table]]:
    rows = (header() + data_rows(2, 3) + '<row r="4"/>' + '<row r="5"></row>'
            + f'<row r="6">{cells(6)}<extLst><ext uri="{{X}}"/></extLst></row>'
            + '<row r="7"><c r="B7" s="1"/></row>' + data_rows(8, 9))
    return worksheet(rows), T9


def _case_totals() -> tuple[str, list[Table]]:
    rows = header() + data_rows(2, 8) + (
        '<row r="9"><c r="A9" t="inlineStr"><is><t>Total</t></is></c><c r="B9" s="1">'
        "<f>SUBTOTAL(109,tblA[Amount])</f><v>0</v></c></row>")
    return worksheet(rows), [Table("tblA", "A1:C9", ABC, totals=True)]


def _case_prefixed() -> tuple[str, list[Table]]:
    return worksheet(header("x:") + data_rows(2, 9, "x:"), prefix="x"), T9


def _case_two_tables_side_by_side() -> tuple[str, list[Table]]:
    first = header()[len('<row r="1">'):-len("</row>")]
    rows = "".join(
        f'<row r="{r}">{cells(r) if r > 1 else first}'
        f'<c r="E{r}"><v>{r}</v></c><c r="F{r}"><v>{r}</v></c></row>'
        for r in range(1, 10))
    return worksheet(rows, tables=2), [*T9, Table("tblB", "E1:F9", ("X", "Y"))]


def _case_two_tables_stacked() -> tuple[str, list[Table]]:
    rows = header() + data_rows(2, 5) + data_rows(7, 9)
    rows = rows.replace('<row r="7" spans="1:3">' + cells(7),
                        '<row r="7" spans="1:3">' + header()[len('<row r="1">'):-6]
                        .replace("1<", "7<").replace('1"', '7"'))
    return worksheet(rows, tables=2), [Table("tblA", "A1:C5", ABC), Table("tblB", "A7:C9", ABC)]


def _case_out_of_order() -> tuple[str, list[Table]]:
    rows = header() + data_rows(2, 4) + data_rows(7, 7) + data_rows(5, 6) + data_rows(8, 9)
    return worksheet(rows), T9


def _case_shared_formula() -> tuple[str, list[Table]]:
    rows = header() + data_rows(2, 4) + (
        '<row r="5"><c r="A5" t="inlineStr"><is><t>s</t></is></c><c r="B5"><f t="shared" '
        'ref="B5:B12" si="0">1+1</f><v>2</v></c><c r="C5"><v>1</v></c></row>') + data_rows(6, 9)
    return worksheet(rows), T9


def _case_user_column() -> tuple[str, list[Table]]:
    return worksheet(header() + data_rows(2, 9)), T9  # written with a DataFrame lacking Other


def _case_dtd() -> tuple[str, list[Table]]:
    return worksheet(header() + data_rows(2, 9), head="<!DOCTYPE worksheet []>"), T9


CASES = {name[len("_case_"):]: fn for name, fn in globals().items()
         if name.startswith("_case_")}
LEAVES_ROWS_OUT = {"plain", "row_attributes", "cells_beside", "formula", "no_references",
                   "empty_and_odd_rows", "totals", "prefixed", "two_tables_stacked"}


def frame(n: int, columns: tuple[str, ...] = ABC, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    out: dict[str, object] = {}
    for k, c in enumerate(columns):
        if k == 0:
            out[c] = [f"row & <{i}>" if i % 5 else None for i in range(n)]
        else:
            vals = np.round(rng.normal(100, 30, n), 3)
            vals[::4] = np.nan
            out[c] = vals
    return pd.DataFrame(out)


def _write(src: Path, dst: Path, tables: dict[str, pd.DataFrame], announce: bool,
           monkeypatch: pytest.MonkeyPatch) -> bytes | str:
    """The written package's parts (as one blob), or the refusal's message."""
    with monkeypatch.context() as m:
        if not announce:
            m.setattr(writer, "announce_rewrites", lambda *args: None)
        try:
            write_tables(src, dst, tables)
        except XlpmoError as exc:
            return str(exc)
    with zipfile.ZipFile(dst) as z:
        return b"".join(i.filename.encode() + b"\0" + z.read(i) + b"\0" for i in z.infolist())


def _spy(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    """Counts the rows ``module.<name>`` leaves out (a spy: the real parser runs)."""
    counts: list[int] = []
    real = getattr(module, name)

    def spy(data: bytes, part: str, blocks: object) -> object:
        result = real(data, part, blocks)
        counts.append(len(result[1]) if result is not None else 0)
        return result

    monkeypatch.setattr(module, name, spy)
    return counts


@pytest.fixture
def left_out(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the rows left out of the parse, by the byte scan or by lxml row by row."""
    return _spy(monkeypatch, sheet_module, "parse_rewriting")


# cases whose rows the byte scan finds itself; the others fall back to lxml row by row:
# rows without references, an extLst in a rewritten row (rows 3..4 only at n=3), nothing
# announced (user_column), XML the scan does not follow (prefixed, DTD, out of order)
SCANNED = {"plain", "row_attributes", "cells_beside", "formula", "shared_formula", "totals",
           "two_tables_stacked"}
SCANNED_AT = {("empty_and_odd_rows", 3)}


@pytest.mark.parametrize("n", [3, 8, 12])  # shrink, same size, grow
@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("scan", [True, False], ids=["scan", "lxml"])
def test_leaving_rows_out_writes_the_same_bytes(case: str, n: int, scan: bool, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                left_out: list[int]) -> None:
    """Byte scan or lxml row by row (the scan switched off), the bytes are the whole
    parse's."""
    if not scan:
        monkeypatch.setattr(leftout, "parse_scanned", lambda *args: None)
    scanned = _spy(monkeypatch, leftout, "parse_scanned")
    sheet_xml, tables = CASES[case]()
    src = package(tmp_path / "src.xlsx", sheet_xml, tables, calc_chain=case == "formula")
    todo = {}
    for k, t in enumerate(tables):
        columns = t.columns if case != "user_column" else t.columns[:2]
        todo[t.name] = frame(n if k == 0 else 2, columns, seed=k)
    whole = _write(src, tmp_path / "whole.xlsx", todo, False, monkeypatch)
    assert not left_out  # the whole-parse path never calls the row-by-row parser
    fast = _write(src, tmp_path / "fast.xlsx", todo, True, monkeypatch)
    assert fast == whole, case
    if case in LEAVES_ROWS_OUT:
        assert sum(left_out) > 0, case
    assert (sum(scanned) > 0) == (scan and (case in SCANNED or (case, n) in SCANNED_AT)), case
    refused = case == "dtd" or (case, n) in {
        ("shared_formula", 3), ("shared_formula", 8),  # B5:B12 reaches below the table
        ("two_tables_stacked", 8), ("two_tables_stacked", 12)}  # tblA grows into tblB
    assert isinstance(fast, str if refused else bytes), fast  # refusals: in the same words


def test_a_refresh_leaves_the_output_rows_out(tmp_path: Path, left_out: list[int]) -> None:
    """Rewriting a table leaves out every data row but the first (its styles are the base
    styles) and those that leave the table; the cells read back are the new ones."""
    from helpers.ooxml import read_table_calamine, tables_in_zip

    src = package(tmp_path / "src.xlsx", worksheet(header() + data_rows(2, 9)), T9)
    df = frame(5)
    write_tables(src, tmp_path / "out.xlsx", {"tblA": df})
    assert left_out == [4]  # rows 3..6 of 2..9: row 2 is parsed, rows 7..9 leave the table
    info = tables_in_zip(tmp_path / "out.xlsx")["tbla"]
    assert info.ref == "A1:C6"
    grid = read_table_calamine(tmp_path / "out.xlsx", info)
    assert [r[0] for r in grid[1:]] == ["" if pd.isna(v) else v for v in df["Name"]]
    assert [r[1] for r in grid[1:]] == ["" if pd.isna(v) else v for v in df["Amount"]]


_CHILD = r"""
import json, sys
from pathlib import Path
import numpy as np, pandas as pd
from xlpmo.io.writer import write_tables
src, dst, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(1)
df = pd.DataFrame({"Name": [f"P{i:05d}" for i in range(n)],
                   **{f"V{k}": rng.normal(1e4, 3e3, n) for k in range(10)}})
def status():
    d = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return int(d["VmRSS"].split()[0]) * 1024, int(d["VmHWM"].split()[0]) * 1024
if sys.argv[4] == "build":
    write_tables(src, dst, {"tblA": df})
else:
    import gc; gc.collect()
    open("/proc/self/clear_refs", "w").write("5")  # restart the peak from here
    before, _ = status()
    write_tables(src, dst, {"tblA": df.iloc[::-1].reset_index(drop=True)})
    print(json.dumps({"before": before, "peak": status()[1]}))
"""


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
def test_rewriting_a_big_table_does_not_parse_its_rows(tmp_path: Path) -> None:
    """Peak memory of rewriting a 20,000-row table, in a child process: the growth stays
    within ten times the sheet's XML (the whole tree of the old rows took ~26 times)."""
    n = 20_000
    cols = ("Name", *(f"V{k}" for k in range(10)))
    src = package(tmp_path / "src.xlsx", worksheet(
        '<row r="1">' + "".join(f'<c r="{chr(65 + k)}1" t="inlineStr"><is><t>{c}</t></is></c>'
                                for k, c in enumerate(cols)) + '</row><row r="2"/>'),
        [Table("tblA", "A1:K2", cols)])
    built = tmp_path / "built.xlsx"
    run = [sys.executable, "-c", _CHILD]
    subprocess.run([*run, str(src), str(built), str(n), "build"], check=True)
    with zipfile.ZipFile(built) as z:
        xml_size = z.getinfo("xl/worksheets/sheet1.xml").file_size
    done = subprocess.run([*run, str(built), str(tmp_path / "again.xlsx"), str(n), "rewrite"],
                          check=True, capture_output=True, text=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    growth = figures["peak"] - figures["before"]
    # measured: ~5 times the XML (the rendered rows); the whole parse took ~26 times
    assert growth < 10 * xml_size, (growth / 2**20, xml_size / 2**20)
