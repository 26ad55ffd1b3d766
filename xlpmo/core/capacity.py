"""Working days, holiday calendars and capacity hours per resource and month.

Working days follow Excel's NETWORKDAYS.INTL (Microsoft support, "NETWORKDAYS.INTL
function"): both ends of the span count, a start after the end gives the negative
count of the same days, a holiday only removes a day that is a working day anyway.
Counting is numpy's ``busday_count`` (half-open ``[begin, end)``), shifted by a day
to make the end inclusive.

Holiday calendar of a resource (workbook.md, tblResources ``Country`` and tblHolidays):

- every tblHolidays row whose Country is blank (applies to everyone);
- tblHolidays rows whose Country is the resource's country (matched after resolving
  both: ``GB``, ``GBR``, ``UK`` and ``United Kingdom`` are one country; a row for ``GB``
  applies to a resource in ``GB-SCT``, a row for ``GB-SCT`` only to Scotland);
- the public holidays of the resource's country from the ``holidays`` package
  (observed days included, e.g. Boxing Day 2026 observed on Monday 28 December in GB).

``Country`` accepts ISO 3166-1 alpha-2 or alpha-3 codes (``GB``, ``DEU``), English names
(``Germany``, ``United Kingdom``, ``United States of America``), ISO 3166-2 subdivisions
(``GB-SCT``, ``US-CA``, ``DE-BY``) and the UK nations (``England``, ``Scotland``,
``Wales``, ``Northern Ireland``). A country the package does not know gets only the
tblHolidays dates and a Warning from :func:`xlpmo.io.validate.validate` (:func:`unknown_countries`).

Capacity of a resource in a month (hours)::

    CapacityHours = max(0, WD × HoursPerWeek / D × FTE − Leave)

- WD: working days of the month within ``StartDate..EndDate`` (blank = open), minus the
  resource's holidays; D = working days per week of the Workweek setting.
- HoursPerWeek is the resource's full-time week (blank = 5 × HoursPerDay, as the contract
  says, also for a workweek of another length); FTE is the fraction of it worked (blank = 1).
  Enter a part-timer as FTE 0.5 with the full-time HoursPerWeek, not both reduced.
- Leave (tblLeave): Hours blank = every working day of ``Start..End`` (inclusive, within
  the employment window) is off, a full day of ``HoursPerWeek / D × FTE`` hours; Hours
  given = that many hours spread evenly over the span's working days (resource calendar),
  each month taking its share. A span with no working day takes nothing off. Overlapping
  leave is subtracted twice; capacity never goes below 0.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import periods as _periods
from xlpmo.contract.countries import country_codes, norm, resolve_country
from xlpmo.contract.model import Inputs
from xlpmo.contract.settings import parse_workweek

__all__ = [
    "DAY", "Calendars", "CapacityGrid", "build_calendars", "capacity", "capacity_grid",
    "capacity_table", "default_periods", "grid_frame", "normalise_periods", "package_holidays",
    "to_days", "unique_resources", "weekmask_from", "workdays",
]

DAY = np.timedelta64(1, "D")
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_FAR_PAST = np.datetime64("1000-01-01", "D")
_FAR_FUTURE = np.datetime64("9000-12-31", "D")
#: package holidays are generated at most this many years either side of the periods
_YEARS_MARGIN = 10


# -- dates ----------------------------------------------------------------------------------


def to_days(values: Any) -> np.ndarray:
    """Dates (scalar or array-like) -> ``datetime64[D]`` array, NaT for blanks.

    Accepts datetimes, dates, ``datetime64``, ISO / day-first text and Excel serial
    numbers (1900 date system); the time of day is dropped (as Excel truncates).
    """
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy()
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[D]")
    if arr.dtype.kind in "iuf":
        num = arr.astype(float)
        out = np.full(num.shape, np.datetime64("NaT"), dtype="datetime64[D]")
        ok = ~np.isnan(num) & (num >= 1) & (num <= _periods.MAX_SERIAL)
        out[ok] = _EXCEL_EPOCH + np.floor(num[ok]).astype(np.int64) * DAY
        return out
    flat = [_periods.parse_date(v) for v in arr.ravel()]
    out = np.array(
        [np.datetime64("NaT") if t is None else np.datetime64(t.date()) for t in flat],
        dtype="datetime64[D]",
    )
    return out.reshape(arr.shape)


def _month_bounds(months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``datetime64[M]`` months -> (first day, last day) as ``datetime64[D]``."""
    return months.astype("datetime64[D]"), (months + 1).astype("datetime64[D]") - DAY


