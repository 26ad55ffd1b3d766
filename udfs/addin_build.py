"""Build and install the classic xlwings add-in ``xlpmo.xlam`` (Excel on Windows and macOS).

``build_addin(out_dir)`` writes ``xlpmo.xlam``, made entirely from text in the repository:

- ``addin/customUI.xml``: the PMO ribbon tab, six buttons whose ids are the command ids;
- ``addin/*.bas``: the VBA callback module (``PMORibbon.OnAction`` hands the button id to
  ``xlpmo_udfs.commands.run`` through RunPython of the installed xlwings add-in) and
  ``PMOBridge`` (``XLPy``, xlwings' Python COM server, asked of the xlwings add-in);
- ``PMOFunctions``: the worksheet function wrappers ``=PMO_CPI(...)`` ..., generated at build
  time by xlwings' own generator from ``xlpmo_udfs.functions`` (:mod:`.addin.classic_udfs`).

``vbaProject.bin`` is written by :mod:`.addin.ovba` (MS-OVBA, source only: Excel compiles the
modules when it loads the add-in) in a compound file from :mod:`.addin.cfb`. No Excel and no
pywin32 is needed to build. ``install_addin`` copies the add-in where ``xlwings addin install``
puts add-ins (Excel's XLSTART folder), using xlwings' own installer.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from xlpmo.errors import XlpmoError

from .addin import ovba
from .addin.classic_udfs import (
    ADDIN_FILE,
    ClassicFunction,
    ClassicFunctions,
    classic_functions_subprocess,
    identifier_problems,
    wrappers_module_source,
)

__all__ = ["ADDIN_FILE", "COMMAND_IDS", "AddinError", "build_addin", "install_addin",
           "xlstart_dir"]

#: the ribbon button ids, which are the command ids of ``xlpmo_udfs.commands.run``
COMMAND_IDS = ("refresh", "validate", "import_actuals", "close_period", "new_project", "report")
PROJECT_NAME = "xlpmo"
FUNCTIONS_MODULE = "xlpmo_udfs.functions"
SHEET_NAME = "xlpmo"
CUSTOMUI_PART = "customUI/customUI14.xml"

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL_PKG_CORE = f"{_NS_PKG_REL}/metadata/core-properties"
_REL_UI14 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
_REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
_CT_ADDIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
_CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
_CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
_CT_APP = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# a fixed timestamp keeps builds reproducible
_ZIP_DATE = (2026, 1, 1, 0, 0, 0)


class AddinError(XlpmoError):
    """The add-in cannot be built or installed; the message says why and what to do (the CLI
    shows it without a traceback, like every ``XlpmoError``)."""


# ------------------------------------------------------------------------------ sources
def addin_file(name: str) -> str:
    """The text of a file shipped in ``xlpmo_udfs/addin/``."""
    return resources.files("xlpmo_udfs.addin").joinpath(name).read_text(encoding="utf-8")


def bas_sources() -> dict[str, str]:
    """The repository's VBA modules: ``{file name: text}`` of every ``addin/*.bas``."""
    folder = resources.files("xlpmo_udfs.addin")
    return {p.name: p.read_text(encoding="utf-8")
            for p in sorted(folder.iterdir(), key=lambda p: p.name) if p.name.endswith(".bas")}


def vba_modules(classic: ClassicFunctions | None) -> list[ovba.VbaModule]:
    """Every module of the add-in's VBA project, in project order."""
    modules = [
        ovba.VbaModule("ThisWorkbook", kind="document", base=ovba.WORKBOOK_BASE),
        ovba.VbaModule("Sheet1", kind="document", base=ovba.WORKSHEET_BASE),
    ]
    modules += [ovba.module_from_bas(text) for text in bas_sources().values()]
    if classic is not None:
        modules.append(ovba.module_from_bas(wrappers_module_source(classic)))
    return modules


