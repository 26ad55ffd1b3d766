"""Cross-table checks of the canonical inputs, and the tblChecks output table.

:func:`validate` looks at what coercion cannot see cell by cell: keys that must be
unique or must exist in another table, spans that run backwards, amounts out of range,
dates beyond the status date. Each finding names the sheet cell to blame, through the
:class:`~xlpmo.io.coerce.SourceMap` that coercion keeps in ``Inputs.sources`` (the table
name when the inputs were built without one).

The complete check of a workbook is the reader's and coercion's findings followed by
these: see :func:`check_workbook`. Severities: Error = the input is wrong and is not used
as intended; Warning = suspicious, used as written; Info = worth knowing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import periods, tables
from xlpmo.contract.countries import UNKNOWN_COUNTRY, unknown_countries
from xlpmo.contract.groups import group_keys
from xlpmo.contract.model import TABLE_FIELDS, Inputs
from xlpmo.errors import SEVERITIES, Finding
from xlpmo.io.a1 import address
from xlpmo.io.coerce import load_inputs
from xlpmo.io.raw import RawTable

LIMIT = 20  # findings naming cells per check; then one summary finding
MAX_DAY_HOURS = 24.0
MAX_WEEK_HOURS = 7 * MAX_DAY_HOURS
BAC_TOLERANCE = 0.005  # BAC and the plan's total differ by more than this share: said


class _Rows:
    """Names the cells of one input frame's rows, and collects findings about them."""

    def __init__(self, inputs: Inputs, table: str, out: list[Finding]) -> None:
        self.table = table
        self.frame: pd.DataFrame = getattr(inputs, TABLE_FIELDS[table])
        source = inputs.sources.get(table)
        self.source = source if source is not None and len(source) == len(self.frame) else None
        self.out = out

    def cell(self, i: int, column: str | None = None) -> str:
        return self.source.cell(i, column) if self.source is not None else self.table

    def flag(self, severity: str, mask: Any, column: str, message: Any) -> None:
        """One finding per row in ``mask`` (up to LIMIT, then a count);
        ``message(i)`` is the text for row ``i``."""
        rows = np.flatnonzero(np.asarray(mask, dtype=bool))
        for i in rows[:LIMIT]:
            self.out.append(Finding(severity, self.table, self.cell(int(i), column),
                                    message(int(i))))
        if len(rows) > LIMIT:
            i = int(rows[LIMIT])
            self.out.append(Finding(
                severity, self.table, self.cell(i, column),
                f"{len(rows) - LIMIT:,} more rows of {self.table} have the same problem "
                f"({message(i)})",
            ))

    def summary(self, severity: str, mask: Any, column: str, message: str) -> None:
        """One finding for all rows in ``mask``, naming the first and counting the rows the
        user typed (a wide row is one row, not one per month)."""
        rows = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(rows):
            n = len(np.unique(self.source.rows[rows])) if self.source is not None else len(rows)
            what = "1 row" if n == 1 else f"{n:,} rows"
            self.out.append(Finding(severity, self.table, self.cell(int(rows[0]), column),
                                    f"{what} of {self.table} {message}"))

    def _column(self, column: str) -> pd.Series:
        """A column of the frame; all blank when a hand-built frame lacks it."""
        if column in self.frame:
            return self.frame[column]
        return pd.Series([None] * len(self.frame), dtype=object)

    def values(self, column: str) -> np.ndarray:
        return self._column(column).to_numpy(dtype=object)

    def floats(self, column: str) -> np.ndarray:
        return pd.to_numeric(self._column(column), errors="coerce").to_numpy(dtype=float)

    def dates(self, column: str) -> np.ndarray:
        return pd.to_datetime(self._column(column), errors="coerce").to_numpy(
            dtype="datetime64[ns]")


def _blank_text(values: np.ndarray) -> np.ndarray:
    """Where a value is text of white space only (or empty); each distinct value is looked
    at once (a key column repeats a few thousand IDs over many rows)."""
    try:
        codes, uniques = pd.factorize(values)
    except TypeError:  # an unhashable cell: one by one
        return np.array([isinstance(v, str) and not v.strip() for v in values], dtype=bool)
    blank = np.array([isinstance(u, str) and not u.strip() for u in uniques], dtype=bool)
    return np.append(blank, False)[codes]  # code -1 (a missing value) indexes the False