def _check_weekmask(weekmask: str) -> str:
    mask = str(weekmask).strip()
    if len(mask) != 7 or set(mask) - {"0", "1"}:
        raise ValueError(
            f"weekmask {weekmask!r} must be 7 characters of 1 (working) and 0, Monday first;"
            " convert a Workweek setting or Excel weekend with weekmask_from()"
        )
    return mask


def weekmask_from(workweek: Any = None) -> str:
    """A workweek argument -> numpy weekmask (``1`` = working day, Monday first).

    Accepts Excel's NETWORKDAYS.INTL ``weekend`` numbers (1 or blank = Saturday+Sunday,
    2..7 = Sunday+Monday .. Friday+Saturday, 11..17 = Sunday only .. Saturday only;
    Microsoft support, "NETWORKDAYS.INTL function") and whatever
    :func:`xlpmo.contract.settings.parse_workweek` reads (``Mon-Fri``, ``Sun-Thu``, Excel's
    ``"0000011"`` weekend string). Raises ValueError otherwise (Excel: ``#NUM!`` /
    ``#VALUE!``).
    """
    if workweek is None or (isinstance(workweek, str) and not workweek.strip()):
        workweek = 1
    if isinstance(workweek, (int, float, np.integer, np.floating)) and not isinstance(
            workweek, (bool, np.bool_)):
        if workweek != int(workweek):
            raise ValueError(f"weekend number {workweek!r} is not one of 1-7, 11-17")
        n = int(workweek)
        mask = ["1"] * 7
        if 1 <= n <= 7:  # 1 = Sat+Sun, 2 = Sun+Mon, ..., 7 = Fri+Sat
            first = (n + 4) % 7  # index of the first weekend day, Monday = 0
            mask[first] = mask[(first + 1) % 7] = "0"
        elif 11 <= n <= 17:  # 11 = Sunday only, 12 = Monday only, ..., 17 = Saturday only
            mask[(n - 5) % 7] = "0"
        else:
            raise ValueError(f"weekend number {n} is not one of 1-7, 11-17")
        return "".join(mask)
    return parse_workweek(workweek)


def _calendar(weekmask: str, holidays: Any = None) -> np.busdaycalendar | None:
    """numpy business-day calendar, or None for a week without a working day."""
    mask = _check_weekmask(weekmask)
    if "1" not in mask:
        return None
    days = np.array([], dtype="datetime64[D]") if holidays is None else to_days(holidays)
    return np.busdaycalendar(weekmask=mask, holidays=days.ravel())


def _count(lo: np.ndarray, hi: np.ndarray, cal_idx: np.ndarray,
           calendars: Sequence[np.busdaycalendar | None]) -> np.ndarray:
    """Working days in ``[lo, hi]`` (both inclusive) per element on ``calendars[cal_idx]``;
    0 where ``lo > hi``. Arrays are ``datetime64[D]`` without NaT, one call per calendar."""
    out = np.zeros(lo.shape, dtype=np.int64)
    for k in np.unique(cal_idx):
        cal = calendars[k]
        if cal is None:
            continue
        sel = cal_idx == k
        out[sel] = np.busday_count(lo[sel], hi[sel] + DAY, busdaycal=cal)
    return np.maximum(out, 0)


