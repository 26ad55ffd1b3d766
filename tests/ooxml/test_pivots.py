"""Pivot tables over tables the writer rewrites refresh when the workbook opens (issue #11
item 3): their caches get ``refreshOnLoad="1"``, a cell-range source that covered the table
exactly grows with it, and every other cache stays byte for byte.

The workbook is a real Excel file from the corpus (ClosedXML's test resources) with eight
pivot caches, each over an Excel Table by name; seven of them were saved with
refreshOnLoad, which the tests take out (Excel's default is off)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from helpers.ooxml import tables_in_zip, zip_contents
from helpers.paths import CORPUS
from helpers.roundtrip import check_step

from xlpmo.io.writer import write_tables

BOOK = CORPUS / ("ClosedXML__ClosedXML.Tests_Resource_TryToLoad_"
                 "TemplateWithTableSourcePivotTables.xlsx")
pytestmark = pytest.mark.skipif(not BOOK.exists(), reason="shared/corpus not available")


def caches(path: Path) -> dict[str, ET.Element]:
    """Pivot cache definition part -> its root element."""
    with zipfile.ZipFile(path) as z:
        return {n: ET.fromstring(z.read(n)) for n in z.namelist()
                if re.fullmatch(r"xl/pivotCache/pivotCacheDefinition\d+\.xml", n)}


def source(root: ET.Element) -> dict[str, str]:
    found = root.find(".//{*}worksheetSource")
    assert found is not None
    return found.attrib


def frame(path: Path, table: str, rows: int) -> pd.DataFrame:
    columns = tables_in_zip(path)[table.lower()].columns
    return pd.DataFrame({c: [f"{c} {i}" for i in range(rows)] for c in columns})


def edit_sources(src: Path, dst: Path, changes: dict[str, str]) -> None:
    """Copy ``src`` without refreshOnLoad on its caches, with ``<worksheetSource
    name="X"/>`` replaced as ``changes`` says."""
    with zipfile.ZipFile(src) as z:
        entries = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(dst, "w") as z:
        for info, data in entries:
            if info.filename.startswith("xl/pivotCache/pivotCacheDefinition"):
                data = data.replace(b' refreshOnLoad="1"', b"")
            for name, new in changes.items():
                data = data.replace(f'<worksheetSource name="{name}"/>'.encode(), new.encode())
            z.writestr(info, data)


def test_caches_over_written_tables_refresh_on_open(tmp_path: Path) -> None:
    src = tmp_path / "in.xlsx"
    edit_sources(BOOK, src, {})
    written = {"StressedHedges": frame(src, "StressedHedges", 3)}
    report = write_tables(src, tmp_path / "out.xlsx", written)
    before, after = caches(src), caches(tmp_path / "out.xlsx")
    assert not [r for r in before.values() if r.get("refreshOnLoad")]
    marked = {p for p, root in after.items() if root.get("refreshOnLoad") == "1"}
    assert {source(after[p])["name"] for p in marked} == {"StressedHedges"}
    old, new = zip_contents(src), zip_contents(tmp_path / "out.xlsx")
    for part in set(before) - marked:
        assert new[part] == old[part], part  # the other caches: byte for byte
    assert [f.part for f in report.followed if f.where == "pivot cache source"] == \
        sorted(marked)
    check_step(src, tmp_path / "out.xlsx", report, written)  # opens in openpyxl, pivots too


def test_a_range_source_covering_a_table_grows_with_it(tmp_path: Path) -> None:
    """A cache over StressedHedges!A1:P2 (exactly the table) follows it to A1:P4 and is
    refreshed on open; one over HedgeResults!A1:C2 (part of a table) is left alone."""
    src = tmp_path / "in.xlsx"
    edit_sources(BOOK, src, {
        "StressedHedges": '<worksheetSource ref="A1:P2" sheet="StressedHedges"/>',
        "HedgeResults": '<worksheetSource ref="A1:C2" sheet="HedgeResults"/>'})
    report = write_tables(src, tmp_path / "out.xlsx", {
        "StressedHedges": frame(src, "StressedHedges", 3),
        "HedgeResults": frame(src, "HedgeResults", 2)})
    after = caches(tmp_path / "out.xlsx")
    by_sheet = {source(r).get("sheet"): (p, r) for p, r in after.items()}
    part, root = by_sheet["StressedHedges"]
    assert source(root)["ref"] == "A1:P4" and root.get("refreshOnLoad") == "1"
    part, root = by_sheet["HedgeResults"]
    assert source(root)["ref"] == "A1:C2" and root.get("refreshOnLoad") is None
    assert zip_contents(tmp_path / "out.xlsx")[part] == zip_contents(src)[part]
    [f] = [f for f in report.followed if f.where == "pivot cache source"]
    assert (f.old, f.new, f.table) == ("StressedHedges!A1:P2", "StressedHedges!A1:P4",
                                       "StressedHedges")


def test_a_cache_over_a_table_an_edit_grows_follows_it(tmp_path: Path) -> None:
    """Rows a command adds to a table (Import actuals into tblActuals) are in the pivot
    over it: its range source A1:P2 becomes A1:P4 and it refreshes on open."""
    from xlpmo.io.changes import TableEdit

    src = tmp_path / "in.xlsx"
    edit_sources(BOOK, src, {
        "StressedHedges": '<worksheetSource ref="A1:P2" sheet="StressedHedges"/>'})
    first = tables_in_zip(src)["stressedhedges"].columns[0]
    edit = TableEdit("StressedHedges", rows=[{first: "added 1"}, {first: "added 2"}])
    report = write_tables(src, tmp_path / "out.xlsx", {}, edits=[edit])
    after = caches(tmp_path / "out.xlsx")
    [root] = [r for r in after.values() if source(r).get("sheet") == "StressedHedges"]
    assert source(root)["ref"] == "A1:P4" and root.get("refreshOnLoad") == "1"
    assert [(f.old, f.new) for f in report.followed if f.where == "pivot cache source"] == [
        ("StressedHedges!A1:P2", "StressedHedges!A1:P4")]