def _ids(values: Any) -> np.ndarray:
    """Key column -> object array with None for blank (NaN, None, empty text)."""
    arr = np.asarray(values, dtype=object).copy()
    if len(arr):
        arr[pd.isna(arr) | _blank_text(arr)] = None
    return arr


def _show_date(value: Any) -> str:
    return f"{pd.Timestamp(value):%Y-%m-%d}"


def _fmt(x: float) -> str:
    return f"{x:,.10g}"


# -- keys -------------------------------------------------------------------------------------


def _unique_keys(r: _Rows, column: str) -> set[Any]:
    """Blank and duplicated keys of a master table (Error); -> the set of keys."""
    ids = _ids(r.values(column))
    r.flag("Error", np.equal(ids, None), column, lambda _i: f"blank {column}")
    s = pd.Series(ids, dtype=object)
    dup = s.duplicated(keep="first").to_numpy() & ~np.equal(ids, None)
    if dup.any():
        first = {v: i for i, v in reversed(list(enumerate(ids)))}
        r.flag("Error", dup, column, lambda i: f"duplicate {column} {ids[i]!r} "
               f"(first at {r.cell(first[ids[i]], column)})")
    return {v for v in ids if v is not None}


def _known(r: _Rows, column: str, keys: set[Any], master: str) -> None:
    """Rows whose key is not in the master table: one Warning per unknown key, counting the
    rows the user typed (a wide row is one row, not one per month)."""
    if r.frame.empty:
        return
    ids = _ids(r.values(column))
    s = pd.Series(ids, dtype=object)
    unknown = ~s.isin(list(keys)).to_numpy() & ~np.equal(ids, None)
    if not unknown.any():
        return
    folded = {str(k).casefold(): k for k in keys}
    positions = np.flatnonzero(unknown)
    firsts = pd.Series(positions).groupby(s[unknown].to_numpy(), sort=False)
    typed = (pd.Series(r.source.rows[positions]) if r.source is not None
             else pd.Series(positions))  # the sheet row of each canonical row
    counts = typed.groupby(s[unknown].to_numpy(), sort=False).nunique()
    starts = firsts.first()
    for shown, (key, n) in enumerate(counts.items()):
        if shown == LIMIT:
            rest = len(counts) - LIMIT
            r.out.append(Finding("Warning", r.table, r.cell(int(starts[key]), column),
                                 f"{rest:,} more {column}s of {r.table} are not in {master}"))
            break
        near = folded.get(str(key).casefold())
        hint = f" ({master} has {near!r}: IDs must match exactly)" if near is not None else ""
        rows = "1 row" if n == 1 else f"{n:,} rows"
        r.out.append(Finding("Warning", r.table, r.cell(int(starts[key]), column),
                             f"{column} {key!r} is not in {master} ({rows}){hint}"))


# -- the checks -------------------------------------------------------------------------------


def refusal(inputs: Inputs) -> str:
    """Why a refresh cannot run on these inputs, or blank when it can: a required table
    missing, or present but unusable (no ProjectID column, every row rejected), or a
    StatusDate that cannot be read (workbook.md v2): every figure would be wrong."""
    problems = []
    missing = [n for n, spec in tables.INPUTS.items() if spec.required and not inputs.has(n)]
    if missing:
        problems.append(f"required table(s) {', '.join(missing)} missing")
    for name, why in inputs.unusable.items():
        problems.append(why if name == "StatusDate" else
                        f"required table {name} cannot be used: {why}")
    return "; ".join(problems)


def _required_tables(present: set[str], out: list[Finding]) -> None:
    for spec in tables.INPUTS.values():
        if spec.required and spec.name not in present:
            out.append(Finding(
                "Error", spec.name, spec.name,
                f"required table {spec.name} is missing: add an Excel Table named {spec.name} "
                f"(or a sheet named {spec.name[3:]} with the headers in row 1)",
            ))


def _spans(r: _Rows, start: str, end: str, severity: str = "Error") -> None:
    a, b = r.dates(start), r.dates(end)
    bad = ~np.isnat(a) & ~np.isnat(b) & (b < a)
    r.flag(severity, bad, end,
           lambda i: f"{end} {_show_date(b[i])} is before {start} {_show_date(a[i])}")


def _negative(r: _Rows, column: str, severity: str = "Warning") -> None:
    x = r.floats(column)
    r.flag(severity, x < 0, column, lambda i: f"negative {column} ({_fmt(x[i])})")


