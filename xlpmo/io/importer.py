"""Read a finance or timesheet export and type its rows for tblActuals / tblTimesheets.

The *Import actuals* command (functions.md; :func:`xlpmo.app.commands.import_export`)
reads a CSV / XLSX export, maps its columns to the contract's and adds its rows exactly
once. This module does the reading and typing (pure pandas, no workbook):

1. :func:`read_export` reads the file with every cell as text or its raw value (nothing is
   guessed: an ID ``0042`` stays ``0042``): CSV in UTF-8 (with or without BOM) or
   Windows-1252, separated by ``,`` ``;`` tab or ``|`` (the one giving the most rows of
   the same width), or an XLSX sheet. The header row is the first row in which the
   target's columns are found, so a header block above the table (a SAP list: company
   code, ledger, selection) is passed over; messages name rows by their number in the
   file.
2. :func:`map_columns` finds each contract column among the export's headers by name and
   synonyms (``Project``, ``WBS`` … for ProjectID; ``Amount``, ``Cost`` … for Actual;
   ``Employee`` … for ResourceID; ``Invoice No``, ``Document Number`` … for the
   :data:`REFERENCE` that identifies a row), case, spaces and punctuation ignored, after
   the user's own ``Export column=ContractColumn`` choices; :func:`detect_target` picks
   the table: hours and a resource -> tblTimesheets, else an amount -> tblActuals.
3. :func:`prepare` types the rows: IDs and cost types as text, Period as its month, Date
   as a date, amounts and hours as numbers (``1,234.50``, ``(100)`` = −100, ``1.234,50``
   in a column written with decimal commas, SAP's trailing minus ``100-``); a row whose
   key or amount cannot be read is left out and reported with its file row number. Every
   text -> number reading goes through :func:`read_number`.
4. :func:`protect_text` makes text stay text in Excel: a value that Excel would read as a
   formula (``=``, ``+``, ``-``, ``@``), a number or a date is written with a leading
   apostrophe (Excel's text prefix; it is not part of the value).
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import periods, tables
from xlpmo.contract.parse import parse_number
from xlpmo.errors import FileRefused, InputError, XlpmoError

SYNONYMS: dict[str, tuple[str, ...]] = {
    "ProjectID": ("projectid", "project", "projectcode", "projectno", "projectnumber",
                  "projectref", "wbs", "wbscode", "wbselement", "job", "jobno", "jobnumber",
                  "jobcode"),
    "Period": ("period", "month", "postingperiod", "fiscalperiod", "accountingperiod",
               "postingdate", "transactiondate", "gldate", "invoicedate", "date"),
    "CostType": ("costtype", "costcategory", "category", "costelement", "expensetype",
                 "account", "accountname", "nature"),
    "Actual": ("actual", "actuals", "actualcost", "amount", "cost", "value", "netamount",
               "total", "spend", "amountlocal", "amountbase", "amountinlc",
               "amountinlocalcurrency", "valueincocurrency", "valcoareacrcy"),
    "ResourceID": ("resourceid", "resource", "employee", "employeeid", "employeeno",
                   "employeenumber", "staffid", "personid", "person", "worker", "user",
                   "userid"),
    "Date": ("date", "workdate", "day", "entrydate", "timesheetdate", "workday"),
    "Hours": ("hours", "hrs", "hoursworked", "time", "duration", "quantity", "qty"),
    "Billable": ("billable", "isbillable", "chargeable", "billableflag"),
    "Reference": ("reference", "ref", "refno", "referenceno", "referencenumber", "invoice",
                  "invoiceno", "invoicenumber", "invoiceid", "documentno", "documentnumber",
                  "docno", "docnumber", "document", "refdocument", "voucher", "voucherno",
                  "journalno", "journalnumber", "transactionid", "transactionno",
                  "postingid", "entryno", "entryid", "timesheetid", "belegnummer",
                  "belegnr"),
}
#: the export column that identifies a row (invoice or document number): not a column of
#: the contract tables; it goes to tblImportLog, so importing it again skips the row
REFERENCE = "Reference"

TARGETS = {tables.ACTUALS.name: tables.ACTUALS, tables.TIMESHEETS.name: tables.TIMESHEETS}
_AMOUNT = {tables.ACTUALS.name: "Actual", tables.TIMESHEETS.name: "Hours"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection prefixes


def normalise_header(text: Any) -> str:
    """``" Project ID (SAP)"`` -> ``"projectidsap"``; the unit in brackets is dropped
    when it follows a name (``Amount (GBP)`` -> ``amount``)."""
    s = str(text or "").strip().lower()
    s = re.sub(r"\s*[\(\[][^)\]]*[\)\]]\s*$", "", s) or s
    return re.sub(r"[^0-9a-z]", "", s)


def read_export(path: str | Path, target: str | None = None,
                overrides: dict[str, str] | None = None) -> pd.DataFrame:
    """A CSV or XLSX export as a DataFrame of raw cells (CSV cells are text), its header
    being the first row where the columns of ``target`` (default: either table) are found
    (:func:`header_index`); ``attrs["header_row"]`` is that row's 1-based number in the file."""
    p = Path(path)
    suffix = p.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            rows = csv_rows(_decode(p.read_bytes(), p.name))
        elif suffix in (".xlsx", ".xlsm", ".xls"):
            grid = pd.read_excel(p, header=None, dtype=object, engine="calamine")
            rows = [[None if _blank(v) else v for v in r] for r in grid.itertuples(index=False)]
        else:
            raise FileRefused(f"{p.name}: an export must be a .csv, .txt or .xlsx file")
    except (OSError, ValueError, UnicodeDecodeError, csv.Error) as exc:
        raise FileRefused(f"cannot read the export {p.name}: {exc}") from None
    return export_frame(rows, target, overrides, p.name)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip())


