"""``xlpmo addin build``: the xlpmo.xlam package, its ribbon and its VBA, read back independently.

- the VBA modules are read out of the built vbaProject.bin with olevba (oletools) and compared
  with the repository's .bas text;
- the ribbon XML is validated against a subset of Microsoft's customUI14 schema
  (tests/data/customui14_subset.xsd, see its header for why a subset);
- every button's onAction names a Sub that exists in the VBA, with the ribbon callback
  signature;
- LibreOffice (when installed) imports the VBA project: an independent MS-OVBA reader.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

import pytest
from helpers.paths import DATA
from lxml import etree
from xlpmo_udfs import addin_build
from xlpmo_udfs.addin_build import (
    ADDIN_FILE,
    COMMAND_IDS,
    CUSTOMUI_PART,
    AddinError,
    bas_sources,
    build_addin,
    install_addin,
    xlstart_dir,
)

with warnings.catch_warnings():  # oletools' pyparsing use is deprecated, not our concern
    warnings.simplefilter("ignore")
    from oletools.olevba import VBA_Parser

CUI = "{http://schemas.microsoft.com/office/2009/07/customui}"
NS_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
NS_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@pytest.fixture(scope="module")
def xlam(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The add-in as the CLI builds it, with the real worksheet functions module."""
    return build_addin(tmp_path_factory.mktemp("addin"))