def _projects(inputs: Inputs, out: list[Finding]) -> set[Any] | None:
    if not inputs.has("tblProjects"):
        return None
    r = _Rows(inputs, "tblProjects", out)
    keys = _unique_keys(r, "ProjectID")
    _spans(r, "BaselineStart", "BaselineFinish")
    bac = r.floats("BAC")
    r.flag("Error", bac < 0, "BAC", lambda i: (
        f"negative BAC ({_fmt(bac[i])}): a budget cannot be negative, so BAC and the figures "
        "computed from it are #VALUE! in tblEVM"))
    _bac_is_the_plan(r, bac, inputs.plan)
    return keys


def _bac_is_the_plan(r: _Rows, bac: np.ndarray, plan: pd.DataFrame) -> None:
    """A BAC typed in tblProjects that is not the total of the project's plan (by more than
    :data:`BAC_TOLERANCE` of the larger): PMI's BAC is the total of the time-phased plan (PV
    at completion); EV is measured against BAC and PV against the plan, so the schedule
    figures would compare two budgets. A Warning naming the BAC cell; both are used as
    typed."""
    if plan.empty:
        return
    total = plan.groupby("ProjectID", sort=False)["Planned"].sum()
    ids = r.values("ProjectID")
    planned = total.reindex(pd.Index(ids, dtype=object)).to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        off = (bac >= 0) & (np.abs(bac - planned) > BAC_TOLERANCE * np.maximum(
            np.abs(bac), np.abs(planned)))
    r.flag("Warning", off, "BAC", lambda i: (
        f"BAC {_fmt(bac[i])} is not the total of {ids[i]}'s plan in tblPlan "
        f"({_fmt(planned[i])}): EV is measured against BAC and PV against the plan, so SPI, "
        "the earned schedule and ScheduleRAG compare two budgets; make them agree (BAC is "
        "the total of the time-phased plan, PMI)"))


def _resources(inputs: Inputs, out: list[Finding]) -> set[Any] | None:
    if not inputs.has("tblResources"):
        return None
    r = _Rows(inputs, "tblResources", out)
    keys = _unique_keys(r, "ResourceID")
    _spans(r, "StartDate", "EndDate")
    for column in ("FTE", "CostRate"):
        _negative(r, column)
    hpw = r.floats("HoursPerWeek")
    r.flag("Warning", hpw <= 0, "HoursPerWeek",
           lambda i: f"HoursPerWeek {_fmt(hpw[i])} is not positive")
    r.flag("Warning", hpw > MAX_WEEK_HOURS, "HoursPerWeek",
           lambda i: f"HoursPerWeek {_fmt(hpw[i])} is more than a week has "
                     f"({MAX_WEEK_HOURS:.0f} hours): capacity and utilisation use it as it is")
    country = r.frame["Country"]
    r.flag("Warning", unknown_countries(r.frame), "Country",
           lambda i: UNKNOWN_COUNTRY.format(country=country.iloc[i]))
    return keys


def _plan_bac(inputs: Inputs) -> pd.Series:
    """BAC per project: tblProjects' BAC, else the sum of its Planned (workbook.md)."""
    planned = inputs.plan.groupby("ProjectID", sort=False)["Planned"].sum()
    bac = pd.Series(pd.to_numeric(inputs.projects["BAC"], errors="coerce").to_numpy(dtype=float),
                    index=inputs.projects["ProjectID"].to_numpy(dtype=object))
    bac = bac[~bac.index.duplicated()]
    return bac.where(bac.notna(), planned.reindex(bac.index)).combine_first(planned)


