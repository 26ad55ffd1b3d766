"""Helpers shared by the writer tests (no tests here).

They inspect packages with the standard library only (zipfile + xml.etree), independently
of xlpmo's own OOXML code, so a bug there cannot hide itself.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import posixpath
import struct
import warnings
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import tables as contract
from xlpmo.errors import XLError

REL_TYPES = ("worksheet", "table", "officeDocument", "styles", "calcChain")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in z.namelist():
        return {}
    out = {}
    for rel in ET.fromstring(z.read(rels)):
        if rel.get("TargetMode") == "External":
            continue
        out[rel.get("Id")] = (rel.get("Type").rsplit("/", 1)[-1], _resolve(part, rel.get("Target")))
    return out


@dataclass
class TableInfo:
    name: str
    sheet: str
    sheet_part: str
    part: str
    ref: str
    autofilter: str | None
    totals: int
    columns: list[str]


def workbook_part(z: zipfile.ZipFile) -> str:
    return next(t for kind, t in _rels(z, "").values() if kind == "officeDocument")


def sheets_in_zip(path: Path) -> dict[str, tuple[str, str]]:
    """sheet name -> (relationship type suffix, part)."""
    with zipfile.ZipFile(path) as z:
        wb = workbook_part(z)
        rels = _rels(z, wb)
        root = ET.fromstring(z.read(wb))
        out = {}
        for el in root.iter():
            if _local(el.tag) == "sheet":
                rid = next(v for k, v in el.attrib.items() if _local(k) == "id")
                out[el.get("name")] = rels.get(rid, ("missing", ""))
        return out


def app_part_if_sheets_added(before: Path, after: Path) -> set[str]:
    """The extended-properties part (docProps/app.xml), which lists the sheet names, when
    ``after`` has sheets ``before`` lacks (the writer adds their names), else nothing."""
    if set(sheets_in_zip(after)) <= set(sheets_in_zip(before)):
        return set()
    with zipfile.ZipFile(after) as z:
        return {part for kind, part in _rels(z, "").values()
                if kind in ("extended-properties", "extendedProperties")}


def tables_in_zip(path: Path) -> dict[str, TableInfo]:
    """Every Excel Table of the package, found through the relationships."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for sheet, (kind, part) in sheets_in_zip(path).items():
            if kind != "worksheet":
                continue
            for tkind, tpart in _rels(z, part).values():
                if tkind != "table":
                    continue
                root = ET.fromstring(z.read(tpart))
                filt = next((e for e in root if _local(e.tag) == "autoFilter"), None)
                cols = [e.get("name") for e in root.iter() if _local(e.tag) == "tableColumn"]
                out[root.get("displayName").lower()] = TableInfo(
                    root.get("displayName"), sheet, part, tpart, root.get("ref"),
                    filt.get("ref") if filt is not None else None,
                    int(root.get("totalsRowCount", "0")), cols,
                )
    return out


class Unseekable(io.RawIOBase):
    """A write-only stream zipfile cannot seek in: it writes data descriptors, as
    streaming writers (Java, POI's SXSSF, web exports) do."""

    def __init__(self) -> None:
        self.buf = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: bytes) -> int:  # type: ignore[override]
        self.buf += b
        return len(b)


def zip_entries(path: Path) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as z:
        return z.infolist()


