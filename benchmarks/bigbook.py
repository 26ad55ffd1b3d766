"""Generators for the big benchmark workbooks (issue 5).

Two workbooks from one canonical :class:`~xlpmo.contract.model.Inputs` (``synthetic.py``):

- :func:`write_contract_workbook`: the standard PMO workbook of shared/spec/workbook.md
  with Excel Tables: tblConfig, tblProjects, tblPlan and tblActuals in the WIDE layout the
  template uses (``ProjectID, CostType`` and one column per month headed ``Jan 2024``),
  tblProgress, tblResources, tblAllocations, tblTimesheets, and the empty output tables
  (tblEVM and tblPortfolio on Dashboard, tblVariance, tblForecastOut, tblUtilisation,
  tblChecks) that ``xlpmo refresh`` fills.
- :func:`write_formula_workbook`: the same inputs as plain ranges plus the tracker built from
  native Excel formulas, the way a PMO analyst builds it without xlpmo (see
  :data:`FORMULA_DESIGN`): SUMIFS/MAXIFS/INDEX-MATCH per project, per project-period and per
  resource-month. LibreOffice recalculates it in the benchmark.

Both are written by :class:`BookWriter`, a small OOXML writer that renders whole columns
at once (a list comprehension per column, shared strings factorised with pandas) and streams
the sheet XML into the zip in chunks: the 500,000-row timesheet sheet takes seconds, where
XlsxWriter (``constant_memory``, cell by cell) took 18 s for that sheet alone here and
cannot write tables in that mode. Formula cells carry a cached value of 0 (as XlsxWriter
writes them), so a recalculation is needed to see results; ``docProps/app.xml`` names
Microsoft Excel as the application, as XlsxWriter's does (see :data:`APP_XML`).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from xlpmo.contract import tables
from xlpmo.contract.model import Inputs
from xlpmo.core.capacity import default_periods, package_holidays, resolve_country
from xlpmo.template.sample import month_header

# -- a column-at-a-time OOXML writer ----------------------------------------------------------

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
EPOCH = np.datetime64("1899-12-30", "D")
CHUNK_ROWS = 50_000

#: cell styles (cellXfs index): General, date, percent, money
GENERAL, DATE, PERCENT, MONEY = 0, 1, 2, 3

STYLES_XML = (
    DECL + f'<styleSheet xmlns="{NS_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    '</cellStyles></styleSheet>'
)


#: Application "Microsoft Excel", as XlsxWriter writes it: LibreOffice then trusts the cached
#: formula values on load (with any other generator it recalculates everything while loading,
#: which measured here as long as the recalculation itself)
APP_XML = (
    DECL + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties"><Application>Microsoft Excel</Application>'
    "<AppVersion>16.0300</AppVersion></Properties>"
)


def col_letter(col: int) -> str:
    """1 -> ``A``, 62 -> ``BJ``."""
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass
class Col:
    """One column of a block: a header and its data values.

    ``kind``: ``text``, ``number``, ``date`` (datetime64 / Timestamps), ``bool``,
    ``formula`` (``values`` is the number of rows; ``template`` is the formula without the
    leading ``=``, ``{r}`` standing for the sheet row and ``{p}`` for the row above), or
    ``auto`` (each value by its Python type; small tables only).
    Blank values (None, NaN, NaT) write no cell.
    """

    header: Any
    values: Any
    kind: str = "auto"
    style: int = GENERAL
    template: str = ""  # formula columns: ``{r}`` = this row, ``{p}`` = the row above


@dataclass
class Block:
    """Columns written side by side from ``first_col`` (1-based) with the header in row 1,
    optionally an Excel Table over them (at least one data row, blank if there is no data)."""

    columns: list[Col]
    table: str | None = None
    first_col: int = 1

    @property
    def n_rows(self) -> int:
        lengths = [len(c.values) for c in self.columns if c.kind != "formula"]
        formula = [int(c.values) for c in self.columns if c.kind == "formula"]
        return max([*lengths, *formula, 0])


@dataclass
class SheetSpec:
    name: str
    blocks: list[Block] = field(default_factory=list)


class _Strings:
    """The shared string table."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def codes(self, values: np.ndarray) -> np.ndarray:
        """Shared-string index per value (-1 for blanks)."""
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        lookup = np.array([self.index.setdefault(str(u), len(self.index)) for u in uniques]
                          + [-1], dtype=np.int64)
        return lookup[codes]

    def xml(self) -> str:
        items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in self.index)
        return (DECL + f'<sst xmlns="{NS_MAIN}" count="{len(self.index)}" '
                f'uniqueCount="{len(self.index)}">{items}</sst>')


