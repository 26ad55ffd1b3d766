"""Round trip of the table writer on every real-world file of /work/shared/corpus.

For each file (copied to tmp first): write contract input and output tables plus the refresh
stamp, then write the outputs again larger, then smaller; and rewrite the file's own
Excel-made tables in place. After every step:

- every zip entry the writer does not report as rewritten is byte-identical (content and
  stored compressed bytes), in the same order, with the same compression method;
- the rewritten parts are only those the writer documents (the sheets of the written tables
  and their rels, table parts, workbook.xml, its rels, [Content_Types].xml, styles.xml, and
  charts whose series follow a resized table, changed in those references only) and the
  only part ever removed is calcChain;
- the zip is sound, openpyxl opens it, and the written values read back equal what was
  written (openpyxl; calamine for Strict OOXML, which openpyxl does not read);
- every written table's ref and autoFilter ref are right, and a new table sits on cells
  that were empty, below one empty row.

A summary table is printed at the end of the module (visible without -s).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from helpers.ooxml import (
    frame,
    parse_ref,
    tables_in_zip,
)
from helpers.paths import CORPUS as CORPUS_DIR
from helpers.paths import print_summary
from helpers.roundtrip import (
    check_step,
)

from xlpmo.contract import tables as contract
from xlpmo.errors import XlpmoError
from xlpmo.io.writer import write_tables

CORPUS = CORPUS_DIR
FILES = sorted(p for p in CORPUS.glob("*") if p.suffix.lower() in
               (".xlsx", ".xlsm", ".xltx", ".xltm", ".xlam")) if CORPUS.exists() else []

STAMP = {"LastRefreshed": pd.Timestamp("2026-11-28 10:42"), "RefreshedBy": "pmo.bot"}


def _inputs() -> dict[str, pd.DataFrame]:
    config = pd.DataFrame({
        "Setting": ["StatusDate", "Currency", "HoursPerDay", "EACMethod"],
        "Value": pd.Series([pd.Timestamp("2026-10-31"), "EUR", 7.5, "CPI"], dtype=object),
    })
    return {
        "tblConfig": config,
        "tblProjects": frame(contract.PROJECTS, 4, seed=1),
        "tblPlan": frame(contract.PLAN, 6, seed=2),
    }


def _outputs(n_evm: int, n_var: int, n_checks: int, seed: int) -> dict[str, pd.DataFrame]:
    return {
        "tblEVM": frame(contract.EVM, n_evm, seed),
        "tblVariance": frame(contract.VARIANCE, n_var, seed + 1),
        "tblChecks": frame(contract.CHECKS, n_checks, seed + 2),
    }












@pytest.fixture(scope="module")
def summary(request: pytest.FixtureRequest) -> Any:
    rows: list[tuple[str, ...]] = []
    yield rows
    lines = [f"{'file':<72} {'kept':>5} {'rewr':>5} {'added':>5} {'rm':>3}  result"]
    lines += [f"{r[0][:72]:<72} {r[1]:>5} {r[2]:>5} {r[3]:>5} {r[4]:>3}  {r[5]}" for r in rows]
    print_summary(request, "\n".join(["", "corpus round trip (parts of the first write):",
                                       *lines]))


@pytest.mark.skipif(not FILES, reason=f"no corpus at {CORPUS}")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[-48:])
def test_corpus_roundtrip(path: Path, tmp_path: Path, summary: list) -> None:
    src = tmp_path / path.name
    shutil.copyfile(path, src)
    steps = [
        ({**_inputs(), **_outputs(3, 5, 2, seed=10)}, STAMP),
        (_outputs(8, 14, 1, seed=20), None),   # grow (and shrink tblChecks)
        (_outputs(1, 0, 4, seed=30), None),    # shrink (tblVariance to no rows)
    ]
    before, counts = src, None
    for k, (tables, stamp) in enumerate(steps, 1):
        after = tmp_path / f"step{k}{path.suffix}"
        report = write_tables(before, after, tables, stamp)
        written = dict(tables)
        if stamp:
            cfg = pd.concat([tables["tblConfig"], pd.DataFrame(
                {"Setting": list(stamp), "Value": pd.Series(list(stamp.values()), dtype=object)})],
                ignore_index=True)
            written["tblConfig"] = cfg
        c = check_step(before, after, report, written, full_load=k == len(steps))
        counts = counts or c
        before = after
    own = _rewrite_own_tables(src, tmp_path)
    result = "ok" + (f"; own tables {own}" if own else "")
    print(f"{path.name}: {counts} {result}")
    summary.append((path.name, str(counts["kept"]), str(counts["rewritten"]),
                    str(counts["added"]), str(counts["removed"]), result))


def _rewrite_own_tables(src: Path, tmp_path: Path) -> str:
    """Rewrite (shrink) up to 3 of the file's own tables in place; '' when it has none."""
    done, refused = 0, 0
    for k, info in enumerate(list(tables_in_zip(src).values())[:3]):
        r1, _, r2, _ = parse_ref(info.ref)
        n = max(r2 - r1 - info.totals - 1, 1)
        # text only: the file's own column formats (dates, times ...) win over numbers
        df = pd.DataFrame({c: [f"v{i}-{j}" for i in range(n)] for j, c in enumerate(info.columns)})
        after = tmp_path / f"own_{info.name}{src.suffix}"
        try:
            report = write_tables(src, after, {info.name: df})
        except XlpmoError as exc:  # only tables linked to external data are refused
            assert "external data" in str(exc), exc
            assert not after.exists()
            refused += 1
            continue
        check_step(src, after, report, {info.name: df}, full_load=k == 0)
        done += 1
    if not done and not refused:
        return ""
    return f"{done} rewritten" + (f", {refused} refused (query tables)" if refused else "")