def workdays(start: Any, end: Any, holidays: Any = None, weekmask: str = "1111100") -> Any:
    """Working days from ``start`` to ``end``, like Excel's NETWORKDAYS.INTL.

    Both ends count; when ``end < start`` the result is minus the count of the same days
    (Excel: "If start_date is later than end_date, the return value will be negative").
    ``holidays`` (dates in any order, blanks ignored) remove a day only when it is a
    working day. ``weekmask`` is numpy's: 7 characters, Monday first, ``1`` = working day
    (convert the Workweek setting, Excel's weekend number or string with
    :func:`weekmask_from`); a week without working days gives 0, as
    Excel does for ``"1111111"``.

    Vectorised: ``start`` and ``end`` broadcast against each other. A scalar pair gives
    an ``int``; arrays give an int64 array, or a float array with NaN where a date is
    blank (``#N/A`` for the worksheet function). Units: days.
    """
    s, e = np.broadcast_arrays(to_days(start), to_days(end))
    missing = np.isnat(s) | np.isnat(e)
    s = np.where(missing, _FAR_PAST, s)
    e = np.where(missing, _FAR_PAST, e)
    forward = s <= e
    lo, hi = np.where(forward, s, e), np.where(forward, e, s)
    cal = _calendar(weekmask, holidays)
    count = _count(lo.ravel(), hi.ravel(), np.zeros(lo.size, dtype=np.int64), [cal])
    count = np.where(forward.ravel(), count, -count).reshape(s.shape)
    if missing.any():
        result: np.ndarray = np.where(missing, np.nan, count.astype(float))
    else:
        result = count
    if result.ndim == 0:
        return result.item()
    return result


# -- countries and holiday calendars --------------------------------------------------------

@functools.lru_cache(maxsize=1024)
def package_holidays(alpha2: str, subdiv: str | None, years: tuple[int, ...]) -> np.ndarray:
    """Public holidays (observed days included) of a country from the ``holidays`` package,
    as a sorted read-only ``datetime64[D]`` array. Cached per (country, subdivision, years)."""
    import holidays

    days = holidays.country_holidays(alpha2, subdiv=subdiv, years=list(years))
    out = np.array(sorted(days.keys()), dtype="datetime64[D]")
    out.setflags(write=False)
    return out


def _is_blank(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) \
        or (isinstance(value, str) and not value.strip())


def _calendar_key(text: Any) -> tuple[str, str | None]:
    """Key of the calendar a Country cell selects: ``("", None)`` blank,
    ``(alpha2, subdiv)`` resolved, ``("?", normalised text)`` unknown."""
    if _is_blank(text):
        return "", None
    resolved = resolve_country(text)
    return resolved if resolved is not None else ("?", norm(str(text)))


def _applies(row_key: tuple[str, str | None], cal_key: tuple[str, str | None]) -> bool:
    """Does a tblHolidays row (by its Country key) apply to a calendar?"""
    if row_key[0] == "":
        return True
    if row_key[0] == "?":
        return row_key == cal_key
    return row_key[0] == cal_key[0] and (row_key[1] is None or row_key[1] == cal_key[1])


@dataclass(frozen=True)
class Calendars:
    """The distinct holiday calendars of a set of resources.

    ``index[i]`` is the position in ``calendars`` of resource i's calendar;
    ``holidays[k]`` the holiday dates of calendar k (tblHolidays + package).
    """

    keys: list[tuple[str, str | None]]
    holidays: list[np.ndarray]
    calendars: list[np.busdaycalendar | None]
    index: np.ndarray


def build_calendars(countries: Any, holiday_table: pd.DataFrame, weekmask: str,
                    years: Iterable[int]) -> Calendars:
    """Holiday calendars for resources with the given Country cells.

    One calendar per distinct resolved country: blank-country tblHolidays rows, the rows
    of that country and the ``holidays`` package's days for ``years``.
    """
    years_t = tuple(sorted({int(y) for y in years}))
    codes, texts = country_codes(countries)
    text_keys = [_calendar_key(t) for t in texts]
    keys: list[tuple[str, str | None]] = list(dict.fromkeys(text_keys))
    position = {k: i for i, k in enumerate(keys)}
    index = np.array([position[k] for k in text_keys], dtype=np.int64)[codes] \
        if len(codes) else np.array([], dtype=np.int64)

    table_dates = to_days(holiday_table["Date"])
    row_codes, row_texts = country_codes(holiday_table["Country"])
    row_text_keys = [_calendar_key(t) for t in row_texts]
    hol_list, cal_list = [], []
    for key in keys:
        applies = np.array([_applies(rk, key) for rk in row_text_keys], dtype=bool)
        parts = [table_dates[applies[row_codes]] if len(row_codes) else table_dates]
        if key[0] not in ("", "?") and years_t:
            parts.append(package_holidays(key[0], key[1], years_t))
        dates = np.unique(np.concatenate(parts).astype("datetime64[D]"))
        dates = dates[~np.isnat(dates)]
        hol_list.append(dates)
        cal_list.append(_calendar(weekmask, dates))
    return Calendars(keys, hol_list, cal_list, index)