def read_classic_functions(module: str, extra_path: Iterable[str] = ()) -> ClassicFunctions:
    """The classic wrappers of ``module``; refuses names that would not compile as VBA."""
    try:
        classic = classic_functions_subprocess(module, extra_path)
    except RuntimeError as exc:
        raise AddinError(str(exc)) from exc
    problems = identifier_problems(classic.functions)
    if problems:
        raise AddinError(f"the worksheet functions of {module} cannot be VBA wrappers:\n  "
                         + "\n  ".join(problems))
    return classic


# ------------------------------------------------------------------------------ package parts
def _content_types() -> str:
    overrides = [
        ("/xl/workbook.xml", _CT_ADDIN),
        ("/xl/worksheets/sheet1.xml", _CT_SHEET),
        ("/xl/styles.xml", _CT_STYLES),
        ("/docProps/core.xml", _CT_CORE),
        ("/docProps/app.xml", _CT_APP),
    ]
    return (
        _XML_DECL
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        + '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        + '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
        + "</Types>"
    )


def _relationships(rels: Sequence[tuple[str, str, str]]) -> str:
    return (_XML_DECL + f'<Relationships xmlns="{_NS_PKG_REL}">'
            + "".join(f'<Relationship Id="{i}" Type="{t}" Target="{g}"/>' for i, t, g in rels)
            + "</Relationships>")


def _argument_descriptions(functions: Sequence[ClassicFunction]) -> str:
    """The Function Arguments help of each function, stored as Excel stores what
    ``Application.MacroOptions(ArgumentDescriptions=...)`` sets (x14:definedName ext)."""
    names = []
    for func in functions:
        if not func.args:
            continue
        descs = "".join(
            f'<x14:argumentDescription index="{i}">{escape(a.doc[:255])}'
            "</x14:argumentDescription>" for i, a in enumerate(func.args))
        names.append(f'<x14:definedName name={quoteattr(func.name)}>'
                     f'<x14:argumentDescriptions count="{len(func.args)}">{descs}'
                     "</x14:argumentDescriptions></x14:definedName>")
    if not names:
        return ""
    return ('<extLst><ext uri="{8193D73E-4604-4355-AFF4-8A2333D13BE4}" '
            'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
            f'<x14:definedNames>{"".join(names)}</x14:definedNames></ext></extLst>')


def _workbook(functions: Sequence[ClassicFunction]) -> str:
    return (
        _XML_DECL + f'<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_R}">'
        '<workbookPr codeName="ThisWorkbook"/>'
        '<bookViews><workbookView/></bookViews>'
        f'<sheets><sheet name="{SHEET_NAME}" sheetId="1" r:id="rId1"/></sheets>'
        '<calcPr calcId="191029"/>'
        + _argument_descriptions(functions)
        + "</workbook>"
    )


_SHEET = (
    _XML_DECL + f'<worksheet xmlns="{_NS_MAIN}" xmlns:r="{_NS_R}">'
    '<sheetPr codeName="Sheet1"/><dimension ref="A1"/>'
    '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    '<sheetFormatPr defaultRowHeight="15"/><sheetData/></worksheet>'
)
_STYLES = (
    _XML_DECL + f'<styleSheet xmlns="{_NS_MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_CORE = (
    _XML_DECL + '<cp:coreProperties '
    'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/">'
    "<dc:title>xlpmo</dc:title><dc:creator>xlpmo</dc:creator></cp:coreProperties>"
)
_APP = (
    _XML_DECL + '<Properties '
    'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Microsoft Excel</Application></Properties>"
)


def xlam_parts(modules: Sequence[ovba.VbaModule],
               functions: Sequence[ClassicFunction]) -> dict[str, bytes]:
    """Every part of the ``.xlam`` package, by part name."""
    parts = {
        "[Content_Types].xml": _content_types(),
        "_rels/.rels": _relationships([
            ("rId1", f"{_REL_DOC}/officeDocument", "xl/workbook.xml"),
            ("rId2", _REL_PKG_CORE, "docProps/core.xml"),
            ("rId3", f"{_REL_DOC}/extended-properties", "docProps/app.xml"),
            ("rId4", _REL_UI14, CUSTOMUI_PART),
        ]),
        "docProps/core.xml": _CORE,
        "docProps/app.xml": _APP,
        CUSTOMUI_PART: addin_file("customUI.xml"),
        "xl/workbook.xml": _workbook(functions),
        "xl/_rels/workbook.xml.rels": _relationships([
            ("rId1", f"{_REL_DOC}/worksheet", "worksheets/sheet1.xml"),
            ("rId2", f"{_REL_DOC}/styles", "styles.xml"),
            ("rId3", _REL_VBA, "vbaProject.bin"),
        ]),
        "xl/worksheets/sheet1.xml": _SHEET,
        "xl/styles.xml": _STYLES,
    }
    out = {name: text.encode("utf-8") for name, text in parts.items()}
    out["xl/vbaProject.bin"] = ovba.vba_project_bin(PROJECT_NAME, modules)
    return out


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buffer.getvalue()