def _serials(values: Any) -> np.ndarray:
    days = pd.to_datetime(pd.Series(values)).to_numpy(dtype="datetime64[ns]")
    out = (days - EPOCH.astype("datetime64[ns]")) / np.timedelta64(1, "D")
    return np.where(np.isnat(days), np.nan, out)


def _cells(col: Col, letter: str, rows: range, strings: _Strings) -> list[str]:
    """The XML of every data cell of one column ("" for a blank)."""
    s = f' s="{col.style}"' if col.style else ""
    if col.kind == "formula":
        parts = re.split(r"(\{[rp]\})", escape(col.template))
        slots = [(i, 0 if part == "{r}" else 1) for i, part in enumerate(parts)
                 if part in ("{r}", "{p}")]
        out = []
        for r in rows:
            for i, above in slots:
                parts[i] = str(r - above)
            out.append(f'<c r="{letter}{r}"{s}><f>{"".join(parts)}</f><v>0</v></c>')
        return out
    values = col.values
    if col.kind == "text":
        codes = strings.codes(np.asarray(values, dtype=object))
        return [f'<c r="{letter}{r}"{s} t="s"><v>{c}</v></c>' if c >= 0 else ""
                for r, c in zip(rows, codes.tolist(), strict=True)]
    if col.kind in ("number", "date"):
        if col.kind == "date":
            nums = _serials(values)
            s = f' s="{col.style or DATE}"'
        else:
            nums = np.asarray(values, dtype=float)
        return [f'<c r="{letter}{r}"{s}><v>{x!r}</v></c>' if x == x else ""
                for r, x in zip(rows, nums.tolist(), strict=True)]
    if col.kind == "bool":
        return [f'<c r="{letter}{r}"{s} t="b"><v>{int(b)}</v></c>'
                for r, b in zip(rows, np.asarray(values, dtype=bool).tolist(), strict=True)]
    return [_auto_cell(v, f"{letter}{r}", s, strings) for r, v in zip(rows, values, strict=True)]


def _auto_cell(v: Any, ref: str, s: str, strings: _Strings) -> str:
    if v is None or v is pd.NaT or v == "" or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return f'<c r="{ref}"{s} t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, float, np.integer, np.floating)):
        return f'<c r="{ref}"{s}><v>{float(v)!r}</v></c>'
    if isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year"):
        return f'<c r="{ref}" s="{DATE}"><v>{float(_serials([v])[0])!r}</v></c>'
    code = strings.codes(np.array([str(v)], dtype=object))[0]
    return f'<c r="{ref}"{s} t="s"><v>{code}</v></c>'