# -- capacity -------------------------------------------------------------------------------


def _month_days(months: np.ndarray, start: np.ndarray, end: np.ndarray, cal_idx: np.ndarray,
                calendars: Sequence[np.busdaycalendar | None]) -> np.ndarray:
    """Working days of each month within ``[start, end]`` (NaT = open); arrays broadcast."""
    first, last = _month_bounds(months)
    start = np.where(np.isnat(start), _FAR_PAST, start)
    end = np.where(np.isnat(end), _FAR_FUTURE, end)
    first, last, start, end, cal_idx = np.broadcast_arrays(first, last, start, end, cal_idx)
    lo, hi = np.maximum(first, start), np.minimum(last, end)
    return _count(lo.ravel(), hi.ravel(), cal_idx.ravel(), calendars).reshape(lo.shape)


def _as_float(value: Any, default: float) -> np.ndarray:
    if value is None:
        return np.asarray(default, dtype=float)
    arr = np.asarray(pd.to_numeric(pd.Series(np.atleast_1d(value)), errors="coerce"),
                     dtype=float).reshape(np.shape(value))
    return np.where(np.isnan(arr), default, arr)


def capacity(periods: Any, fte: Any = 1, hours_per_day: Any = 8, holidays: Any = None,
             start: Any = None, end: Any = None, leave_hours: Any = 0,
             weekmask: str = "1111100") -> Any:
    """Capacity hours per period, the CAPACITY worksheet function (functions.md).

    A period is a month, named by any date in it. Per period::

        max(0, WD × hours_per_day × fte − leave_hours)

    WD = working days of the month (``weekmask``, numpy form) within ``start..end``
    (both inclusive; None = open), holidays on working days removed. ``fte``,
    ``hours_per_day`` and ``leave_hours`` broadcast against ``periods`` (blank = 1, 8, 0).
    Units: hours. A blank or unreadable period gives NaN (``#N/A``). A scalar period
    gives a float, an array a float array.
    """
    days = to_days(periods)
    missing = np.isnat(days)
    months = np.where(missing, _FAR_PAST, days).astype("datetime64[M]")
    s = to_days(start) if start is not None else np.datetime64("NaT", "D")
    e = to_days(end) if end is not None else np.datetime64("NaT", "D")
    wd = _month_days(months, s, e, np.zeros((), dtype=np.int64), [_calendar(weekmask, holidays)])
    hours = wd * _as_float(hours_per_day, 8.0) * _as_float(fte, 1.0) - _as_float(leave_hours, 0)
    out = np.where(missing, np.nan, np.maximum(hours, 0.0))
    return out.item() if out.ndim == 0 else out


def default_periods(inputs: Inputs) -> pd.DatetimeIndex:
    """The months from the earliest to the latest of: allocation periods, timesheet dates
    and the status period (contiguous, month starts)."""
    dates = [
        pd.Series(pd.to_datetime(inputs.allocations["Period"], errors="coerce")),
        pd.Series(pd.to_datetime(inputs.timesheets["Date"], errors="coerce")),
        pd.Series([pd.Timestamp(inputs.settings.StatusDate)]),
    ]
    lo = min(d.min() for d in dates if d.notna().any())
    hi = max(d.max() for d in dates if d.notna().any())
    return _periods.period_range(lo, hi)


def normalise_periods(periods: Any) -> pd.DatetimeIndex:
    """Any dates (scalar or array-like) -> sorted unique month starts, blanks dropped."""
    days = to_days(periods).ravel()
    months = np.unique(days[~np.isnat(days)].astype("datetime64[M]"))
    return pd.DatetimeIndex(months.astype("datetime64[ns]"))