def _pasted_twice(r: _Rows, raw: RawTable | None) -> None:
    """A row of a wide time-phased table that repeats an earlier one cell for cell, with an
    amount in it (the copy of a paste). Both are counted, as typed (coercion sums rows of one
    ProjectID and CostType); a Warning names the copy and the row it repeats. Rows sharing a
    key with other amounts are separate lines, and the long layout's equal rows separate
    postings: not said."""
    src = r.source
    if raw is None or src is None or src.amount_cols is None or not len(raw.data):
        return
    keys = [src.columns[c] - raw.first_col for c in ("ProjectID", "CostType")
            if c in src.columns]
    same_key = pd.DataFrame(raw.data[:, keys]).astype(str).duplicated(keep=False).to_numpy()
    if not same_key.any():  # the usual case: every key once, nothing else to compare
        return
    rows = np.flatnonzero(same_key)
    months = np.unique(src.amount_cols) - raw.first_col
    amounts = raw.data[np.ix_(rows, months[(months >= 0) & (months < raw.data.shape[1])])]
    has_amount = ((amounts != None) & (amounts != 0)).any(axis=1)  # noqa: E711 (elementwise)
    row_hash = pd.util.hash_pandas_object(pd.DataFrame(raw.data[rows]).astype(str),
                                          index=False).to_numpy()
    first = rows[pd.Series(np.arange(len(rows))).groupby(row_hash).transform("first")]
    copies = rows[(first != rows) & has_amount]
    first_of = dict(zip(rows.tolist(), first.tolist(), strict=True))
    id_col = src.columns.get("ProjectID", raw.first_col)
    for k in copies[:LIMIT]:
        cost = raw.data[k, src.columns["CostType"] - raw.first_col] \
            if "CostType" in src.columns else None
        shown = str(raw.data[k, id_col - raw.first_col]) + ("" if cost is None else f", {cost}")
        r.out.append(Finding(
            "Warning", r.table, address(src.sheet, raw.first_row + 1 + int(k), id_col),
            f"the same row as {address(src.sheet, raw.first_row + 1 + first_of[k], id_col)} "
            f"({shown}, the same amount in every month): both are counted; delete one if it "
            "was pasted twice"))


def _progress(inputs: Inputs, out: list[Finding]) -> None:
    if inputs.progress.empty:
        return
    r = _Rows(inputs, "tblProgress", out)
    pc = r.floats("PercentComplete")
    earned = r.floats("Earned")
    r.flag("Warning", (pc < 0) | (pc > 1), "PercentComplete",
           lambda i: f"PercentComplete {pc[i]:.4g} is outside 0..1 (0–100 %)")
    if r.source is not None and not {"PercentComplete", "Earned"} & set(r.source.columns):
        out.append(Finding("Warning", r.table, r.table, "tblProgress has neither a "
                           "PercentComplete nor an Earned column: no progress is read from it"))
    else:
        r.flag("Warning", np.isnan(pc) & np.isnan(earned), "PercentComplete",
               lambda _i: "neither PercentComplete nor Earned is given")
    _negative(r, "Earned")
    ids = r.values("ProjectID")
    period = r.dates("Period")
    frame = pd.DataFrame({"id": ids, "period": period, "pc": pc, "row": np.arange(len(pc))})
    dup = frame.duplicated(["id", "period"], keep="first").to_numpy()
    r.flag("Warning", dup, "Period",
           lambda i: f"a second progress row for {ids[i]!r} in {period[i].astype('datetime64[M]')}")
    ordered = frame[~dup & ~np.isnan(pc)].sort_values(["id", "period"], kind="stable")
    drop = ordered.groupby("id", sort=False)["pc"].diff().to_numpy() < 0
    back = np.zeros(len(pc), dtype=bool)
    back[ordered["row"].to_numpy()[drop]] = True
    r.flag("Warning", back, "PercentComplete",
           lambda i: "cumulative PercentComplete goes down from the previous period")
    if inputs.has("tblProjects"):
        bac = _plan_bac(inputs).reindex(pd.Index(ids, dtype=object)).to_numpy(dtype=float)
        over = earned > bac * (1 + 1e-9) + 1e-9
        r.flag("Warning", over, "Earned",
               lambda i: f"EV above BAC: Earned {_fmt(earned[i])} > BAC {_fmt(bac[i])}")


def _timesheets(inputs: Inputs, out: list[Finding]) -> None:
    if inputs.timesheets.empty:
        return
    r = _Rows(inputs, "tblTimesheets", out)
    hours = r.floats("Hours")
    r.flag("Warning", hours < 0, "Hours", lambda i: f"negative Hours ({_fmt(hours[i])})")
    r.flag("Warning", hours > MAX_DAY_HOURS, "Hours",
           lambda i: f"{_fmt(hours[i])} hours in one day")
    status = np.datetime64(pd.Timestamp(inputs.settings.StatusDate).normalize(), "ns")
    late = r.dates("Date") > status
    r.summary("Info", late, "Date",
              f"are dated after the status date {_show_date(status)}")