class BookWriter:
    """Writes sheets of :class:`Block` s into an .xlsx package (see the module docstring)."""

    def __init__(self, path: str | Path, compresslevel: int = 1) -> None:
        self.path = Path(path)
        self.sheets: list[SheetSpec] = []
        self.compresslevel = compresslevel

    def add(self, name: str, *blocks: Block) -> SheetSpec:
        sheet = SheetSpec(name, list(blocks))
        self.sheets.append(sheet)
        return sheet

    def save(self) -> Path:
        strings = _Strings()
        table_id = 0
        overrides = [
            ("/xl/workbook.xml", f"{CT_MAIN}.sheet.main+xml"),
            ("/xl/styles.xml", f"{CT_MAIN}.styles+xml"),
            ("/xl/sharedStrings.xml", f"{CT_MAIN}.sharedStrings+xml"),
        ]
        wb_rels = []
        tmp = self.path.with_name(self.path.name + ".part")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED,
                             compresslevel=self.compresslevel) as zf:
            for i, sheet in enumerate(self.sheets, start=1):
                tables_xml = []
                for block in sheet.blocks:
                    if block.table:
                        table_id += 1
                        tables_xml.append((table_id, _table_xml(block, table_id)))
                self._write_sheet(zf, f"xl/worksheets/sheet{i}.xml", sheet, strings,
                                  [t for t, _ in tables_xml])
                overrides.append((f"/xl/worksheets/sheet{i}.xml", f"{CT_MAIN}.worksheet+xml"))
                wb_rels.append((f"rId{i}", "worksheet", f"worksheets/sheet{i}.xml"))
                if tables_xml:
                    rels = [(f"rId{k}", "table", f"../tables/table{t}.xml")
                            for k, (t, _) in enumerate(tables_xml, start=1)]
                    zf.writestr(f"xl/worksheets/_rels/sheet{i}.xml.rels", _rels_xml(rels))
                for t, xml in tables_xml:
                    zf.writestr(f"xl/tables/table{t}.xml", xml)
                    overrides.append((f"/xl/tables/table{t}.xml", f"{CT_MAIN}.table+xml"))
            n = len(self.sheets)
            wb_rels += [(f"rId{n + 1}", "styles", "styles.xml"),
                        (f"rId{n + 2}", "sharedStrings", "sharedStrings.xml")]
            sheets_xml = "".join(
                f'<sheet name="{escape(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
                for i, s in enumerate(self.sheets, start=1))
            zf.writestr("xl/workbook.xml", DECL + f'<workbook xmlns="{NS_MAIN}" '
                        f'xmlns:r="{NS_REL}"><sheets>{sheets_xml}</sheets></workbook>')
            zf.writestr("xl/_rels/workbook.xml.rels", _rels_xml(wb_rels))
            zf.writestr("xl/styles.xml", STYLES_XML)
            zf.writestr("xl/sharedStrings.xml", strings.xml())
            zf.writestr("_rels/.rels", DECL + f'<Relationships xmlns="{NS_PKG}">'
                        f'<Relationship Id="rId1" Type="{NS_REL}/officeDocument" '
                        'Target="xl/workbook.xml"/><Relationship Id="rId2" '
                        f'Type="{NS_REL}/extended-properties" Target="docProps/app.xml"/>'
                        '</Relationships>')
            zf.writestr("docProps/app.xml", APP_XML)
            overrides.append(("/docProps/app.xml", "application/vnd.openxmlformats-"
                              "officedocument.extended-properties+xml"))
            ct = "".join(f'<Override PartName="{p}" ContentType="{c}"/>' for p, c in overrides)
            zf.writestr("[Content_Types].xml", DECL + '<Types xmlns="http://schemas.'
                        'openxmlformats.org/package/2006/content-types">'
                        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                        'package.relationships+xml"/><Default Extension="xml" '
                        f'ContentType="application/xml"/>{ct}</Types>')
        tmp.replace(self.path)
        return self.path

    def _write_sheet(self, zf: zipfile.ZipFile, part: str, sheet: SheetSpec,
                     strings: _Strings, table_ids: list[int]) -> None:
        n_rows = 1 + max([max(b.n_rows, 1 if b.table else 0) for b in sheet.blocks] or [0])
        right = max([b.first_col + len(b.columns) - 1 for b in sheet.blocks] or [1])
        with zf.open(part, "w", force_zip64=True) as fh:
            fh.write((DECL + f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
                      f'<dimension ref="A1:{col_letter(right)}{n_rows}"/><sheetData>'
                      ).encode())
            header = [_header_cells(b, strings) for b in sheet.blocks]
            fh.write(('<row r="1">' + "".join(header) + "</row>").encode())
            for lo in range(2, n_rows + 1, CHUNK_ROWS):
                rows = range(lo, min(lo + CHUNK_ROWS, n_rows + 1))
                per_col = [self._block_cells(b, rows, strings) for b in sheet.blocks]
                cols = [c for block_cols in per_col for c in block_cols]
                text = "".join(itertools.chain.from_iterable(
                    (f'<row r="{r}">', *cells, "</row>")
                    for r, *cells in zip(rows, *cols, strict=True)))
                fh.write(text.encode())
            parts = "".join(f'<tablePart r:id="rId{k}"/>' for k in range(1, len(table_ids) + 1))
            tail = f'<tableParts count="{len(table_ids)}">{parts}</tableParts>' if parts else ""
            fh.write(f"</sheetData>{tail}</worksheet>".encode())

    @staticmethod
    def _block_cells(block: Block, rows: range, strings: _Strings) -> list[list[str]]:
        """Cells of the block's columns for the sheet rows ``rows`` ("" past its data)."""
        out = []
        first_data = 2
        n = block.n_rows
        for j, col in enumerate(block.columns):
            letter = col_letter(block.first_col + j)
            lo, hi = rows.start - first_data, min(rows.stop - first_data, n)
            if hi <= lo:
                out.append([""] * len(rows))
                continue
            part = col if col.kind == "formula" else dataclasses.replace(
                col, values=_slice(col.values, lo, hi))
            cells = _cells(part, letter, range(rows.start, rows.start + hi - lo), strings)
            out.append(cells + [""] * (len(rows) - len(cells)))
        return out


def _slice(values: Any, lo: int, hi: int) -> Any:
    if isinstance(values, (pd.Series, pd.Index)):
        return values.iloc[lo:hi] if isinstance(values, pd.Series) else values[lo:hi]
    return values[lo:hi]


def _header_cells(block: Block, strings: _Strings) -> str:
    out = []
    for j, col in enumerate(block.columns):
        ref = f"{col_letter(block.first_col + j)}1"
        out.append(_auto_cell(col.header, ref, "", strings))
    return "".join(out)


