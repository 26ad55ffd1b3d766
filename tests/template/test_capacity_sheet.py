"""The template's CapacityPlan sheet (xlpmo.template.capacitysheet): the heat map, the group
picker, the native chart, and its ChartData formulas recalculated by LibreOffice against
tblCapacityPlan computed here."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from xlpmo.contract import tables
from xlpmo.core.capacityplan import capacity_plan_table
from xlpmo.io.coerce import coerce_inputs
from xlpmo.io.raw import RawTable
from xlpmo.template.builder import build_workbook
from xlpmo.template.capacitysheet import GROUPS, MONTHS, PICKER
from xlpmo.template.layout import MAX_ROW
from xlpmo.template.sample import sample_portfolio

TEMPLATE = Path(__file__).resolve().parents[2] / "workbook" / "PMO_Tracker.xlsx"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PICKER_REF = f"{openpyxl.utils.get_column_letter(PICKER[1] + 1)}{PICKER[0] + 1}"
FIRST_ROW = 13  # Excel row of the first month of the ChartData block
RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def test_heat_map_rag_and_picker_on_the_template():
    book = openpyxl.load_workbook(TEMPLATE)
    ws = book["CapacityPlan"]
    assert ws.tables["tblCapacityPlan"].ref.startswith("A1:J")
    rules = {(str(r.sqref), rule.type) for r in ws.conditional_formatting for rule in r.rules}
    # Utilisation (I) and GapHours (H): colour scales over the whole column; RAG (J) fills
    assert {(f"I2:I{MAX_ROW + 1}", "colorScale"), (f"H2:H{MAX_ROW + 1}", "colorScale"),
            (f"J2:J{MAX_ROW + 1}", "cellIs")} <= rules
    gap = next(rule for r in ws.conditional_formatting for rule in r.rules
               if str(r.sqref).startswith("H2:"))
    assert [float(v.val) for v in gap.colorScale.cfvo] == [-168.0, 0.0, 168.0]  # 21 d x 8 h
    assert ws[PICKER_REF].value == "Developer"  # the role most asked for by unnamed demand
    [dv] = [v for v in ws.data_validations.dataValidation if PICKER_REF in str(v.sqref)]
    assert (dv.type, dv.formula1) == ("list", "CapacityGroups")
    assert "CapacityGroups" in book.defined_names


def test_one_native_chart_of_demand_and_capacity_on_the_sheet():
    with zipfile.ZipFile(TEMPLATE) as z:
        names = z.namelist()
        sheet_names = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())
        n = sheet_names.index("CapacityPlan") + 1
        rels = z.read(f"xl/worksheets/_rels/sheet{n}.xml.rels").decode()
        [drawing] = re.findall(r"drawings/(drawing\d+\.xml)", rels)
        drels = z.read(f"xl/drawings/_rels/{drawing}.rels").decode()
        [chart] = re.findall(r"charts/(chart\d+\.xml)", drels)
        xml = z.read(f"xl/charts/{chart}").decode()
    assert f"xl/charts/{chart}" in names
    assert "<c:barChart>" in xml and "<c:grouping val=\"stacked\"/>" in xml
    assert "<c:lineChart>" in xml
    refs = re.findall(r"<c:f>([^<]+)</c:f>", xml)
    last = FIRST_ROW + MONTHS - 1
    assert {f"ChartData!$Q${FIRST_ROW}:$Q${last}", f"ChartData!$R${FIRST_ROW}:$R${last}",
            f"ChartData!$P${FIRST_ROW}:$P${last}",
            f"ChartData!$O${FIRST_ROW}:$O${last}"} == set(refs)


def _plan_book(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    """The sample's resources and allocations with the tblCapacityPlan the core computes."""
    full = sample_portfolio()
    keep = ("tblConfig", "tblResources", "tblHolidays", "tblLeave", "tblAllocations")
    data = {name: full[name] for name in keep}
    raw = {name: RawTable.from_values([list(df.columns), *df.astype(object).where(
        df.notna(), None).to_numpy().tolist()], f"{tables.spec(name).sheet}!A1", name=name)
        for name, df in data.items()}
    inputs, _ = coerce_inputs(raw)
    plan = capacity_plan_table(inputs)
    data["tblCapacityPlan"] = plan
    return build_workbook(tmp_path / "plan.xlsx", data), plan


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_chart_data_of_the_capacity_plan_computes_in_libreoffice(tmp_path):
    path, plan = _plan_book(tmp_path)
    profile = tmp_path / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC)
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir",
                    str(tmp_path / "out"), str(path)], check=True, timeout=240,
                   capture_output=True)
    book = openpyxl.load_workbook(tmp_path / "out" / path.name, data_only=True)
    picked = book["CapacityPlan"][PICKER_REF].value
    # the picker starts on the group with the worst gap after the status month (Oct 2026)
    ahead = plan[plan["Period"] > pd.Timestamp("2026-10-01")]
    assert picked == ahead.loc[ahead["GapHours"].idxmin(), "Group"] == "Data Engineer"
    ws = book["ChartData"]
    groups = sorted(plan["Group"].unique(), key=str.casefold)
    assert [ws[f"P{r}"].value for r in (4, 5)] == [plan["Period"].nunique(), len(groups)]
    listed = [ws.cell(FIRST_ROW + k, 22).value for k in range(GROUPS)]
    assert listed[:len(groups)] == groups and not any(listed[len(groups):])
    mine = plan[plan["Group"] == picked].set_index("Period")
    months = pd.date_range("2026-10-01", periods=MONTHS, freq="MS")
    for i, month in enumerate(months):
        got = [ws.cell(FIRST_ROW + i, c).value for c in range(15, 20)]
        assert pd.Timestamp(got[0]) == month
        if month not in mine.index:  # beyond the plan (Oct 2027 is its last month)
            assert got[1:] == ["#N/A"] * 4, month
            continue
        want = mine.loc[month, ["CapacityHours", "NamedDemandHours", "UnnamedDemandHours",
                                "DemandHours"]].to_numpy(dtype=float)
        np.testing.assert_allclose(np.array(got[1:], dtype=float), want, rtol=1e-9)
    # the quarter after the status month: demand above capacity (the sample's story)
    assert all(ws.cell(FIRST_ROW + i, 19).value > ws.cell(FIRST_ROW + i, 16).value
               for i in (1, 2, 3))
