"""A part deflated from chunks (:mod:`xlpmo.io.ooxml.deflated`) is saved as the same zip
entry bytes as zipfile's ``writestr`` of the joined part, however the chunks are cut; a
written workbook is byte-identical with the worksheets handed over deflated or as bytes."""

from __future__ import annotations

import io
import itertools
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from helpers.paths import TEMPLATE
from hypothesis import given, settings
from hypothesis import strategies as st

from xlpmo.io.ooxml import package, sheet
from xlpmo.io.ooxml.deflated import DeflatedPart
from xlpmo.io.writer import write_tables


def zipped(data: bytes | DeflatedPart) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        zi = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time=(2024, 5, 6, 7, 8, 10))
        zi.compress_type = zipfile.ZIP_DEFLATED
        if isinstance(data, DeflatedPart):
            package._write_new(out, zi, data)
        else:
            out.writestr(zi, data)
    return buf.getvalue()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=5000), st.lists(st.integers(0, 5000), max_size=8),
       st.integers(1, 40))
def test_chunks_deflate_to_the_entry_writestr_writes(data: bytes, cuts: list[int],
                                                     repeat: int) -> None:
    data = data * repeat  # long matches across the cuts
    bounds = [0, *sorted(c % (len(data) + 1) for c in cuts), len(data)]
    chunks = [data[a:b] for a, b in itertools.pairwise(bounds)]
    part = DeflatedPart.of(chunks)
    assert part.data() == data
    assert zipped(part) == zipped(data)


def test_a_big_rendered_sheet_deflates_the_same() -> None:
    rows = [f'<row r="{r}"><c r="A{r}"><v>{r * 1.5}</v></c><c r="B{r}" t="inlineStr"><is><t>'
            f"P{r % 977:05d}</t></is></c></row>" for r in range(1, 60_001)]
    data = "".join(rows).encode()
    chunks = (data[i:i + 70_001] for i in range(0, len(data), 70_001))
    assert zipped(DeflatedPart.of(chunks)) == zipped(data)


class _AsBytes:
    """Stands in for DeflatedPart in the worksheet: the part joined, as bytes."""

    @staticmethod
    def of(chunks: Iterable[bytes]) -> bytes:
        return b"".join(chunks)


def test_a_written_workbook_is_the_same_with_the_sheets_as_bytes(tmp_path: Path,
                                                                  monkeypatch) -> None:
    n = 5000
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"ProjectID": [f"P{i:05d}" for i in range(n)],
                          "ProjectName": [f"Name & <{i}>" for i in range(n)],
                          "BAC": rng.normal(1e5, 3e4, n)})
    src = tmp_path / "src.xlsx"
    shutil.copy(TEMPLATE, src)
    write_tables(src, tmp_path / "deflated.xlsx", {"tblProjects": frame})
    monkeypatch.setattr(sheet, "DeflatedPart", _AsBytes)
    write_tables(src, tmp_path / "bytes.xlsx", {"tblProjects": frame})
    assert (tmp_path / "deflated.xlsx").read_bytes() == (tmp_path / "bytes.xlsx").read_bytes()