def _allocations(inputs: Inputs, out: list[Finding]) -> None:
    if inputs.allocations.empty:
        return
    r = _Rows(inputs, "tblAllocations", out)
    hours, pct = r.floats("Hours"), r.floats("Percent")
    _negative(r, "Hours")
    _negative(r, "Percent")
    r.flag("Warning", np.isnan(hours) & np.isnan(pct), "Hours",
           lambda _i: "neither Hours nor Percent is given")
    r.flag("Warning", ~np.isnan(hours) & ~np.isnan(pct), "Percent",
           lambda _i: "both Hours and Percent are given (one of the two belongs here)")


def _roles(inputs: Inputs, out: list[Finding]) -> None:
    """tblAllocations' Role against tblResources' (tblCapacityPlan groups by it; roles match
    as :mod:`xlpmo.contract.groups` says): a named row whose Role is not its resource's, and
    unnamed demand for a Role that no resource has (one Warning per Role)."""
    if inputs.allocations.empty or not inputs.has("tblResources"):
        return
    r = _Rows(inputs, "tblAllocations", out)
    resources = inputs.resources.drop_duplicates("ResourceID", keep="first")
    theirs_by_id = pd.Series(resources["Role"].to_numpy(dtype=object),
                             index=resources["ResourceID"].to_numpy(dtype=object))
    ids, roles = _ids(r.values("ResourceID")), r.values("Role")
    keys = group_keys(roles)
    known = pd.Series(ids, dtype=object).isin(theirs_by_id.index).to_numpy()
    theirs = theirs_by_id.reindex(pd.Index(ids, dtype=object)).to_numpy(dtype=object)
    has_role = np.not_equal(keys, None)
    differs = known & has_role & (keys != group_keys(theirs))

    def shown(value: Any) -> str:
        return "blank" if group_keys([value])[0] is None else repr(" ".join(str(value).split()))

    r.flag("Warning", differs, "Role",
           lambda i: f"Role {shown(roles[i])} is not the Role of {ids[i]!r} in tblResources "
           f"({shown(theirs[i])} there); tblCapacityPlan counts the hours in the group of "
           f"{ids[i]!r}")
    staffed = set(group_keys(resources["Role"])) - {None}
    staffed_rows = pd.Series(keys, dtype=object).isin(staffed).to_numpy()
    lonely = np.equal(ids, None) & has_role & ~staffed_rows
    rows = np.flatnonzero(lonely)
    firsts = pd.Series(rows).groupby(keys[rows], sort=False)
    for shown_count, (_key, group) in enumerate(firsts):
        if shown_count == LIMIT:
            out.append(Finding("Warning", r.table, r.cell(int(group.iloc[0]), "Role"),
                               f"{firsts.ngroups - LIMIT:,} more Roles of unnamed demand are "
                               "not the Role of any resource"))
            break
        i, n = int(group.iloc[0]), len(group)
        what = "1 row" if n == 1 else f"{n:,} rows"
        out.append(Finding(
            "Warning", r.table, r.cell(i, "Role"),
            f"unnamed demand for Role {shown(roles[i])} ({what}), which no resource in "
            "tblResources has: tblCapacityPlan shows it as a group with no capacity"))


def _leave(inputs: Inputs, out: list[Finding]) -> None:
    if inputs.leave.empty:
        return
    r = _Rows(inputs, "tblLeave", out)
    _spans(r, "Start", "End")
    _negative(r, "Hours")


def _periods(inputs: Inputs, out: list[Finding]) -> None:
    """Status date against the time-phased tables."""
    status = periods.status_period(inputs.settings.StatusDate)
    plan = inputs.plan["Period"].dropna()
    if len(plan) and status < plan.min():
        out.append(Finding(
            "Warning", "tblConfig", "tblConfig",
            f"StatusDate {_show_date(inputs.settings.StatusDate)} is before every planned "
            f"period (the plan starts {plan.min():%Y-%m}): nothing is planned to date",
        ))
    if not inputs.actuals.empty:
        r = _Rows(inputs, "tblActuals", out)
        after = (r.dates("Period") > np.datetime64(status, "ns")) & (r.floats("Actual") != 0)
        r.summary("Info", after, "Actual",
                  f"hold actual cost after the status period {status:%Y-%m} (not counted)")
    if not inputs.progress.empty:
        r = _Rows(inputs, "tblProgress", out)
        given = ~(np.isnan(r.floats("PercentComplete")) & np.isnan(r.floats("Earned")))
        after = r.dates("Period").astype("datetime64[M]") > np.datetime64(status, "M")
        r.summary("Info", after & given, "Period",
                  f"report progress after the status period {status:%Y-%m} (not counted)")
    if not inputs.forecast.empty:
        r = _Rows(inputs, "tblForecast", out)
        before = (r.dates("Period") <= np.datetime64(status, "ns")) & (r.floats("Forecast") != 0)
        r.summary("Info", before, "Forecast",
                  f"forecast the status period {status:%Y-%m} or earlier (only later "
                  "periods are forecast)")


