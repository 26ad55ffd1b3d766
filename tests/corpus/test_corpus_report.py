"""The Report sheet (a canvas of values, a colour scale and charts) written into every real
workbook of /work/shared/corpus, then written again with fewer charts.

After each write: every zip entry that is not the Report sheet's (its part, rels, drawing,
charts) or the workbook's sheet list, styles, content types or app.xml is byte-identical, in
order; every relationship target exists and every part has a content type; openpyxl opens
the file and finds the charts; the chart parts keep the schema's element order and cache
exactly what their cells hold (:func:`helpers.canvas_checks.check_canvas_write`). Strict
OOXML files are refused with a reason, and so is a sheet called Report that xlpmo did not
make; the file is then unchanged.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers.canvas_checks import check_canvas_write, sample_canvas
from helpers.ooxml import is_strict, sheets_in_zip
from helpers.paths import CORPUS

from xlpmo.errors import XlpmoError
from xlpmo.io.canvaswriter import write_canvas

FILES = sorted(p for p in CORPUS.glob("*") if p.suffix.lower() in
               (".xlsx", ".xlsm", ".xltx", ".xltm", ".xlam")) if CORPUS.exists() else []


@pytest.mark.skipif(not FILES, reason=f"no corpus at {CORPUS}")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[-48:])
def test_corpus_report_sheet(path: Path, tmp_path: Path) -> None:
    src = tmp_path / path.name
    shutil.copyfile(path, src)
    first, second = tmp_path / f"1{path.suffix}", tmp_path / f"2{path.suffix}"
    before = src.read_bytes()
    if is_strict(src):
        with pytest.raises(XlpmoError, match="Strict Open XML"):
            write_canvas(src, first, sample_canvas())
        assert src.read_bytes() == before and not first.exists()
        return
    if any(name.lower() == "report" for name in sheets_in_zip(src)):
        with pytest.raises(XlpmoError, match="was not made by xlpmo"):
            write_canvas(src, first, sample_canvas())
        return
    write_canvas(src, first, sample_canvas(n_lines=2))
    check_canvas_write(src, first, sample_canvas(n_lines=2))
    write_canvas(first, second, sample_canvas(n_lines=1))
    check_canvas_write(first, second, sample_canvas(n_lines=1))
