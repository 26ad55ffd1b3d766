"""Benchmark of ``xlpmo refresh`` at portfolio scale against a SUMIFS workbook in LibreOffice.

    python benchmarks/refresh.py [--quick] [--workdir DIR] [--json OUT.json]

One run (issue 5):

1. builds the synthetic portfolio (``synthetic.py``: 1,000 projects x 60 months of plan,
   actuals and progress, 2,000 resources, 500,000 timesheet rows; deterministic) and writes it
   as a standard PMO workbook (``bigbook.write_contract_workbook``: Excel Tables, plan and
   actuals in the template's wide layout);
2. times ``xlpmo refresh`` on copies of it, each in a child process, and takes the child's
   peak resident memory (its own VmHWM, ``childproc.py``): the new workbook (empty output
   tables), then the refreshed one again (full output tables to replace); ``refresh_s`` is
   the slower of the two best times;
3. times reading the inputs the way refresh does (``xlpmo.io.reader.read_workbook(path,
   outputs=False)`` + ``xlpmo.io.coerce.coerce_inputs``) against python-calamine's raw read
   (``to_python()``) of the same sheets;
4. writes the same tracker built from native Excel formulas (SUMIFS / MAXIFS / INDEX-MATCH,
   ``bigbook.FORMULA_DESIGN``) and times LibreOffice's full recalculation of it
   (``calculateAll()`` through UNO, ``librecalc.py`` under the system Python);
5. reads LibreOffice's results back for a sample of projects and resources and checks them
   against the tables refresh wrote;
6. prints, as its last line,
   ``refresh_s=… peak_mb=… read_s=… calamine_s=… read_ratio=… libreoffice_s=…
   speedup_vs_libreoffice=…``.

LibreOffice's recalculation of the full tracker takes far longer than the rest (its
utilisation block is 24,000 rows of SUMIFS over the 500,000 timesheet rows), so by default
the recalculated workbook holds the formula blocks of ALL projects (EVM, Variance, Portfolio)
and of only the first N1, then N2 resources (Utilisation; ``--lo-resources N1,N2``), over the
full input data. Both are measured, and the time of the full tracker is extrapolated
linearly in the number of utilisation rows through the two points (every utilisation formula
scans the same full-size ranges, so its cost per row does not depend on how many rows there
are). ``--lo-full`` recalculates the whole tracker instead (hours). The output says which
was done. The LibreOffice time is ``calculateAll()`` alone; loading the file, which refresh's
time includes (refresh reads, computes and writes the file), is not counted for LibreOffice.
LibreOffice runs single-threaded and is timed in CPU seconds of soffice.bin (the wall time on
an idle core, and steady on a shared machine): its default multi-threaded group calculation
aborts a recalculation in which one formula group computes for over 10 minutes, which the
full tracker's groups do; ``--lo-threaded`` keeps that default and times wall clock.

LibreOffice: Debian 12 needs 25.2 from bookworm-backports (7.4 lacks functions used here):
add ``deb http://deb.debian.org/debian bookworm-backports main`` to the apt sources, then
``apt-get install -y --no-install-recommends -t bookworm-backports libreoffice-calc
python3-uno``. Without it the script stops with that message (``--skip-libreoffice``
measures the rest).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bigbook  # noqa: E402  (benchmarks/ is not a package)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from childproc import run_main  # noqa: E402
from synthetic import synthetic_inputs  # noqa: E402

from xlpmo.contract import tables  # noqa: E402
from xlpmo.errors import XLError  # noqa: E402

LIBREOFFICE_HELP = (
    "LibreOffice with Python UNO is needed for the comparison. On Debian 12: add\n"
    "  deb http://deb.debian.org/debian bookworm-backports main\n"
    "to /etc/apt/sources.list.d/backports.list, then\n"
    "  apt-get update && apt-get install -y --no-install-recommends -t bookworm-backports "
    "libreoffice-calc python3-uno\n"
    "(25.2; Debian's own 7.4 lacks functions used here). Or run with --skip-libreoffice."
)
REL_TOL, ABS_TOL = 1e-9, 1e-6
EVM_COMPARED = ("BAC", "PV", "EV", "AC", "CV", "CVPct", "SV", "SVPct", "CPI", "SPI", "EAC",
                "ETC", "VAC", "TCPI", "CostRAG")
VARIANCE_COMPARED = tuple(tables.VARIANCE.column_names[2:])
UTIL_COMPARED = tuple(tables.UTILISATION.column_names[2:])
PORTFOLIO_COMPARED = tuple(tables.PORTFOLIO.column_names[1:])


# -- finding LibreOffice ---------------------------------------------------------------------


def find_libreoffice() -> tuple[str, str] | None:
    """``(soffice, python with uno)`` or None."""
    soffice = shutil.which("soffice") or ("/usr/bin/soffice"
                                          if Path("/usr/bin/soffice").exists() else None)
    if soffice is None:
        return None
    for py in ("/usr/bin/python3", shutil.which("python3")):
        if py and subprocess.run([py, "-c", "import uno"], capture_output=True).returncode == 0:
            return soffice, py
    return None


# -- refresh in a child process --------------------------------------------------------------


def refresh_child(path: Path) -> tuple[float, float, float]:
    """``xlpmo refresh PATH --no-backup --quiet`` in a child: (wall s, CPU s, peak RSS MB)."""
    child = run_main("xlpmo.cli", ["refresh", str(path), "--no-backup", "--quiet"])
    if child.returncode != 0:
        raise SystemExit(f"xlpmo refresh failed (exit {child.returncode}):\n{child.output}")
    return child.wall_s, child.cpu_s, child.peak_mb


def time_refresh(contract: Path, target: Path, repeat: int) -> dict[str, Any]:
    """``xlpmo refresh`` of a copy of ``contract`` at ``target``, then of the refreshed
    file again, ``repeat`` times, each in a child: the figures, printed too."""
    first, again, cpus, peaks = [], [], [], []
    for _ in range(repeat):
        shutil.copyfile(contract, target)
        for walls in (first, again):  # the new file, then the refreshed one once more
            wall, cpu, peak = refresh_child(target)
            walls.append(wall)
            cpus.append(cpu)
            peaks.append(peak)
    print(f"xlpmo refresh (child process, best of {repeat}): new workbook {min(first):.2f} s, "
          f"refreshed again (output tables full) {min(again):.2f} s -> refresh_s = the slower "
          f"(CPU at most {max(cpus):.2f} s); peak RSS {max(peaks):.0f} MB (new "
          f"{max(peaks[0::2]):.0f}, again {max(peaks[1::2]):.0f})", flush=True)
    return {"refresh_first_s": min(first), "refresh_again_s": min(again),
            "refresh_s": max(min(first), min(again)), "refresh_all_s": [first, again],
            "refresh_cpu_s": max(cpus), "refresh_first_cpu_s": min(cpus[0::2]),
            "refresh_again_cpu_s": min(cpus[1::2]), "peak_mb": max(peaks),
            "peak_first_mb": max(peaks[0::2]), "peak_again_mb": max(peaks[1::2])}


# -- reading ---------------------------------------------------------------------------------


def calamine_read_s(path: Path, sheets: list[str]) -> float:
    """Seconds of python-calamine's raw read of ``sheets`` (``to_python()`` of each)."""
    import python_calamine

    t = time.perf_counter()
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    for name in sheets:
        book.get_sheet_by_name(name).to_python()
    book.close()
    return time.perf_counter() - t


