"""Benchmark of the in-Excel Refresh (the xlwings Lite / Server script) at portfolio scale.

    python benchmarks/scripts.py [--quick] [--sizes 25,100,250,1000] [--workdir DIR]
                                 [--json OUT.json]

For each size (projects; per project 2 resources and 500 timesheet rows, 60 months; the
synthetic portfolio of ``synthetic.py``, issue 16):

1. writes the contract workbook (``bigbook.write_contract_workbook``) and the JSON book the
   Office.js client sends for it (``tests/helpers/xlwings_server.book_payload``, the
   payload the test suite's xlwings server tests send; the sheets the Refresh script's ``include`` /
   ``exclude`` leave out are sent empty, as the client does), UTF-8 JSON in a file;
   ``payload_mb`` is its size in MB of 10^6 bytes;
2. runs the Refresh script through ``xlwings.server.custom_scripts_call`` in a child process
   that holds only that JSON (this file with ``--child``; the child sets
   ``XLWINGS_ON_SERVER=true`` and ``XLWINGS_LICENSE_KEY=noncommercial`` for itself before it
   imports xlwings): ``script_s`` is the wall time of the call (CPU seconds beside it),
   best of ``--repeat``; ``peak_mb`` the child's own peak resident memory (VmHWM, MB of
   2^20 bytes, the largest of the runs; ``childproc.py`` says why not ``ru_maxrss``),
   which includes Python with pandas and xlwings imported, the JSON text read and parsed,
   the script, and the actions serialised back;
3. checks that the script refreshed: it printed ``refreshed:`` and wrote tblEVM with one
   row per project;
4. does 1 to 3 again on the workbook refreshed once (``xlpmo refresh``), whose output tables
   are full, as the book of a user who refreshes again: a larger JSON book. ``payload_mb``,
   ``script_s`` and ``peak_mb`` of a size are the larger of the two (as ``refresh.py``'s
   ``refresh_s``: users refresh the same workbook again and again).

It ends with the line
``peak_at_1000_mb=… payload_at_1000_mb=… script_s_at_1000=… at_1000=measured``; when 1,000
projects are not among the sizes (``--quick``: 25, 100, 250), the three figures come from
the straight line through the two largest sizes and the line ends ``at_1000=extrapolated``.

The JSON files are kept with ``--workdir``; profile one with, for example,
``py-spy record -- python benchmarks/scripts.py --child DIR/book_1000_new.json`` or
``memray run benchmarks/scripts.py --child DIR/book_1000_again.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
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

import childproc  # noqa: E402  (benchmarks/ is not a package)
from childproc import Child, peak_rss_mb, report_peak_at_exit  # noqa: E402

SERVER_ENV = {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
SCRIPT = "refresh"  # the Refresh script's function in xlpmo_udfs.lite
RESULT = "@@RESULT@@"
TARGET = 1000  # the size the final line reports
#: the two workbooks each size is measured on
STATES = {"new": "new workbook", "again": "refreshed again (output tables full)"}


# -- the child: xlwings in server mode, holding only the JSON book ---------------------------


def _server() -> tuple[Any, Any, Any]:
    """(xlwings, xlwings.server, the Lite plugin module), xlwings in server mode."""
    os.environ.update(SERVER_ENV)  # this process only, before xlwings is imported
    import xlpmo_udfs.lite as lite
    import xlwings as xw
    import xlwings.server as server

    return xw, server, lite


def child_meta() -> dict[str, Any]:
    """The Refresh script's entry of ``custom_scripts_meta`` (its include / exclude)."""
    _xw, server, lite = _server()
    return next(m for m in server.custom_scripts_meta(lite) if m["function_name"] == SCRIPT)


def child_refresh(payload_path: str) -> dict[str, Any]:
    """Run Refresh on the JSON book in ``payload_path``: timings, memory, what it wrote."""
    import asyncio

    xw, server, lite = _server()
    rss_imports = peak_rss_mb()
    t = time.perf_counter()
    text = Path(payload_path).read_bytes()
    payload = json.loads(text)
    del text
    book = xw.Book(json=payload)
    parse_s = time.perf_counter() - t
    rss_json = peak_rss_mb()
    printed = io.StringIO()
    t, c = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(printed):
        book = asyncio.run(server.custom_scripts_call(lite, SCRIPT,
                                                      typehint_to_value={xw.Book: book}))
    script_s, script_cpu_s = time.perf_counter() - t, time.process_time() - c
    t = time.perf_counter()
    answer = json.dumps(book.json(), default=str)  # what goes back to Office.js
    return_s = time.perf_counter() - t
    names = [s["name"] for s in payload["sheets"]]
    actions = book.json()["actions"]
    written = [{"sheet": names[a["sheet_position"]], "row": a["start_row"],
                "rows": len(a["values"]), "first": a["values"][0][0] if a["values"] else None}
               for a in actions if a["func"] == "setValues"]
    return {"script_s": script_s, "script_cpu_s": script_cpu_s, "parse_s": parse_s,
            "return_s": return_s, "actions_mb": len(answer.encode()) / 1e6,
            "actions": len(actions), "rss_imports_mb": rss_imports, "rss_json_mb": rss_json,
            "printed": printed.getvalue().strip(), "written": written}