@dataclass(frozen=True)
class CapacityGrid:
    """Capacity of every resource (rows, tblResources order) in every period (columns).

    ``hours[i, j]`` is the capacity of ``resource_ids[i]`` in ``periods[j]``;
    ``day_hours[i]`` the hours of one full working day (HoursPerWeek / D × FTE).
    """

    resource_ids: pd.Index
    periods: pd.DatetimeIndex
    hours: np.ndarray
    day_hours: np.ndarray
    calendars: Calendars

    def month_position(self, dates: Any) -> np.ndarray:
        """Column of each date's month in ``periods``; -1 where absent or blank."""
        return _month_lookup(self.periods, dates)


def _month_lookup(periods: pd.DatetimeIndex, dates: Any) -> np.ndarray:
    """Vectorised position of each date's month in ``periods`` (-1 if not there)."""
    pm = periods.to_numpy().astype("datetime64[M]").astype(np.int64)
    d = to_days(dates)
    out = np.full(d.shape, -1, dtype=np.int64)
    if not len(pm):
        return out
    lo = pm.min()
    table = np.full(pm.max() - lo + 1, -1, dtype=np.int64)
    table[pm - lo] = np.arange(len(pm))
    ok = ~np.isnat(d)
    m = d[ok].astype("datetime64[M]").astype(np.int64) - lo
    inside = (m >= 0) & (m < len(table))
    pos = np.full(m.shape, -1, dtype=np.int64)
    pos[inside] = table[m[inside]]
    out[ok] = pos
    return out


def unique_resources(resources: pd.DataFrame) -> pd.DataFrame:
    """tblResources without blank IDs, first row kept per ResourceID (duplicates and blanks
    are reported by validation)."""
    ids = resources["ResourceID"]
    keep = ids.notna() & (ids.astype(str).str.strip() != "")
    return resources[keep].drop_duplicates("ResourceID", keep="first").reset_index(drop=True)


def resource_fte(resources: pd.DataFrame) -> np.ndarray:
    """The FTE of each tblResources row as floats (blank = 1, workbook.md)."""
    fte = pd.to_numeric(resources["FTE"], errors="coerce").to_numpy(dtype=float)
    return np.where(np.isnan(fte), 1.0, fte)


def _years(periods: pd.DatetimeIndex, leave: pd.DataFrame) -> range:
    if not len(periods):
        return range(0)
    lo, hi = periods.min().year, periods.max().year
    if len(leave):
        starts = pd.to_datetime(leave["Start"], errors="coerce").dropna()
        ends = pd.to_datetime(leave["End"], errors="coerce").dropna()
        if len(starts):
            lo = max(min(lo, starts.min().year), periods.min().year - _YEARS_MARGIN)
        if len(ends):
            hi = min(max(hi, ends.max().year), periods.max().year + _YEARS_MARGIN)
    return range(lo, hi + 1)


def capacity_grid(inputs: Inputs, periods: Any = None) -> CapacityGrid:
    """Capacity hours of every resource in every period (see the module docstring).

    ``periods``: months to compute (any dates; default :func:`default_periods`).
    """
    periods = default_periods(inputs) if periods is None else normalise_periods(periods)
    res = unique_resources(inputs.resources)
    weekmask = inputs.settings.weekmask
    per_week = weekmask.count("1")
    hpw = pd.to_numeric(res["HoursPerWeek"], errors="coerce").to_numpy(dtype=float)
    hpw = np.where(np.isnan(hpw), 5 * float(inputs.settings.HoursPerDay), hpw)
    day_hours = hpw / per_week * resource_fte(res)

    cals = build_calendars(res["Country"], inputs.holidays, weekmask,
                           _years(periods, inputs.leave))
    start, end = to_days(res["StartDate"]), to_days(res["EndDate"])
    months = periods.to_numpy().astype("datetime64[M]")
    wd = _month_days(months[None, :], start[:, None], end[:, None], cals.index[:, None],
                     cals.calendars)
    gross = np.where(wd == 0, 0.0, wd * day_hours[:, None])  # no working day: no hours
    leave = _leave_hours(inputs.leave, res["ResourceID"], periods, cals, day_hours, start, end)
    # hours past the largest double stay infinite (#NUM! in the outputs), not inf − inf = NaN
    hours = np.where(np.isinf(gross), gross, np.maximum(gross - leave, 0.0))
    return CapacityGrid(pd.Index(res["ResourceID"]), periods, hours, day_hours, cals)