def _table_xml(block: Block, table_id: int) -> str:
    last = col_letter(block.first_col + len(block.columns) - 1)
    ref = f"{col_letter(block.first_col)}1:{last}{1 + max(block.n_rows, 1)}"
    cols = "".join(f'<tableColumn id="{i}" name="{escape(str(c.header))}"/>'
                   for i, c in enumerate(block.columns, start=1))
    return (DECL + f'<table xmlns="{NS_MAIN}" id="{table_id}" name="{block.table}" '
            f'displayName="{block.table}" ref="{ref}" totalsRowShown="0">'
            f'<autoFilter ref="{ref}"/><tableColumns count="{len(block.columns)}">{cols}'
            '</tableColumns><tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" '
            'showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>')


def _rels_xml(rels: Iterable[tuple[str, str, str]]) -> str:
    body = "".join(f'<Relationship Id="{i}" Type="{NS_REL}/{t}" Target="{target}"/>'
                   for i, t, target in rels)
    return DECL + f'<Relationships xmlns="{NS_PKG}">{body}</Relationships>'


def formula(header: str, template: str, n_rows: int, style: int = GENERAL) -> Col:
    """A column of one formula per row (see :class:`Col`)."""
    return Col(header, n_rows, "formula", style, template)


# -- the contract workbook ------------------------------------------------------------------


def _frame_block(df: pd.DataFrame, spec: tables.TableSpec, first_col: int = 1,
                 auto: bool = False) -> Block:
    """A table of the contract from a canonical frame (its columns in contract order)."""
    cols = []
    for name in spec.column_names:
        kind = spec.column(name).kind
        values = df[name] if name in df.columns else pd.Series([None] * len(df), dtype=object)
        if auto:
            cols.append(Col(name, list(values.astype(object)), "auto"))
        elif kind in ("date", "period", "timestamp"):
            cols.append(Col(name, values, "date"))
        elif kind == "bool":
            cols.append(Col(name, values, "bool"))
        elif kind in ("text", "id"):
            cols.append(Col(name, values.astype(object).to_numpy(), "text"))
        else:
            cols.append(Col(name, pd.to_numeric(values, errors="coerce"), "number"))
    return Block(cols, spec.name, first_col)


def wide(long: pd.DataFrame, amount: str, months: pd.DatetimeIndex) -> pd.DataFrame:
    """Long ``ProjectID, Period, CostType, <amount>`` -> wide, one column per month of
    ``months`` (Timestamp headers), blank (NaN) where a project has no amount in a month."""
    keyed = long.groupby(["ProjectID", "CostType", "Period"], sort=False)[amount].sum()
    out = keyed.unstack("Period").reindex(columns=months)
    out = out.where(out != 0)  # blank means 0 (workbook.md): write zeros as blanks
    return out.reset_index()


def _wide_block(long: pd.DataFrame, spec: tables.TableSpec, months: pd.DatetimeIndex) -> Block:
    frame = wide(long, spec.amount or "", months)
    cols = [Col("ProjectID", frame["ProjectID"].astype(object).to_numpy(), "text"),
            Col("CostType", frame["CostType"].astype(object).to_numpy(), "text")]
    cols += [Col(month_header(m), frame[m].to_numpy(dtype=float), "number", MONEY)
             for m in months]
    return Block(cols, spec.name)


def settings_frame(inputs: Inputs) -> pd.DataFrame:
    s = inputs.settings
    return pd.DataFrame({"Setting": [f.name for f in dataclasses.fields(s)],
                         "Value": [getattr(s, f.name) for f in dataclasses.fields(s)]})


def plan_months(inputs: Inputs) -> pd.DatetimeIndex:
    periods = pd.concat([inputs.plan["Period"], inputs.actuals["Period"]])
    return pd.date_range(periods.min(), periods.max(), freq="MS")


def _empty(spec: tables.TableSpec, first_col: int = 1) -> Block:
    return Block([Col(c, [], "auto") for c in spec.column_names], spec.name, first_col)


def write_contract_workbook(path: str | Path, inputs: Inputs) -> Path:
    """The standard PMO workbook holding ``inputs`` (see the module docstring)."""
    months = plan_months(inputs)
    book = BookWriter(path)
    book.add("Config", _frame_block(settings_frame(inputs), tables.CONFIG, auto=True))
    book.add("Projects", _frame_block(inputs.projects, tables.PROJECTS))
    book.add("Plan", _wide_block(inputs.plan, tables.PLAN, months))
    book.add("Actuals", _wide_block(inputs.actuals, tables.ACTUALS, months))
    book.add("Progress", _frame_block(inputs.progress, tables.PROGRESS))
    book.add("Resources", _frame_block(inputs.resources, tables.RESOURCES))
    book.add("Allocations", _frame_block(inputs.allocations, tables.ALLOCATIONS))
    book.add("Timesheets", _frame_block(inputs.timesheets, tables.TIMESHEETS))
    book.add("Dashboard", _empty(tables.EVM),
             _empty(tables.PORTFOLIO, len(tables.EVM.columns) + 2))
    for spec in (tables.VARIANCE, tables.FORECAST_OUT, tables.UTILISATION, tables.CHECKS):
        book.add(spec.sheet, _empty(spec))
    return book.save()


