"""Import a finance or timesheet export into tblActuals / tblTimesheets (pure pandas).

The *Import actuals* command (functions.md) reads a CSV / XLSX export, maps its columns to
the contract's, and adds what is new:

1. :func:`read_export` reads the file with every cell as text or its raw value (nothing is
   guessed: an ID ``0042`` stays ``0042``).
2. :func:`map_columns` finds each contract column among the export's headers by name and
   synonyms (``Project``, ``WBS`` … for ProjectID; ``Amount``, ``Cost`` … for Actual;
   ``Employee`` … for ResourceID), case, spaces and punctuation ignored;
   :func:`detect_target` picks the table: hours and a resource -> tblTimesheets, else an
   amount -> tblActuals.
3. :func:`prepare` types the rows: IDs and cost types as text, Period as its month, Date
   as a date, amounts and hours as numbers (``1,234.50``, ``(100)`` = −100); a row whose
   key or amount cannot be read is left out and reported.
4. Without duplicates:

   - a **long** target (one row per record) gets :func:`new_rows`: the multiset difference
     of the import and what the table holds, so importing the same export twice adds
     nothing, and two identical postings in one export are both kept;
   - a **wide** tblActuals (one column per month, the template's layout) gets
     :func:`merge_wide`: the export's total per project, cost type and month *sets* that
     cell (the finance system is the record for the months it reports), new projects get
     a row and new months a column; re-importing changes nothing.

5. :func:`protect_text` makes text stay text in Excel: a value that Excel would read as a
   formula (``=``, ``+``, ``-``, ``@``), a number or a date is written with a leading
   apostrophe (Excel's text prefix; it is not part of the value).
"""

from __future__ import annotations

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
from xlpmo.errors import XlpmoError

SYNONYMS: dict[str, tuple[str, ...]] = {
    "ProjectID": ("projectid", "project", "projectcode", "projectno", "projectnumber",
                  "projectref", "wbs", "wbscode", "wbselement", "job", "jobno", "jobnumber",
                  "jobcode"),
    "Period": ("period", "month", "postingperiod", "fiscalperiod", "accountingperiod",
               "postingdate", "transactiondate", "gldate", "invoicedate", "date"),
    "CostType": ("costtype", "costcategory", "category", "costelement", "expensetype",
                 "account", "accountname", "nature"),
    "Actual": ("actual", "actuals", "actualcost", "amount", "cost", "value", "netamount",
               "total", "spend", "amountlocal", "amountbase"),
    "ResourceID": ("resourceid", "resource", "employee", "employeeid", "employeeno",
                   "employeenumber", "staffid", "personid", "person", "worker", "user",
                   "userid"),
    "Date": ("date", "workdate", "day", "entrydate", "timesheetdate", "workday"),
    "Hours": ("hours", "hrs", "hoursworked", "time", "duration", "quantity", "qty"),
    "Billable": ("billable", "isbillable", "chargeable", "billableflag"),
}

