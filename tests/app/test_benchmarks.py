"""Smoke runs of the benchmark scripts at tiny sizes (issues 5 and 16), so they do not rot.

The figures at full size are in benchmarks/README.md; here only that the scripts run, that
the generated workbooks hold the data, that the SUMIFS formula tracker recalculated by
LibreOffice agrees with ``xlpmo refresh``, that the in-Excel Refresh benchmark sends the
test suite's JSON book and sees Refresh write every project, and that a child's peak
memory is its own.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))

import bigbook  # noqa: E402
from synthetic import synthetic_inputs  # noqa: E402

from xlpmo.io.coerce import coerce_inputs  # noqa: E402
from xlpmo.io.reader import read_workbook  # noqa: E402

TINY = dict(n_projects=12, n_months=24, n_resources=6, n_timesheets=1500)
TINY_ARGS = ["--projects", "12", "--months", "24", "--resources", "6", "--timesheets", "1500",
             "--repeat", "1", "--sample", "4"]
FINAL = re.compile(
    r"^refresh_s=(\S+) peak_mb=(\S+) read_s=(\S+) calamine_s=(\S+) read_ratio=(\S+) "
    r"libreoffice_s=(\S+) speedup_vs_libreoffice=(\S+)$")


def _load(name: str):
    """A benchmark script as a module (``bench_<name>``; benchmarks/ is not a package)."""
    key = f"bench_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, BENCH / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module  # dataclasses look their module up while it executes
        spec.loader.exec_module(module)
    return sys.modules[key]


def _has_libreoffice() -> bool:
    return _load("refresh").find_libreoffice() is not None


def test_contract_workbook_reads_back_as_the_inputs(tmp_path):
    inputs = synthetic_inputs(**TINY)
    path = bigbook.write_contract_workbook(tmp_path / "book.xlsx", inputs)
    raw = read_workbook(path)
    back, findings = coerce_inputs(raw.tables)
    assert not [f for f in findings if f.severity == "Error"]
    assert back.settings.StatusDate == inputs.settings.StatusDate
    assert back.projects["ProjectID"].tolist() == inputs.projects["ProjectID"].tolist()
    for name, amount in (("plan", "Planned"), ("actuals", "Actual")):
        ours = getattr(inputs, name).groupby("ProjectID")[amount].sum()
        theirs = getattr(back, name).groupby("ProjectID")[amount].sum()
        pd.testing.assert_series_equal(theirs.sort_index(), ours.sort_index(),
                                       check_names=False, rtol=1e-12)
    ts, ts_back = inputs.timesheets, back.timesheets
    assert len(ts_back) == len(ts)
    assert ts_back["Hours"].sum() == pytest.approx(ts["Hours"].sum())
    assert ts_back["Billable"].sum() == ts["Billable"].sum()
    assert (pd.to_datetime(ts_back["Date"]).to_numpy() == ts["Date"].to_numpy()).all()
    # wide layout with month headers, as the template
    assert raw.tables["tblPlan"].header[2] == "Jan 2024"
    # the output tables refresh fills are there, empty
    assert {"tblEVM", "tblPortfolio", "tblVariance", "tblUtilisation"} <= set(raw.tables)


def test_formula_workbook_layout(tmp_path):
    inputs = synthetic_inputs(**TINY)
    layout = bigbook.write_formula_workbook(tmp_path / "f.xlsx", inputs, n_projects=3,
                                           n_resources=2)
    assert layout.projects == inputs.projects["ProjectID"].tolist()[:3]
    assert len(layout.variance_keys) == 3 * 24
    assert layout.portfolios[-1] == "Total"
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "f.xlsx")
    evm = book["EVM"]
    assert [c.value for c in evm[1]] == list(bigbook.EVM_FORMULA_COLUMNS)
    assert evm.max_row == 4
    assert evm["E2"].value.startswith("=SUMIFS(Variance!$C$2:$C$73,")
    # running sums refer to the row above
    assert book["Variance"]["G3"].value == "=IF($A3=$A2,G2+C3,C3)"
    util = book["Utilisation"]
    assert util.max_row == 1 + len(layout.utilisation_keys)


def test_extrapolation_is_the_line_through_two_runs():
    bench = _load("refresh")
    layout = None
    a = bench.LoRun(100, layout, 1.0, [12.0, 11.0], {}, calc_cpu_s=[9.0, 10.0])
    b = bench.LoRun(300, layout, 1.0, [31.0], {}, calc_cpu_s=[19.0])
    full, fixed, per_row = bench.extrapolate(a, b, 1000, "wall")
    assert per_row == pytest.approx(0.1)
    assert fixed == pytest.approx(1.0)
    assert full == pytest.approx(101.0)
    full, fixed, per_row = bench.extrapolate(a, b, 1000)  # CPU seconds by default
    assert (full, fixed, per_row) == pytest.approx((54.0, 4.0, 0.05))


def test_values_compare_like_excel_cells():
    bench = _load("refresh")
    from xlpmo.errors import XLError

    assert bench.same(1.0, 1.0 + 1e-12)
    assert not bench.same(1.0, 1.001)
    assert bench.same(XLError.DIV0, "#DIV/0!")
    assert not bench.same(XLError.NA, 0.0)
    assert bench.same(True, 1.0) and not bench.same(False, 1.0)
    assert bench.same("Red", "Red") and not bench.same("Red", "Amber")


def test_refresh_script_without_libreoffice(tmp_path, capsys):
    bench = _load("refresh")
    figures = bench.main([*TINY_ARGS, "--skip-libreoffice", "--workdir", str(tmp_path)])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    match = FINAL.match(last)
    assert match, last
    assert figures["refresh_s"] > 0 and figures["peak_mb"] > 50
    assert figures["read_ratio"] == pytest.approx(figures["read_s"] / figures["calamine_s"])
    assert math.isnan(figures["libreoffice_s"])
    assert (tmp_path / "refreshed.xlsx").exists()
    refreshed = read_workbook(tmp_path / "refreshed.xlsx")
    assert len(refreshed.tables["tblEVM"]) == TINY["n_projects"]


@pytest.mark.libreoffice
@pytest.mark.skipif(not _has_libreoffice(), reason="LibreOffice with Python UNO not installed")
def test_refresh_script_agrees_with_libreoffice(tmp_path, capsys):
    bench = _load("refresh")
    figures = bench.main([*TINY_ARGS, "--lo-resources", "2,4", "--lo-repeat", "1",
                          "--lo-timeout", "300", "--workdir", str(tmp_path)])
    out = capsys.readouterr().out
    assert FINAL.match(out.strip().splitlines()[-1])
    assert figures["compared"] > 500
    assert figures["mismatches"] == 0, out
    assert "extrapolated" in figures["libreoffice_method"]
    assert np.isfinite(figures["libreoffice_s"])


def test_udfs_script(tmp_path):
    # its own process: the script puts xlwings in server mode before importing it
    done = subprocess.run(
        [sys.executable, str(BENCH / "udfs.py"), "--projects", "8", "--months", "24",
         "--cpi-calls", "50", "--repeat", "1"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-1]
    values = dict(part.split("=") for part in last.split() if "=" in part)
    assert values["evm_rows"] == "8"
    assert float(values["evm_call_s"]) > 0 and float(values["cpi_call_lite_s"]) > 0


@pytest.mark.skipif(importlib.util.find_spec("uno") is not None, reason="this Python has uno")
def test_librecalc_refuses_a_python_without_uno():
    done = subprocess.run([sys.executable, str(BENCH / "librecalc.py"), "x.xlsx", "--out",
                           "/dev/null"], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "no 'uno' module" in done.stderr


# -- issue 16: a child's own peak memory, the in-Excel Refresh, the floor -------------------

SCRIPTS_FINAL = re.compile(r"^peak_at_1000_mb=(\d+) payload_at_1000_mb=(\S+) "
                           r"script_s_at_1000=(\S+) at_1000=(measured|extrapolated)$")
FLOOR_FINAL = re.compile(r"^refresh_s=(\S+) floor_s=(\S+) calamine_s=(\S+) xlsxwriter_s=(\S+) "
                         r"floor_ratio=(\S+) peak_mb=(\d+)$")


def test_child_peak_is_the_childs_own_not_the_parents():
    childproc = _load("childproc")
    code = ("import sys; sys.path.insert(0, {!r}); import childproc; "
            "childproc.report_peak_at_exit(); x = bytearray({}); x[::4096] = b'1' * len(x[::4096])")
    small = childproc.run_child([sys.executable, "-c", code.format(str(BENCH), 0)])
    ballast = bytearray(300 * 2**20)  # the parent touches 300 MB before starting the child
    ballast[::4096] = b"1" * len(ballast[::4096])
    again = childproc.run_child([sys.executable, "-c", code.format(str(BENCH), 0)])
    big = childproc.run_child([sys.executable, "-c", code.format(str(BENCH), 200 * 2**20)])
    del ballast
    peaks = (small.peak_mb, again.peak_mb, big.peak_mb)
    outputs = (small.output, again.output, big.output)
    assert small.returncode == again.returncode == big.returncode == 0, outputs
    assert 0 < small.peak_mb < 100 and again.peak_mb < 100, peaks  # not the parent's 300 MB
    # what the child touched itself: 200 MiB, give or take the few pages by which two
    # interpreters' own peaks differ (CI once measured 199.99)
    assert 190 < big.peak_mb - small.peak_mb < 230, peaks


def test_payload_leaves_out_the_sheets_a_script_excludes(tmp_path):
    from helpers.xlwings_server import book_payload

    path = bigbook.write_contract_workbook(tmp_path / "book.xlsx", synthetic_inputs(**TINY))
    full = {s["name"]: s for s in book_payload(str(path))["sheets"]}
    assert len(full["Timesheets"]["values"]) == 1 + TINY["n_timesheets"]
    assert [t["name"] for t in full["Timesheets"]["tables"]] == ["tblTimesheets"]
    part = {s["name"]: s for s in book_payload(str(path), exclude=["Timesheets"])["sheets"]}
    assert part["Timesheets"]["values"] == [[]] and part["Timesheets"]["tables"] == []
    assert part["Plan"] == full["Plan"]
    only = {s["name"]: s for s in book_payload(str(path), include=["Plan"])["sheets"]}
    assert list(only) == list(full)  # every sheet still listed, by name
    assert [n for n, s in only.items() if s["values"] != [[]]] == ["Plan"]
    with pytest.raises(ValueError):
        book_payload(str(path), include=["Plan"], exclude=["Config"])


def test_scripts_script(tmp_path, capsys):
    bench = _load("scripts")
    out = tmp_path / "figures.json"
    figures = bench.main(["--sizes", "4,8", "--months", "24", "--timesheets-per-project", "20",
                          "--repeat", "1", "--workdir", str(tmp_path), "--json", str(out)])
    lines = capsys.readouterr().out.strip().splitlines()
    match = SCRIPTS_FINAL.match(lines[-1])
    assert match, lines[-1]
    assert match[4] == "extrapolated" and "extrapolated on the straight line" in lines[-2]
    small, large = figures["sizes"]["4"], figures["sizes"]["8"]
    assert large["payload_mb"] > small["payload_mb"] > 0
    assert large["new"]["payload_cells"] > small["new"]["payload_cells"]
    # refreshed again, the book carries the full output tables too
    assert small["again"]["payload_cells"] > small["new"]["payload_cells"]
    assert small["payload_mb"] == small["again"]["payload_mb"]  # the larger of the two
    assert small["script_s"] > 0 and 50 < small["peak_mb"] < 1000
    slope = (large["payload_mb"] - small["payload_mb"]) / 4
    assert figures["payload_at_1000_mb"] == pytest.approx(large["payload_mb"] + slope * 992)
    assert json.loads(out.read_text())["at_1000"] == "extrapolated"
    # the JSON book the child refreshed is the test suite's payload of the contract workbook
    from helpers.xlwings_server import book_payload

    inputs = synthetic_inputs(4, 24, 8, 80)
    book = bigbook.write_contract_workbook(tmp_path / "again.xlsx", inputs)
    sent = json.loads((tmp_path / "book_4_new.json").read_text())
    assert sent["sheets"] == book_payload(str(book))["sheets"]


def test_scripts_refuses_a_run_that_did_not_refresh():
    bench = _load("scripts")
    with pytest.raises(SystemExit, match="did not refresh"):
        bench.check_refreshed({"printed": "xlpmo: cannot refresh", "written": []}, 4)
    with pytest.raises(SystemExit, match="tblEVM"):
        bench.check_refreshed({"printed": "refreshed: tblEVM", "written": [
            {"sheet": "Dashboard", "row": 0, "rows": 4, "first": "ProjectID"}]}, 4)
    bench.check_refreshed({"printed": "refreshed: tblEVM", "written": [
        {"sheet": "Dashboard", "row": 0, "rows": 5, "first": "ProjectID"}]}, 4)


def test_floor_script(tmp_path, capsys):
    import openpyxl

    bench = _load("floor")
    figures = bench.main([*TINY_ARGS[:8], "--repeat", "1", "--workdir", str(tmp_path)])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert FLOOR_FINAL.match(last), last
    assert figures["floor_s"] == pytest.approx(figures["calamine_s"] + figures["xlsxwriter_s"])
    assert figures["floor_ratio"] == pytest.approx(figures["refresh_s"] / figures["floor_s"])
    assert figures["peak_mb"] > 50
    # the floor wrote the tables refresh wrote, with the same values
    refreshed = read_workbook(tmp_path / "refreshed.xlsx")
    floor = openpyxl.load_workbook(tmp_path / "floor.xlsx")
    written = {name: ws for ws in floor.worksheets for name in ws.tables}
    assert set(written) == {n for n in refreshed.tables if n in bench.tables.OUTPUTS}
    evm = refreshed.tables["tblEVM"]
    ws = written["tblEVM"]
    assert ws.tables["tblEVM"].ref == f"A1:{bigbook.col_letter(len(evm.header))}13"
    assert [c.value for c in ws[1]][:len(evm.header)] == evm.header
    assert [c.value for c in ws[2]][:3] == list(evm.data[0][:3])


@pytest.mark.slow
def test_the_biggest_portfolio_refreshes_again(tmp_path):
    """Issue 16's size, 8,000 projects x 120 months: the workbook refresh writes (its tblTrend
    sheet inflates to ~330 MB) is refreshed again, with the same tables. Before the part cap
    was raised to 512 MB, the second refresh refused the workbook it had written (exit 2,
    "part xl/worksheets/... inflates to more than 256 MB"). Minutes and ~1.4 GB: --runslow."""
    inputs = synthetic_inputs(n_projects=8000, n_months=120, n_resources=2000,
                              n_timesheets=500_000)
    book = bigbook.write_contract_workbook(tmp_path / "big.xlsx", inputs)
    said = []
    for _ in range(2):
        run = subprocess.run([sys.executable, "-m", "xlpmo.cli", "refresh", str(book),
                              "--no-backup"], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr[-2000:]
        said.append(re.search(r"tblEVM .*", run.stdout).group(0))
    assert said[0] == said[1]
    assert "tblTrend 648000 rows" in said[1]