# -- the formula tracker ----------------------------------------------------------------------

FORMULA_DESIGN = """\
The formula tracker (what a PMO analyst builds without xlpmo), all plain A1 ranges bounded
to the data, one formula per output cell, filled down:

Inputs: Config (B1 StatusDate, B2 its month, B3 HoursPerDay, thresholds), Projects, Plan and
Actuals (wide: ProjectID, CostType, one column per month with the month's date in row 1),
Progress, Resources, Allocations, Timesheets, Holidays (one column per country).

Variance (one row per project and month, all months):
  Planned  =SUMIFS(INDEX(Plan!months,0,MATCH(Period,Plan!header,0)),Plan!ProjectID,ProjectID)
  Actual   the same on Actuals
  Variance =Planned-Actual   VariancePct =Variance/Planned
  CumPlanned/CumActual running sums (=IF(ProjectID=ProjectID above, above+this, this))
  CumVariance, CumVariancePct =CumVariance/CumPlanned, RAG =IF(ABS(pct)>Red,..,IF(>Amber,..))
EVM (one row per project):
  BAC =SUMIFS(Variance!Planned,Variance!ProjectID,id)
  PV  =SUMIFS(Variance!Planned,Variance!ProjectID,id,Variance!Period,"<="&status month)
  AC  the same on Variance!Actual
  last progress =MAXIFS(Progress!Period,Progress!ProjectID,id,Progress!Period,"<="&status)
  % complete =SUMIFS(Progress!Pct,Progress!ProjectID,id,Progress!Period,last progress)
  EV  =IF(last=0,NA(),BAC*%)   CV, CV%, SV, SV%, CPI=EV/AC, SPI=EV/PV, EAC=BAC/CPI,
  ETC=EAC-AC, VAC=BAC-EAC, TCPI=(BAC-EV)/(BAC-AC), CostRAG from CPI and the thresholds
Portfolio (one row per portfolio, then Total): SUMIFS (SUM for Total) of BAC, PV, EV, AC,
  EAC over EVM; CV, SV, CPI, SPI, VAC from the sums
Utilisation (one row per resource and month of the utilisation periods):
  FTE, Country: INDEX/MATCH on Resources
  CapacityHours =NETWORKDAYS.INTL(Period,EOMONTH(Period,0),1,INDEX(Holidays,0,MATCH(Country,
                 Holidays!header,0)))*HoursPerDay*FTE
  AllocatedHours =SUMIFS(Allocations!Hours,..ResourceID,id,..Period,Period)
  ActualHours =SUMIFS(Timesheets!Hours,Timesheets!ResourceID,id,Timesheets!Month,Period), with
    a helper column Timesheets!Month =Date-DAY(Date)+1 (1.6 times faster in LibreOffice than
    the criteria ">="&Period and "<="&EOMONTH(Period,0) on Date: 12.9 s against 20.6 s for
    2,400 formulas over 50,000 rows, measured here)
  BillableHours: the same with Timesheets!Billable,TRUE
  Utilisation, BillableUtilisation, Allocation = hours/capacity; OverAllocated =Allocated>Capacity
Not in the formula tracker (the synthetic data does not exercise them): Earned money in
Progress, HoursPerWeek, employment dates, leave, ES/SPIt, forecasts.
"""

EVM_FORMULA_COLUMNS = ("ProjectID", "ProjectName", "Portfolio", "BAC", "PV", "EV", "AC", "CV",
                       "CVPct", "SV", "SVPct", "CPI", "SPI", "EAC", "ETC", "VAC", "TCPI",
                       "CostRAG", "LastProgress", "PercentComplete")
VARIANCE_FORMULA_COLUMNS = tuple(tables.VARIANCE.column_names)
UTIL_FORMULA_COLUMNS = (*tables.UTILISATION.column_names, "FTE", "Country")
PORTFOLIO_FORMULA_COLUMNS = ("Portfolio", "BAC", "PV", "EV", "AC", "CV", "SV", "CPI", "SPI",
                             "EAC", "VAC")


@dataclass(frozen=True)
class FormulaLayout:
    """What :func:`write_formula_workbook` wrote: sheet names, and the data rows of each
    formula block (sheet row = index + 2), for reading results back."""

    projects: list[str]
    variance_keys: list[tuple[str, pd.Timestamp]]
    utilisation_keys: list[tuple[str, pd.Timestamp]]
    portfolios: list[str]
    formula_cells: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "EVM": {"columns": list(EVM_FORMULA_COLUMNS), "rows": len(self.projects)},
            "Variance": {"columns": list(VARIANCE_FORMULA_COLUMNS),
                         "rows": len(self.variance_keys)},
            "Utilisation": {"columns": list(UTIL_FORMULA_COLUMNS),
                            "rows": len(self.utilisation_keys)},
            "Portfolio": {"columns": list(PORTFOLIO_FORMULA_COLUMNS),
                          "rows": len(self.portfolios)},
        }