def time_reads(path: Path, repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` seconds of read_workbook, coerce_inputs and calamine's raw read of
    the sheets read_workbook loads."""
    from xlpmo.io.coerce import coerce_inputs
    from xlpmo.io.reader import read_workbook

    best = {"read": math.inf, "coerce": math.inf, "calamine": math.inf}
    for _ in range(repeat):
        t = time.perf_counter()
        raw = read_workbook(path, outputs=False)  # as refresh reads it
        t1 = time.perf_counter()
        coerce_inputs(raw.tables)
        t2 = time.perf_counter()
        calamine = calamine_read_s(path, sorted({tbl.sheet for tbl in raw.tables.values()}))
        for key, secs in (("read", t1 - t), ("coerce", t2 - t1), ("calamine", calamine)):
            best[key] = min(best[key], secs)
    best["read_coerce"] = best["read"] + best["coerce"]
    return best


# -- LibreOffice -----------------------------------------------------------------------------


@dataclass
class LoRun:
    util_rows: int
    layout: bigbook.FormulaLayout
    load_s: float
    calc_s: list[float]
    values: dict[str, list[list[Any]]] = field(repr=False)
    version: str = ""
    calc_cpu_s: list[float] = field(default_factory=list)

    def best(self, basis: str = "cpu") -> float:
        """The best calculateAll() time: CPU seconds of soffice.bin (``cpu``) or wall."""
        times = self.calc_cpu_s if basis == "cpu" and self.calc_cpu_s else self.calc_s
        return min(times)


def _ranges(layout: bigbook.FormulaLayout, sample: list[int], n_months: int) -> dict[str, str]:
    """The ranges to read back: EVM and Variance rows of the sampled projects, all
    Utilisation and Portfolio rows."""

    def block(sheet: str, columns: tuple[str, ...], rows: int) -> str:
        return f"{sheet}!A1:{bigbook.col_letter(len(columns))}{1 + rows}"

    out = {"evm": block("EVM", bigbook.EVM_FORMULA_COLUMNS, len(layout.projects)),
           "portfolio": block("Portfolio", bigbook.PORTFOLIO_FORMULA_COLUMNS,
                              len(layout.portfolios))}
    if layout.utilisation_keys:
        out["utilisation"] = block("Utilisation", bigbook.UTIL_FORMULA_COLUMNS,
                                   len(layout.utilisation_keys))
    last = bigbook.col_letter(len(bigbook.VARIANCE_FORMULA_COLUMNS))
    for i in sample:
        out[f"variance:{i}"] = f"Variance!A{2 + i * n_months}:{last}{1 + (i + 1) * n_months}"
    return out


def run_libreoffice(py: str, soffice: str, inputs: Any, workdir: Path, n_resources: int | None,
                    sample: list[int], repeat: int, timeout: float,
                    threaded: bool = False) -> LoRun:
    book = workdir / f"formulas_{'all' if n_resources is None else n_resources}.xlsx"
    t = time.perf_counter()
    layout = bigbook.write_formula_workbook(book, inputs, None, n_resources)
    print(f"  wrote {book.name}: {layout.formula_cells:,} formula cells "
          f"({time.perf_counter() - t:.1f} s)", flush=True)
    n_months = len(bigbook.plan_months(inputs))
    read = workdir / "lo_read.json"
    read.write_text(json.dumps(_ranges(layout, sample, n_months)))
    out = workdir / "lo_out.json"
    cmd = [py, str(HERE / "librecalc.py"), str(book), "--read", str(read), "--out", str(out),
           "--repeat", str(repeat), "--soffice", soffice, *(["--threaded"] if threaded else [])]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise SystemExit(f"LibreOffice did not finish within {timeout:.0f} s "
                         "(raise --lo-timeout or lower --lo-resources)") from None
    if done.returncode != 0:
        raise SystemExit(f"LibreOffice run failed:\n{done.stdout.decode()}{done.stderr.decode()}")
    res = json.loads(out.read_text())
    book.unlink()
    return LoRun(len(layout.utilisation_keys), layout, res["load_s"], res["calc_s"],
                 res["values"], res.get("version", ""), res.get("calc_cpu_s", []))


def _n_periods(inputs: Any) -> int:
    from xlpmo.core.capacity import default_periods

    return len(default_periods(inputs))


def extrapolate(a: LoRun, b: LoRun, full_rows: int, basis: str = "cpu"
                ) -> tuple[float, float, float]:
    """Linear fit ``t = fixed + per_row x rows`` through two runs -> (full, fixed, per_row)."""
    per_row = (b.best(basis) - a.best(basis)) / (b.util_rows - a.util_rows)
    fixed = a.best(basis) - per_row * a.util_rows
    return fixed + per_row * full_rows, fixed, per_row


# -- comparing the two trackers --------------------------------------------------------------


def same(ours: Any, theirs: Any) -> bool:
    """One xlpmo value (as read back from the refreshed workbook) against LibreOffice's."""
    if isinstance(ours, XLError):
        return theirs == ours.value
    if isinstance(ours, (bool, np.bool_)):
        return isinstance(theirs, (int, float)) and bool(theirs) == bool(ours)
    if isinstance(ours, (int, float)) and not isinstance(ours, bool):
        return isinstance(theirs, (int, float)) and math.isclose(
            ours, theirs, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if isinstance(ours, str):
        return ours == theirs
    return ours is None and theirs in ("", None)


def _serial(value: Any) -> float:
    from xlpmo.contract.periods import to_serial

    return float(to_serial(value))


@dataclass
class Agreement:
    compared: int = 0
    mismatches: list[str] = field(default_factory=list)
    max_rel: float = 0.0

    def check(self, where: str, ours: Any, theirs: Any) -> None:
        self.compared += 1
        if isinstance(ours, (int, float)) and isinstance(theirs, (int, float)) \
                and not isinstance(ours, bool):
            scale = max(abs(ours), abs(theirs))
            if scale > ABS_TOL:  # a relative difference of values near 0 says nothing
                self.max_rel = max(self.max_rel, abs(ours - theirs) / scale)
        if not same(ours, theirs):
            self.mismatches.append(f"{where}: xlpmo {ours!r} vs LibreOffice {theirs!r}")

    @property
    def ok(self) -> bool:
        return self.compared > 0 and not self.mismatches


def _table(raw: Any, name: str) -> pd.DataFrame:
    tbl = raw.tables[name]
    return pd.DataFrame(tbl.data.tolist(), columns=tbl.header)


def compare(refreshed: Path, run: LoRun, sample: list[int], n_months: int) -> Agreement:
    """xlpmo's written tables against LibreOffice's values for the sampled projects, every
    utilisation row LibreOffice computed, and the portfolio roll-up."""
    from xlpmo.io.reader import read_workbook

    raw = read_workbook(refreshed)
    agree = Agreement()
    lo_evm = run.values["evm"]
    head = lo_evm[0]
    evm = _table(raw, tables.EVM.name).set_index("ProjectID")
    for i in sample:
        row = dict(zip(head, lo_evm[1 + i], strict=True))
        pid = row["ProjectID"]
        for col in EVM_COMPARED:
            agree.check(f"tblEVM {pid} {col}", evm.at[pid, col], row[col])
    var = _table(raw, tables.VARIANCE.name)
    var["serial"] = [_serial(p) for p in var["Period"]]
    cols = list(bigbook.VARIANCE_FORMULA_COLUMNS)
    for i in sample:
        lo_rows = {r[1]: dict(zip(cols, r, strict=True)) for r in run.values[f"variance:{i}"]}
        pid = run.layout.projects[i]
        ours = var[var["ProjectID"] == pid]
        for _, row in ours.iterrows():
            theirs = lo_rows[row["serial"]]
            for col in VARIANCE_COMPARED:
                agree.check(f"tblVariance {pid} {row['Period']:%Y-%m} {col}", row[col],
                            theirs[col])
    if "utilisation" in run.values:
        util = _table(raw, tables.UTILISATION.name)
        util["serial"] = [_serial(p) for p in util["Period"]]
        keyed = util.set_index(["ResourceID", "serial"])
        lo_util = run.values["utilisation"]
        for r in lo_util[1:]:
            theirs = dict(zip(lo_util[0], r, strict=True))
            key = (theirs["ResourceID"], theirs["Period"])
            for col in UTIL_COMPARED:
                agree.check(f"tblUtilisation {key[0]} {col}", keyed.at[key, col], theirs[col])
    port = _table(raw, tables.PORTFOLIO.name).set_index("Portfolio")
    lo_port = run.values["portfolio"]
    for r in lo_port[1:]:
        theirs = dict(zip(lo_port[0], r, strict=True))
        for col in PORTFOLIO_COMPARED:
            agree.check(f"tblPortfolio {theirs['Portfolio']} {col}",
                        port.at[theirs["Portfolio"], col], theirs[col])
    return agree


# -- the run ---------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="full sizes, fewer repeats (under 10 minutes on 2 cores)")
    p.add_argument("--projects", type=int, default=1000)
    p.add_argument("--months", type=int, default=60)
    p.add_argument("--resources", type=int, default=2000)
    p.add_argument("--timesheets", type=int, default=500_000)
    p.add_argument("--repeat", type=int, help="refresh runs and read repeats (default 3, quick 2)")
    p.add_argument("--sample", type=int, default=25, help="projects compared (default 25)")
    p.add_argument("--lo-resources", default=None,
                   help="N1,N2: resources with utilisation formulas in the two LibreOffice "
                        "runs (default 20,60; quick 5,20)")
    p.add_argument("--lo-full", action="store_true",
                   help="recalculate the whole formula tracker in LibreOffice (hours)")
    p.add_argument("--lo-repeat", type=int, help="calculateAll() repeats (default 2, quick 1)")
    p.add_argument("--lo-timeout", type=float, default=7200)
    p.add_argument("--lo-threaded", action="store_true",
                   help="LibreOffice's multi-threaded formula-group calculation (its default), "
                        "timed by wall clock; off by default: with it a group computing for more "
                        "than 10 minutes aborts the recalculation")
    p.add_argument("--skip-libreoffice", action="store_true")
    p.add_argument("--workdir", help="folder for the workbooks (default: a temporary one)")
    p.add_argument("--json", help="also write the figures to this JSON file")
    return p


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = build_parser().parse_args(argv)
    repeat = args.repeat or (2 if args.quick else 3)
    lo_repeat = args.lo_repeat or (1 if args.quick else 2)
    lo_res = [int(x) for x in (args.lo_resources or ("5,20" if args.quick else "20,60"))
              .split(",")]
    lo = None
    if not args.skip_libreoffice:
        lo = find_libreoffice()
        if lo is None:
            raise SystemExit(LIBREOFFICE_HELP)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="xlpmo-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {"quick": args.quick, "cpus": os.cpu_count()}

    t = time.perf_counter()
    inputs = synthetic_inputs(args.projects, args.months, args.resources, args.timesheets)
    contract = bigbook.write_contract_workbook(work / "portfolio.xlsx", inputs)
    figures["generate_s"] = time.perf_counter() - t
    n_months = len(bigbook.plan_months(inputs))
    print(f"portfolio: {len(inputs.projects):,} projects x {n_months} months, "
          f"{len(inputs.resources):,} resources, {len(inputs.timesheets):,} timesheet rows; "
          f"{contract.name} {contract.stat().st_size / 2**20:.1f} MB written in "
          f"{figures['generate_s']:.1f} s", flush=True)

    target = work / "refreshed.xlsx"
    figures.update(time_refresh(contract, target, repeat))

    reads = time_reads(contract, repeat)
    figures.update(read_s=reads["read_coerce"], read_only_s=reads["read"],
                   coerce_s=reads["coerce"], calamine_s=reads["calamine"],
                   read_ratio=reads["read_coerce"] / reads["calamine"])
    print(f"read inputs: read_workbook {reads['read']:.2f} s + coerce {reads['coerce']:.2f} s "
          f"= {reads['read_coerce']:.2f} s; python-calamine raw read of the same sheets "
          f"{reads['calamine']:.2f} s (ratio {figures['read_ratio']:.2f})", flush=True)

    lo_s = math.nan
    if lo is not None:
        soffice, py = lo
        sample = bigbook.sample_positions(len(inputs.projects), args.sample)
        n_periods = _n_periods(inputs)
        full_rows = len(inputs.resources) * n_periods
        print("LibreOffice: the SUMIFS formula tracker (bigbook.FORMULA_DESIGN)", flush=True)
        basis = "wall" if args.lo_threaded else "cpu"
        if args.lo_full:
            runs = [run_libreoffice(py, soffice, inputs, work, None, sample, lo_repeat,
                                    args.lo_timeout, args.lo_threaded)]
            lo_s = runs[0].best(basis)
            method = "measured: the whole formula tracker recalculated"
        else:
            runs = [run_libreoffice(py, soffice, inputs, work, n, sample, lo_repeat,
                                    args.lo_timeout, args.lo_threaded) for n in lo_res]
            lo_s, fixed, per_row = extrapolate(runs[0], runs[1], full_rows, basis)
            wall_s, _, _ = extrapolate(runs[0], runs[1], full_rows, "wall")
            figures["libreoffice_wall_extrapolated_s"] = wall_s
            method = (f"extrapolated: EVM, Variance and Portfolio blocks of all "
                      f"{len(inputs.projects):,} projects recalculated in full; Utilisation "
                      f"for {runs[0].util_rows:,} and {runs[1].util_rows:,} of {full_rows:,} "
                      f"resource-month rows, then t = {fixed:.1f} s + {per_row * 1000:.1f} ms "
                      f"x rows at {full_rows:,} rows (linear fit through the two runs)")
        mode = ("multi-threaded (LibreOffice's default), wall clock" if args.lo_threaded else
                "single-threaded, CPU seconds of soffice.bin (= wall clock on an idle core)")
        method = f"{method}; {mode}"
        for run in runs:
            print(f"  {run.version}: {run.util_rows:,} utilisation rows: calculateAll "
                  f"{', '.join(f'{c:.1f}' for c in run.calc_s)} s wall, "
                  f"{', '.join(f'{c:.1f}' for c in run.calc_cpu_s)} s CPU "
                  f"(file load {run.load_s:.1f} s, not counted)", flush=True)
        print(f"  {method}", flush=True)
        agree = compare(target, runs[-1], sample, n_months)
        print(f"agreement: {agree.compared:,} values compared ({len(sample)} projects' EVM and "
              f"Variance rows, {runs[-1].util_rows:,} utilisation rows, the portfolio roll-up)"
              f": {'all agree' if agree.ok else f'{len(agree.mismatches)} DIFFER'} "
              f"(largest relative difference {agree.max_rel:.1e})", flush=True)
        for line in agree.mismatches[:20]:
            print(f"  {line}")
        figures.update(
            libreoffice_version=runs[0].version, libreoffice_method=method,
            libreoffice_runs=[{"util_rows": r.util_rows, "calc_s": r.calc_s,
                               "calc_cpu_s": r.calc_cpu_s, "load_s": r.load_s,
                               "formula_cells": r.layout.formula_cells} for r in runs],
            compared=agree.compared, mismatches=len(agree.mismatches), max_rel=agree.max_rel)
    figures["libreoffice_s"] = lo_s
    figures["speedup_vs_libreoffice"] = lo_s / figures["refresh_s"]
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, default=str))
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    print(f"refresh_s={figures['refresh_s']:.2f} peak_mb={figures['peak_mb']:.0f} "
          f"read_s={figures['read_s']:.2f} calamine_s={figures['calamine_s']:.2f} "
          f"read_ratio={figures['read_ratio']:.2f} libreoffice_s={lo_s:.1f} "
          f"speedup_vs_libreoffice={figures['speedup_vs_libreoffice']:.1f}")
    return figures


if __name__ == "__main__":
    main()