def _unplanned(inputs: Inputs, projects: set[Any], out: list[Finding]) -> None:
    """Projects with nothing in tblPlan and no BAC."""
    if not inputs.has("tblPlan") or not projects:
        return
    r = _Rows(inputs, "tblProjects", out)
    planned = set(inputs.plan.loc[inputs.plan["Planned"] != 0, "ProjectID"])
    ids = r.values("ProjectID")
    none = np.array([i is not None and i not in planned for i in ids], dtype=bool)
    r.flag("Warning", none, "ProjectID",
           lambda i: f"project {ids[i]!r} has no planned amounts in tblPlan (PV is 0)")


def _settings(inputs: Inputs, out: list[Finding]) -> None:
    s = inputs.settings
    for name, amber, red, better in (
        ("CPI", s.CPIAmber, s.CPIRed, "higher"), ("SPI", s.SPIAmber, s.SPIRed, "higher"),
        ("Variance", s.VarianceAmber, s.VarianceRed, "lower"),
    ):
        wrong = red > amber if better == "higher" else red < amber
        if wrong:
            out.append(Finding(
                "Warning", "tblConfig", "tblConfig",
                f"{name}Red ({red:g}) and {name}Amber ({amber:g}) are the wrong way round: "
                f"Red should be {'below' if better == 'higher' else 'above'} Amber",
            ))


def validate(inputs: Inputs, raw: dict[str, RawTable] | None = None) -> list[Finding]:
    """Cross-table checks of canonical inputs; findings in check order.

    ``raw`` (the reader's tables) only widens what counts as present, for inputs built
    without ``present``; the cells come from ``inputs.sources``.
    """
    out: list[Finding] = []
    present = set(inputs.present)
    for key in raw or {}:
        with contextlib.suppress(KeyError):
            present.add(tables.spec(key).name)
    _required_tables(present, out)
    projects = _projects(inputs, out)
    resources = _resources(inputs, out)
    if projects is not None:
        for table in ("tblPlan", "tblActuals", "tblForecast", "tblProgress", "tblAllocations",
                      "tblTimesheets", "tblMilestones"):
            _known(_Rows(inputs, table, out), "ProjectID", projects, "tblProjects")
    if resources is not None:
        for table in ("tblLeave", "tblAllocations", "tblTimesheets"):
            _known(_Rows(inputs, table, out), "ResourceID", resources, "tblResources")
    else:
        for table in ("tblAllocations", "tblTimesheets"):
            if not _Rows(inputs, table, out).frame.empty:
                out.append(Finding("Info", table, table,
                                   f"{table} has rows but the workbook has no tblResources"))
    for table in ("tblPlan", "tblActuals", "tblForecast"):
        _pasted_twice(_Rows(inputs, table, out), (raw or {}).get(table))
    _progress(inputs, out)
    _timesheets(inputs, out)
    _allocations(inputs, out)
    _roles(inputs, out)
    _leave(inputs, out)
    _periods(inputs, out)
    if projects is not None:
        _unplanned(inputs, projects, out)
    _settings(inputs, out)
    return out


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then Warnings, then Infos; the order within each kept."""
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: rank[f.severity])


def checks_table(findings: Iterable[Finding]) -> pd.DataFrame:
    """tblChecks: exactly ``tables.CHECKS.column_names``, Errors first."""
    rows = sort_findings(findings)
    columns = tables.CHECKS.column_names
    data = {
        "Severity": [f.severity for f in rows], "Table": [f.table for f in rows],
        "Cell": [f.cell for f in rows], "Message": [f.message for f in rows],
    }
    return pd.DataFrame({c: pd.Series(data[c], dtype=object) for c in columns}, columns=columns)


def check_workbook(path: str | os.PathLike[str]) -> tuple[Inputs, list[Finding]]:
    """Read, coerce and validate a workbook file: (inputs, every finding, Errors first)."""
    inputs, findings, book = load_inputs(path)
    return inputs, sort_findings([*findings, *validate(inputs, book.tables)])