@pytest.fixture(scope="module")
def parts(xlam: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(xlam) as zf:
        assert zf.testzip() is None
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.fixture(scope="module")
def vba(xlam: Path) -> dict[str, str]:
    """Module name -> source text, as olevba extracts it from the built file."""
    parser = VBA_Parser(str(xlam))
    try:
        return {Path(vba_filename).stem: code.replace("\r\n", "\n")
                for _, _, vba_filename, code in parser.extract_macros()}
    finally:
        parser.close()


def strip_attributes(text: str) -> str:
    return "\n".join(ln for ln in text.splitlines() if not ln.startswith("Attribute "))


def test_build_writes_xlpmo_xlam(xlam: Path) -> None:
    assert xlam.name == ADDIN_FILE == "xlpmo.xlam"
    assert xlam.is_file()


def test_every_repo_bas_module_reads_back_unchanged(vba: dict[str, str]) -> None:
    sources = bas_sources()
    assert set(sources) == {"PMORibbon.bas", "PMOBridge.bas"}
    for text in sources.values():
        name = re.match(r'Attribute VB_Name = "(\w+)"', text).group(1)
        assert strip_attributes(vba[name]).strip() == strip_attributes(text).strip()


def test_project_holds_the_document_modules_and_the_function_wrappers(
        vba: dict[str, str]) -> None:
    assert set(vba) == {"ThisWorkbook", "Sheet1", "PMORibbon", "PMOBridge", "PMOFunctions"}
    assert re.search(r"^Function PMO_CPI\(ev, ac\)$", vba["PMOFunctions"], re.M)
    assert 'XLPy.CallUDF("xlpmo_udfs.functions", "PMO_CPI", Array(ev, ac), ActiveWorkbook' \
        in vba["PMOFunctions"]


def test_customui_is_valid_against_the_schema(parts: dict[str, bytes]) -> None:
    schema = etree.XMLSchema(etree.parse(str(DATA / "customui14_subset.xsd")))
    doc = etree.fromstring(parts[CUSTOMUI_PART])
    assert schema.validate(doc), schema.error_log


@pytest.mark.parametrize("change", [
    ('keytip="PM"', 'keytip="PMOX"'),           # keytips have at most 3 characters
    ('size="large"', 'size="huge"'),            # size is normal or large
    ('<button id="report"', '<button id="refresh"'),  # ids are unique
    ('screentip="Report"', 'screentip="Report" onClick="x"'),  # no such attribute
])
def test_the_schema_rejects_broken_ribbons(parts: dict[str, bytes], change) -> None:
    schema = etree.XMLSchema(etree.parse(str(DATA / "customui14_subset.xsd")))
    broken = parts[CUSTOMUI_PART].decode().replace(*change, 1)
    assert not schema.validate(etree.fromstring(broken.encode()))


def buttons(parts: dict[str, bytes]) -> list[etree._Element]:
    return list(etree.fromstring(parts[CUSTOMUI_PART]).iter(f"{CUI}button"))


def test_six_buttons_with_the_command_ids_on_a_pmo_tab(parts: dict[str, bytes]) -> None:
    tabs = list(etree.fromstring(parts[CUSTOMUI_PART]).iter(f"{CUI}tab"))
    assert [t.get("label") for t in tabs] == ["PMO"]
    found = buttons(parts)
    assert sorted(b.get("id") for b in found) == sorted(COMMAND_IDS)
    labels = {b.get("id"): b.get("label") for b in found}
    assert labels == {"refresh": "Refresh", "validate": "Validate",
                      "import_actuals": "Import actuals", "close_period": "Close period",
                      "new_project": "New project", "report": "Report"}
    for b in found:
        assert b.get("imageMso") and b.get("screentip") and b.get("supertip") and b.get("keytip")
    keytips = [b.get("keytip") for b in found]
    assert len(set(keytips)) == len(keytips)


def test_every_onaction_names_a_ribbon_callback_sub(parts: dict[str, bytes],
                                                     vba: dict[str, str]) -> None:
    for button in buttons(parts):
        module, _, sub = button.get("onAction").partition(".")
        pattern = (rf"^\s*(Public\s+)?Sub\s+{re.escape(sub)}\s*\(\s*\w+\s+As\s+"
                   r"IRibbonControl\s*\)")
        assert re.search(pattern, vba[module], re.M | re.I), button.get("onAction")


def test_the_callback_hands_the_button_id_to_python(vba: dict[str, str]) -> None:
    ribbon = vba["PMORibbon"]
    assert re.search(r"RunCommand control\.Id", ribbon)
    assert "'!RunPython\"" in ribbon
    assert "import xlpmo_udfs.commands as c; c.run('\" & commandId & \"')" in ribbon
    assert 'Private Const XLWINGS_ADDIN As String = "xlwings.xlam"' in ribbon
    # RunPython puts the command in double quotes on a command line: none inside
    command = re.search(r'"(import xlpmo_udfs[^\n]*)$', ribbon, re.M).group(1)
    assert '""' not in command


def test_package_is_an_xlam(parts: dict[str, bytes]) -> None:
    types = etree.fromstring(parts["[Content_Types].xml"])
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{NS_CT}Override")}
    assert overrides["/xl/workbook.xml"] == \
        "application/vnd.ms-excel.addin.macroEnabled.main+xml"
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.iter(f"{NS_CT}Default")}
    assert defaults["bin"] == "application/vnd.ms-office.vbaProject"
    for part in overrides:
        assert part.lstrip("/") in parts
    rels = {r.get("Type").rsplit("/", 1)[-1]: r.get("Target")
            for r in etree.fromstring(parts["_rels/.rels"]).iter(f"{NS_REL}Relationship")}
    assert rels["officeDocument"] == "xl/workbook.xml"
    assert rels["extensibility"] == CUSTOMUI_PART
    wb_rels = {r.get("Type").rsplit("/", 1)[-1]: r.get("Target") for r in
               etree.fromstring(parts["xl/_rels/workbook.xml.rels"]).iter(f"{NS_REL}Relationship")}
    assert wb_rels["vbaProject"] == "vbaProject.bin"
    assert "xl/" + wb_rels["worksheet"] in parts


def test_workbook_carries_the_argument_help(parts: dict[str, bytes]) -> None:
    x14 = "{http://schemas.microsoft.com/office/spreadsheetml/2009/9/main}"
    workbook = etree.fromstring(parts["xl/workbook.xml"])
    names = {d.get("name"): [a.text for a in d.iter(f"{x14}argumentDescription")]
             for d in workbook.iter(f"{x14}definedName")}
    assert names["PMO_CPI"][0].startswith("Earned value")
    assert names["PMO_CPI"][1].startswith("Actual cost")
    assert "PMO_VERSION" not in names  # no arguments, nothing to describe
    sheet = workbook.find(".//{*}sheet")
    assert sheet is not None and workbook.find("{*}workbookPr").get("codeName") == "ThisWorkbook"


