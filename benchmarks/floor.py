"""``xlpmo refresh`` against the physical floor of reading and writing the same data (issue 16).

    python benchmarks/floor.py [--quick] [--big] [--workdir DIR] [--json OUT.json]

One run:

1. builds the synthetic portfolio (``synthetic.py``; default 1,000 projects x 60 months,
   2,000 resources, 500,000 timesheet rows) as the contract workbook
   (``bigbook.write_contract_workbook``);
2. times ``xlpmo refresh`` in child processes as ``refresh.py`` does (the new workbook, then
   the refreshed one again; ``refresh_s`` the slower of the two best times; ``peak_mb`` the
   largest peak resident memory of a refresh child);
3. times the physical floor of the same work, best of ``--repeat`` each:
   ``calamine_s``, python-calamine's raw read (``to_python()``) of the contract's input
   sheets, and ``xlsxwriter_s``, XlsxWriter writing the output tables refresh wrote (their
   values, read back from the refreshed workbook before the clock starts) as Excel Tables
   into a new workbook; ``floor_s`` = their sum (CPU seconds beside the wall times, and
   ``floor_ratio_cpu_*`` from them: steadier than wall time on a shared machine);
4. prints, as its last line,
   ``refresh_s=… floor_s=… calamine_s=… xlsxwriter_s=… floor_ratio=… peak_mb=…``
   (``floor_ratio`` = refresh_s / floor_s).

``--big``: 8,000 projects x 120 months (2,000 resources, 500,000 timesheet rows), one
repeat: the memory target of issue 16 (minutes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bigbook  # noqa: E402  (benchmarks/ is not a package)
from refresh import calamine_read_s, time_refresh  # noqa: E402
from synthetic import synthetic_inputs  # noqa: E402

from xlpmo.contract import tables  # noqa: E402

BIG = {"projects": 8000, "months": 120, "resources": 2000, "timesheets": 500_000}


def input_sheets(path: Path) -> list[str]:
    """The contract's input sheets present in the workbook (what refresh reads)."""
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    present = set(book.sheet_names)
    book.close()
    return sorted({spec.sheet for spec in tables.INPUTS.values()} & present)


Output = tuple[str, str, list[str], list[list[Any]], int]


def output_tables(path: Path) -> list[Output]:
    """(name, sheet, header, columns, rows) of each output table of a refreshed workbook:
    its values by column as python-calamine reads them. (xlpmo's reader refuses a workbook
    whose parts inflate past its zip-bomb limit, which the output of 8,000 projects x 120
    months does. Calamine reads an error cell as a blank, which the floor then does not
    write: #DIV/0! cells are 1.3 % of the cells at 1,000 projects, a floor that much
    cheaper.)"""
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path), load_tables=True)
    out = []
    for name in tables.OUTPUTS:
        if name not in book.table_names:
            continue
        tbl = book.get_table_by_name(name)
        rows = tbl.to_python()
        columns = [list(col) for col in zip(*rows, strict=True)] if rows else \
            [[] for _ in tbl.columns]
        out.append((name, tbl.sheet, list(tbl.columns), columns, len(rows)))
    book.close()
    return out


def xlsxwriter_s(outputs: list[Output], path: Path) -> float:
    """Seconds XlsxWriter takes to write ``outputs`` as Excel Tables into a new workbook:
    one sheet per output sheet, tables one below the other, dates formatted as dates."""
    import xlsxwriter

    t = time.perf_counter()
    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheets: dict[str, Any] = {}
    next_row: dict[str, int] = {}
    for name, sheet, header, columns, n_rows in outputs:
        if sheet not in sheets:
            sheets[sheet] = book.add_worksheet(sheet)
        ws = sheets[sheet]
        top = next_row.get(sheet, 0)
        for j, values in enumerate(columns):
            dates = any(isinstance(v, dt.date) for v in values[:50])
            ws.write_column(top + 1, j, values, date if dates else None)
        bottom = top + max(n_rows, 1)
        ws.add_table(top, 0, bottom, len(header) - 1,
                     {"name": name, "columns": [{"header": h} for h in header]})
        next_row[sheet] = bottom + 3
    book.close()
    return time.perf_counter() - t