def _child_main(argv: list[str]) -> None:
    report_peak_at_exit()
    result = child_meta() if argv[0] == "--meta" else child_refresh(argv[1])
    sys.stdout.write(f"\n{RESULT}{json.dumps(result, default=str)}\n")


# -- the parent --------------------------------------------------------------------------------


def run_child(args: list[str]) -> tuple[dict[str, Any], Child]:
    """This file with ``args`` in a measured child process: (its result, the child)."""
    child = childproc.run_child([sys.executable, str(Path(__file__).resolve()), *args])
    if child.returncode != 0 or RESULT not in child.output:
        raise SystemExit(f"the child {' '.join(args)} failed:\n{child.output[-4000:]}")
    return json.loads(child.output.split(RESULT, 1)[1].splitlines()[0]), child


def _sheet_names(value: str | list[str] | None) -> list[str] | None:
    """A script's include / exclude as a list (``custom_scripts_meta`` joins it with commas)."""
    return [s.strip() for s in value.split(",")] if isinstance(value, str) else value


def contract_workbook(n: int, args: argparse.Namespace, work: Path) -> tuple[Path, dict]:
    """The contract workbook of ``n`` projects: (path, facts)."""
    import bigbook
    from synthetic import synthetic_inputs

    inputs = synthetic_inputs(n, args.months, args.resources_per_project * n,
                              args.timesheets_per_project * n)
    xlsx = bigbook.write_contract_workbook(work / f"book_{n}.xlsx", inputs)
    return xlsx, {"projects": n, "resources": len(inputs.resources),
                  "timesheet_rows": len(inputs.timesheets)}


def write_payload(xlsx: Path, meta: dict[str, Any], path: Path) -> dict[str, Any]:
    """The JSON book Office.js sends for ``xlsx``, written to ``path``: its facts."""
    from helpers.xlwings_server import book_payload

    t = time.perf_counter()
    payload = book_payload(str(xlsx), _sheet_names(meta.get("include")),
                           _sheet_names(meta.get("exclude")))
    data = json.dumps(payload).encode()
    path.write_bytes(data)
    return {"xlsx_mb": xlsx.stat().st_size / 1e6, "payload_mb": len(data) / 1e6,
            "payload_cells": sum(len(r) for s in payload["sheets"] for r in s["values"]),
            "sheets_sent": sum(1 for s in payload["sheets"] if s["values"] != [[]]),
            "sheets": len(payload["sheets"]), "build_s": time.perf_counter() - t}


def measure(path: Path, n: int, repeat: int) -> dict[str, Any]:
    """Refresh of the JSON book ``path`` in ``repeat`` children: the best time, the
    largest peak."""
    runs = []
    for _ in range(repeat):
        result, child = run_child(["--child", str(path)])
        check_refreshed(result, n)
        runs.append({**result, "child_wall_s": child.wall_s, "child_cpu_s": child.cpu_s,
                     "peak_mb": child.peak_mb})
    best = min(runs, key=lambda r: r["script_s"])
    return {**{k: v for k, v in best.items() if k not in ("written", "printed")},
            "script_all_s": [r["script_s"] for r in runs],
            "peak_mb": max(r["peak_mb"] for r in runs)}


def check_refreshed(result: dict[str, Any], n: int) -> None:
    """Refuse a run in which Refresh did not write tblEVM with ``n`` rows."""
    from xlpmo.contract import tables

    if not result["printed"].startswith("refreshed:"):
        raise SystemExit(f"Refresh did not refresh: {result['printed']!r}")
    evm = [w for w in result["written"]
           if w["sheet"] == tables.EVM.sheet and w["first"] == tables.EVM.column_names[0]]
    if not evm or evm[0]["rows"] != n + 1:
        raise SystemExit(f"Refresh wrote {evm} for tblEVM, not {n} rows and a header")