def _rng(sheet: str, col: int, n: int, first_row: int = 2) -> str:
    """Absolute A1 range of ``n`` rows of one column (``Plan!$A$2:$A$1001``)."""
    c = col_letter(col)
    return f"{sheet}!${c}${first_row}:${c}${first_row + max(n, 1) - 1}"


def write_formula_workbook(path: str | Path, inputs: Inputs, n_projects: int | None = None,
                           n_resources: int | None = None) -> FormulaLayout:
    """The formula tracker over ALL of ``inputs``, with formula rows for the first
    ``n_projects`` projects (EVM, Variance) and the first ``n_resources`` resources
    (Utilisation); None = all. The Portfolio roll-up covers the EVM rows written.
    """
    s = inputs.settings
    months = plan_months(inputs)
    nm = len(months)
    projects = inputs.projects.reset_index(drop=True)
    pids = projects["ProjectID"].astype(object).tolist()
    k = len(pids) if n_projects is None else min(n_projects, len(pids))
    book = BookWriter(path)

    status = pd.Timestamp(s.StatusDate)
    config = [("StatusDate", status), ("StatusPeriod", status.to_period("M").to_timestamp()),
              ("HoursPerDay", float(s.HoursPerDay)), ("CPIAmber", float(s.CPIAmber)),
              ("CPIRed", float(s.CPIRed)), ("VarianceAmber", float(s.VarianceAmber)),
              ("VarianceRed", float(s.VarianceRed))]
    # no header row: Config!B1 is the status date, B2 its month, B3 HoursPerDay, ...
    book.add("Config", Block([Col(config[0][0], [c[0] for c in config[1:]], "auto"),
                              Col(config[0][1], [c[1] for c in config[1:]], "auto")]))
    cfg = {"status": "Config!$B$1", "period": "Config!$B$2", "hpd": "Config!$B$3",
           "cpi_amber": "Config!$B$4", "cpi_red": "Config!$B$5", "var_amber": "Config!$B$6",
           "var_red": "Config!$B$7"}

    book.add("Projects", Block([Col(c, projects[c].astype(object).to_numpy(), "text")
                                for c in ("ProjectID", "ProjectName", "Portfolio")]))
    np_ = len(projects)
    for name, long, amount in (("Plan", inputs.plan, "Planned"),
                               ("Actuals", inputs.actuals, "Actual")):
        frame = wide(long, amount, months).set_index("ProjectID").reindex(pids).reset_index()
        cols = [Col("ProjectID", frame["ProjectID"].to_numpy(dtype=object), "text"),
                Col("CostType", frame["CostType"].astype(object).to_numpy(), "text")]
        cols += [Col(m, frame[m].to_numpy(dtype=float), "number") for m in months]
        book.add(name, Block(cols))
    prog = inputs.progress
    book.add("Progress", Block([Col("ProjectID", prog["ProjectID"].astype(object).to_numpy(),
                                    "text"),
                                Col("Period", prog["Period"], "date"),
                                Col("PercentComplete", prog["PercentComplete"], "number")]))
    res = inputs.resources.reset_index(drop=True)
    rids = res["ResourceID"].astype(object).tolist()
    kr = len(rids) if n_resources is None else min(n_resources, len(rids))
    countries = sorted({c for c in res["Country"].dropna().astype(str)})
    book.add("Resources", Block([Col("ResourceID", res["ResourceID"].astype(object).to_numpy(),
                                     "text"),
                                 Col("FTE", pd.to_numeric(res["FTE"]), "number"),
                                 Col("Country", res["Country"].astype(object).to_numpy(),
                                     "text")]))
    al = inputs.allocations
    book.add("Allocations", Block([
        Col("ResourceID", al["ResourceID"].astype(object).to_numpy(), "text"),
        Col("Period", al["Period"], "date"), Col("Hours", al["Hours"], "number")]))
    ts = inputs.timesheets
    book.add("Timesheets", Block([
        Col("ResourceID", ts["ResourceID"].astype(object).to_numpy(), "text"),
        Col("ProjectID", ts["ProjectID"].astype(object).to_numpy(), "text"),
        Col("Date", ts["Date"], "date"), Col("Hours", ts["Hours"], "number"),
        Col("Billable", ts["Billable"], "bool"),
        formula("Month", "C{r}-DAY(C{r})+1", len(ts), DATE)]))
    periods = default_periods(inputs)
    years = tuple(range(periods[0].year, periods[-1].year + 1))
    hol = {c: _country_holidays(c, years) for c in countries}
    depth = max([len(v) for v in hol.values()] + [1])
    book.add("Holidays", Block([Col(c, _pad(hol[c], depth), "date") for c in countries]))

    # Variance: one row per project and month
    n_var = k * nm
    plan_cols = f"Plan!$C$2:${col_letter(2 + nm)}${1 + np_}"
    act_cols = f"Actuals!$C$2:${col_letter(2 + nm)}${1 + np_}"
    var_keys = [(p, m) for p in pids[:k] for m in months]
    amount = "SUMIFS(INDEX({cols},0,MATCH($B{{r}},{header},0)),{ids},$A{{r}})"
    book.add("Variance", Block([
        Col("ProjectID", np.repeat(np.array(pids[:k], dtype=object), nm), "text"),
        Col("Period", np.tile(months.to_numpy(), k), "date"),
        formula("Planned", amount.format(cols=plan_cols, header=_header_row("Plan", nm),
                                         ids=_rng("Plan", 1, np_)), n_var),
        formula("Actual", amount.format(cols=act_cols, header=_header_row("Actuals", nm),
                                        ids=_rng("Actuals", 1, np_)), n_var),
        formula("Variance", "C{r}-D{r}", n_var),
        formula("VariancePct", "E{r}/C{r}", n_var, PERCENT),
        formula("CumPlanned", "IF($A{r}=$A{p},G{p}+C{r},C{r})", n_var),
        formula("CumActual", "IF($A{r}=$A{p},H{p}+D{r},D{r})", n_var),
        formula("CumVariance", "G{r}-H{r}", n_var),
        formula("CumVariancePct", "I{r}/G{r}", n_var, PERCENT),
        formula("RAG", f'IF(ABS(J{{r}})>{cfg["var_red"]},"Red",IF(ABS(J{{r}})>'
                       f'{cfg["var_amber"]},"Amber","Green"))', n_var),
    ]))

    # EVM: one row per project
    vid, vper = _rng("Variance", 1, n_var), _rng("Variance", 2, n_var)
    vplan, vact = _rng("Variance", 3, n_var), _rng("Variance", 4, n_var)
    npg = len(prog)
    gid, gper, gpct = (_rng("Progress", 1, npg), _rng("Progress", 2, npg),
                       _rng("Progress", 3, npg))
    le = f'"<="&{cfg["period"]}'
    evm_f = {
        "ProjectName": "Projects!B{r}", "Portfolio": "Projects!C{r}",
        "BAC": f"SUMIFS({vplan},{vid},$A{{r}})",
        "PV": f"SUMIFS({vplan},{vid},$A{{r}},{vper},{le})",
        "EV": "IF(S{r}=0,NA(),D{r}*T{r})",
        "AC": f"SUMIFS({vact},{vid},$A{{r}},{vper},{le})",
        "CV": "F{r}-G{r}", "CVPct": "H{r}/F{r}", "SV": "F{r}-E{r}", "SVPct": "J{r}/E{r}",
        "CPI": "F{r}/G{r}", "SPI": "F{r}/E{r}", "EAC": "D{r}/L{r}", "ETC": "N{r}-G{r}",
        "VAC": "D{r}-N{r}", "TCPI": "(D{r}-F{r})/(D{r}-G{r})",
        "CostRAG": f'IF(L{{r}}<{cfg["cpi_red"]},"Red",IF(L{{r}}<{cfg["cpi_amber"]},"Amber",'
                   '"Green"))',
        "LastProgress": f"_xlfn.MAXIFS({gper},{gid},$A{{r}},{gper},{le})",
        "PercentComplete": f"SUMIFS({gpct},{gid},$A{{r}},{gper},S{{r}})",
    }
    styles = {"CVPct": PERCENT, "SVPct": PERCENT, "LastProgress": DATE,
              "PercentComplete": PERCENT}
    book.add("EVM", Block(
        [Col("ProjectID", np.array(pids[:k], dtype=object), "text")]
        + [formula(c, evm_f[c], k, styles.get(c, GENERAL)) for c in EVM_FORMULA_COLUMNS[1:]]))

    # Portfolio roll-up over the EVM rows
    portfolios = [*sorted(projects["Portfolio"].iloc[:k].astype(str).unique()), "Total"]
    ep = _rng("EVM", 3, k)
    evm_col = {c: _rng("EVM", EVM_FORMULA_COLUMNS.index(c) + 1, k)
               for c in ("BAC", "PV", "EV", "AC", "EAC")}
    sums = {c: f'IF($A{{r}}="Total",SUM({r}),SUMIFS({r},{ep},$A{{r}}))'
            for c, r in evm_col.items()}
    port_f = {**sums, "CV": "D{r}-E{r}", "SV": "D{r}-C{r}", "CPI": "D{r}/E{r}",
              "SPI": "D{r}/C{r}", "VAC": "B{r}-J{r}"}
    book.add("Portfolio", Block(
        [Col("Portfolio", np.array(portfolios, dtype=object), "text")]
        + [formula(c, port_f[c], len(portfolios)) for c in PORTFOLIO_FORMULA_COLUMNS[1:]]))

    # Utilisation: one row per resource and month
    npm = len(periods)
    n_ut = kr * npm
    nr, na, nt = len(res), len(al), len(ts)
    hol_rng = f"Holidays!$A$2:${col_letter(len(countries))}${1 + depth}"
    hol_hdr = f"Holidays!$A$1:${col_letter(len(countries))}$1"
    tid, tmonth = _rng("Timesheets", 1, nt), _rng("Timesheets", 6, nt)
    thours, tbill = _rng("Timesheets", 4, nt), _rng("Timesheets", 5, nt)
    month_crit = f"{tid},$A{{r}},{tmonth},$B{{r}}"
    ut_f = {
        "CapacityHours": f"NETWORKDAYS.INTL($B{{r}},EOMONTH($B{{r}},0),1,INDEX({hol_rng},0,"
                         f"MATCH(L{{r}},{hol_hdr},0)))*{cfg['hpd']}*K{{r}}",
        "AllocatedHours": f"SUMIFS({_rng('Allocations', 3, na)},{_rng('Allocations', 1, na)},"
                          f"$A{{r}},{_rng('Allocations', 2, na)},$B{{r}})",
        "ActualHours": f"SUMIFS({thours},{month_crit})",
        "BillableHours": f"SUMIFS({thours},{month_crit},{tbill},TRUE())",
        "Utilisation": "E{r}/C{r}", "BillableUtilisation": "F{r}/C{r}",
        "Allocation": "D{r}/C{r}", "OverAllocated": "D{r}>C{r}",
        "FTE": f"INDEX({_rng('Resources', 2, nr)},MATCH($A{{r}},{_rng('Resources', 1, nr)},0))",
        "Country": f"INDEX({_rng('Resources', 3, nr)},MATCH($A{{r}},{_rng('Resources', 1, nr)},"
                   "0))",
    }
    ut_styles = {"Utilisation": PERCENT, "BillableUtilisation": PERCENT, "Allocation": PERCENT}
    book.add("Utilisation", Block(
        [Col("ResourceID", np.repeat(np.array(rids[:kr], dtype=object), npm), "text"),
         Col("Period", np.tile(periods.to_numpy(), kr), "date")]
        + [formula(c, ut_f[c], n_ut, ut_styles.get(c, GENERAL))
           for c in UTIL_FORMULA_COLUMNS[2:]]))
    book.save()
    n_formulas = (k * (len(EVM_FORMULA_COLUMNS) - 1) + n_var * 9 + n_ut * 10 + nt
                  + len(portfolios) * (len(PORTFOLIO_FORMULA_COLUMNS) - 1))
    return FormulaLayout(
        projects=pids[:k], variance_keys=var_keys,
        utilisation_keys=[(r, p) for r in rids[:kr] for p in periods],
        portfolios=portfolios, formula_cells=n_formulas)