def csv_rows(text: str) -> list[list[str]]:
    """CSV text -> rows of cells. The separator is the one of ``,`` ``;`` tab ``|`` that
    gives the most rows of one width (over one field): a header block above the table or
    decimal commas do not mislead it as they mislead a sniffer."""
    best: tuple[int, int, list[list[str]]] | None = None
    for sep in (",", ";", "\t", "|"):
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
        widths = pd.Series([len(r) for r in rows if len(r) > 1 and any(c.strip() for c in r)],
                           dtype=int)
        if widths.empty:
            continue
        width = int(widths.mode().max())
        score = (int((widths == width).sum()), width)
        if best is None or score > best[:2]:
            best = (*score, rows)
    if best is None:  # one column at most: no separator to find
        return list(csv.reader(io.StringIO(text, newline="")))
    return best[2]


def header_index(rows: list[list[Any]], target: str | None = None,
                 overrides: dict[str, str] | None = None, scan: int = 50) -> int:
    """The index of the export's header row: the first of the first ``scan`` rows in which
    :func:`map_columns` finds the target's columns, else the first row with two cells or
    more (:func:`prepare` then says which columns it lacks)."""
    first: int | None = None
    for i, row in enumerate(rows[:scan]):
        if sum(not _blank(c) for c in row) < 2:
            continue
        first = i if first is None else first
        names = [str(c).strip() if not _blank(c) else "" for c in row]
        try:
            map_columns(names, target or detect_target(names), overrides)
        except XlpmoError:
            continue
        return i
    if first is None:
        raise InputError("the export has no header row (a row with two columns or more)")
    return first


def export_frame(rows: list[list[Any]], target: str | None = None,
                 overrides: dict[str, str] | None = None, name: str = "the export"
                 ) -> pd.DataFrame:
    """Rows of cells (a file's, or an export pasted into a sheet) -> the export's
    DataFrame from its header row (:func:`header_index`) down."""
    if not any(not _blank(c) for r in rows for c in r):
        raise InputError(f"{name} is empty")
    h = header_index(rows, target, overrides)
    frame = frame_from_values(rows[h:])
    frame.attrs["lines"] = [h + n for n in frame.attrs.get("lines", [])]
    return frame


