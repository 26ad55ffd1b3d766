"""Recalculate a workbook in LibreOffice headless through UNO and time it.

Runs under the Python that has LibreOffice's ``uno`` module (Debian: ``/usr/bin/python3``
with the ``python3-uno`` package), NOT the project's venv; standard library only.

    /usr/bin/python3 benchmarks/librecalc.py BOOK.xlsx --read READ.json --out OUT.json

Starts ``soffice`` with a private, throw-away profile whose settings say *never recalculate
on load* (``OOXMLRecalcMode`` = ``ODFRecalcMode`` = 1), so loading only parses the file, and
turn LibreOffice's multi-threaded calculation of formula groups off unless ``--threaded``
(with it on, a formula group that computes for more than 10 minutes aborts the whole
recalculation: "timeout waiting for threadpool tasks"). Then times ``calculateAll()`` (a
hard recalculation of every formula cell) ``--repeat`` times, wall clock and CPU seconds of
the soffice.bin process, and reads back the cell ranges named in READ.json
(``{"key": "Sheet!A2:T30", ...}``): numbers as floats, text as str, booleans as numbers
(LibreOffice keeps no boolean type), error cells as their text (``#DIV/0!``).

Writes ``{"version", "load_s", "calc_s": [...], "calc_cpu_s": [...], "values": {key: rows}}``
as JSON to OUT.json.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>1</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>1</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Calculation">
<prop oor:name="UseThreadedCalculationForFormulaGroups" oor:op="fuse"><value>{threaded}</value>
</prop></item>
</oor:items>
"""

#: LibreOffice error codes (ScErrorCodes) -> Excel error text
ERRORS = {532: "#DIV/0!", 32767: "#N/A", 519: "#VALUE!", 503: "#NUM!", 525: "#NAME?",
          524: "#REF!", 521: "#NULL!", 504: "#VALUE!"}


def _props(**kw):
    from com.sun.star.beans import PropertyValue

    out = []
    for k, v in kw.items():
        p = PropertyValue()
        p.Name, p.Value = k, v
        out.append(p)
    return tuple(out)


def _connect(pipe: str, proc: subprocess.Popen, timeout: float):
    import uno

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + timeout
    while True:
        try:
            return resolver.resolve(
                f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if proc.poll() is not None:
                raise SystemExit(f"soffice exited with code {proc.returncode}") from None
            if time.monotonic() > deadline:
                raise SystemExit("could not connect to soffice") from None
            time.sleep(0.25)


def _office_pid(pipe: str) -> int | None:
    """The soffice.bin process listening on ``pipe`` (soffice is a launcher script)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read()
        except OSError:
            continue
        if b"soffice.bin" in cmd and pipe.encode() in cmd:
            return int(entry)
    return None


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of a process (all its threads); NaN when unknown."""
    if pid is None:
        return float("nan")
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _read(doc, address: str) -> list[list]:
    from com.sun.star.sheet.FormulaResult import ERROR

    sheet_name, _, cells = address.partition("!")
    rng = doc.Sheets.getByName(sheet_name).getCellRangeByName(cells)
    rows = [list(r) for r in rng.getDataArray()]
    top = rng.getRangeAddress()
    errors = rng.queryFormulaCells(ERROR)
    for addr in errors.getRangeAddresses():
        for row in range(addr.StartRow, addr.EndRow + 1):
            for col in range(addr.StartColumn, addr.EndColumn + 1):
                cell = doc.Sheets.getByIndex(addr.Sheet).getCellByPosition(col, row)
                code = cell.getError()
                rows[row - top.StartRow][col - top.StartColumn] = ERRORS.get(
                    code, f"#ERR{code}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("book")
    parser.add_argument("--read", help="JSON file {key: 'Sheet!A1:B2'} of ranges to read back")
    parser.add_argument("--out", required=True)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--soffice", default=shutil.which("soffice") or "/usr/bin/soffice")
    parser.add_argument("--connect-timeout", type=float, default=120)
    parser.add_argument("--threaded", action="store_true",
                        help="keep LibreOffice's multi-threaded calculation of formula groups "
                             "(its default; a group that takes over 10 minutes then aborts "
                             "with 'timeout waiting for threadpool tasks')")
    args = parser.parse_args()
    if importlib.util.find_spec("uno") is None:
        raise SystemExit(f"{sys.executable} has no 'uno' module (install python3-uno)")

    ranges = {}
    if args.read:
        with open(args.read, encoding="utf-8") as fh:
            ranges = json.load(fh)
    profile = tempfile.mkdtemp(prefix="h9-lo-profile-")
    os.makedirs(os.path.join(profile, "user"))
    with open(os.path.join(profile, "user", "registrymodifications.xcu"), "w",
              encoding="utf-8") as fh:
        fh.write(PROFILE.format(threaded="true" if args.threaded else "false"))
    pipe = f"h9lo{uuid.uuid4().hex[:12]}"
    proc = subprocess.Popen(
        [args.soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
         "--nolockcheck", f"-env:UserInstallation=file://{profile}",
         f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    result = {}
    try:
        import uno

        ctx = _connect(pipe, proc, args.connect_timeout)
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        provider = smgr.createInstanceWithContext(
            "com.sun.star.configuration.ConfigurationProvider", ctx)
        about = provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationAccess",
            _props(nodepath="/org.openoffice.Setup/Product"))
        result["version"] = f"{about.ooName} {about.ooSetupVersionAboutBox}"
        url = uno.systemPathToFileUrl(os.path.abspath(args.book))
        t = time.perf_counter()
        doc = desktop.loadComponentFromURL(url, "_blank", 0, _props(Hidden=True))
        result["load_s"] = time.perf_counter() - t
        if doc is None:
            raise SystemExit(f"LibreOffice could not open {args.book}")
        result["calc_s"], result["calc_cpu_s"] = [], []
        pid = _office_pid(pipe)
        for _ in range(args.repeat):
            cpu = _cpu_seconds(pid)
            t = time.perf_counter()
            doc.calculateAll()
            result["calc_s"].append(time.perf_counter() - t)
            result["calc_cpu_s"].append(_cpu_seconds(pid) - cpu)
        result["values"] = {key: _read(doc, addr) for key, addr in ranges.items()}
        doc.close(True)
        with contextlib.suppress(Exception):  # the bridge may drop as soffice exits
            desktop.terminate()
    finally:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    main()
