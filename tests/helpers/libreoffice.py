"""LibreOffice headless for the printing and chart tests: PDF conversion in a subprocess with
a private profile and a timeout, and a copy of a workbook that prints only some sheets
(LibreOffice leaves hidden sheets out of a PDF)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(files: list[Path], outdir: Path, profile: Path) -> list[Path]:
    """Convert workbooks to PDF (one soffice run); returns the PDFs."""
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--norestore", "--convert-to", "pdf", "--outdir", str(outdir),
                    *map(str, files)], check=True, timeout=240, capture_output=True)
    pdfs = [outdir / f"{f.stem}.pdf" for f in files]
    missing = [p for p in pdfs if not p.exists()]
    assert not missing, f"LibreOffice wrote nothing for {missing}"
    return pdfs


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