def _decode(data: bytes, name: str) -> str:
    """CSV bytes -> text: UTF-8 (with or without BOM), else Windows-1252, the code page of
    Excel's "CSV (Comma delimited)" on Western Windows (``€``, ``é``)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(f"cannot read the export {name}: it is neither UTF-8 nor Windows-1252 "
                     "text; save it as CSV UTF-8")


def frame_from_values(values: list[list[Any]]) -> pd.DataFrame:
    """Cells with their header row first -> DataFrame; blank rows are dropped and
    ``attrs["lines"]`` holds each data row's 1-based row number among ``values``."""
    numbered = [(n, list(r)) for n, r in enumerate(values, start=1)
                if any(c not in (None, "") for c in r)]
    if not numbered:
        return pd.DataFrame()
    header = [str(h).strip() if h is not None else "" for h in numbered[0][1]]
    width = len(header)
    body = [(r + [None] * width)[:width] for _n, r in numbered[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame.attrs["lines"] = [n for n, _r in numbered[1:]]
    return frame


def map_columns(columns: list[Any], target: str,
                overrides: dict[str, str] | None = None) -> dict[str, Any]:
    """Contract column -> export column for ``target`` (and :data:`REFERENCE` when the
    export has one). ``overrides`` (export column -> contract column, the user's
    ``--map``) come first; then the first header that matches a column's name or synonyms
    wins. Raises :class:`XlpmoError` naming the required columns that were not found, or
    an override that names no column."""
    spec = TARGETS[target]
    norm = {c: normalise_header(c) for c in columns}
    mapping: dict[str, Any] = {}
    taken: set[Any] = set()
    for source, contract_col in (overrides or {}).items():
        wanted = next((c for c in [*spec.column_names, REFERENCE]
                       if c.lower() == contract_col.strip().lower()), None)
        if wanted is None:
            raise InputError(f"--map {source}={contract_col}: {target} has no column "
                             f"{contract_col} (its columns: {', '.join(spec.column_names)}, "
                             f"and {REFERENCE} for the export's invoice or document number)")
        hit = next((c for c in columns if str(c).strip().lower() == source.strip().lower()),
                   None)
        if hit is None:
            continue  # another row may be the header; a missing column is reported below
        mapping[wanted] = hit
        taken.add(hit)
    for col in [*spec.column_names, REFERENCE]:
        if col in mapping:
            continue
        names = (normalise_header(col), *SYNONYMS.get(col, ()))
        for name in names:
            hit = next((c for c in columns if norm[c] == name and c not in taken), None)
            if hit is not None:
                mapping[col] = hit
                taken.add(hit)
                break
    required = spec.required_columns + [c for c in ("Period", _AMOUNT[target])
                                        if target == tables.ACTUALS.name]
    missing = [c for c in dict.fromkeys(required) if c not in mapping]
    unmatched = [s for s in (overrides or {}) if s not in {str(v) for v in mapping.values()}]
    if missing or unmatched:
        shown = ", ".join(str(c) for c in columns if str(c).strip())
        what = (f"no column for {', '.join(missing)} of {target}" if missing
                else f"no column {', '.join(map(repr, unmatched))} (given with --map)")
        raise InputError(f"the export has {what} (its columns: {shown}); name the export's "
                         'column with --map "Export column=ContractColumn"')
    return mapping


def detect_target(columns: list[Any]) -> str:
    """tblTimesheets when the export has hours and a resource, else tblActuals."""
    norm = {normalise_header(c) for c in columns}
    has = {col: bool(norm & {normalise_header(col), *SYNONYMS[col]}) for col in SYNONYMS}
    if has["Hours"] and has["ResourceID"]:
        return tables.TIMESHEETS.name
    return tables.ACTUALS.name


def key_text(value: Any) -> str | None:
    """An ID or category cell as text: whole numbers without ``.0``; blank -> None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


_COMMA_DECIMAL = re.compile(r",\d{1,2}\D*$|\.\d{3},|,\d{4,}\D*$")  # 12,5  1.234,50
_POINT_DECIMAL = re.compile(r"\.\d{1,2}\D*$|,\d{3}\.|\.\d{4,}\D*$")  # 12.5  1,234.50


def decimal_comma(values: Any, column: Any = "") -> bool:
    """True when the texts of an amount column write decimals with a comma (``1.234,50``,
    ``12,5``: semicolon CSVs of continental Europe), False for decimal points or when no
    text tells (``1,234`` alone is read as thousands). Raises XlpmoError when the column
    mixes both, rather than misreading one of them a thousand times too big or small."""
    texts = [v.strip() for v in values if isinstance(v, str) and v.strip()]
    comma = next((t for t in texts if _COMMA_DECIMAL.search(t)), None)
    point = next((t for t in texts if _POINT_DECIMAL.search(t)), None)
    if comma is not None and point is not None:
        raise InputError(f"the export's column {column} mixes decimal commas ({comma}) and "
                         f"decimal points ({point}): make them all alike and import again")
    return comma is not None


def read_number(value: Any, comma: bool = False) -> float | None:
    """The importer's one text -> number reading (amounts, hours, a new project's BAC):
    every caller goes through here, so a shared parser replaces it in one line."""
    return to_amount(value, comma)


def to_amount(value: Any, comma: bool = False) -> float | None:
    """``1,234.50`` / ``(100)`` / ``-5`` / ``£12`` / ``12 EUR`` / ``100-`` -> float; blank or
    unreadable -> None, and so is a percentage (``12%`` is not an amount). ``comma``: the
    decimal separator is a comma (``1.234,50`` -> 1234.5). Text is read by the one parser,
    :func:`xlpmo.contract.parse.parse_number`."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        return None if math.isnan(number) else number
    parsed = parse_number(str(value), decimal_comma=comma)
    if parsed is None or parsed[1]:  # not an amount: "@SUM(A1)" is not 1, "12%" is not 12
        return None
    return parsed[0]


def to_bool(value: Any) -> bool | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("", "nan"):
        return None
    if text in ("true", "yes", "y", "1", "x", "billable"):
        return True
    if text in ("false", "no", "n", "0", "non-billable", "nonbillable"):
        return False
    return None


@dataclass
class Prepared:
    """Typed rows for the target table, with for each row its file row number (``lines``)
    and its :data:`REFERENCE` text (``references``, None without one); the export rows
    left out (file row number, with why), and the rows that repeat an earlier one exactly
    (file row numbers; imported all the same: two equal postings are two postings;
    listed so the user can check them). ``lost``: the left-out rows that are postings (an
    ID and an amount typed, something unreadable), unlike a totals line (no ID) or a line
    with nothing to add (no amount): the table then holds less than the export says."""

    target: str
    rows: pd.DataFrame
    skipped: list[tuple[int, str]] = field(default_factory=list)
    repeated: list[int] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    references: list[str | None] = field(default_factory=list)
    mapping: dict[str, Any] = field(default_factory=dict)
    lost: list[int] = field(default_factory=list)

    @property
    def has_reference(self) -> bool:
        return REFERENCE in self.mapping


def prepare(export: pd.DataFrame, target: str | None = None,
            overrides: dict[str, str] | None = None) -> Prepared:
    """Map and type an export's rows for ``target`` (default: :func:`detect_target`);
    ``overrides`` as for :func:`map_columns`."""
    target = target or detect_target(list(export.columns))
    mapping = map_columns(list(export.columns), target, overrides)
    spec = TARGETS[target]
    out: dict[str, list[Any]] = {c: [] for c in spec.column_names}
    skipped: list[tuple[int, str]] = []
    lost: list[int] = []
    typed = [mapping[c] for c in (*(c for c in spec.required_columns
                                    if spec.column(c).kind == "id"), _AMOUNT[spec.name])
             if c in mapping]  # an ID and the amount: what makes a row a posting
    kept: list[int] = []
    references: list[str | None] = []
    commas = {col: decimal_comma(export[source].tolist(), source)
              for col, source in mapping.items()
              if col in spec.column_names and spec.column(col).kind in ("money", "hours")}
    lines = export.attrs.get("lines") or list(range(2, len(export) + 2))  # header = row 1
    for i, record in zip(lines, export.to_dict("records"), strict=True):
        row, problem = _typed(record, mapping, spec, commas)
        if problem:
            if any(not _blank(v) for v in record.values()):
                skipped.append((i, problem))
                if typed and not any(_blank(record.get(c)) for c in typed):
                    lost.append(i)
            continue
        for c in spec.column_names:
            out[c].append(row.get(c))
        kept.append(i)
        references.append(key_text(record.get(mapping[REFERENCE]))
                          if REFERENCE in mapping else None)
    frame = pd.DataFrame(out, columns=spec.column_names)
    for c in spec.column_names:
        kind = spec.column(c).kind
        if kind in ("money", "hours"):
            frame[c] = frame[c].astype(float)
        elif kind in ("period", "date"):
            frame[c] = pd.to_datetime(frame[c]).astype("datetime64[ns]")
        else:
            frame[c] = frame[c].astype(object)
    with_ref = frame.assign(_ref=pd.Series(references, dtype=object))
    repeated = [kept[k] for k in np.flatnonzero(with_ref.duplicated(keep="first").to_numpy())]
    return Prepared(target, frame, skipped, repeated, kept, references, mapping, lost)


def _typed(record: dict, mapping: dict[str, Any], spec: tables.TableSpec,
           commas: dict[str, bool] | None = None) -> tuple[dict[str, Any], str | None]:
    row: dict[str, Any] = {}
    for col, source in mapping.items():
        if col not in spec.column_names:
            continue  # the reference
        raw = record.get(source)
        kind = spec.column(col).kind
        if kind in ("id", "text"):
            row[col] = key_text(raw)
        elif kind in ("money", "hours"):
            row[col] = read_number(raw, bool((commas or {}).get(col)))
        elif kind == "period":
            row[col] = periods.parse_period(raw)
        elif kind == "date":
            ts = periods.parse_date(raw)
            row[col] = None if ts is None else ts.normalize()
        elif kind == "bool":
            row[col] = to_bool(raw)
    for col in [*spec.required_columns, _AMOUNT[spec.name]]:
        if col in mapping and row.get(col) is None:
            return row, f"{col} is blank or unreadable ({record.get(mapping[col])!r})"
    if spec.name == tables.ACTUALS.name and row.get("Period") is None:
        return row, "no period"
    return row, None


_NUMBERISH = re.compile(r"^\s*[-+]?[\d.,\s]+%?\s*$|^\s*\(.*\)\s*$")


def protect_text(value: Any) -> Any:
    """Text as Excel must keep it: a leading apostrophe when Excel would otherwise read the
    text as a formula (``=``, ``+``, ``-``, ``@``, and a leading tab or carriage return,
    which some programs strip: OWASP's CSV-injection list), a number, a percentage or a
    date, or when it starts with an apostrophe itself. Other values are returned unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if (value.startswith(_FORMULA_START) or value.startswith("'") or _NUMBERISH.match(value)
            or periods.parse_date(value) is not None or value.upper() in ("TRUE", "FALSE")
            or value.startswith("#")):
        return "'" + value
    return value
