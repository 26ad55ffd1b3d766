"""xlpmo_udfs' fix of xlwings' per-cell ``from pyodide.ffi import JsNull`` check.

xlwings 0.37.8 runs that import for every argument cell of a custom function; outside
Pyodide it fails and is retried for each cell (PMO.EVM over 1,000 projects: 18-26 s per
call). :mod:`xlpmo_udfs.functions` replaces the check on xlwings Server outside Pyodide
only. xlwings picks its mode at import, so each case runs in a child process: xlwings
Server without Pyodide, xlwings Server with a stand-in ``pyodide`` package (as in xlwings
Lite), and xlwings in its default mode (the pytest process: no server variables).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import xlpmo_udfs.functions as functions

SERVER_ENV = {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}

#: counts the import system's searches for pyodide, converts a range the way Office.js sends
#: it, and calls PMO.EVM through xlwings' server entry point
CHILD = textwrap.dedent('''
    import asyncio, importlib.abc, json, sys

    class Count(importlib.abc.MetaPathFinder):
        n = 0
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "pyodide":
                Count.n += 1
            return None

    import xlwings
    import xlwings.server as server
    from xlwings.pro import _xlofficejs
    original = _xlofficejs._is_jsnull
    import xlpmo_udfs.functions as functions

    sys.meta_path.insert(0, Count())
    blank = object()
    cells = [list(r) for r in [["P1", 1.5, ""], ["", None, "#N/A"]] * 500]
    try:  # the stand-in Pyodide: one JsNull cell, which must read as a blank
        from pyodide.ffi import JsNull
        cells[0][0] = JsNull()
    except ImportError:
        pass
    before = Count.n
    read = _xlofficejs.Engine.clean_value_data(cells, None, blank, None, True)
    searches = Count.n - before
    payload = {"func_name": "PMO_EVM", "caller_address": "Sheet1!B2",
               "version": xlwings.__version__, "client": "Office.js",
               "culture_info_name": "en-US", "date_format": "M/d/yyyy", "runtime": "1.4",
               "args": [[["ProjectID", "BAC"], ["P1", 1000], ["P2", ""]],
                        [["ProjectID", "Period", "Planned"], ["P1", 46023, 400],
                         ["P1", 46054, 600], ["P2", 46023, ""]],
                        [["ProjectID", "Period", "Actual"], ["P1", 46023, 450]],
                        [["ProjectID", "Period", "PercentComplete"], ["P1", 46023, 0.5]],
                        [[46053]], None, None]}
    evm = asyncio.run(server.custom_functions_call(payload, functions))
    print(json.dumps({
        "replaced": functions.JSNULL_CHECK_REPLACED,
        "check": _xlofficejs._is_jsnull.__qualname__,
        "original_kept": _xlofficejs._is_jsnull is original,
        "searches": searches,
        "first_blank": read[0][0] is blank,
        "blanks": sum(v is blank for row in read for v in row),
        "evm": evm}))
''')


def run_child(env: dict[str, str], pythonpath: Path | None = None) -> dict:
    full = {k: v for k, v in os.environ.items() if k not in SERVER_ENV}
    full.update(env)
    if pythonpath is not None:
        full["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath),
                                                           full.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          env=full, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fake_pyodide(tmp_path: Path) -> Path:
    """A stand-in ``pyodide`` package with ``pyodide.ffi.JsNull``, as Pyodide >= 0.28 has."""
    pkg = tmp_path / "pyodide"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "ffi.py").write_text("class JsNull:\n    pass\n")
    return tmp_path


def test_on_server_outside_pyodide_the_check_is_replaced_and_results_stay(tmp_path):
    fixed = run_child(SERVER_ENV)
    inside = run_child(SERVER_ENV, fake_pyodide(tmp_path))
    assert fixed["replaced"] is True and fixed["check"] == "_never_jsnull"
    assert fixed["searches"] == 0  # no import attempt per cell any more
    # the same cells read as the same values as with xlwings' own check
    assert fixed["blanks"] == 1000 and not fixed["first_blank"]
    assert fixed["evm"] == inside["evm"]
    assert fixed["evm"][0][0] == "ProjectID" and fixed["evm"][1][0] == "P1"
    assert fixed["evm"][1][4] == 1000  # BAC of P1


def test_inside_pyodide_xlwings_is_left_alone(tmp_path):
    lite = run_child(SERVER_ENV, fake_pyodide(tmp_path))
    assert lite["replaced"] is False and lite["original_kept"] is True
    assert lite["check"] == "_is_jsnull"
    assert lite["first_blank"] is True  # xlwings' own check still sees JsNull as a blank
    assert lite["blanks"] == 1000 + 1


def test_xlwings_as_shipped_would_search_for_pyodide_per_cell():
    """What the fix avoids: with xlwings' own check restored, every cell searches again."""
    from xlwings.utils import is_jsnull

    assert is_jsnull("x") is False  # outside Pyodide the answer is always False
    code = CHILD.replace("read = _xlofficejs", "_xlofficejs._is_jsnull = original\n"
                         "read = _xlofficejs", 1)
    env = {k: v for k, v in os.environ.items() if k not in SERVER_ENV} | SERVER_ENV
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1])["searches"] >= 3000


def test_not_replaced_outside_xlwings_server():
    """The pytest process imports xlwings in its default mode (no server variables)."""
    assert os.environ.get("XLWINGS_ON_SERVER") != "true"
    assert functions.JSNULL_CHECK_REPLACED is False
    engine = sys.modules.get("xlwings.pro._xlofficejs")
    if engine is not None:
        assert engine._is_jsnull is not functions._never_jsnull