def test_calamine_reads_the_package(xlam: Path) -> None:
    """An independent xlsx reader finds the workbook part and its one sheet (openpyxl knows no
    add-in content type and refuses .xlam)."""
    from python_calamine import CalamineWorkbook

    assert CalamineWorkbook.from_path(str(xlam)).sheet_names == ["xlpmo"]


def test_builds_are_reproducible(xlam: Path, tmp_path: Path) -> None:
    assert build_addin(tmp_path).read_bytes() == xlam.read_bytes()


def test_ribbon_only_build(tmp_path: Path) -> None:
    path = build_addin(tmp_path, functions_module=None)
    parser = VBA_Parser(str(path))
    try:
        names = {Path(n).stem for _, _, n, _ in parser.extract_macros()}
    finally:
        parser.close()
    assert names == {"ThisWorkbook", "Sheet1", "PMORibbon", "PMOBridge"}


def test_a_function_module_with_a_reserved_parameter_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad_udfs.py").write_text(
        "import xlwings as xw\n\n@xw.func\ndef PMO_SPAN(start, end):\n    return end - start\n")
    with pytest.raises(AddinError, match="'end' is a VBA reserved"):
        build_addin(tmp_path / "out", functions_module="bad_udfs", extra_path=[str(tmp_path)])


def test_a_missing_function_module_is_reported(tmp_path: Path) -> None:
    with pytest.raises(AddinError, match="no_such_module_xyz"):
        build_addin(tmp_path, functions_module="no_such_module_xyz")


# ---------------------------------------------------------------------------------- install
def test_install_refuses_linux_with_a_clear_message(xlam: Path) -> None:
    with pytest.raises(AddinError, match=r"needs Excel on Windows or macOS; .*xlwings Lite"):
        install_addin(xlam, platform="linux")


def test_xlstart_folders() -> None:
    home = Path("/home/u")
    win = xlstart_dir("win32", {"APPDATA": r"C:\Users\u\AppData\Roaming"}, home)
    assert win == Path(r"C:\Users\u\AppData\Roaming") / "Microsoft" / "Excel" / "XLSTART"
    mac = xlstart_dir("darwin", {}, home)
    assert mac == home / ("Library/Group Containers/UBF8T346G9.Office/User Content.localized/"
                          "Startup.localized/Excel")
    assert xlstart_dir("linux", {}, home) is None


# ------------------------------------------------------------------------------ LibreOffice
@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_imports_the_vba_project(parts: dict[str, bytes], tmp_path: Path) -> None:
    """LibreOffice opens no .xlam, so the same parts go in as an .xlsm (content type changed);
    its VBA import (an independent MS-OVBA reader) must find the project and every module."""
    xlsm = tmp_path / "xlpmo.xlsm"
    with zipfile.ZipFile(xlsm, "w") as zf:
        for name, data in parts.items():
            if name == "[Content_Types].xml":
                data = data.replace(b"addin.macroEnabled.main+xml",
                                    b"sheet.macroEnabled.main+xml")
            zf.writestr(name, data)
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--convert-to", "ods", "--outdir", str(tmp_path), str(xlsm)],
        check=True, capture_output=True, timeout=180,
    )
    with zipfile.ZipFile(tmp_path / "xlpmo.ods") as zf:
        basic = {n for n in zf.namelist() if n.startswith("Basic/xlpmo/")}
        ribbon = zf.read("Basic/xlpmo/PMORibbon.xml").decode()
    assert {f"Basic/xlpmo/{m}.xml" for m in
            ("ThisWorkbook", "Sheet1", "PMORibbon", "PMOBridge", "PMOFunctions")} <= basic
    assert "Public Sub OnAction(control As IRibbonControl)" in ribbon


def test_module_reexports() -> None:
    assert set(addin_build.__all__) >= {"build_addin", "install_addin", "COMMAND_IDS"}
