"""``xlpmo report BOOK [--pdf FILE]`` end to end on the committed template: the Report sheet's
native charts in the file (nothing else touched, its own sheet replaced on the next run, a
sheet of that name it did not make refused), and the PDF pack (1 + N pages that poppler
renders)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from helpers.canvas_checks import canvas_parts, check_canvas_write
from helpers.libreoffice import SOFFICE, only_sheets, to_pdf
from helpers.libreoffice import text as pdf_text
from helpers.ooxml import zip_contents
from helpers.paths import TEMPLATE

from xlpmo.app.pipeline import validate_file
from xlpmo.cli import main
from xlpmo.core.tracker import compute
from xlpmo.report.definition import build_report
from xlpmo.report.sheet import canvas

PDFTOPPM = shutil.which("pdftoppm")


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    path = tmp_path / "Tracker.xlsx"
    shutil.copy(TEMPLATE, path)
    return path


def _expected_canvas(path: Path):
    inputs = validate_file(path).inputs
    return canvas(build_report(inputs, compute(inputs)))


def test_report_writes_native_charts_and_nothing_else(tracker: Path, tmp_path: Path, capsys):
    before = tmp_path / "before.xlsx"
    shutil.copy(tracker, before)
    assert main(["report", str(tracker), "--quiet", "--no-backup"]) == 0
    out = capsys.readouterr().out
    assert "wrote the Report sheet" in out and "9 chart(s)" in out
    assert "not drawn" not in out  # tblTrend and tblCapacityPlan are among the outputs
    plan = _expected_canvas(before)
    check_canvas_write(before, tracker, plan)
    wb = openpyxl.load_workbook(tracker)
    ws = wb["Report"]
    titles = ["".join(r.t for p in c.title.tx.rich.p for r in (p.r or [])) for c in ws._charts]
    assert titles == ["Portfolio CPI and SPI (1 = on plan)", "Projects: CPI against SPI(t)",
                      "EAC trend by project (money)",
                      "S-curve PRJ-101: Mobile App Relaunch (cumulative)",
                      "CPI and SPI(t) PRJ-101: Mobile App Relaunch (1 = on plan)",
                      "S-curve PRJ-102: Data Centre Exit (cumulative)",
                      "CPI and SPI(t) PRJ-102: Data Centre Exit (1 = on plan)",
                      "S-curve PRJ-103: CRM Migration (cumulative)",
                      "CPI and SPI(t) PRJ-103: CRM Migration (1 = on plan)"]
    assert [type(c).__name__ for c in ws._charts] == ["BarChart", "ScatterChart",
                                                      *["LineChart"] * 7]
    # the other sheets are as they were (the Report sheet is added at the end)
    assert wb.sheetnames == [*openpyxl.load_workbook(before).sheetnames, "Report"]


def test_report_again_replaces_its_own_sheet(tracker: Path, tmp_path: Path):
    assert main(["report", str(tracker), "--quiet", "--no-backup"]) == 0
    first = zip_contents(tracker)
    assert main(["report", str(tracker), "--quiet", "--no-backup"]) == 0
    assert zip_contents(tracker) == first  # same inputs: the same bytes, no extra parts
    _part, _drawings, charts = canvas_parts(tracker, "Report")
    assert len(charts) == 9


def test_report_refuses_a_report_sheet_it_did_not_make(tmp_path: Path, capsys):
    path = tmp_path / "Mine.xlsx"
    wb = openpyxl.load_workbook(TEMPLATE)
    wb.create_sheet("Report")["A1"] = "Board pack notes"
    wb.save(path)
    before = path.read_bytes()
    assert main(["report", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "the sheet 'Report' was not made by xlpmo" in err and "rename it" in err
    assert path.read_bytes() == before
    assert not list(tmp_path.glob(".xlpmo-backups/*"))


def test_report_pdf_has_a_page_per_project(tracker: Path, tmp_path: Path, capsys):
    from pypdf import PdfReader

    pdf = tmp_path / "pack.pdf"
    assert main(["report", str(tracker), "--pdf", str(pdf), "--quiet"]) == 0
    assert "4 page(s)" in capsys.readouterr().out
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1 + 3  # the portfolio, then PRJ-101, PRJ-102, PRJ-103
    texts = [page.extract_text() for page in reader.pages]
    assert "portfolio report" in texts[0] and "Projects by RAG" in texts[0]
    assert "Total" in texts[0]
    for text, (pid, name) in zip(texts[1:], [("PRJ-101", "Mobile App Relaunch"),
                                             ("PRJ-102", "Data Centre Exit"),
                                             ("PRJ-103", "CRM Migration")], strict=True):
        assert pid in text and name in text and "S-curve" in text and "Key figures" in text
    if PDFTOPPM is None:
        pytest.skip("poppler (pdftoppm) is not installed")
    subprocess.run([PDFTOPPM, "-r", "30", "-png", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=120)
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) == 4 and all(p.stat().st_size > 3000 for p in pngs)


def test_report_pdf_shows_the_eac_range_and_flags_the_budget_at_risk(tmp_path: Path):
    """The project page prints the EAC range as EACLow – EAC – EACHigh (at
    ForecastConfidence, 90 % in the template) and flags a project whose BACAtRisk is TRUE;
    the others say "no"."""
    from pypdf import PdfReader

    from xlpmo.report.pdf import write_pack

    inputs = validate_file(TEMPLATE).inputs
    outputs = dict(compute(inputs))
    evm = outputs["tblEVM"].copy()
    evm["EACLow"], evm["EAC"], evm["EACHigh"] = 250_000.0, 281_500.4, 310_000.0
    evm["BACAtRisk"] = [True, False, False]
    outputs["tblEVM"] = evm
    pdf = tmp_path / "pack.pdf"
    assert write_pack(build_report(inputs, outputs), pdf) == 4
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages[1:]]
    assert "EAC range (90%): low – EAC – high" in pages[0]
    assert "£250,000 – £281,500 – £310,000" in pages[0]  # money printed to the pound
    assert "Budget at risk (TCPI > CPI + 0.10)" in pages[0]
    assert "BAC at risk (TCPI − CPI > 0.10) YES" in pages[0]
    for page in pages[1:]:
        assert "Budget at risk" not in page and "BAC at risk (TCPI − CPI > 0.10) no" in page
    plain = tmp_path / "plain.pdf"  # an older tblEVM, without the range columns
    outputs["tblEVM"] = evm.drop(columns=["EACLow", "EACHigh"])
    write_pack(build_report(inputs, outputs), plain)
    assert "EAC range" not in PdfReader(plain).pages[1].extract_text()


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_draws_the_report(tracker: Path, tmp_path: Path):
    assert main(["report", str(tracker), "--quiet", "--no-backup"]) == 0
    (pdf,) = to_pdf([only_sheets(tracker, tmp_path / "Only.xlsx", ("Report",))], tmp_path,
                    tmp_path / "lo-profile")
    text = " ".join(pdf_text(pdf).split())  # a long chart title wraps
    for title in ("Portfolio CPI and SPI (1 = on plan)", "Projects: CPI against SPI(t)",
                  "S-curve PRJ-101: Mobile App Relaunch (cumulative)", "Cumulative money",
                  "CPI and SPI(t) PRJ-101: Mobile App Relaunch (1 = on plan)"):
        assert title in text, title
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True, timeout=60)
    assert any(p.stat().st_size > 5000 for p in tmp_path.glob("page*.png"))
