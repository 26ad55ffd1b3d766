"""Build the standard PMO workbook (the template) with XlsxWriter.

:func:`build_workbook` writes every table of shared/spec/workbook.md as a native Excel
Table named as in :mod:`xlpmo.contract.tables`, with number formats, data-validation lists, header
notes, frozen headers, conditional formats, native charts, a ``Live`` sheet of worksheet
functions and a ``Start`` sheet. ``workbook/build_template.py`` builds the committed
``workbook/PMO_Tracker.xlsx`` from :func:`xlpmo.template.sample.example_rows`.

Layout (every table's top-left cell; the package writer grows output tables DOWNWARD and
refuses to overwrite other content, so nothing sits below any table in its columns):

- input tables at ``A1`` of their own sheets (``Config``, ``Projects``, ``Plan`` ...). The
  wide tables (``Plan``, ``Actuals``, ``Forecast``) grow to the right by a month column:
  nothing sits to their right. The ``Config`` sheet keeps a help block in ``D:F``, beside
  (not below) ``tblConfig``, which refresh grows downward by ``LastRefreshed`` and
  ``RefreshedBy`` rows.
- ``Dashboard``: rows 1-3 hold the title, the status date, the S-curve project picker
  (``B3``) and the xlwings Lite script buttons over ``F3``, ``H3``, ``J3``
  (:mod:`xlpmo.template.buttons`), rows 5-22 the three charts, row 24 the labels, and from
  row 25 the two output tables SIDE BY SIDE: ``tblPortfolio`` in ``A:K`` and ``tblEVM``
  in ``M:AK``. Each grows downward in its own columns, so neither can ever run into the
  other, whatever the number of portfolios or projects.
- ``tblVariance``, ``tblUtilisation``, ``tblChecks`` at ``A1`` of ``Variance``,
  ``Utilisation`` and ``Checks``.
- ``tblForecastOut`` at ``A1`` of its own sheet ``ForecastOut``. The contract puts both the
  input ``tblForecast`` and the output ``tblForecastOut`` on a sheet ``Forecast``; the wide
  input grows right (months) and down (projects), so no place on that sheet is safe for a
  second table that grows down. Tables are found by name on any sheet (workbook.md), so
  the output lives on ``ForecastOut``.
- ``ChartData``: A1-reference formulas (INDEX/MATCH, SUMIFS, MINIFS/MAXIFS, EDATE,
  EOMONTH; no dynamic arrays, no structured references) feeding the S-curve and the
  utilisation chart. They read whole columns of the output sheets, so they follow the
  tables' growth, and expect each table at ``A1`` of its sheet as laid out here.
- ``Live``: the worksheet functions (``=PMO.CPI(...)`` ...) at work. In the file they are
  stored the way Excel stores Office.js (xlwings Lite) custom functions, ``_xldudf_`` +
  namespace + ``_`` + name (``_xldudf_PMO_CPI(C5,C6)``), written as dynamic-array
  formulas (``cm="1"``) so results spill and Excel shows no implicit-intersection ``@``.
  Without the add-in they show ``#NAME?``; that is expected on that sheet only.

Formulas: the workbook uses ``use_future_functions`` so that XlsxWriter stores MINIFS and
MAXIFS as ``_xlfn.MINIFS`` / ``_xlfn.MAXIFS`` (Excel shows ``#NAME?`` for the bare names).
The ``_xldudf_`` names are left alone by that option (no word boundary before the name).
``strings_to_formulas`` / ``strings_to_numbers`` / ``strings_to_urls`` are off: text from
the data is always written as text, never as a formula.

Deterministic output: XlsxWriter stamps every zip entry with one fixed 1980 date and the
document properties carry the fixed :data:`CREATED` date, so the same data gives the same bytes
(for one XlsxWriter and zlib version; the test of the committed file compares the
uncompressed parts).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from xlpmo import __version__
from xlpmo.contract import tables
from xlpmo.contract.periods import EXCEL_EPOCH, parse_period, period_columns
from xlpmo.contract.settings import CAPACITY_BY, DATE_ORDERS, EAC_METHODS, MAX_HORIZON, Settings
from xlpmo.errors import InputError, XLError, XlpmoError
from xlpmo.template import buttons as sheetbuttons
from xlpmo.template import capacitysheet, dashboard
from xlpmo.template.content import (
    COLUMN_NOTES,
    MONTH_NOTES,
    SETTING_KINDS,
    SETTING_NOTES,
    START_LINES,
    lite_formula,
)
from xlpmo.template.layout import (
    DATE_KINDS,
    INPUT_STYLE,
    MAX_ROW,
    MIN_WIDTHS,
    NUMBER_FORMATS,
    NUMBER_KINDS,
    OUTPUT_PLACES,
    OUTPUT_STYLE,
    PRINT_MARGINS,
    RAG_COLOURS,
    SCHEDULE_INDICES,
    SHEET_ORDER,
    TAB_DASH,
    TAB_INPUT,
    TAB_OUTPUT,
    WIDTHS,
    WRAP_COLUMNS,
)
from xlpmo.template.sample import COUNTRIES, STATUSES, month_header

CREATED = dt.datetime(2026, 1, 1, 0, 0, 0)  # fixed so two builds give the same bytes
# -- public API ------------------------------------------------------------------------------


def build_workbook(
    path: str | Path,
    data: Mapping[str, pd.DataFrame],
    *,
    title: str = "PMO Tracker",
    project: str | None = None,
) -> Path:
    """Write the standard PMO workbook to ``path`` and return the path.

    ``data`` maps table names (``"tblProjects"`` ...) to DataFrames: input tables in the
    layout of :func:`xlpmo.template.sample.sample_portfolio` (wide ``tblPlan``/``tblActuals``/
    ``tblForecast`` with month headers as text or dates, or the long layout), and
    optionally output tables (``"tblVariance"`` ...) with exactly the contract's columns,
    whose values may be :class:`~xlpmo.errors.XLError` members. A missing input table is
    written empty (header and one blank row); output tables not given are written empty.
    ``project`` is the ProjectID shown in the Dashboard S-curve (default: the first).
    """
    path = Path(path)
    unknown = sorted(set(data) - set(tables.INPUTS) - set(tables.OUTPUTS))
    if unknown:
        raise InputError(f"build_workbook: unknown table(s) {', '.join(unknown)}")
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "use_future_functions": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": True,
        },
    )
    builder = Builder(wb, data, title)
    try:
        builder.build(project)
    finally:
        wb.close()
    _name_button_shapes(path)
    return path


def _name_button_shapes(path: Path) -> None:
    """Give the Dashboard's button shapes their names (:mod:`xlpmo.template.buttons`).

    XlsxWriter names text boxes ``TextBox <n>``; xlwings registers a sheet button only
    where a shape has the name in its reference. Each shape is found by the cell its
    hyperlink selects; the zip is rewritten with the same entries in the same order.
    """
    by_target = {f"#{sheetbuttons.SHEET}!{b.cell}": b.shape for b in sheetbuttons.BUTTONS}
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info)) for info in z.infolist()]
    parts = {info.filename: data for info, data in entries}
    renamed = {}
    for name, data in parts.items():
        if not (name.startswith("xl/drawings/drawing") and name.endswith(".xml")):
            continue
        rels = parts.get(name.replace("xl/drawings/", "xl/drawings/_rels/") + ".rels", b"")
        ids = {rid.decode(): by_target[target.decode()] for rid, target in re.findall(
            rb'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels) if target.decode() in by_target}
        if not ids:
            continue
        text = data.decode("utf-8")
        for rid, shape in ids.items():
            text = re.sub(r'(<xdr:cNvPr id="\d+" name=")TextBox \d+(">\s*<a:hlinkClick '
                          r'[^>]*r:id="' + rid + r'")', r"\g<1>" + shape + r"\g<2>", text)
        renamed[name] = text.encode("utf-8")
    if len(renamed) != 1 or any(f'name="{b.shape}"'.encode() not in renamed_part
                                for renamed_part in renamed.values()
                                for b in sheetbuttons.BUTTONS):
        raise XlpmoError("build_workbook: the Dashboard's button shapes were not found")
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as out:
        for info, data in entries:
            out.writestr(info, renamed.get(info.filename, data))
    tmp.replace(path)


# -- implementation --------------------------------------------------------------------------


def _cells(series: pd.Series, kind: str) -> tuple[list[Any], list[int], list[XLError]]:
    """Python values for one column (None = blank) and the positions of error values."""
    values = series.to_numpy(dtype=object)
    errors: list[tuple[int, XLError]] = []
    if series.dtype == object:  # only object columns can hold XLError members
        is_err = pd.Series(values).map(lambda v: isinstance(v, XLError)).to_numpy(bool)
        errors = [(int(i), values[i]) for i in np.flatnonzero(is_err)]
    err_pos = [i for i, _ in errors]
    if err_pos:
        values = values.copy()
        values[err_pos] = None
    clean = pd.Series(values, dtype=object)
    if kind in DATE_KINDS:
        stamps = pd.to_datetime(clean, errors="coerce")
        serial = (stamps - EXCEL_EPOCH) / pd.Timedelta(days=1)
        out = serial.astype(object).where(serial.notna(), None).tolist()
    elif kind in NUMBER_KINDS:
        nums = pd.to_numeric(clean, errors="coerce")
        out = nums.astype(object).where(nums.notna(), None).tolist()
    elif kind == "bool":
        out = [None if _blank(v) else bool(v) for v in clean.tolist()]
    else:
        out = [None if _blank(v) else _text_or_value(v) for v in clean.tolist()]
    return out, err_pos, [e for _, e in errors]


def _blank(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _text_or_value(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return pd.Timestamp(value).to_pydatetime()
    return str(value)


class Builder:
    def __init__(self, wb: xlsxwriter.Workbook, data: Mapping[str, pd.DataFrame], title: str):
        self.wb = wb
        self.data = data
        self.title = title
        self.sheets = {name: wb.add_worksheet(name) for name in SHEET_ORDER}
        self._formats: dict[tuple, Any] = {}
        self.settings = self._settings()
        self.placed: dict[str, tuple[str, int, int, list[str]]] = {}  # name -> sheet, r, c, cols
        self.widths: dict[tuple[str, int], float] = {}  # (sheet, column) -> width in characters

    # formats ---------------------------------------------------------------------------------
    def fmt(self, kind: str | None = None, **extra: Any) -> Any:
        key = (kind, tuple(sorted(extra.items())))
        if key not in self._formats:
            props = dict(extra)
            if kind in NUMBER_FORMATS:
                props["num_format"] = NUMBER_FORMATS[kind]
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def _settings(self) -> Settings:
        """The settings of the data's tblConfig (the status date defaults to CREATED, not
        today, so that the build stays deterministic)."""
        config = self.data.get("tblConfig")
        pairs = [] if config is None else list(config[["Setting", "Value"]].itertuples(False))
        settings, _ = Settings.from_pairs([("StatusDate", CREATED), *pairs])
        return settings

    # whole build -----------------------------------------------------------------------------
    def build(self, project: str | None) -> None:
        self.wb.set_properties(
            {
                "title": self.title,
                "subject": "PMO tracker: earned value, variance, forecasts, utilisation",
                "author": "xlpmo",
                "company": "",
                "keywords": "PMO, EVM, earned schedule, xlpmo",
                "comments": "The standard PMO workbook (contract version 1), built by xlpmo "
                f"{__version__}. Refresh with xlpmo.",
                "created": CREATED,
            }
        )
        self.wb.set_custom_property("xlpmo contract", "1")
        for name, spec in tables.INPUTS.items():
            self._input_table(spec, self.data.get(name))
        for name, spec in tables.OUTPUTS.items():
            sheet, row, col = OUTPUT_PLACES[name]
            self._output_table(spec, self.data.get(name), self.sheets[sheet], row, col)
        log = tables.IMPORT_LOG  # written by Import actuals; empty in a new workbook
        self._output_table(log, None, self.sheets[log.sheet], 0, 0)
        self._config_help()
        self._start()
        dashboard.dashboard(self, project)
        dashboard.chart_data(self)
        dashboard.charts(self)
        dashboard.live(self)
        capacitysheet.capacity_sheet(self)
        self.sheets["Start"].activate()

    # tables ----------------------------------------------------------------------------------
    def _frame(self, spec: tables.TableSpec, df: pd.DataFrame | None) -> pd.DataFrame:
        if df is None:
            return pd.DataFrame({c: pd.Series([], dtype=object) for c in spec.column_names})
        return df

    def _headers(self, spec: tables.TableSpec, df: pd.DataFrame) -> tuple[list[str], set]:
        """Header texts, and the set of month columns (wide layout) among df.columns."""
        known = {c.lower() for c in spec.column_names}
        months = {c for c in period_columns(df.columns) if str(c).lower() not in known}
        headers = [month_header(parse_period(c)) if c in months else str(c) for c in df.columns]
        return headers, months

    def _write_table(
        self, ws: Any, spec: tables.TableSpec, df: pd.DataFrame, row: int, col: int,
        style: str, notes: Mapping[str, str], month_note: str | None = None,
    ) -> list[str]:
        headers, months = self._headers(spec, df)
        if len({h.lower() for h in headers}) != len(headers):
            raise InputError(f"{spec.name}: two columns have the same header")
        kinds = [tables.column_kind(spec, c, df[c], c in months) for c in df.columns]
        n = max(1, len(df))
        formats = [self.fmt(k, text_wrap=True, valign="top") if h in WRAP_COLUMNS else self.fmt(k)
                   for h, k in zip(headers, kinds, strict=True)]
        columns = [{"header": h, "format": f} for h, f in zip(headers, formats, strict=True)]
        ws.add_table(
            row, col, row + n, col + len(headers) - 1,
            {"name": spec.name, "style": style, "columns": columns},
        )
        for c, (name, kind) in enumerate(zip(df.columns, kinds, strict=True)):
            values, err_pos, errs = self._column_cells(df, name, kind, n)
            ws.write_column(row + 1, col + c, values, formats[c])
            for i, err in zip(err_pos, errs, strict=True):
                ws.write_formula(row + 1 + i, col + c, f"={err.value}", formats[c], err.value)
            note = notes.get(headers[c]) or (month_note if name in months else None)
            if note:
                ws.data_validation(
                    row, col + c, row, col + c,
                    {"validate": "any", "input_title": headers[c][:32],
                     "input_message": note[:255]},
                )
            width = self._width(headers[c], kind, values)
            self.widths[(ws.name, col + c)] = width
            ws.set_column(col + c, col + c, width)
        return headers

    def _column_cells(
        self, df: pd.DataFrame, name: Any, kind: str, n: int
    ) -> tuple[list[Any], list[int], list[XLError]]:
        if df.empty:
            return [None] * n, [], []
        return _cells(df[name], kind)

    @staticmethod
    def _width(header: str, kind: str, values: Sequence[Any]) -> float:
        base = WIDTHS.get(kind, 9)
        texts = [len(v) for v in values[:2000] if isinstance(v, str)]
        longest = max(texts) if texts else 0
        return float(max(min(max(base, len(header) + 3, longest + 2), 40),
                         MIN_WIDTHS.get(header, 0)))

    def _input_table(self, spec: tables.TableSpec, df: pd.DataFrame | None) -> None:
        ws = self.sheets[spec.sheet]
        ws.set_tab_color(TAB_INPUT)
        frame = self._frame(spec, df)
        headers = self._write_table(
            ws, spec, frame, 0, 0, INPUT_STYLE, COLUMN_NOTES.get(spec.name, {}),
            MONTH_NOTES.get(spec.name),
        )
        self.placed[spec.name] = (spec.sheet, 0, 0, headers)
        wide = spec.amount is not None and "Period" not in headers
        ws.freeze_panes(1, (2 if "CostType" in headers else 1) if wide else 1)
        if spec.name == "tblConfig":
            ws.freeze_panes(1, 0)
            ws.set_column(1, 1, 16)  # values are dates, numbers and text
            self._config_validation(ws, frame)
        self._list_validations(ws, spec, headers)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)

    def _list_validations(self, ws: Any, spec: tables.TableSpec, headers: list[str]) -> None:
        lists = {
            ("tblProjects", "Status"): (list(STATUSES), "stop"),
            ("tblTimesheets", "Billable"): (["TRUE", "FALSE"], "stop"),
            ("tblResources", "Country"): (list(COUNTRIES), "warning"),
            ("tblHolidays", "Country"): (list(COUNTRIES), "warning"),
        }
        for (table, column), (values, style) in lists.items():
            if table != spec.name or column not in headers:
                continue
            c = headers.index(column)
            ws.data_validation(
                1, c, MAX_ROW, c,
                {
                    "validate": "list", "source": values, "error_type": style,
                    "error_title": column,
                    "error_message": f"{column} is one of: {', '.join(values)}."
                    + (" Other values are allowed." if style == "warning" else ""),
                },
            )

    def _config_validation(self, ws: Any, config: pd.DataFrame) -> None:
        if config.empty:
            return
        names = [str(s) for s in config["Setting"].tolist()]
        rules = {
            "EACMethod": {"validate": "list", "source": list(EAC_METHODS)},
            "ScheduleIndex": {"validate": "list", "source": list(SCHEDULE_INDICES)},
            "DateOrder": {"validate": "list", "source": list(DATE_ORDERS)},
            "StatusDate": {
                "validate": "date", "criteria": "between",
                "minimum": dt.datetime(1990, 1, 1), "maximum": dt.datetime(2199, 12, 31),
            },
            "HoursPerDay": {
                "validate": "decimal", "criteria": "between", "minimum": 0.25, "maximum": 24,
            },
            "EACWeight": {
                "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1,
            },
            "CapacityBy": {"validate": "list", "source": list(CAPACITY_BY)},
            "PlanningHorizon": {
                "validate": "integer", "criteria": "between", "minimum": 0,
                "maximum": MAX_HORIZON,
            },
            "ForecastConfidence": {
                "validate": "decimal", "criteria": "between", "minimum": 0.01,
                "maximum": 0.999,
            },
        }
        for i, name in enumerate(names):
            kind = SETTING_KINDS.get(name)
            if kind:  # per-row number format of the Value cell
                value, err_pos, _ = _cells(config["Value"].iloc[i : i + 1], kind)
                if not err_pos and value[0] is not None:
                    ws.write(1 + i, 1, value[0], self.fmt(kind))
            if name in rules:
                rule = dict(rules[name])
                rule.update(
                    input_title=name[:32], input_message=SETTING_NOTES.get(name, "")[:255],
                    error_title=name, error_message=f"Not a valid {name}.",
                )
                ws.data_validation(1 + i, 1, 1 + i, 1, rule)

    def _output_table(
        self, spec: tables.TableSpec, df: pd.DataFrame | None, ws: Any, row: int, col: int
    ) -> None:
        if df is not None and list(df.columns) != spec.column_names:
            raise InputError(
                f"{spec.name}: columns must be exactly {', '.join(spec.column_names)}"
            )
        frame = self._frame(spec, df)
        headers = self._write_table(
            ws, spec, frame, row, col, OUTPUT_STYLE, COLUMN_NOTES.get(spec.name, {})
        )
        self.placed[spec.name] = (ws.name, row, col, headers)
        for c, header in enumerate(headers):
            if header in ("CostRAG", "ScheduleRAG", "RAG"):
                self._rag_format(ws, row + 1, col + c)
        if spec.name == "tblUtilisation":
            self._heat_map(ws, row + 1, col + headers.index("Utilisation"))
            self._heat_map(ws, row + 1, col + headers.index("Allocation"))
            self._true_is_red(ws, row + 1, col + headers.index("OverAllocated"))
        if spec.name == "tblEVM" and "BACAtRisk" in headers:  # the EAC realism test
            self._true_is_red(ws, row + 1, col + headers.index("BACAtRisk"))
        if spec.name == "tblChecks":
            c = col + headers.index("Severity")
            for value, colour in (("Error", "Red"), ("Warning", "Amber")):
                ws.conditional_format(
                    row + 1, c, MAX_ROW, c,
                    {"type": "cell", "criteria": "==", "value": f'"{value}"',
                     "format": self.fmt(None, font_color=RAG_COLOURS[colour][0],
                                        bg_color=RAG_COLOURS[colour][1])},
                )
        if ws.name != "Dashboard":
            ws.set_tab_color(TAB_OUTPUT)
            ws.freeze_panes(row + 1, col + 1)
            ws.set_landscape()
            ws.fit_to_pages(1, 0)
            ws.set_margins(*PRINT_MARGINS)
            ws.repeat_rows(row)

    def _rag_format(self, ws: Any, first_row: int, c: int) -> None:
        """Green/Amber/Red fills on a whole column below the header (follows growth)."""
        for value, (font, fill) in RAG_COLOURS.items():
            ws.conditional_format(
                first_row, c, MAX_ROW, c,
                {"type": "cell", "criteria": "==", "value": f'"{value}"',
                 "format": self.fmt(None, font_color=font, bg_color=fill)},
            )

    def _true_is_red(self, ws: Any, first_row: int, c: int) -> None:
        """A red fill for TRUE on a whole column below the header (follows growth)."""
        ws.conditional_format(
            first_row, c, MAX_ROW, c,
            {"type": "cell", "criteria": "==", "value": "TRUE",
             "format": self.fmt(None, font_color=RAG_COLOURS["Red"][0],
                                bg_color=RAG_COLOURS["Red"][1])},
        )

    def _heat_map(self, ws: Any, first_row: int, c: int) -> None:
        target = float(self.settings.UtilisationTarget)
        ws.conditional_format(
            first_row, c, MAX_ROW, c,
            {
                "type": "3_color_scale",
                "min_type": "num", "min_value": 0, "min_color": "#9DC3E6",
                "mid_type": "num", "mid_value": target, "mid_color": "#63BE7B",
                "max_type": "num", "max_value": max(1.2, target + 0.2), "max_color": "#F8696B",
            },
        )

    # Config help -----------------------------------------------------------------------------
    def _config_help(self) -> None:
        ws = self.sheets["Config"]
        head = self.fmt(None, bold=True, bottom=1)
        ws.write_row(0, 3, ["Setting", "Default", "Meaning"], head)
        defaults = Settings()
        for i, name in enumerate(SETTING_NOTES, start=1):
            default = "today" if name == "StatusDate" else getattr(defaults, name)
            ws.write_string(i, 3, name)
            if isinstance(default, str):
                ws.write_string(i, 4, default or "(none)")
            else:
                ws.write_number(i, 4, float(default), self.fmt(SETTING_KINDS.get(name)))
            ws.write_string(i, 5, SETTING_NOTES[name])
        note_row = len(SETTING_NOTES) + 2
        ws.write_string(
            note_row, 3,
            "Refresh adds LastRefreshed and RefreshedBy rows to tblConfig. Keep the table in "
            "columns A:B; this help block may be deleted.",
            self.fmt(None, italic=True, font_color="#595959"),
        )
        ws.set_column(2, 2, 3)
        ws.set_column(3, 3, 18)
        ws.set_column(4, 4, 10)
        ws.set_column(5, 5, 60)

    # Start -----------------------------------------------------------------------------------
    def _start(self) -> None:
        ws = self.sheets["Start"]
        ws.set_tab_color(TAB_DASH)
        ws.hide_gridlines(2)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_column(0, 0, 3)
        ws.set_column(1, 1, 110)
        ws.write_string(0, 1, self.title, self.fmt(None, bold=True, font_size=18))
        ws.write_string(
            1, 1, "The standard PMO workbook: earned value, earned schedule, variance, "
            "forecasts and resource utilisation, refreshed by xlpmo.",
            self.fmt(None, italic=True, font_color="#595959"),
        )
        ws.write_string(3, 1, "How to use it", self.fmt(None, bold=True, font_size=13))
        for i, line in enumerate(START_LINES):
            ws.write_string(4 + i, 1, line, self.fmt(None, text_wrap=True))
        row = 5 + len(START_LINES)
        ws.write_string(row, 1, "Sheets", self.fmt(None, bold=True, font_size=13))
        link = self.fmt(None, font_color="#0563C1", underline=1)
        descriptions = {
            "Dashboard": "portfolio and project earned value, charts (output)",
            "Variance": "plan vs actual by project and month (output)",
            "ForecastOut": "actuals and forecast by month with a band (output)",
            "Trend": "each project's CPI, SPI(t) and EAC month by month (output)",
            "Utilisation": "capacity, allocation and booked hours by resource and month (output)",
            "CapacityPlan": "demand against capacity by role or team and month, named and "
            "unnamed (output)",
            "Checks": "problems found in the inputs (output)",
            tables.IMPORT_LOG.sheet: "what Import actuals added, so an export is never "
                                     "counted twice",
            "Live": "the PMO.* worksheet functions at work (needs the xlwings Lite add-in)",
            "ChartData": "helper formulas for the Dashboard charts",
        }
        for spec in tables.INPUTS.values():
            descriptions[spec.sheet] = f"{spec.name} (input)"
        for i, sheet in enumerate(s for s in SHEET_ORDER if s != "Start"):
            ws.write_url(
                row + 1 + i, 1, f"internal:'{sheet}'!A1", link,
                string=f"{sheet}: {descriptions[sheet]}",
            )

__all__ = ["build_workbook", "lite_formula"]