# ------------------------------------------------------------------------------ public API
def build_addin(out_dir: Path, functions_module: str | None = FUNCTIONS_MODULE,
                extra_path: Iterable[str] = ()) -> Path:
    """Write ``xlpmo.xlam`` into ``out_dir`` (created if missing) and return its path.

    ``functions_module``: the module of ``@xw.func`` worksheet functions whose wrappers go into
    the add-in (``None``: ribbon only). ``extra_path``: folders to add to ``sys.path`` when
    that module is imported (it is imported in a separate interpreter).
    Raises ``AddinError`` with the reason when a function could not become a VBA wrapper.
    """
    classic = (read_classic_functions(functions_module, extra_path)
               if functions_module else None)
    functions = classic.functions if classic else ()
    data = _zip(xlam_parts(vba_modules(classic), functions))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / ADDIN_FILE
    target.write_bytes(data)
    return target


def xlstart_dir(platform: str = sys.platform, environ: os._Environ | dict | None = None,
                home: Path | None = None) -> Path | None:
    """Excel's usual per-user startup folder (Application.StartupPath), None off Windows/macOS.

    ``xlwings addin install`` asks the running Excel for this folder; this is its default
    location, for messages: ``%APPDATA%\\Microsoft\\Excel\\XLSTART`` on Windows and
    ``~/Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/
    Excel`` on macOS.
    """
    env = os.environ if environ is None else environ
    home = Path.home() if home is None else home
    if platform.startswith("win"):
        appdata = env.get("APPDATA")
        base = Path(appdata) if appdata else home / "AppData" / "Roaming"
        return base / "Microsoft" / "Excel" / "XLSTART"
    if platform.startswith("darwin"):
        return (home / "Library" / "Group Containers" / "UBF8T346G9.Office"
                / "User Content.localized" / "Startup.localized" / "Excel")
    return None


NOT_SUPPORTED = ("the classic add-in needs Excel on Windows or macOS; on this system use "
                 "xlwings Lite (the xlpmo Lite plugin) instead")


def install_addin(addin_path: Path | None = None, platform: str = sys.platform) -> str:
    """Install ``xlpmo.xlam`` (built now when ``addin_path`` is None) like
    ``xlwings addin install --file xlpmo.xlam``: xlwings asks Excel for its XLSTART folder,
    copies the add-in there and loads it. Returns a message for the user.

    Raises ``AddinError`` off Windows/macOS, or when xlwings' installer fails.
    """
    if xlstart_dir(platform) is None:
        raise AddinError(NOT_SUPPORTED)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(addin_path) if addin_path else build_addin(Path(tmp))
        if not path.is_file():
            raise AddinError(f"no add-in at {path}: run 'xlpmo addin build' first")
        proc = subprocess.run(
            [sys.executable, "-c", "import sys; from xlwings.cli import main; sys.exit(main())",
             "addin", "install", "--file", str(path)],
            capture_output=True, text=True, check=False,
        )
    if proc.returncode != 0:
        raise AddinError("xlwings could not install the add-in: "
                         + (proc.stderr.strip() or proc.stdout.strip()))
    return (f"{proc.stdout.strip()}\nxlpmo.xlam is in Excel's XLSTART folder (usually "
            f"{xlstart_dir(platform)}). It needs the xlwings add-in too: "
            "'xlwings addin install'.")
