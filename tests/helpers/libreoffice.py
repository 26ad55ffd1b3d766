"""LibreOffice headless for tests: a formula oracle (convert with every formula recalculated),
PDF conversion for the printing and chart tests, and a copy of a workbook that prints only some
sheets (LibreOffice leaves hidden sheets out of a PDF). soffice runs in a subprocess with a
private profile and a timeout."""


from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
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
    return _soffice(files, target, outdir, profile)


def to_pdf(files: list[Path], outdir: Path, profile: Path) -> list[Path]:
    """Convert workbooks to PDF (one soffice run, the profile as it is); returns the PDFs."""
    return _soffice(files, "pdf", outdir, profile)


def _soffice(files: list[Path], target: str, outdir: Path, profile: Path) -> list[Path]:
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


def only_sheets(src: Path, dst: Path, sheets: tuple[str, ...]) -> Path:
    """A copy of ``src`` whose other sheets are hidden (the first kept one active)."""
    with zipfile.ZipFile(src) as z:
        wb = z.read("xl/workbook.xml").decode()
    names = re.findall(r'<sheet name="([^"]+)"', wb)
    for sheet in names:
        if sheet not in sheets:
            wb = wb.replace(f'<sheet name="{sheet}"', f'<sheet name="{sheet}" state="hidden"')
    first = next(i for i, n in enumerate(names) if n in sheets)
    wb = re.sub(r'activeTab="\d+"', f'activeTab="{first}"', wb)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            z.writestr(info, wb.encode() if info.filename == "xl/workbook.xml"
                       else zin.read(info))
    return dst


def text(pdf: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True,
                          text=True, check=True, timeout=60).stdout
