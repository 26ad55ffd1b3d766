"""Settings of tblConfig, with the defaults of shared/spec/workbook.md."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace
from typing import Any

import pandas as pd

from xlpmo.contract.parse import parse_number
from xlpmo.contract.periods import parse_date
from xlpmo.errors import Finding

__all__ = ["DATE_ORDERS", "EAC_METHODS", "SCHEDULE_INDICES", "Settings", "parse_workweek"]

EAC_METHODS = ("CPI", "BUDGET", "COMPOSITE", "WEIGHTED", "BOTTOMUP")
DATE_ORDERS = ("DMY", "MDY")  # DateOrder: how dates typed as text such as 02/01/2026 read
SCHEDULE_INDICES = ("SPIT", "SPI")
CAPACITY_BY = ("Role", "Team")
#: longest PlanningHorizon read, in months after the status period
MAX_HORIZON = 120
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_workweek(value: Any) -> str:
    """Workweek setting -> numpy busday weekmask (``"1111100"`` = Mon–Fri).

    Accepts ``Mon-Fri`` style ranges, comma lists (``Mon,Tue,Thu``), or Excel's
    NETWORKDAYS.INTL 7-character mask where ``1`` marks a *non*-working day
    (``0000011`` = Mon–Fri). Raises ValueError on anything else.
    """
    text = str(value).strip().lower()
    if len(text) == 7 and set(text) <= {"0", "1"}:
        if text == "1111111":
            raise ValueError("a workweek needs at least one working day")
        return "".join("0" if c == "1" else "1" for c in text)
    mask = ["0"] * 7
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        lo, sep, hi = part.partition("-")
        a = _day(lo)
        b = _day(hi) if sep else a
        i = a
        while True:
            mask[i] = "1"
            if i == b:
                break
            i = (i + 1) % 7
    if "1" not in mask:
        raise ValueError(f"cannot read workweek {value!r}")
    return "".join(mask)


def _day(text: str) -> int:
    for i, name in enumerate(_DAYS):
        if text[:3] == name:
            return i
    raise ValueError(f"cannot read day {text!r} (use Mon..Sun)")


@dataclass(frozen=True)
class Settings:
    """The settings of tblConfig (names as in workbook.md)."""

    StatusDate: pd.Timestamp = field(default_factory=lambda: pd.Timestamp(dt.date.today()))
    Currency: str = ""
    HoursPerDay: float = 8.0
    Workweek: str = "Mon-Fri"
    EACMethod: str = "CPI"
    EACWeight: float = 0.8
    ScheduleIndex: str = "SPIt"
    CPIAmber: float = 0.95
    CPIRed: float = 0.90
    SPIAmber: float = 0.95
    SPIRed: float = 0.90
    VarianceAmber: float = 0.05
    VarianceRed: float = 0.10
    UtilisationTarget: float = 0.80
    DateOrder: str = ""  # DMY, MDY or blank (decide from the data; xlpmo.contract.parse)
    PlanningHorizon: int = 12
    CapacityBy: str = "Role"
    ForecastConfidence: float = 0.90

    @property
    def weekmask(self) -> str:
        return parse_workweek(self.Workweek)

    def with_status_date(self, date: Any) -> Settings:
        ts = parse_date(date)
        if ts is None:
            raise ValueError(f"cannot read status date {date!r}")
        return replace(self, StatusDate=ts.normalize())

    @classmethod
    def from_pairs(
        cls, pairs: list[tuple[Any, Any]], cells: list[str] | None = None
    ) -> tuple[Settings, list[Finding]]:
        """Build settings from (Setting, Value) rows; bad values keep the default and
        give a finding naming the cell (``cells[i]`` is the address of row i's Value)."""
        known = {f.name.lower(): f for f in fields(cls)}
        values: dict[str, Any] = {}
        findings: list[Finding] = []
        for i, (name, value) in enumerate(pairs):
            cell = cells[i] if cells else "tblConfig"
            key = str(name).strip().lower() if name is not None else ""
            if key not in known:
                continue  # other settings (LastRefreshed, user's own) are kept, not read
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            f = known[key]
            try:
                values[f.name] = _coerce(f.name, value)
            except ValueError as exc:
                findings.append(
                    Finding("Warning", "tblConfig", cell, f"{f.name}: {exc}; using the default",
                            changed_number=True)
                )
        return cls(**values), findings


def _coerce(name: str, value: Any) -> Any:
    if name == "StatusDate":
        ts = parse_date(value)
        if ts is None:
            raise ValueError(f"{value!r} is not a date")
        return ts.normalize()
    if name in ("Currency",):
        return str(value)
    if name == "DateOrder":
        text = str(value).strip().upper()
        if text not in DATE_ORDERS:
            raise ValueError(f"{value!r} is not DMY or MDY (or blank)")
        return text
    if name == "Workweek":
        parse_workweek(value)
        return str(value)
    if name == "EACMethod":
        text = str(value).strip().upper()
        if text not in EAC_METHODS:
            raise ValueError(f"{value!r} is not one of {', '.join(EAC_METHODS)}")
        return text
    if name == "ScheduleIndex":
        text = str(value).strip().upper()
        if text not in SCHEDULE_INDICES:
            raise ValueError(f"{value!r} is not SPIt or SPI")
        return "SPIt" if text == "SPIT" else "SPI"
    if name == "CapacityBy":
        for choice in CAPACITY_BY:
            if str(value).strip().lower() == choice.lower():
                return choice
        raise ValueError(f"{value!r} is not Role or Team")
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    parsed = (float(value), False) if isinstance(value, (int, float)) else \
        parse_number(str(value))  # the one parser of typed text (xlpmo.contract.parse)
    if parsed is None or parsed[0] != parsed[0]:
        raise ValueError(f"text {value!r} where a number belongs")
    number = parsed[0]
    if name == "HoursPerDay" and not 0 < number <= 24:
        raise ValueError(f"{number} is not between 0 and 24 hours")
    if name == "EACWeight" and not 0 <= number <= 1:
        raise ValueError(f"{number} is not between 0 and 1")
    if name == "ForecastConfidence" and not 0 < number < 1:
        raise ValueError(f"{number} is not a confidence between 0 and 1 (0.90 = 90 %)")
    if name == "PlanningHorizon":
        if not 0 <= number <= MAX_HORIZON or number != int(number):  # NaN, inf: out of range
            raise ValueError(f"{number:g} is not a whole number of months from 0 to "
                             f"{MAX_HORIZON}")
        return int(number)
    return number


@dataclass(frozen=True)
class SettingsUpsert:
    """Where new setting values go in tblConfig (see :func:`upsert_settings`).

    ``values``: data row index -> the new Value; ``names``: data row index -> the Setting
    name to write there (only for blank rows that are reused); ``appended``: (Setting,
    Value) rows to add at the end of the table."""

    values: dict[int, Any]
    names: dict[int, str]
    appended: list[tuple[str, Any]]


def upsert_settings(setting_cells: list[Any], value_cells: list[Any],
                    updates: dict[str, Any]) -> SettingsUpsert:
    """The one rule for writing settings into tblConfig (refresh stamps, Close period's
    StatusDate), whoever writes them (the file writer or the Excel layer).

    ``setting_cells`` / ``value_cells``: the table's Setting and Value column, one entry
    per data row. A setting is matched by name, case and surrounding spaces ignored; every
    row holding it gets the value (a repeated setting is read from its last row, so
    writing only the first would change nothing). A setting without a row takes the first
    row whose Setting and Value are both blank (an Excel Table's empty row), else a new
    row at the end. Other rows are left alone.
    """
    def key(value: Any) -> str:
        return "" if value is None else str(value).strip().lower()

    def blank(value: Any) -> bool:
        return value is None or (isinstance(value, str) and not value.strip())

    keys = [key(v) for v in setting_cells]
    free = [i for i, (k, v) in enumerate(zip(keys, value_cells, strict=True))
            if not k and blank(v)]
    values: dict[int, Any] = {}
    names: dict[int, str] = {}
    appended: list[tuple[str, Any]] = []
    for name, value in updates.items():
        rows = [i for i, k in enumerate(keys) if k == name.strip().lower()]
        if not rows and free:
            rows = [free.pop(0)]
            names[rows[0]] = name
        if not rows:
            appended.append((name, value))
        for i in rows:
            values[i] = value
    return SettingsUpsert(values, names, appended)
