"""The whole refresh on every real-world workbook of shared/corpus (copied to tmp first).

test_corpus_roundtrip.py checks the package writer alone; this one goes through
``refresh_file`` as a user's ``xlpmo refresh`` does. Each file gets the contract input tables
(tblConfig, tblProjects, a wide tblPlan, a long tblActuals, tblProgress) added by the writer,
as a PMO would add them to a workbook they already have, and is then refreshed. Then:

- every part of the original file is byte-identical in the refreshed one (content and the
  stored compressed bytes), except the parts the writer documents as rewritten: the sheets
  holding contract tables and their rels, the contract tables' parts, the workbook part and
  its rels, ``[Content_Types].xml``, the styles part; the only part ever removed is
  calcChain;
- the refresh reports no Error (the inputs are clean) and its outputs read back from the
  file as computed; the file opens in openpyxl (calamine for Strict OOXML);
- a second refresh of the refreshed file gives the same outputs (the file still reads as
  the same workbook).

A summary table is printed at the end (visible without -s).
"""

from __future__ import annotations

import shutil
import time
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from helpers.ooxml import (
    _rels,
    app_part_if_sheets_added,
    is_strict,
    load_openpyxl,
    raw_entry,
    tables_in_zip,
    workbook_part,
    zip_contents,
    zip_entries,
)
from helpers.paths import CORPUS, print_summary
from helpers.readback import check_read_back

from xlpmo.app.pipeline import refresh_file
from xlpmo.contract import tables as contract
from xlpmo.io.writer import write_tables

FILES = sorted(p for p in CORPUS.glob("*") if p.suffix.lower() in
               (".xlsx", ".xlsm", ".xltx", ".xltm", ".xlam")) if CORPUS.exists() else []
MONTHS = [pd.Timestamp(2026, m, 1) for m in range(1, 7)]


def contract_inputs() -> dict[str, pd.DataFrame]:
    """A small, clean portfolio: 3 projects, a wide plan, long actuals, progress."""
    config = pd.DataFrame({"Setting": ["StatusDate", "Currency", "EACMethod"],
                           "Value": pd.Series([pd.Timestamp(2026, 4, 30), "EUR", "CPI"],
                                              dtype=object)})
    projects = pd.DataFrame({
        "ProjectID": ["P-001", "P-002", "0042"], "ProjectName": ["Alpha", "Beta", "Gamma"],
        "Portfolio": ["Core", "Core", "Growth"], "BAC": [6000.0, None, 900.0]})
    plan = pd.DataFrame({"ProjectID": ["P-001", "P-002", "0042"],
                         "CostType": ["Labour", "Labour", "Vendor"]})
    for k, month in enumerate(MONTHS):
        plan[month] = [1000.0, 250.0 * (k + 1), 150.0]
    actuals = pd.DataFrame({
        "ProjectID": ["P-001"] * 4 + ["P-002"] * 3 + ["0042"] * 2,
        "Period": [*MONTHS[:4], *MONTHS[:3], *MONTHS[:2]],
        "CostType": ["Labour"] * 7 + ["Vendor"] * 2,
        "Actual": [1100.0, 950.0, 1200.0, 1000.0, 300.0, 480.0, 700.0, 150.0, 0.0]})
    progress = pd.DataFrame({"ProjectID": ["P-001", "P-002", "0042"],
                             "Period": [MONTHS[3]] * 3,
                             "PercentComplete": [0.6, 0.3, None],
                             "Earned": [None, None, 300.0]})
    return {"tblConfig": config, "tblProjects": projects, "tblPlan": plan,
            "tblActuals": actuals, "tblProgress": progress}