SOFFICE = "/usr/bin/soffice"
LO_SAMPLE = [
    "poi__57181.xlsm",
    "dotnet__test_DocumentFormat.OpenXml.Tests.Assets_assets_TestDataStorage_O14ISOStrict_"
    "Excel_OLE-O12-XL-OLE.xlsx",
    "poi__simple-monthly-budget.xlsx",
    "xlwings__tests_udfs_udf_tests.xlsm",
]


@pytest.mark.libreoffice
@pytest.mark.skipif(not os.path.exists(SOFFICE), reason="LibreOffice (soffice) not installed")
@pytest.mark.skipif(not FILES, reason=f"no corpus at {CORPUS}")
def test_libreoffice_opens_written_files(tmp_path: Path) -> None:
    """LibreOffice headless converts written files to CSV (all sheets) showing our tables."""
    inputs = []
    for name in LO_SAMPLE:
        src = CORPUS / name
        if not src.exists():
            continue
        dst = tmp_path / name
        write_tables(src, dst, {**_inputs(), **_outputs(3, 4, 2, seed=5)}, STAMP)
        inputs.append(dst)
    assert inputs
    out = tmp_path / "csv"
    cmd = [SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
           "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,"
           "false,false,-1", "--outdir", str(out), *map(str, inputs)]
    subprocess.run(cmd, check=True, timeout=180, capture_output=True)
    evm = _outputs(3, 4, 2, seed=5)["tblEVM"]
    for dst in inputs:
        dashboard = out / f"{dst.stem}-Dashboard.csv"
        config = out / f"{dst.stem}-Config.csv"
        assert dashboard.exists(), f"LibreOffice did not read {dst.name}"
        text = dashboard.read_text("utf-8")
        assert text.splitlines()[0].split(",")[:3] == ["ProjectID", "ProjectName", "Portfolio"]
        for pid in evm["ProjectID"]:
            assert pid in text
        assert "#DIV/0!" in text and "#N/A" in text
        assert "pmo.bot" in config.read_text("utf-8")
