"""The xlwings Lite plugin: the built wheel, installed in a fresh venv, registers the 33
functions and the 6 scripts.

xlwings Lite finds a plugin's functions and scripts as members of a module. xlpmo offers
that module (``xlpmo_udfs.lite``) two ways, both checked here on the *installed wheel*,
not the source tree:

- the entry point ``xlpmo`` in the group ``xlwings_lite`` (package metadata);
- ``from xlpmo_udfs.lite import *`` in a workbook's ``main.py``, made into a module from
  its source text as xlwings' own Pyodide runtime does (``create_module_from_string``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = textwrap.dedent("""
    import importlib.metadata as md, importlib.util, json, sys
    import xlwings.server as server
    found = [ep for ep in md.entry_points(group="xlwings_lite") if ep.name == "xlpmo"]
    module = found[0].load()
    main_py = "from xlpmo_udfs.lite import *\\n"
    spec = importlib.util.spec_from_loader("main", loader=None)
    main = importlib.util.module_from_spec(spec)
    exec(main_py, main.__dict__)
    out = {}
    for label, mod in (("entry_point", module), ("main_py", main)):
        meta = server.custom_functions_meta(mod)
        out[label] = {
            "functions": sorted(f["name"] for f in meta["functions"]),
            "scripts": sorted(s["name"] for s in server.custom_scripts_meta(mod)),
        }
    out["entry_point_value"] = found[0].value
    out["module_file"] = module.__file__
    out["dist_files"] = [str(f) for f in md.distribution("xlpmo").files
                         if str(f).endswith(".py")][:1000]
    print(json.dumps(out))
""")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The project's wheel, built from a copy of the sources (the tree stays clean)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, src / name)
    for package in ("xlpmo", "udfs"):
        shutil.copytree(ROOT / package, src / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(out), "-q"],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    wheels = list(out.glob("xlpmo-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_wheel_is_pure_python(wheel):
    assert wheel.name.endswith("-py3-none-any.whl")


def test_installed_wheel_registers_functions_and_scripts(wheel, tmp_path):
    import xlpmo.functions as pmo

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], capture_output=True, text=True, check=True
                          ).stdout.strip()
    # the dependencies (pandas, xlwings ...) come from the test interpreter's site-packages,
    # added by a plain path entry: its editable install of xlpmo is not activated that way
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", str(wheel), "-q"], capture_output=True, text=True, timeout=300)
    if install.returncode != 0 and "no such option: --python" in install.stderr:
        install = subprocess.run(  # older pip: install into the venv's site-packages
            [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
             "--target", site, str(wheel), "-q"], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr[-3000:]
    env = {**os.environ, "XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
    env.pop("PYTHONPATH", None)
    probe = subprocess.run([str(python), "-c", PROBE], capture_output=True, text=True,
                           env=env, cwd=tmp_path, timeout=300)
    assert probe.returncode == 0, probe.stderr[-3000:]
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    assert found["module_file"].startswith(str(venv)), found["module_file"]  # the wheel's
    assert found["entry_point_value"] == "xlpmo_udfs.lite"
    expected = sorted(f"PMO.{n}" for n in pmo.__all__)
    scripts = sorted(["Refresh", "Validate", "Import actuals", "Close period", "New project",
                      "Report"])
    for route in ("entry_point", "main_py"):
        assert found[route]["functions"] == expected, route
        assert found[route]["scripts"] == scripts, route