def best_of(repeat: int, func: Any, *args: Any) -> tuple[float, float]:
    """``func(*args)`` ``repeat`` times: (best wall seconds, best CPU seconds)."""
    walls, cpus = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        func(*args)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="2 repeats instead of 3")
    p.add_argument("--big", action="store_true",
                   help="8,000 projects x 120 months, one repeat (the memory target)")
    p.add_argument("--projects", type=int, default=1000)
    p.add_argument("--months", type=int, default=60)
    p.add_argument("--resources", type=int, default=2000)
    p.add_argument("--timesheets", type=int, default=500_000)
    p.add_argument("--repeat", type=int, help="runs of each measurement (default 3, quick 2)")
    p.add_argument("--workdir", help="folder for the workbooks (default: a temporary one)")
    p.add_argument("--json", help="also write the figures to this JSON file")
    return p


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = build_parser().parse_args(argv)
    if args.big:
        for key, value in BIG.items():
            setattr(args, key, value)
    repeat = args.repeat or (1 if args.big else 2 if args.quick else 3)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="xlpmo-floor-"))
    work.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {"quick": args.quick, "big": args.big, "cpus": os.cpu_count(),
                               "repeat": repeat}

    t = time.perf_counter()
    inputs = synthetic_inputs(args.projects, args.months, args.resources, args.timesheets)
    contract = bigbook.write_contract_workbook(work / "portfolio.xlsx", inputs)
    del inputs
    figures.update(generate_s=time.perf_counter() - t, projects=args.projects,
                   months=args.months, resources=args.resources, timesheets=args.timesheets,
                   xlsx_mb=contract.stat().st_size / 2**20)
    print(f"portfolio: {args.projects:,} projects x {args.months} months, {args.resources:,} "
          f"resources, {args.timesheets:,} timesheet rows; {contract.name} "
          f"{figures['xlsx_mb']:.1f} MB written in {figures['generate_s']:.1f} s", flush=True)

    target = work / "refreshed.xlsx"
    figures.update(time_refresh(contract, target, repeat))

    sheets = input_sheets(contract)
    outputs = output_tables(target)
    floor_file = work / "floor.xlsx"
    calamine, calamine_cpu = best_of(repeat, calamine_read_s, contract, sheets)
    written, written_cpu = best_of(repeat, xlsxwriter_s, outputs, floor_file)
    cells = sum(n_rows * len(header) for _, _, header, _, n_rows in outputs)
    floor, floor_cpu = calamine + written, calamine_cpu + written_cpu
    figures.update(calamine_s=calamine, xlsxwriter_s=written, floor_s=floor,
                   calamine_cpu_s=calamine_cpu, xlsxwriter_cpu_s=written_cpu,
                   floor_cpu_s=floor_cpu, floor_cells_written=cells,
                   floor_ratio=figures["refresh_s"] / floor,
                   floor_ratio_first=figures["refresh_first_s"] / floor,
                   floor_ratio_again=figures["refresh_again_s"] / floor,
                   floor_ratio_cpu_first=figures["refresh_first_cpu_s"] / floor_cpu,
                   floor_ratio_cpu_again=figures["refresh_again_cpu_s"] / floor_cpu)
    print(f"floor (best of {repeat}): python-calamine raw read of {len(sheets)} input sheets "
          f"{calamine:.2f} s + XlsxWriter writing {len(outputs)} output tables ({cells:,} "
          f"cells) {written:.2f} s = {floor:.2f} s (CPU {floor_cpu:.2f} s); refresh / floor: "
          f"new {figures['floor_ratio_first']:.2f}, again {figures['floor_ratio_again']:.2f} "
          f"(CPU seconds: new {figures['floor_ratio_cpu_first']:.2f}, again "
          f"{figures['floor_ratio_cpu_again']:.2f})", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, default=str))
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    print(f"refresh_s={figures['refresh_s']:.2f} floor_s={floor:.2f} calamine_s={calamine:.2f} "
          f"xlsxwriter_s={written:.2f} floor_ratio={figures['floor_ratio']:.2f} "
          f"peak_mb={figures['peak_mb']:.0f}")
    return figures


if __name__ == "__main__":
    main()