def allowed_rewrites(path: Path) -> set[str]:
    """The parts the writer may rewrite in ``path`` (see the module docstring)."""
    with zipfile.ZipFile(path) as z:
        wb = workbook_part(z)
        rels = _rels(z, wb)
    folder, name = wb.rsplit("/", 1) if "/" in wb else ("", wb)
    allowed = {"[Content_Types].xml", wb, f"{folder}/_rels/{name}.rels".lstrip("/")}
    allowed |= {part for kind, part in rels.values() if kind == "styles"}
    for info in tables_in_zip(path).values():
        if info.name.lower() not in {n.lower() for n in contract.ALL}:
            continue  # the file's own tables are never rewritten by a refresh
        sheet_folder, sheet_name = info.sheet_part.rsplit("/", 1)
        allowed |= {info.sheet_part, info.part, f"{sheet_folder}/_rels/{sheet_name}.rels"}
    return allowed


def outputs_equal(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for name in a:
        if name == "tblChecks":
            continue
        pd.testing.assert_frame_equal(a[name], b[name], check_dtype=False, obj=name)


@pytest.fixture(scope="module")
def summary(request: pytest.FixtureRequest) -> Any:
    rows: list[tuple[str, ...]] = []
    yield rows
    lines = [f"{'file':<66} {'parts':>5} {'same':>5} {'rewr':>4} {'new':>4} {'rm':>3} "
             f"{'secs':>5}  result"]
    lines += [f"{r[0][-66:]:<66} {r[1]:>5} {r[2]:>5} {r[3]:>4} {r[4]:>4} {r[5]:>3} "
              f"{r[6]:>5}  {r[7]}" for r in rows]
    print_summary(request, "\n".join(["", "corpus through the whole refresh:", *lines]))


@pytest.mark.skipif(not FILES, reason=f"no corpus at {CORPUS}")
@pytest.mark.parametrize("source", FILES, ids=lambda p: p.name[-48:])
def test_refresh_keeps_every_other_part(source: Path, tmp_path: Path, summary: list) -> None:
    original = tmp_path / source.name
    shutil.copyfile(source, original)
    path = tmp_path / f"refreshed{source.suffix}"
    write_tables(original, path, contract_inputs())
    start = time.perf_counter()
    result = refresh_file(path, backup=False, refreshed_by="corpus")
    seconds = time.perf_counter() - start
    assert not result.errors, result.errors
    assert len(result.outputs["tblEVM"]) == 3

    # 1. every original part byte-identical but the documented rewrites; only calcChain goes
    before = {i.filename: i for i in zip_entries(original)}
    after = {i.filename: i for i in zip_entries(path)}
    old_data, new_data = zip_contents(original), zip_contents(path)
    removed = set(before) - set(after)
    assert all(p.rsplit("/", 1)[-1].lower() == "calcchain.xml" for p in removed), removed
    changed = {n for n in before if n in after and new_data[n] != old_data[n]}
    allowed = allowed_rewrites(path) | app_part_if_sheets_added(original, path)
    assert changed <= allowed, sorted(changed - allowed)
    same = 0
    for name, info in before.items():
        if name in removed or name in changed:
            continue
        new = after[name]
        assert new.compress_type == info.compress_type, name
        assert raw_entry(path, new) == raw_entry(original, info), f"{name} re-compressed"
        same += 1
    kept_order = [n for n in after if n in before]
    assert kept_order == [n for n in before if n in after], "parts reordered"

    # 2. the file opens; outputs read back as computed; a second refresh agrees
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
    strict = is_strict(path)
    if not strict:
        wb = load_openpyxl(path, read_only=True)
        assert {"Dashboard", "Checks"} <= set(wb.sheetnames)
        wb.close()
    check_read_back(path, result)
    again = refresh_file(path, backup=False, refreshed_by="corpus")
    outputs_equal(result.outputs, again.outputs)

    summary.append((source.name, str(len(before)), str(same), str(len(changed)),
                    str(len(set(after) - set(before))), str(len(removed)), f"{seconds:.2f}",
                    "ok" + (" (Strict OOXML: read by calamine)" if strict else "")))


def test_the_corpus_is_there_in_ci() -> None:
    """CI lays shared/ beside its clone: the corpus test must not skip silently there."""
    import os

    if os.environ.get("CI"):
        assert FILES, f"no corpus at {CORPUS}"