def _header_row(sheet: str, n_months: int) -> str:
    return f"{sheet}!$C$1:${col_letter(2 + n_months)}$1"


def _country_holidays(country: str, years: tuple[int, ...]) -> np.ndarray:
    resolved = resolve_country(country)
    if resolved is None:
        return np.array([], dtype="datetime64[D]")
    return package_holidays(resolved[0], resolved[1], years)


def _pad(days: np.ndarray, depth: int) -> np.ndarray:
    """Pad a holiday list to ``depth`` rows by repeating its last day (a repeated holiday
    removes nothing more in NETWORKDAYS.INTL); an empty list is padded with 1900-01-01."""
    fill = days[-1] if len(days) else np.datetime64("1900-01-01", "D")
    return np.concatenate([days, np.full(depth - len(days), fill)]).astype("datetime64[ns]")


def sample_positions(n: int, k: int) -> list[int]:
    """``k`` positions spread evenly over ``range(n)`` (first and last included)."""
    if n <= 0 or k <= 0:
        return []
    return sorted({round(float(x)) for x in np.linspace(0, n - 1, min(k, n))})


__all__: Sequence[str] = (
    "FORMULA_DESIGN", "Block", "BookWriter", "Col", "FormulaLayout", "formula",
    "sample_positions", "write_contract_workbook", "write_formula_workbook",
)
