"""Re-refreshing real workbooks: the row byte scan writes the bytes the lxml path writes.

A refresh rewrites the output tables of a refreshed workbook; the old rows it replaces are
found by the byte scan (:mod:`xlpmo.io.ooxml.rowscan`) or, with the scan switched off, by
lxml row by row (its oracle). Each workbook is refreshed both ways at the same clock and
every part of the two results must be byte-identical, and the scan must have left rows out.
Workbooks: the template refreshed once by xlpmo, the same re-saved by openpyxl, and by
LibreOffice (other markup for the same rows: shared strings, row attributes), and corpus
workbooks given the contract inputs and refreshed once.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from helpers import libreoffice
from helpers.ooxml import load_openpyxl
from helpers.paths import CORPUS, TEMPLATE

from xlpmo.app import commands
from xlpmo.app.pipeline import refresh_file
from xlpmo.io.ooxml import leftout
from xlpmo.io.writer import write_tables

CLOCK = pd.Timestamp("2026-05-04 09:30:00")


def refreshed(src: Path, dst: Path, scan: bool, monkeypatch: pytest.MonkeyPatch) -> int:
    """Refresh a copy of ``src`` at ``dst``; the rows the scan left out (0 when off)."""
    if src != dst:
        shutil.copy(src, dst)
    counts: list[int] = []
    real = leftout.parse_scanned

    def spy(data: bytes, part: str, blocks: object) -> object:
        result = real(data, part, blocks) if scan else None  # type: ignore[arg-type]
        counts.append(len(result[1]) if result is not None else 0)
        return result

    with monkeypatch.context() as m:
        m.setattr(commands, "now", lambda: CLOCK)
        m.setattr(leftout, "parse_scanned", spy)
        refresh_file(dst, backup=False, refreshed_by="tester")
    return sum(counts)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def assert_same_both_ways(src: Path, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scanned = refreshed(src, tmp / "scan.xlsx", True, monkeypatch)
    refreshed(src, tmp / "lxml.xlsx", False, monkeypatch)
    assert scanned > 0, "the scan left no row out"
    a, b = parts(tmp / "scan.xlsx"), parts(tmp / "lxml.xlsx")
    assert list(a) == list(b)
    assert [k for k in a if a[k] != b[k]] == []


@pytest.fixture
def template_refreshed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    book = tmp_path / "once.xlsx"
    refreshed(TEMPLATE, book, True, monkeypatch)
    return book


def test_template_refreshed_again(template_refreshed: Path, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    assert_same_both_ways(template_refreshed, tmp_path, monkeypatch)


def test_template_resaved_by_openpyxl(template_refreshed: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    resaved = tmp_path / "openpyxl.xlsx"
    load_openpyxl(template_refreshed).save(resaved)
    assert_same_both_ways(resaved, tmp_path, monkeypatch)


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_template_resaved_by_libreoffice(template_refreshed: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    out = libreoffice.convert([template_refreshed], "xlsx:Calc MS Excel 2007 XML",
                              tmp_path / "lo", tmp_path)[0]
    assert_same_both_ways(out, tmp_path, monkeypatch)


CORPUS_FILES = sorted(p for p in CORPUS.glob("*.xlsx"))[:6] if CORPUS.exists() else []


@pytest.mark.skipif(not CORPUS_FILES, reason="shared/corpus is not available")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name[:40])
def test_corpus_workbook_refreshed_again(path: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from corpus.test_corpus_refresh import contract_inputs

    book = tmp_path / "with_inputs.xlsx"
    write_tables(path, book, contract_inputs())
    refreshed(book, book, True, monkeypatch)
    assert_same_both_ways(book, tmp_path, monkeypatch)