def at_target(points: dict[int, dict[str, Any]], key: str) -> float:
    """``key`` at :data:`TARGET` projects: measured, or on the straight line through the
    two largest sizes."""
    if TARGET in points:
        return points[TARGET][key]
    (n1, a), (n2, b) = sorted(points.items())[-2:]
    return a[key] + (b[key] - a[key]) * (TARGET - n1) / (n2 - n1)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="sizes 25, 100, 250; 2 repeats")
    p.add_argument("--sizes", help="projects, comma-separated (default 25,100,250,1000)")
    p.add_argument("--months", type=int, default=60)
    p.add_argument("--resources-per-project", type=int, default=2)
    p.add_argument("--timesheets-per-project", type=int, default=500)
    p.add_argument("--repeat", type=int, help="child runs per size (default 3, quick 2)")
    p.add_argument("--workdir", help="keep the JSON books here (default: a temporary folder)")
    p.add_argument("--json", help="also write the figures to this JSON file")
    return p


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = build_parser().parse_args(argv)
    sizes = [int(s) for s in (args.sizes or ("25,100,250" if args.quick else "25,100,250,1000"))
             .split(",")]
    if TARGET not in sizes and len(sizes) < 2:
        raise SystemExit(f"give {TARGET} or at least two sizes to extrapolate from")
    repeat = args.repeat or (2 if args.quick else 3)
    tests = str(HERE.parent / "tests")  # helpers.xlwings_server
    if tests not in sys.path:
        sys.path.insert(0, tests)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="xlpmo-scripts-"))
    work.mkdir(parents=True, exist_ok=True)
    meta, _ = run_child(["--meta"])
    print(f"Refresh script: include={meta.get('include')!r} exclude={meta.get('exclude')!r}; "
          f"{args.months} months, {args.resources_per_project} resources and "
          f"{args.timesheets_per_project} timesheet rows per project; best of {repeat}",
          flush=True)
    points: dict[int, dict[str, Any]] = {}
    for n in sizes:
        xlsx, facts = contract_workbook(n, args, work)
        point: dict[str, Any] = {**facts}
        for state in STATES:
            if state == "again":  # the workbook after a Refresh: its output tables full
                from xlpmo.app.pipeline import refresh_file

                refresh_file(xlsx, backup=False)
            path = work / f"book_{n}_{state}.json"
            run = {**write_payload(xlsx, meta, path), **measure(path, n, repeat)}
            point[state] = run
            print(f"{n:>6,} projects, {STATES[state]}: book JSON {run['payload_mb']:.2f} MB "
                  f"({run['payload_cells']:,} cells, {run['sheets_sent']} of {run['sheets']} "
                  f"sheets' values sent); Refresh {run['script_s']:.2f} s "
                  f"({run['script_cpu_s']:.2f} s CPU; JSON parse {run['parse_s']:.2f} s, "
                  f"actions {run['actions_mb']:.1f} MB serialised in {run['return_s']:.2f} s);"
                  f" peak RSS {run['peak_mb']:.0f} MB (after imports "
                  f"{run['rss_imports_mb']:.0f}, after parsing the JSON "
                  f"{run['rss_json_mb']:.0f})", flush=True)
        xlsx.unlink()
        for key in ("payload_mb", "script_s", "peak_mb"):  # the larger of the two states
            point[key] = max(point[state][key] for state in STATES)
        points[n] = point
    how = "measured" if TARGET in points else "extrapolated"
    figures: dict[str, Any] = {
        "quick": args.quick, "cpus": os.cpu_count(), "repeat": repeat, "meta": meta,
        "sizes": {str(n): p for n, p in points.items()}, "at_1000": how,
        "peak_at_1000_mb": at_target(points, "peak_mb"),
        "payload_at_1000_mb": at_target(points, "payload_mb"),
        "script_s_at_1000": at_target(points, "script_s"),
    }
    if how == "extrapolated":
        n1, n2 = sorted(points)[-2:]
        print(f"{TARGET:,} projects not measured: extrapolated on the straight line through "
              f"{n1:,} and {n2:,} projects", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, default=str))
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    print(f"peak_at_1000_mb={figures['peak_at_1000_mb']:.0f} "
          f"payload_at_1000_mb={figures['payload_at_1000_mb']:.1f} "
          f"script_s_at_1000={figures['script_s_at_1000']:.2f} at_1000={how}")
    return figures


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("--child", "--meta"):
        _child_main(sys.argv[1:])
    else:
        main()