TARGETS = {tables.ACTUALS.name: tables.ACTUALS, tables.TIMESHEETS.name: tables.TIMESHEETS}
_AMOUNT = {tables.ACTUALS.name: "Actual", tables.TIMESHEETS.name: "Hours"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection prefixes


def normalise_header(text: Any) -> str:
    """``" Project ID (SAP)"`` -> ``"projectidsap"``; the unit in brackets is dropped
    when it follows a name (``Amount (GBP)`` -> ``amount``)."""
    s = str(text or "").strip().lower()
    s = re.sub(r"\s*[\(\[][^)\]]*[\)\]]\s*$", "", s) or s
    return re.sub(r"[^0-9a-z]", "", s)


def read_export(path: str | Path) -> pd.DataFrame:
    """A CSV or XLSX export as a DataFrame of raw cells (CSV cells are text)."""
    p = Path(path)
    suffix = p.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            return pd.read_csv(io.StringIO(_decode(p.read_bytes(), p.name)), dtype=str,
                               keep_default_na=False, sep=None, engine="python")
        if suffix in (".xlsx", ".xlsm", ".xls"):
            return pd.read_excel(p, dtype=object, engine="calamine")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise XlpmoError(f"cannot read the export {p.name}: {exc}") from None
    raise XlpmoError(f"{p.name}: an export must be a .csv or .xlsx file")


def _decode(data: bytes, name: str) -> str:
    """CSV bytes -> text: UTF-8 (with or without BOM), else Windows-1252, the code page of
    Excel's "CSV (Comma delimited)" on Western Windows (``€``, ``é``)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise XlpmoError(f"cannot read the export {name}: it is neither UTF-8 nor Windows-1252 "
                     "text; save it as CSV UTF-8")


def frame_from_values(values: list[list[Any]]) -> pd.DataFrame:
    """Cells with their header row (e.g. an export pasted into a sheet) -> DataFrame."""
    rows = [list(r) for r in values if any(c not in (None, "") for c in r)]
    if not rows:
        return pd.DataFrame()
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    return pd.DataFrame(rows[1:], columns=header, dtype=object)


def map_columns(columns: list[Any], target: str) -> dict[str, Any]:
    """Contract column -> export column for ``target``; the first header that matches a
    column's name or synonyms wins. Raises :class:`XlpmoError` naming the required columns
    that were not found."""
    spec = TARGETS[target]
    norm = {c: normalise_header(c) for c in columns}
    mapping: dict[str, Any] = {}
    taken: set[Any] = set()
    for col in spec.column_names:
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
    if missing:
        raise XlpmoError(
            f"the export has no column for {', '.join(missing)} of {target} (its columns: "
            f"{', '.join(map(str, columns))})"
        )
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
        raise XlpmoError(f"the export's column {column} mixes decimal commas ({comma}) and "
                         f"decimal points ({point}): make them all alike and import again")
    return comma is not None


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
    """Typed rows for the target table, the export rows left out (1-based, with why), and
    the export rows that repeat an earlier one exactly (imported all the same: two equal
    postings are two postings; listed so the user can check them)."""

    target: str
    rows: pd.DataFrame
    skipped: list[tuple[int, str]] = field(default_factory=list)
    repeated: list[int] = field(default_factory=list)


def prepare(export: pd.DataFrame, target: str | None = None) -> Prepared:
    """Map and type an export's rows for ``target`` (default: :func:`detect_target`)."""
    target = target or detect_target(list(export.columns))
    mapping = map_columns(list(export.columns), target)
    spec = TARGETS[target]
    out: dict[str, list[Any]] = {c: [] for c in spec.column_names}
    skipped: list[tuple[int, str]] = []
    kept: list[int] = []
    commas = {col: decimal_comma(export[source].tolist(), source)
              for col, source in mapping.items() if spec.column(col).kind in ("money", "hours")}
    for i, record in enumerate(export.to_dict("records"), start=2):  # row 1 = header
        row, problem = _typed(record, mapping, spec, commas)
        if problem:
            if any(v not in (None, "") and not (isinstance(v, float) and math.isnan(v))
                   for v in record.values()):
                skipped.append((i, problem))
            continue
        for c in spec.column_names:
            out[c].append(row.get(c))
        kept.append(i)
    frame = pd.DataFrame(out, columns=spec.column_names)
    for c in spec.column_names:
        kind = spec.column(c).kind
        if kind in ("money", "hours"):
            frame[c] = frame[c].astype(float)
        elif kind in ("period", "date"):
            frame[c] = pd.to_datetime(frame[c]).astype("datetime64[ns]")
        else:
            frame[c] = frame[c].astype(object)
    repeated = [kept[k] for k in np.flatnonzero(frame.duplicated(keep="first").to_numpy())]
    return Prepared(target, frame, skipped, repeated)


def _typed(record: dict, mapping: dict[str, Any], spec: tables.TableSpec,
           commas: dict[str, bool] | None = None) -> tuple[dict[str, Any], str | None]:
    row: dict[str, Any] = {}
    for col, source in mapping.items():
        raw = record.get(source)
        kind = spec.column(col).kind
        if kind in ("id", "text"):
            row[col] = key_text(raw)
        elif kind in ("money", "hours"):
            row[col] = to_amount(raw, bool((commas or {}).get(col)))
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


def _keys(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """One hashable key per row (NaN/None/NaT all as None, numbers as floats)."""
    def norm(v: Any) -> Any:
        if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
            return None
        if isinstance(v, (pd.Timestamp, np.datetime64)):
            return pd.Timestamp(v).normalize()
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            return round(float(v), 9)
        return v
    return pd.Series([tuple(norm(v) for v in row)
                      for row in frame[columns].itertuples(index=False, name=None)],
                     index=frame.index, dtype=object)


def new_rows(existing: pd.DataFrame, incoming: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``incoming`` not already in ``existing``, counting repeats (a multiset
    difference over the contract columns both have): re-importing adds nothing."""
    columns = [c for c in incoming.columns if c in existing.columns]
    if incoming.empty:
        return incoming
    have = _keys(existing, columns).value_counts() if len(existing) else pd.Series(dtype=int)
    keys = _keys(incoming, columns)
    occurrence = keys.groupby(keys).cumcount()
    already = keys.map(lambda k: int(have.get(k, 0))).astype(int)
    return incoming[(occurrence >= already).to_numpy()].reset_index(drop=True)


@dataclass
class WideMerge:
    """The new cells of a wide table (header row first) and what changed."""

    values: list[list[Any]]
    added_rows: int = 0
    added_columns: int = 0
    updated: int = 0
    unchanged: int = 0


def merge_wide(values: list[list[Any]], incoming: pd.DataFrame, amount: str = "Actual"
               ) -> WideMerge:
    """Put long rows (ProjectID, Period, CostType, amount) into a wide table's cells.

    ``values``: the table's cells, header first (ProjectID, optional CostType, month
    columns). The import's total per (ProjectID, CostType, month) sets that cell; a
    (ProjectID, CostType) without a row gets one, a month without a column gets one (at
    the right, header = first of the month). Cells not in the import are kept.
    """
    header = list(values[0])
    body = [list(r) for r in values[1:]]
    norm = [normalise_header(h) for h in header]
    pid_col = norm.index("projectid")
    ct_col = norm.index("costtype") if "costtype" in norm else None
    month_col = {m: j for j, m in ((j, periods.parse_period(h)) for j, h in enumerate(header))
                 if m is not None and j not in (pid_col, ct_col)}
    result = WideMerge(values=[])
    if incoming.empty:
        result.values = [header, *body]
        return result
    frame = incoming.assign(CostType=incoming.get("CostType", pd.Series(dtype=object)))
    frame["CostType"] = frame["CostType"].map(key_text) if ct_col is not None else None
    totals = frame.groupby(["ProjectID", "CostType", "Period"], dropna=False, sort=False)[
        amount].sum()
    row_of = {(key_text(r[pid_col]), key_text(r[ct_col]) if ct_col is not None else None): i
              for i, r in enumerate(body)}
    for (pid, ct, month), total in totals.items():
        ct = None if (ct is None or (isinstance(ct, float) and math.isnan(ct))) else ct
        month = pd.Timestamp(month)
        if month not in month_col:
            header.append(month.to_pydatetime())
            month_col[month] = len(header) - 1
            for r in body:
                r.append(None)
            result.added_columns += 1
        key = (pid, ct if ct_col is not None else None)
        if key not in row_of:
            new = [None] * len(header)
            new[pid_col] = pid
            if ct_col is not None:
                new[ct_col] = ct
            body.append(new)
            row_of[key] = len(body) - 1
            result.added_rows += 1
        cell = body[row_of[key]]
        current = to_amount(cell[month_col[month]])
        if current is not None and math.isclose(current, float(total), abs_tol=1e-9):
            result.unchanged += 1
        else:
            cell[month_col[month]] = float(total)
            result.updated += 1
    result.values = [header, *body]
    return result


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
