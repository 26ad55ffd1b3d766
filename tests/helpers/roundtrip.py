"""The checks of one package-level write: only our parts rewritten, everything else
byte-identical, tables readable (shared by the corpus, writer and follow tests)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.ooxml import (
    app_part_if_sheets_added,
    is_strict,
    load_openpyxl,
    mismatches,
    parse_ref,
    raw_entry,
    read_table_calamine,
    read_table_openpyxl,
    sheet_values,
    tables_in_zip,
    zip_contents,
    zip_entries,
)
from xlpmo.io.writer import WriteReport


def _rels_name(part: str) -> str:
    return f"{Path(part).parent.as_posix()}/_rels/{Path(part).name}.rels"


def _allowed_rewrites(after: Path, written: list[str]) -> set[str]:
    with zipfile.ZipFile(after) as z:
        from helpers.ooxml import _rels, workbook_part

        wb = workbook_part(z)
        rels = _rels(z, wb)
    allowed = {"[Content_Types].xml", wb, _rels_name(wb)}
    allowed |= {part for kind, part in rels.values() if kind == "styles"}
    tables = tables_in_zip(after)
    for name in written:
        info = tables[name.lower()]
        allowed |= {info.sheet_part, info.part, _rels_name(info.sheet_part)}
    return allowed


def check_step(before: Path, after: Path, report: WriteReport,
               written: dict[str, pd.DataFrame], full_load: bool = True,
               also_written: tuple[str, ...] = ()) -> dict[str, Any]:
    """All the assertions of one write; returns counts for the summary.

    ``full_load``: open with openpyxl's full ``load_workbook`` (slow on big files), else
    read values through its read-only mode. ``also_written``: tables the write changed
    without a DataFrame to compare with (the tblConfig stamp).
    """
    old_entries = zip_entries(before)
    new_entries = {i.filename: i for i in zip_entries(after)}
    old_data, new_data = zip_contents(before), zip_contents(after)
    rewritten, removed = set(report.rewritten), set(report.removed)

    # 1. only documented parts rewritten; only calcChain removed
    charts = {f.part for f in report.followed if f.where.startswith("chart ")}
    pivots = {f.part for f in report.followed if f.where.startswith("pivot cache")}
    allowed = (_allowed_rewrites(after, [*written, *also_written]) | charts | pivots
               | app_part_if_sheets_added(before, after))
    assert rewritten <= allowed, rewritten
    assert charts <= rewritten
    for part in charts:
        _check_followed_chart(old_data[part], new_data[part], report)
    assert all(Path(p).name.lower() == "calcchain.xml" for p in removed), removed
    # 2. everything else identical: content, stored bytes, compression, order
    kept = [i for i in old_entries if i.filename not in removed]
    for info in kept:
        assert info.filename in new_entries, f"{info.filename} lost"
        if info.filename in rewritten:
            continue
        new = new_entries[info.filename]
        assert new_data[info.filename] == old_data[info.filename], info.filename
        assert new.compress_type == info.compress_type
        assert raw_entry(after, new) == raw_entry(before, info), info.filename
    order = [n for n in new_entries if n in {i.filename for i in kept}]
    assert order == [i.filename for i in kept]
    assert [n for n in new_entries if n not in old_data] == report.added
    # 3. sound zip that openpyxl opens
    with zipfile.ZipFile(after) as z:
        assert z.testzip() is None
    wb = load_openpyxl(after, read_only=not full_load)
    strict = is_strict(after)
    # 4. tables: refs and values
    tables_before, tables_after = tables_in_zip(before), tables_in_zip(after)
    for name, df in written.items():
        info = tables_after[name.lower()]
        r1, c1, r2, c2 = parse_ref(info.ref)
        data_rows = max(len(df), 1)
        assert r2 - r1 + 1 == 1 + data_rows + info.totals, (name, info.ref, len(df))
        assert c2 - c1 + 1 >= len(df.columns)
        if info.autofilter is not None:
            assert parse_ref(info.autofilter) == (r1, c1, r2 - info.totals, c2)
        old = tables_before.get(name.lower())
        if old is not None:
            assert parse_ref(old.ref)[:2] == (r1, c1), "a rewritten table must not move"
        else:
            assert c1 == 1
            assert _was_empty(before, info.sheet, (max(r1 - 1, 1), c1, r2, c2)), \
                f"{name} placed over content at {info.ref}"
        cols = [info.columns.index(c) for c in df.columns]
        grid = read_table_calamine(after, info) if strict else read_table_openpyxl(wb, info)
        grid = [[row[j] for j in cols] for row in grid]
        if old is not None and b"sortState" in old_data[old.part]:
            grid = _in_frame_order(df, grid, errors_readable=not strict)  # re-sorted rows
        bad = mismatches(df, grid, errors_readable=not strict)
        assert not bad, f"{name}: {bad[:5]}"
    return {"kept": len(kept) - len(rewritten & {i.filename for i in kept}),
            "rewritten": len(rewritten), "added": len(report.added), "removed": len(removed)}


def _in_frame_order(df: pd.DataFrame, grid: list[list[Any]], errors_readable: bool
                    ) -> list[list[Any]]:
    """The grid's data rows matched one to one to the DataFrame's rows (a table with a
    sort state gets its rows in the sort's order); unmatched rows stay at the end."""
    body, used, out = grid[1:], set(), [grid[0]]
    for i in range(len(df)):
        one = df.iloc[i:i + 1]
        for k, row in enumerate(body):
            if k not in used and not mismatches(one, [grid[0], row],
                                                errors_readable=errors_readable):
                used.add(k)
                out.append(row)
                break
    return out + [row for k, row in enumerate(body) if k not in used]


def _check_followed_chart(before: bytes, after: bytes, report: WriteReport) -> None:
    """The chart changed only in the references the report lists (and their caches)."""
    from lxml import etree

    changes = {f.old: f.new for f in report.followed if f.where.startswith("chart ")}
    tree = etree.fromstring(before)
    for f in list(tree.iter("{*}f")):
        if f.text in changes and etree.QName(f.getparent()).localname in (
                "numRef", "strRef", "multiLvlStrRef", "datalabelsRange"):
            f.text = changes[f.text]
            for sibling in list(f.getparent()):
                if etree.QName(sibling).localname in (
                        "numCache", "strCache", "multiLvlStrCache", "dlblRangeCache"):
                    f.getparent().remove(sibling)
    c14n = etree.tostring(tree, method="c14n")
    assert c14n == etree.tostring(etree.fromstring(after), method="c14n")


def _was_empty(path: Path, sheet: str, box: tuple[int, int, int, int]) -> bool:
    rows = sheet_values(path, sheet)
    if rows is None:
        return True
    r1, c1, r2, c2 = box
    for r in range(r1, min(r2, len(rows)) + 1):
        for c in range(c1, min(c2, len(rows[r - 1])) + 1):
            if rows[r - 1][c - 1] not in ("", None):
                return False
    return True
