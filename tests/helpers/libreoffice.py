"""LibreOffice headless as a formula oracle: convert workbooks with every formula recalculated.

LibreOffice runs in a subprocess with a timeout and a private profile whose settings
recalculate every formula on load (so the values come from LibreOffice, not from the cached
values the writer stored).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
#: the markers of a test module that needs LibreOffice
MARKS = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]
RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def convert(files: list[Path], target: str, outdir: Path, tmp: Path) -> list[Path]:
    """``soffice --convert-to target`` of ``files`` into ``outdir``, formulas recalculated."""
    profile = tmp / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_PROFILE)
    outdir.mkdir(exist_ok=True)
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", target, "--outdir", str(outdir), *map(str, files)],
        check=True, timeout=240, capture_output=True,
    )
    suffix = target.split(":")[0]
    out = [outdir / f"{f.stem}.{suffix}" for f in files]
    missing = [p for p in out if not p.exists()]
    assert not missing, f"LibreOffice wrote nothing for {missing}"
    return out
