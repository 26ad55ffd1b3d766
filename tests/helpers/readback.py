"""A refreshed file read back: it opens and its output tables hold what was computed."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from xlpmo.app.pipeline import RefreshResult
from xlpmo.contract import tables
from xlpmo.errors import XLError
from xlpmo.io.reader import read_workbook


def check_read_back(path: Path, result: RefreshResult) -> None:
    """The written file opens, and its output tables hold what was computed."""
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
    back = read_workbook(path)
    checks = back.tables["tblChecks"]
    if result.findings:
        assert len(checks) == len(result.findings)
        assert sorted(r[2] for r in checks.rows) == sorted(f.cell for f in result.findings)
        assert sorted(r[3] for r in checks.rows) == sorted(f.message for f in result.findings)
    evm = back.tables["tblEVM"]
    computed = result.outputs["tblEVM"]
    if len(computed):
        assert [r[0] for r in evm.rows] == list(computed["ProjectID"])
        written = {r[0]: r for r in evm.rows}
        for row in computed.itertuples(index=False):
            got = written[row.ProjectID]
            for j, col in enumerate(tables.EVM.column_names):
                want = getattr(row, col)
                if isinstance(want, float) and want == want:
                    assert got[j] == pytest.approx(want, rel=1e-15, abs=0), (col, got[j], want)
                elif isinstance(want, XLError):
                    assert got[j] == want, (col, got[j], want)