def zip_contents(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def raw_entry(path: Path, info: zipfile.ZipInfo) -> bytes:
    """The compressed bytes of one entry as stored."""
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        header = fh.read(30)
        n, m = struct.unpack("<HH", header[26:30])
        fh.seek(info.header_offset + 30 + n + m)
        return fh.read(info.compress_size)


def parse_ref(ref: str) -> tuple[int, int, int, int]:
    """``"B3:D9"`` -> (r1, c1, r2, c2), 1-based."""
    def one(a: str) -> tuple[int, int]:
        letters = "".join(ch for ch in a if ch.isalpha())
        col = 0
        for ch in letters.upper():
            col = col * 26 + ord(ch) - 64
        return int(a[len(letters):]), col

    first, _, last = ref.partition(":")
    r1, c1 = one(first)
    r2, c2 = one(last or first)
    return r1, c1, r2, c2


def openpyxl_bytes(path: Path) -> io.BytesIO:
    """The file for openpyxl: an add-in's main part gets the .xlsm content type (openpyxl
    refuses .xlam by content type although the parts are the same)."""
    data = path.read_bytes()
    if path.suffix.lower() != ".xlam":
        return io.BytesIO(data)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "[Content_Types].xml":
                body = body.replace(b"application/vnd.ms-excel.addin.macroEnabled.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            z.writestr(info, body)
    out.seek(0)
    return out


def load_openpyxl(path: Path, read_only: bool = False) -> Any:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(openpyxl_bytes(path), read_only=read_only)


def is_strict(path: Path) -> bool:
    with zipfile.ZipFile(path) as z:
        return b"purl.oclc.org/ooxml/spreadsheetml/main" in z.read(workbook_part(z))[:2000]


# -- test data ------------------------------------------------------------------------------


def frame(spec: contract.TableSpec, n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` rows for a contract table, with every kind of value its kinds allow
    (errors in index/fraction columns, text that looks like formulas, blanks)."""
    rng = np.random.default_rng(seed)
    cols: dict[str, Any] = {}
    for k, col in enumerate(spec.columns):
        i = np.arange(n)
        kind = col.kind
        if kind == "id":
            cols[col.name] = [f"P{seed}-{j:03d}" for j in i]
        elif kind == "text":
            words = ["Green", "=SUM(A1:A3)", "+41 20", "-dash", "@home", "plain text", "", "Amber"]
            cols[col.name] = [words[(j + k) % len(words)] for j in i]
        elif kind in ("money", "hours", "number", "periods"):
            vals = np.round(rng.normal(1000, 400, n), 2)
            vals[i % 7 == 3] = np.nan
            cols[col.name] = vals
        elif kind in ("fraction", "index"):
            vals = [float(x) for x in np.round(rng.uniform(0.5, 1.5, n), 6)]
            out: list[Any] = list(vals)
            for j in i:
                if j % 5 == 1:
                    out[j] = XLError.DIV0
                elif j % 5 == 2:
                    out[j] = XLError.NA
            cols[col.name] = pd.Series(out, dtype=object)
        elif kind == "date":
            dates = pd.Series(pd.date_range("2026-01-15", periods=n, freq="17D"))
            dates[i % 6 == 5] = pd.NaT
            cols[col.name] = dates
        elif kind == "period":
            cols[col.name] = pd.date_range("2025-11-01", periods=n, freq="MS")
        elif kind == "timestamp":
            cols[col.name] = pd.date_range("2026-11-28 09:15", periods=n, freq="37min")
        elif kind == "bool":
            cols[col.name] = (i % 3 == 0)
        else:
            raise AssertionError(kind)
    return pd.DataFrame(cols, index=range(n))


EXPECTED_FORMATS = {  # the template's formats (workbook/README.md)
    "money": "#,##0;[Red]-#,##0", "hours": "#,##0.00", "number": "0.00", "fraction": "0.0%",
    "index": "0.00", "periods": "0.00", "date": "d mmm yyyy", "period": "mmm yyyy",
    "timestamp": "yyyy-mm-dd hh:mm",
}


def same_value(expected: Any, got: Any, *, errors_readable: bool = True) -> bool:
    """Does a value read back (openpyxl or calamine) equal what was written?"""
    if expected is None or expected is pd.NaT or (isinstance(expected, float) and
                                                  math.isnan(expected)):
        return got in (None, "")
    if isinstance(expected, XLError):
        return got == expected.value if errors_readable else got in ("", expected.value)
    if isinstance(expected, bool | np.bool_):
        return got is True if expected else got is False
    if isinstance(expected, pd.Timestamp | dt.datetime | dt.date):
        if isinstance(got, dt.date) and not isinstance(got, dt.datetime):
            got = dt.datetime(got.year, got.month, got.day)
        if not isinstance(got, dt.datetime):
            return False
        return abs(pd.Timestamp(got) - pd.Timestamp(expected)) < pd.Timedelta(milliseconds=1)
    if isinstance(expected, int | float | np.integer | np.floating):
        return isinstance(got, int | float) and not isinstance(got, bool) and \
            float(got) == float(expected)
    if isinstance(expected, str):
        return got == expected or (expected == "" and got is None)
    raise AssertionError(f"unexpected test value {expected!r}")


def read_table_openpyxl(wb: Any, info: TableInfo) -> list[list[Any]]:
    """Values of a table's range (works on read-only workbooks too)."""
    ws = wb[info.sheet]
    r1, c1, r2, c2 = parse_ref(info.ref)
    rows = [list(r) for r in ws.iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2,
                                          values_only=True)]
    return rows + [[None] * (c2 - c1 + 1)] * (r2 - r1 + 1 - len(rows))


def sheet_values(path: Path, sheet: str) -> list[list[Any]] | None:
    """All values of a sheet from A1 (calamine; openpyxl when calamine cannot read the
    file, e.g. with Excel 4 macro sheets); None when there is no such sheet."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except CalamineError:
        book = load_openpyxl(path, read_only=True)
        if sheet not in book.sheetnames:
            return None
        return [list(r) for r in book[sheet].iter_rows(values_only=True)]
    if sheet not in wb.sheet_names:
        return None
    return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def read_table_calamine(path: Path, info: TableInfo) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(info.sheet).to_python(
        skip_empty_area=False)
    r1, c1, r2, c2 = parse_ref(info.ref)

    def at(r: int, c: int) -> Any:
        if r - 1 < len(rows) and c - 1 < len(rows[r - 1]):
            return rows[r - 1][c - 1]
        return ""

    return [[at(r, c) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]


def mismatches(df: pd.DataFrame, grid: list[list[Any]], header: bool = True,
               errors_readable: bool = True) -> list[str]:
    """Differences between a DataFrame and the cells read from its table range."""
    bad = []
    columns = [str(c) for c in df.columns]
    if header and [str(v) for v in grid[0][: len(columns)]] != columns:
        bad.append(f"header {grid[0]} != {columns}")
    body = grid[1:] if header else grid
    for i, row in enumerate(df.itertuples(index=False)):
        for j, value in enumerate(row):
            got = body[i][j] if i < len(body) and j < len(body[i]) else "<missing>"
            if not same_value(value, got, errors_readable=errors_readable):
                bad.append(f"row {i + 1} {columns[j]}: wrote {value!r}, read {got!r}")
    return bad