def _leave_hours(leave: pd.DataFrame, resource_ids: pd.Series, periods: pd.DatetimeIndex,
                 cals: Calendars, day_hours: np.ndarray, emp_start: np.ndarray,
                 emp_end: np.ndarray) -> np.ndarray:
    """Leave hours per resource (rows) and period (columns), split across months."""
    out = np.zeros((len(resource_ids), len(periods)))
    if not len(leave) or not len(periods):
        return out
    r = pd.Index(resource_ids).get_indexer(leave["ResourceID"])
    s, e = to_days(leave["Start"]), to_days(leave["End"])
    h = pd.to_numeric(leave["Hours"], errors="coerce").to_numpy(dtype=float)
    ok = (r >= 0) & ~np.isnat(s) & ~np.isnat(e) & (s <= e)
    r, s, e, h = r[ok], s[ok], e[ok], h[ok]
    ci = cals.index[r]
    span_days = _count(s, e, ci, cals.calendars)
    # clip to the periods' months, then one row per (leave row, month)
    first, _ = _month_bounds(periods.to_numpy().astype("datetime64[M]").min())
    _, last = _month_bounds(periods.to_numpy().astype("datetime64[M]").max())
    cs, ce = np.maximum(s, first), np.minimum(e, last)
    keep = cs <= ce
    m0 = cs.astype("datetime64[M]").astype(np.int64)
    n = np.where(keep, ce.astype("datetime64[M]").astype(np.int64) - m0 + 1, 0)
    rep = np.repeat(np.arange(len(r)), n)
    offset = np.arange(len(rep)) - np.repeat(np.cumsum(n) - n, n)
    month = (m0[rep] + offset).astype("datetime64[M]")
    mfirst, mlast = _month_bounds(month)
    lo, hi = np.maximum(s[rep], mfirst), np.minimum(e[rep], mlast)
    rr = r[rep]
    blank = np.isnan(h[rep])
    full_days = _count(np.maximum(lo, np.where(np.isnat(emp_start[rr]), lo, emp_start[rr])),
                       np.minimum(hi, np.where(np.isnat(emp_end[rr]), hi, emp_end[rr])),
                       ci[rep], cals.calendars)
    share_days = _count(lo, hi, ci[rep], cals.calendars)
    span = span_days[rep]
    given = np.divide(h[rep] * share_days, span, out=np.zeros(len(rep)), where=span > 0)
    hours = np.where(blank, full_days * day_hours[rr], given)
    pos = _month_lookup(periods, month)
    inside = pos >= 0
    flat = rr[inside] * len(periods) + pos[inside]
    out += np.bincount(flat, weights=hours[inside], minlength=out.size).reshape(out.shape)
    return out


def capacity_table(inputs: Inputs, periods: pd.DatetimeIndex | None = None) -> pd.DataFrame:
    """Capacity hours per resource and month: ``ResourceID, Period, CapacityHours``.

    One row per tblResources row (first of duplicate IDs) and period, resources in table
    order, periods ascending. Formula, defaults and leave rules: module docstring.
    Default ``periods``: the months spanned by allocations, timesheets and the status
    period (:func:`default_periods`).
    """
    grid = capacity_grid(inputs, periods)
    return grid_frame(grid, {"CapacityHours": grid.hours})


def grid_frame(grid: CapacityGrid, columns: dict[str, Any]) -> pd.DataFrame:
    """Long frame ``ResourceID, Period, *columns`` from resource × period matrices."""
    n_r, n_p = len(grid.resource_ids), len(grid.periods)
    ids = np.repeat(grid.resource_ids.to_numpy(dtype=object), n_p)
    period = np.tile(grid.periods.to_numpy(dtype="datetime64[ns]"), n_r)
    data: dict[str, Any] = {"ResourceID": pd.Series(ids, dtype=object), "Period": period}
    for name, values in columns.items():
        data[name] = np.asarray(values).reshape(-1) if np.ndim(values) == 2 else values
    return pd.DataFrame(data)
