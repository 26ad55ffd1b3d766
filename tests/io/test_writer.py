"""Behaviour of xlpmo.io.writer.write_tables on workbooks built with XlsxWriter."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from helpers.ooxml import (
    EXPECTED_FORMATS,
    frame,
    load_openpyxl,
    mismatches,
    parse_ref,
    read_table_calamine,
    read_table_openpyxl,
    tables_in_zip,
    zip_contents,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlpmo.contract import tables as contract
from xlpmo.errors import XLError, XlpmoError
from xlpmo.io.writer import save_tables, write_tables

# -- workbooks ------------------------------------------------------------------------------


def blank(path: Path, sheets: tuple[str, ...] = ("Sheet1",), **options: Any) -> Path:
    wb = xlsxwriter.Workbook(str(path), options)
    for name in sheets:
        wb.add_worksheet(name)
    wb.close()
    return path


def template(path: Path, *, below: str | None = None, extra_columns: bool = False,
             totals: bool = False) -> Path:
    """A small tracker: tblConfig, tblEVM (template formats, CF, validation, a note beside
    it), tblPortfolio far below; ``below`` puts an obstacle under tblEVM."""
    wb = xlsxwriter.Workbook(str(path))
    money = wb.add_format({"num_format": "$#,##0"})
    index = wb.add_format({"num_format": "0.000"})
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    cfg = wb.add_worksheet("Config")
    cfg.add_table("A1:B3", {"name": "tblConfig", "columns": [{"header": "Setting"},
                                                              {"header": "Value"}]})
    cfg.write("A2", "StatusDate")
    cfg.write_datetime("B2", dt.datetime(2026, 10, 31), date)
    cfg.write("A3", "Currency")
    cfg.write("B3", "EUR")
    ws = wb.add_worksheet("Dashboard")
    ws.merge_range("A1:D1", "Portfolio dashboard")
    columns = [{"header": "ProjectID"}, {"header": "BAC", "format": money},
               {"header": "CPI", "format": index}, {"header": "ForecastFinish", "format": date},
               {"header": "CostRAG"}]
    data = [["P1", 1000, 1.1, dt.datetime(2027, 1, 31), "Green"],
            ["P2", 2000, 0.8, dt.datetime(2027, 3, 31), "Red"]]
    if extra_columns:
        columns += [{"header": "Note"},
                    {"header": "Flag", "formula": '=IF([@CPI]<0.9,"check","")'}]
        data = [[*row, f"note {row[0]}"] for row in data]
    last = "G" if extra_columns else "E"
    ref = f"A3:{last}{5 + (1 if totals else 0)}"
    if totals:
        columns[1]["total_function"] = "sum"
        columns[0]["total_string"] = "Total"
    ws.add_table(ref, {"name": "tblEVM", "columns": columns, "data": data,
                       "total_row": totals})
    ws.write("J4", "note beside the table")
    ws.conditional_format("E4:E5", {"type": "cell", "criteria": "==", "value": '"Red"',
                                    "format": wb.add_format({"bg_color": "#FFC7CE"})})
    ws.data_validation("E4:E5", {"validate": "list", "source": ["Green", "Amber", "Red"]})
    ws.set_column("A:A", 14)
    ws.add_table("A30:C32", {"name": "tblPortfolio", "columns": [
        {"header": "Portfolio"}, {"header": "BAC"}, {"header": "PV"}],
        "data": [["Core", 1, 2], ["Growth", 3, 4]]})
    if below == "value":
        ws.write("B8", "footer")
    elif below == "merged":
        ws.merge_range("C9:D9", "")
    elif below == "table":
        ws.add_table("A9:B10", {"name": "tblOther", "columns": [{"header": "X"}, {"header": "Y"}]})
    elif below == "spill":
        ws.write_dynamic_array_formula("C8:C10", "=SEQUENCE(3)")
    wb.close()
    return path


def evm_frame(n: int, *, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "ProjectID": [f"Q{i}" for i in range(n)],
        "BAC": np.round(rng.uniform(100, 5000, n), 2),
        "CPI": pd.Series([XLError.DIV0 if i == 1 else round(0.8 + i / 10, 3) for i in range(n)],
                         dtype=object),
        "ForecastFinish": pd.date_range("2027-01-31", periods=n, freq="ME"),
        "CostRAG": ["Green", "Amber", "Red"] * (n // 3) + ["Green"] * (n % 3),
    })


def sheet_xml(path: Path, sheet: str) -> str:
    info = next(t for t in tables_in_zip(path).values() if t.sheet == sheet) \
        if any(t.sheet == sheet for t in tables_in_zip(path).values()) else None
    with zipfile.ZipFile(path) as z:
        part = info.sheet_part if info else "xl/worksheets/sheet1.xml"
        return z.read(part).decode("utf-8")


def element(xml: str, name: str) -> str | None:
    m = re.search(rf"<{name}[ >].*?</{name}>|<{name}[^>]*/>", xml, re.S)
    return m.group(0) if m else None


# -- new tables -----------------------------------------------------------------------------


def test_new_tables_values_kinds_and_formats(tmp_path: Path) -> None:
    src = blank(tmp_path / "b.xlsx")
    written = {
        "tblEVM": frame(contract.EVM, 7, seed=1),
        "tblUtilisation": frame(contract.UTILISATION, 5, seed=2),
        "tblHistory": frame(contract.HISTORY, 3, seed=3),
    }
    report = write_tables(src, tmp_path / "o.xlsx", written)
    out = tmp_path / "o.xlsx"
    tables = tables_in_zip(out)
    wb = load_openpyxl(out)
    assert {t.sheet for t in tables.values()} == {"Dashboard", "Utilisation", "EVMHistory"}
    assert len({zipfile.ZipFile(out).read(t.part)[:0] or t.part for t in tables.values()}) == 3
    for name, df in written.items():
        info = tables[name.lower()]
        assert info.ref == info.autofilter
        assert parse_ref(info.ref) == (1, 1, len(df) + 1, len(df.columns))
        assert not mismatches(df, read_table_openpyxl(wb, info))
        ws = wb[info.sheet]
        spec = contract.spec(name)
        for j, col in enumerate(spec.columns, start=1):
            want = EXPECTED_FORMATS.get(col.kind)
            for i in range(len(df)):
                cell = ws.cell(2 + i, j)
                value = df.iloc[i, j - 1]
                if want and not isinstance(value, XLError) and pd.notna(value):
                    assert cell.number_format == want, (name, col.name, cell.number_format)
                if isinstance(value, XLError):
                    assert cell.data_type == "e"
                elif isinstance(value, str):
                    assert cell.data_type == "s"  # never a formula
        assert ws.tables[info.name].tableStyleInfo.name == "TableStyleMedium2"
    ids = [re.search(rb' id="(\d+)"', zipfile.ZipFile(out).read(t.part)).group(1)
           for t in tables.values()]
    assert len(set(ids)) == len(ids)
    assert "<f>" not in zipfile.ZipFile(out).read(tables["tblevm"].sheet_part).decode()
    assert report.rewritten and set(report.rewritten) <= {
        "[Content_Types].xml", "xl/_rels/workbook.xml.rels", "xl/workbook.xml", "xl/styles.xml",
        "docProps/app.xml"}  # the new sheets' names are listed there
    assert "docProps/app.xml" in report.rewritten


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    src = blank(tmp_path / "b.xlsx")
    texts = ["=1+1", "+A1", "-A1", "@SUM(A1)", "=HYPERLINK(\"http://x\")"]
    df = pd.DataFrame({"Severity": texts, "Table": "t", "Cell": "c", "Message": texts})
    write_tables(src, tmp_path / "o.xlsx", {"tblChecks": df})
    wb = load_openpyxl(tmp_path / "o.xlsx")
    ws = wb["Checks"]
    assert [ws.cell(r, 1).value for r in range(2, 7)] == texts
    assert all(ws.cell(r, 1).data_type == "s" for r in range(2, 7))
    xml = zipfile.ZipFile(tmp_path / "o.xlsx").read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in xml


def test_values_of_every_python_type(tmp_path: Path) -> None:
    src = blank(tmp_path / "b.xlsx")
    values = [1, 2.5, np.float64(3.25), np.int64(7), True, np.bool_(False), "x", None,
              float("nan"), pd.NaT, pd.NA, XLError.NA, XLError.VALUE, float("inf"),
              pd.Timestamp("2026-01-15"), dt.date(2026, 2, 1), dt.datetime(2026, 3, 1, 12, 30),
              np.datetime64("2026-04-01")]
    df = pd.DataFrame({"Setting": [f"s{i}" for i in range(len(values))],
                       "Value": pd.Series(values, dtype=object)})
    write_tables(src, tmp_path / "o.xlsx", {"tblConfig": df})
    ws = load_openpyxl(tmp_path / "o.xlsx")["Config"]
    got = [ws.cell(r, 2).value for r in range(2, 2 + len(values))]
    assert got[:7] == [1, 2.5, 3.25, 7, True, False, "x"]
    assert got[7:11] == [None] * 4
    assert got[11:14] == ["#N/A", "#VALUE!", "#NUM!"]  # inf cannot be stored: #NUM!
    assert got[14:] == [dt.datetime(2026, 1, 15), dt.datetime(2026, 2, 1),
                        dt.datetime(2026, 3, 1, 12, 30), dt.datetime(2026, 4, 1)]
    assert ws.cell(16, 2).number_format == "d mmm yyyy"  # the template's date format
    assert ws.cell(18, 2).number_format == "yyyy-mm-dd hh:mm"


def test_empty_frame_keeps_one_blank_data_row(tmp_path: Path) -> None:
    src = blank(tmp_path / "b.xlsx")
    write_tables(src, tmp_path / "o.xlsx", {"tblChecks": frame(contract.CHECKS, 0)})
    info = tables_in_zip(tmp_path / "o.xlsx")["tblchecks"]
    assert info.ref == "A1:D2"
    ws = load_openpyxl(tmp_path / "o.xlsx")["Checks"]
    assert [ws.cell(2, c).value for c in range(1, 5)] == [None] * 4


def test_new_table_goes_below_content_with_one_blank_row(tmp_path: Path) -> None:
    wb = xlsxwriter.Workbook(str(tmp_path / "b.xlsx"))
    ws = wb.add_worksheet("Dashboard")
    ws.write("C2", "title")
    ws.write("E5", 42)
    ws.merge_range("A6:B7", "merged")
    ws.write_blank("A20", None, wb.add_format({"bold": True}))  # styled but empty
    wb.close()
    evm, port = frame(contract.EVM, 3), frame(contract.PORTFOLIO, 2)
    write_tables(tmp_path / "b.xlsx", tmp_path / "o.xlsx", {"tblEVM": evm, "tblPortfolio": port})
    tables = tables_in_zip(tmp_path / "o.xlsx")
    assert tables["tblevm"].ref == "A9:AD12"  # 30 columns; merged A6:B7 is content; row 8 blank
    assert tables["tblportfolio"].ref == "A14:K16"    # below tblEVM, row 13 blank
    wb2 = load_openpyxl(tmp_path / "o.xlsx")
    assert wb2["Dashboard"]["C2"].value == "title" and wb2["Dashboard"]["E5"].value == 42


def test_sheet_name_taken_by_a_chartsheet_is_refused(tmp_path: Path) -> None:
    wb = xlsxwriter.Workbook(str(tmp_path / "b.xlsx"))
    data = wb.add_worksheet("Data")
    data.write_column("A1", [1, 2, 3])
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"values": "=Data!$A$1:$A$3"})
    wb.add_chartsheet("Dashboard").set_chart(chart)
    wb.close()
    with pytest.raises(XlpmoError, match=r"Dashboard.*chartsheet"):
        write_tables(tmp_path / "b.xlsx", tmp_path / "o.xlsx", {"tblEVM": frame(contract.EVM, 1)})
    assert not (tmp_path / "o.xlsx").exists()


def test_unknown_missing_table_is_refused(tmp_path: Path) -> None:
    with pytest.raises(XlpmoError, match="tblNope"):
        write_tables(blank(tmp_path / "b.xlsx"), tmp_path / "o.xlsx",
                     {"tblNope": pd.DataFrame({"a": [1]})})


# -- existing tables ------------------------------------------------------------------------


def test_rewrite_in_place_keeps_template_and_everything_else(tmp_path: Path) -> None:
    src = template(tmp_path / "t.xlsx")
    grown, shrunk = tmp_path / "g.xlsx", tmp_path / "s.xlsx"
    report = write_tables(src, grown, {"tblEVM": evm_frame(6)})
    info = tables_in_zip(grown)["tblevm"]
    assert (info.ref, info.autofilter) == ("A3:E9", "A3:E9")
    wb = load_openpyxl(grown)
    ws = wb["Dashboard"]
    assert not mismatches(evm_frame(6), read_table_openpyxl(wb, info))
    # the template's formats win; nothing added to styles.xml
    assert {ws.cell(r, 2).number_format for r in range(4, 10)} == {"$#,##0"}
    assert {ws.cell(r, 3).number_format for r in range(4, 10) if r != 5} == {"0.000"}
    assert {ws.cell(r, 4).number_format for r in range(4, 10)} == {"dd/mm/yyyy"}
    assert "xl/styles.xml" not in report.rewritten
    # the rest of the sheet part is untouched
    before, after = sheet_xml(src, "Dashboard"), sheet_xml(grown, "Dashboard")
    for name in ("cols", "mergeCells", "sheetViews", "pageMargins", "tableParts"):
        assert element(before, name) == element(after, name), name
    # the CF and the validation over CostRAG's data rows follow the table (as in Excel)
    for name in ("conditionalFormatting", "dataValidations"):
        assert 'sqref="E4:E5"' in element(before, name)
        assert element(after, name) == element(before, name).replace('"E4:E5"', '"E4:E9"')
    assert sorted(f.where for f in report.followed) == ["conditional formatting",
                                                        "data validation"]
    assert ws["J4"].value == "note beside the table"
    assert ws["A1"].value == "Portfolio dashboard"
    assert tables_in_zip(grown)["tblportfolio"].ref == "A30:C32"

    write_tables(grown, shrunk, {"tblEVM": evm_frame(1, seed=3)})
    info = tables_in_zip(shrunk)["tblevm"]
    assert (info.ref, info.autofilter) == ("A3:E4", "A3:E4")
    ws = load_openpyxl(shrunk)["Dashboard"]
    assert all(ws.cell(r, c).value is None for r in range(5, 10) for c in range(1, 6))
    for name in ("conditionalFormatting", "dataValidations"):
        assert 'sqref="E4:E4"' in element(sheet_xml(shrunk, "Dashboard"), name)
    assert ws["J4"].value == "note beside the table"
    assert ws["A4"].value == "Q0"


@pytest.mark.parametrize("obstacle, named", [
    ("value", "Dashboard!B8"), ("merged", "merged cells C9:D9"), ("table", "tblOther"),
    ("spill", "spill range of C8 (C8:C10)"),
])
def test_growth_over_content_is_refused(tmp_path: Path, obstacle: str, named: str) -> None:
    src = template(tmp_path / "t.xlsx", below=obstacle)
    dst = tmp_path / "o.xlsx"
    with pytest.raises(XlpmoError) as err:
        write_tables(src, dst, {"tblEVM": evm_frame(8)})
    assert named in str(err.value)
    assert "Nothing was written" in str(err.value)
    assert not dst.exists()
    assert list(tmp_path.iterdir()) == [src]  # no temp litter either


def test_growth_into_another_tables_header_is_refused(tmp_path: Path) -> None:
    src = template(tmp_path / "t.xlsx")
    with pytest.raises(XlpmoError, match=r"tblPortfolio"):
        write_tables(src, tmp_path / "o.xlsx", {"tblEVM": evm_frame(27)})
    # but two tables written together may take the rows right above the other's header
    write_tables(src, tmp_path / "o.xlsx", {"tblEVM": evm_frame(25)})
    assert tables_in_zip(tmp_path / "o.xlsx")["tblevm"].ref == "A3:E28"


def test_user_columns_kept_and_calculated_column_filled(tmp_path: Path) -> None:
    """Columns the refresh does not write keep each cell with its row's ProjectID; the
    calculated column (Flag) fills every row; the note of P1, whose row is gone, is
    reported with its text."""
    src = template(tmp_path / "t.xlsx", extra_columns=True)
    df = evm_frame(4)[["ProjectID", "BAC"]].assign(ProjectID=["Q0", "P2", "Q2", "Q3"])
    report = write_tables(src, tmp_path / "o.xlsx", {"tblEVM": df})
    info = tables_in_zip(tmp_path / "o.xlsx")["tblevm"]
    assert info.ref == "A3:G7" and info.columns[-2:] == ["Note", "Flag"]
    ws = load_openpyxl(tmp_path / "o.xlsx")["Dashboard"]
    assert [ws.cell(r, 6).value for r in range(4, 8)] == [None, "note P2", None, None]
    flags = [ws.cell(r, 7).value for r in range(4, 8)]
    assert all(isinstance(f, str) and f.startswith("=IF(") for f in flags), flags
    assert report.formulas_changed
    assert 'fullCalcOnLoad="1"' in zipfile.ZipFile(tmp_path / "o.xlsx").read(
        "xl/workbook.xml").decode()
    # CPI / ForecastFinish / CostRAG were not written: P2's stay with P2 (row 5 -> row 5)
    assert ws["C5"].value == 0.8 and ws["E5"].value == "Red" and ws["C4"].value is None
    [note] = [f for f in report.findings if "note P1" in f.message]
    assert note.severity == "Info" and note.cell == "Dashboard!F4"
    assert "ProjectID P1" in note.message


def test_dataframe_columns_the_table_lacks_are_appended(tmp_path: Path) -> None:
    src = template(tmp_path / "t.xlsx")
    df = evm_frame(2).assign(SPI=[1.0, 0.9])
    write_tables(src, tmp_path / "o.xlsx", {"tblEVM": df})
    info = tables_in_zip(tmp_path / "o.xlsx")["tblevm"]
    assert info.ref == "A3:F5" and info.columns[-1] == "SPI"
    wb = load_openpyxl(tmp_path / "o.xlsx")
    assert not mismatches(df, read_table_openpyxl(wb, info))
    assert wb["Dashboard"]["F4"].number_format == "0.00"  # SPI is an index


def test_totals_row_moves_with_the_table(tmp_path: Path) -> None:
    src = template(tmp_path / "t.xlsx", totals=True)
    for n, ref in ((5, "A3:E9"), (1, "A3:E5")):
        out = tmp_path / f"o{n}.xlsx"
        write_tables(src, out, {"tblEVM": evm_frame(n)})
        info = tables_in_zip(out)["tblevm"]
        assert (info.ref, info.totals) == (ref, 1)
        assert info.autofilter == ref[:-1] + str(int(ref[-1]) - 1)
        ws = load_openpyxl(out)["Dashboard"]
        last = parse_ref(ref)[2]
        assert ws.cell(last, 1).value == "Total"
        assert "SUBTOTAL(109" in str(ws.cell(last, 2).value)
        assert ws.cell(last - 1, 1).value == f"Q{n - 1}"
        assert all(ws.cell(r, c).value is None for r in range(last + 1, 11) for c in range(1, 6))
        src = out


def _with_calc_chain(path: Path) -> Path:
    """Add a calcChain part (XlsxWriter writes none) listing the formula cells."""
    data = {i.filename: zipfile.ZipFile(path).read(i) for i in zipfile.ZipFile(path).infolist()}
    data["xl/calcChain.xml"] = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                b'<calcChain xmlns="http://schemas.openxmlformats.org/'
                                b'spreadsheetml/2006/main"><c r="G4" i="2"/><c r="G5"/>'
                                b'</calcChain>')
    data["[Content_Types].xml"] = data["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.'
        b'openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>')
    data["xl/_rels/workbook.xml.rels"] = data["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.'
        b'org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/>'
        b"</Relationships>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in data.items():
            z.writestr(name, body)
    return path


def test_calc_chain_removed_only_when_formula_cells_change(tmp_path: Path) -> None:
    src = _with_calc_chain(template(tmp_path / "t.xlsx", extra_columns=True))
    untouched = tmp_path / "u.xlsx"
    report = write_tables(src, untouched, {"tblPortfolio": frame(contract.PORTFOLIO, 2)})
    assert not report.formulas_changed and not report.removed
    assert zip_contents(untouched)["xl/calcChain.xml"] == zip_contents(src)["xl/calcChain.xml"]
    assert 'fullCalcOnLoad="1"' in zip_contents(untouched)["xl/workbook.xml"].decode()

    changed = tmp_path / "c.xlsx"
    df = evm_frame(2).assign(Flag=["a", "b"])  # values over the Flag formulas
    report = write_tables(src, changed, {"tblEVM": df})
    assert report.formulas_changed and report.removed == ["xl/calcChain.xml"]
    parts = zip_contents(changed)
    assert "xl/calcChain.xml" not in parts
    assert b"calcChain" not in parts["[Content_Types].xml"]
    assert b"calcChain" not in parts["xl/_rels/workbook.xml.rels"]
    assert b"calculatedColumnFormula" not in parts[tables_in_zip(changed)["tblevm"].part]
    assert 'fullCalcOnLoad="1"' in parts["xl/workbook.xml"].decode()
    ws = load_openpyxl(changed)["Dashboard"]
    assert [ws["G4"].value, ws["G5"].value] == ["a", "b"]


def test_shared_formula_used_outside_the_table_is_not_overwritten(tmp_path: Path) -> None:
    src = template(tmp_path / "t.xlsx")
    data = zip_contents(src)
    part = tables_in_zip(src)["tblevm"].sheet_part
    xml = data[part].decode()
    # make C4 the anchor of a shared formula whose range reaches J4:J5 outside the table
    xml = re.sub(r'<c r="C4"([^>]*)><v>[^<]*</v></c>',
                 r'<c r="C4"\1><f t="shared" ref="C4:C9" si="0">B4*2</f><v>1</v></c>', xml)
    assert 'si="0"' in xml
    data[part] = xml.encode()
    with zipfile.ZipFile(src, "w") as z:
        for name, body in data.items():
            z.writestr(name, body)
    with pytest.raises(XlpmoError, match=r"Dashboard!C4 holds a shared formula"):
        write_tables(src, tmp_path / "o.xlsx", {"tblEVM": evm_frame(2)})


# -- config stamp ---------------------------------------------------------------------------


def test_config_updates_edit_existing_rows_and_append_missing(tmp_path: Path) -> None:
    src = template(tmp_path / "t.xlsx")
    stamp = {"Currency": "USD", "LastRefreshed": pd.Timestamp("2026-11-28 10:42"),
             "RefreshedBy": "pmo.bot"}
    out = tmp_path / "o.xlsx"
    report = write_tables(src, out, {}, stamp)
    assert [t.name for t in report.tables] == ["tblConfig"]
    info = tables_in_zip(out)["tblconfig"]
    assert info.ref == "A1:B5" and info.autofilter == "A1:B5"
    ws = load_openpyxl(out)["Config"]
    rows = [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(2, 6)]
    assert rows == [("StatusDate", dt.datetime(2026, 10, 31)), ("Currency", "USD"),
                    ("LastRefreshed", dt.datetime(2026, 11, 28, 10, 42)),
                    ("RefreshedBy", "pmo.bot")]
    assert ws["B2"].number_format == "dd/mm/yyyy"        # untouched
    assert ws["B4"].number_format == "yyyy-mm-dd hh:mm"
    # a second refresh updates the same rows
    out2 = tmp_path / "o2.xlsx"
    write_tables(out, out2, {}, {"LastRefreshed": pd.Timestamp("2026-11-29 08:00"),
                                 "RefreshedBy": "someone"})
    assert tables_in_zip(out2)["tblconfig"].ref == "A1:B5"
    ws = load_openpyxl(out2)["Config"]
    assert ws["B4"].value == dt.datetime(2026, 11, 29, 8) and ws["B5"].value == "someone"


def test_config_updates_create_tblconfig_when_missing(tmp_path: Path) -> None:
    out = tmp_path / "o.xlsx"
    write_tables(blank(tmp_path / "b.xlsx"), out, {}, {"RefreshedBy": "me"})
    info = tables_in_zip(out)["tblconfig"]
    assert (info.sheet, info.ref) == ("Config", "A1:B2")


def test_config_updates_merge_into_a_written_tblconfig(tmp_path: Path) -> None:
    out = tmp_path / "o.xlsx"
    cfg = pd.DataFrame({"Setting": ["StatusDate", "RefreshedBy"], "Value": ["x", "old"]})
    write_tables(blank(tmp_path / "b.xlsx"), out, {"tblConfig": cfg}, {"RefreshedBy": "new",
                                                                        "LastRefreshed": 1.5})
    ws = load_openpyxl(out)["Config"]
    assert [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(2, 5)] == [
        ("StatusDate", "x"), ("RefreshedBy", "new"), ("LastRefreshed", 1.5)]


# -- package-level behaviour ----------------------------------------------------------------


def test_date1904_workbook_gets_1904_serials(tmp_path: Path) -> None:
    src = blank(tmp_path / "b.xlsx", date_1904=True)
    df = frame(contract.MILESTONES, 3)
    write_tables(src, tmp_path / "o.xlsx", {"tblMilestones": df})
    wb = load_openpyxl(tmp_path / "o.xlsx")
    assert wb.epoch.year == 1904
    info = tables_in_zip(tmp_path / "o.xlsx")["tblmilestones"]
    assert not mismatches(df, read_table_openpyxl(wb, info))


def test_destination_may_be_the_source(tmp_path: Path) -> None:
    src = template(tmp_path / "t.xlsx")
    write_tables(src, src, {"tblEVM": evm_frame(3)})
    assert tables_in_zip(src)["tblevm"].ref == "A3:E6"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]


def test_second_identical_write_adds_no_styles(tmp_path: Path) -> None:
    src = blank(tmp_path / "b.xlsx")
    first, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    write_tables(src, first, {"tblEVM": frame(contract.EVM, 4)})
    report = write_tables(first, second, {"tblEVM": frame(contract.EVM, 6, seed=9)})
    assert "xl/styles.xml" not in report.rewritten
    assert zip_contents(first)["xl/styles.xml"] == zip_contents(second)["xl/styles.xml"]


def test_part_with_a_dtd_is_refused(tmp_path: Path) -> None:
    src = blank(tmp_path / "b.xlsx")
    data = zip_contents(src)
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
            b'"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
    data["xl/workbook.xml"] = bomb + data["xl/workbook.xml"].split(b"?>", 1)[1]
    with zipfile.ZipFile(src, "w") as z:
        for name, body in data.items():
            z.writestr(name, body)
    with pytest.raises(XlpmoError, match="DTD"):
        write_tables(src, tmp_path / "o.xlsx", {"tblChecks": frame(contract.CHECKS, 1)})
    assert not (tmp_path / "o.xlsx").exists()


def test_not_a_workbook_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(XlpmoError, match="not an Excel workbook"):
        write_tables(bad, tmp_path / "o.xlsx", {"tblChecks": frame(contract.CHECKS, 1)})


def test_file_system_errors_are_clear(tmp_path: Path) -> None:
    df = {"tblChecks": frame(contract.CHECKS, 1)}
    with pytest.raises(XlpmoError, match="there is no file"):
        write_tables(tmp_path / "missing.xlsx", tmp_path / "o.xlsx", df)
    with pytest.raises(XlpmoError, match="could not write"):
        write_tables(blank(tmp_path / "b.xlsx"), tmp_path / "no" / "such" / "o.xlsx", df)


def test_save_tables_goes_through_atomic_write(tmp_path: Path) -> None:
    from xlpmo.io.raw import fingerprint
    from xlpmo.io.safesave import BACKUP_DIR

    path = template(tmp_path / "t.xlsx")
    seen = fingerprint(path)
    report = save_tables(path, {"tblEVM": evm_frame(3)}, {"RefreshedBy": "me"}, expected=seen)
    assert {t.name for t in report.tables} == {"tblEVM", "tblConfig"}
    assert tables_in_zip(path)["tblevm"].ref == "A3:E6"
    assert len(list((tmp_path / BACKUP_DIR).iterdir())) == 1
    with pytest.raises(XlpmoError, match="changed since"):
        save_tables(path, {"tblEVM": evm_frame(2)}, expected=seen)


# -- properties and speed -------------------------------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_number = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(_text, min_size=1, max_size=6), numbers=st.lists(_number, min_size=6,
                                                                        max_size=6))
def test_any_text_and_number_round_trips(tmp_path: Path, texts: list[str],
                                         numbers: list[float]) -> None:
    src = tmp_path / "b.xlsx"
    if not src.exists():
        blank(src)
    n = len(texts)
    df = pd.DataFrame({"Portfolio": texts, "BAC": numbers[:n]})
    out = tmp_path / "o.xlsx"
    write_tables(src, out, {"tblPortfolio": df})
    info = tables_in_zip(out)["tblportfolio"]
    grid = read_table_calamine(out, info)  # calamine decodes _xHHHH_ escapes like Excel
    for i in range(n):
        assert grid[1 + i][0] == (texts[i] if "\ufffe" not in texts[i] and
                                  "\uffff" not in texts[i] else grid[1 + i][0])
        assert grid[1 + i][1] == numbers[i]


def _variance(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    projects = np.repeat([f"P{i:04d}" for i in range(n // 24 + 1)], 24)[:n]
    planned, actual = rng.uniform(0, 1e5, n), rng.uniform(0, 1e5, n)
    pct = pd.Series(list((planned - actual) / planned), dtype=object)
    pct[::97] = XLError.DIV0
    return pd.DataFrame({
        "ProjectID": projects,
        "Period": pd.Series(pd.date_range("2024-01-01", periods=24, freq="MS")).iloc[
            np.arange(n) % 24].to_numpy(),
        "Planned": planned, "Actual": actual, "Variance": planned - actual,
        "VariancePct": pct, "CumPlanned": np.cumsum(planned), "CumActual": np.cumsum(actual),
        "CumVariance": np.cumsum(planned - actual), "CumVariancePct": pct,
        "RAG": np.where(planned > actual, "Green", "Red"),
    })


def test_60k_row_variance_table_written_and_rewritten(tmp_path: Path) -> None:
    # (how fast: benchmarks/, not a timed test)
    src = template(tmp_path / "t.xlsx")
    df = _variance(60_000)
    first, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    write_tables(src, first, {"tblVariance": df})
    write_tables(first, second, {"tblVariance": df.iloc[::-1].reset_index(drop=True)})
    info = tables_in_zip(second)["tblvariance"]
    assert info.ref == "A1:K60001"
    grid = read_table_calamine(second, info)
    last = df.iloc[0]
    assert grid[-1][0] == last["ProjectID"] and grid[-1][2] == last["Planned"]
    assert grid[1][4] == df.iloc[-1]["Variance"]


# -- the real template (workbook/PMO_Tracker.xlsx, built by another part of the project) ----

TEMPLATE = Path(__file__).resolve().parents[2] / "workbook" / "PMO_Tracker.xlsx"


@pytest.mark.skipif(not TEMPLATE.exists(), reason="workbook/PMO_Tracker.xlsx not built yet")
def test_refresh_of_the_real_template(tmp_path: Path) -> None:
    from helpers.roundtrip import check_step

    src = tmp_path / "PMO_Tracker.xlsx"
    src.write_bytes(TEMPLATE.read_bytes())
    stamp = {"LastRefreshed": pd.Timestamp("2026-11-28 11:00"), "RefreshedBy": "me"}
    # rows per table of contract.OUTPUTS: EVM, Portfolio, Variance, ForecastOut, Utilisation,
    # CapacityPlan, Trend, Checks
    sizes = [(12, 3, 300, 40, 30, 50, 60, 5), (30, 5, 900, 80, 60, 90, 200, 0),
             (2, 1, 10, 5, 4, 3, 3, 2)]
    before = src
    for k, n in enumerate(sizes):
        outputs = {name: frame(spec, size, seed=k) for (name, spec), size in zip(
            contract.OUTPUTS.items(), n, strict=True)}
        after = tmp_path / f"step{k}.xlsx"
        report = write_tables(before, after, outputs, stamp)
        check_step(before, after, report, outputs, full_load=k == len(sizes) - 1,
                   also_written=("tblConfig",))
        # only output sheets/tables, tblConfig's and (once) styles.xml are rewritten
        assert not report.added and not report.removed
        before = after
    cfg = load_openpyxl(before)["Config"]
    values = {cfg.cell(r, 1).value: cfg.cell(r, 2).value for r in range(2, cfg.max_row + 1)}
    assert values["RefreshedBy"] == "me"
    assert values["LastRefreshed"] == dt.datetime(2026, 11, 28, 11, 0)


@pytest.mark.skipif(not TEMPLATE.exists(), reason="workbook/PMO_Tracker.xlsx not built yet")
def test_month_columns_match_month_headers(tmp_path: Path) -> None:
    src = tmp_path / "PMO_Tracker.xlsx"
    src.write_bytes(TEMPLATE.read_bytes())
    before = tables_in_zip(src)["tblplan"]
    months = pd.date_range("2026-01-01", periods=12, freq="MS")
    df = pd.DataFrame({"ProjectID": ["A", "B"], "CostType": ["Labour", "Other"],
                       **{m: [float(i), float(i) * 2] for i, m in enumerate(months)}})
    write_tables(src, tmp_path / "o.xlsx", {"tblPlan": df})
    info = tables_in_zip(tmp_path / "o.xlsx")["tblplan"]
    assert info.columns == before.columns  # "Jan 2026" ... matched, nothing appended
    assert info.ref == f"A1:{before.ref.split(':')[1][0]}3"
    ws = load_openpyxl(tmp_path / "o.xlsx")["Plan"]
    first_month = before.columns.index(next(c for c in before.columns if "Jan" in c)) + 1
    assert ws.cell(3, first_month + 5).value == 10.0


def test_sheet_with_a_prefixed_main_namespace(tmp_path: Path) -> None:
    """Some producers write <x:worksheet xmlns:x="...main"><x:sheetData><x:row>..."""
    wb = xlsxwriter.Workbook(str(tmp_path / "b.xlsx"))
    ws = wb.add_worksheet("Checks")
    ws.write("A1", "kept")
    ws.write("F3", 7)
    wb.close()
    data = zip_contents(tmp_path / "b.xlsx")
    xml = data["xl/worksheets/sheet1.xml"].decode()
    head, body = xml.split("?>", 1)
    body = re.sub(r"<(/?)(?!x:)([A-Za-z]+)([ />])", r"<\1x:\2\3", body)
    body = body.replace('xmlns="http://schemas', 'xmlns:x="http://schemas', 1)
    data["xl/worksheets/sheet1.xml"] = (head + "?>" + body).encode()
    assert "<x:row" in body and 'xmlns="' not in body
    with zipfile.ZipFile(tmp_path / "b.xlsx", "w") as z:
        for name, part in data.items():
            z.writestr(name, part)
    df = frame(contract.CHECKS, 3)
    write_tables(tmp_path / "b.xlsx", tmp_path / "o.xlsx", {"tblChecks": df})
    info = tables_in_zip(tmp_path / "o.xlsx")["tblchecks"]
    assert info.ref == "A5:D8"
    book = load_openpyxl(tmp_path / "o.xlsx")
    assert not mismatches(df, read_table_openpyxl(book, info))
    assert book["Checks"]["A1"].value == "kept" and book["Checks"]["F3"].value == 7
