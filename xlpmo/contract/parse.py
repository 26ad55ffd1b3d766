"""Text typed where a number, a percentage or a date belongs: the one parser of xlpmo.

Every reader of typed text uses these functions: the file reader's coercion
(:mod:`xlpmo.io.coerce`), the worksheet-function arguments (:mod:`xlpmo.excel.args`),
Import actuals (:mod:`xlpmo.io.importer`) and, through :func:`xlpmo.contract.periods.parse_date`,
the core's date arguments, and the settings of tblConfig. It lives in ``contract`` because
how typed text is read is part of the workbook contract (workbook.md v2, "Reading values"),
and it imports nothing, so every layer may use it (contract and excel may import only
contract and errors).

Numbers (:func:`parse_number`), as an English-locale Excel reads typed text (``VALUE``):

- digits with an optional decimal point (``12``, ``12.5``, ``.5``, ``12.``) and exponent
  (``1e3``); thousands separators only in groups of three: ``1,234,567.5`` and
  ``1 234 567`` (space, no-break or thin space) are numbers, ``1,2,3``, ``12,34``, ``1 2``
  and ``1.2.3`` are not;
- a sign before (``-5``, ``+5``, ``−5``) or a trailing minus (``100-``, SAP exports), or
  accountants' brackets (``(300)`` = −300); one of them only (``(-5)``, ``--5`` are not
  numbers);
- one currency, a symbol (``$ € £ ¥ ₹``) or an ISO code in capitals (``EUR``), before or
  after the number (``$12``, ``-$5``, ``12 EUR``);
- a percent sign last (``12%`` is 0.12, reported as a percentage so that a caller can refuse
  it where an amount belongs); never together with a currency;
- with ``decimal_comma`` (Import actuals, for exports of continental Europe) the roles of
  ``,`` and ``.`` swap: ``1.234,50`` is 1234.5.
- ``nan``, ``inf``, hexadecimal, formulas and anything else are not numbers.

Dates (:func:`text_date`, :func:`parse_date_text`):

- ISO ``2026-01-15`` (also with ``/`` or ``.``; a time ``10:30`` or ``T10:30:00`` may
  follow), and the month ``2026-01``;
- day, month and year in figures: ``15/01/2026``, ``1-2-26``, ``15.01.2026``. A two-digit
  year is 2000–2099. Where both the day-first and the month-first reading are real dates
  and differ (``02/01/2026``) the text is *ambiguous*: the ``DateOrder`` setting (``DMY`` or
  ``MDY``) decides; with no order it is read day-first and the caller says so;
- ``1/2026``, ``01-2026``: the month;
- month names (English, three letters or in full): ``Jan-2026``, ``Jan 26``, ``January 2026``
  (the month), ``15 Jan 2026``, ``15-Jan-26``, ``Jan 15, 2026`` (the day).

A text in one of these forms that names no real day (``2026-13-45``, ``31/02/2026``) is not
a date, and :func:`date_problem` says why.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

DATE_ORDERS = ("DMY", "MDY")

# -- numbers ----------------------------------------------------------------------------------

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-"})
_CURRENCY = r"(?:[$€£¥₹]|[A-Z]{3})"
_GROUPED = {False: r"\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+",
            True: r"\d{1,3}(?:\.\d{3})+|\d{1,3}(?: \d{3})+"}
_POINT = {False: r"\.", True: ","}


def _number_re(comma: bool) -> re.Pattern[str]:
    digits = rf"(?:{_GROUPED[comma]}|\d+)"
    body = rf"(?:{digits}(?:{_POINT[comma]}\d*)?|{_POINT[comma]}\d+)(?:[eE][+-]?\d+)?"
    return re.compile(
        rf"^(?P<sign>[+-])?\s*(?P<cur1>{_CURRENCY})?\s*(?P<sign2>[+-])?\s*(?P<num>{body})"
        rf"\s*(?P<cur2>{_CURRENCY})?\s*(?P<pct>%)?\s*(?P<minus>-)?\s*(?P<cur3>{_CURRENCY})?$")


_NUMBER_RE = {False: _number_re(False), True: _number_re(True)}


def parse_number(text: str, decimal_comma: bool = False) -> tuple[float, bool] | None:
    """Numeric text -> ``(value, was a percentage)``, or None when it is not a number.

    ``"1,234.50"`` -> (1234.5, False); ``"(300)"`` -> (-300.0, False); ``"12%"`` ->
    (0.12, True); ``"1,2,3"``, ``"abc"``, ``"1e999"`` -> None. See the module docstring.
    """
    s = text.translate(_SPACES).strip()
    negative = len(s) > 2 and s[0] == "(" and s[-1] == ")"
    if negative:
        s = s[1:-1].strip()
    m = _NUMBER_RE[decimal_comma].match(s)
    if m is None:
        return None
    signs = [g for g in (m["sign"], m["sign2"], m["minus"]) if g]
    currencies = [g for g in (m["cur1"], m["cur2"], m["cur3"]) if g]
    if len(signs) + negative > 1 or len(currencies) > 1 or (currencies and m["pct"]):
        return None
    num = m["num"].replace(" ", "")
    num = num.replace(".", "").replace(",", ".") if decimal_comma else num.replace(",", "")
    try:
        value = float(num)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    if negative or "-" in signs:
        value = -value
    pct = m["pct"] is not None
    return (value / 100 if pct else value), pct


# -- dates ------------------------------------------------------------------------------------

_MONTHS = {
    name: i
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}
_TIME = r"(?:[ t](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?z?)?"  # lower case
_SEP = r"[-/.]"
_RE_ISO = re.compile(
    rf"^(?P<y>\d{{4}})(?P<sep>{_SEP})(?P<m>\d{{1,2}})(?:(?P=sep)(?P<d>\d{{1,2}}))?{_TIME}$")
_RE_FIGURES = re.compile(
    rf"^(?P<a>\d{{1,2}})(?P<sep>{_SEP})(?P<b>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}|\d{{2}}){_TIME}$")
_RE_MONTH_YEAR = re.compile(r"^(?P<m>\d{1,2})[-/.](?P<y>\d{4})$")
_RE_NAME_YEAR = re.compile(r"^(?P<mon>[a-z]+)\.?[\s\-/'’]*(?P<y>\d{4}|\d{2})$")
_RE_DAY_NAME = re.compile(
    r"^(?P<d>\d{1,2})[\s\-/.]*(?P<mon>[a-z]+)\.?[\s\-/.,]*(?P<y>\d{4}|\d{2})$")
_RE_NAME_DAY = re.compile(r"^(?P<mon>[a-z]+)\.?\s*(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})$")


@dataclass(frozen=True)
class TextDate:
    """A text in one of the date forms, read both ways.

    ``dmy``/``mdy``: the day-first and month-first readings (equal when the form has one
    reading; None when that reading is no real day). ``month``: the text names a month
    (``Jan-2026``), not a day. ``problem``: why neither reading is a real day.
    """

    dmy: pd.Timestamp | None
    mdy: pd.Timestamp | None
    month: bool = False
    problem: str = ""

    @property
    def ambiguous(self) -> bool:
        """Both readings are real days and differ: only DateOrder can tell."""
        return self.dmy is not None and self.mdy is not None and self.dmy != self.mdy

    def read(self, order: str = "") -> pd.Timestamp | None:
        """The date under ``order`` (``DMY``, ``MDY``, or blank = day-first); a text with
        one real reading (``13/01/2026``) is that day whatever the order."""
        first, other = (self.mdy, self.dmy) if order == "MDY" else (self.dmy, self.mdy)
        return first if first is not None else other


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) <= 2 else year


def _day(year: int, month: int, day: int, m: re.Match[str] | None = None) -> pd.Timestamp | None:
    hour = minute = second = 0
    if m is not None and m["h"] is not None:
        hour, minute, second = int(m["h"]), int(m["mi"]), int(m["s"] or 0)
    try:
        return pd.Timestamp(year=year, month=month, day=day, hour=hour, minute=minute,
                            second=second)
    except (ValueError, OverflowError):
        return None


def _problem(year: int, month: int, day: int) -> str:
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    first = _day(year, month, 1)
    if first is None:
        return f"the year {year} is outside the calendar"
    return f"{first:%B %Y} has no day {day}"


def _one(year: int, month: int, day: int, m: re.Match[str] | None = None,
         month_only: bool = False) -> TextDate:
    ts = _day(year, month, day, m)
    return TextDate(ts, ts, month_only, "" if ts is not None else _problem(year, month, day))


def text_date(text: str) -> TextDate | None:
    """A date typed as text -> its readings (see :class:`TextDate`); None when the text is
    in none of the date forms (``abc``, ``12``)."""
    s = text.strip().lower()
    if not s:
        return None
    if m := _RE_ISO.match(s):
        return _one(int(m["y"]), int(m["m"]), int(m["d"] or 1), m, month_only=m["d"] is None)
    if m := _RE_FIGURES.match(s):
        a, b, year = int(m["a"]), int(m["b"]), _year(m["y"])
        dmy, mdy = _day(year, b, a, m), _day(year, a, b, m)
        problem = "" if dmy is not None or mdy is not None else _problem(year, b, a)
        return TextDate(dmy, mdy, False, problem)
    if m := _RE_MONTH_YEAR.match(s):
        return _one(int(m["y"]), int(m["m"]), 1, month_only=True)
    if (m := _RE_NAME_YEAR.match(s)) and m["mon"] in _MONTHS:
        return _one(_year(m["y"]), _MONTHS[m["mon"]], 1, month_only=True)
    for pattern in (_RE_DAY_NAME, _RE_NAME_DAY):
        if (m := pattern.match(s)) and m["mon"] in _MONTHS:
            return _one(_year(m["y"]), _MONTHS[m["mon"]], int(m["d"]))
    return None


def parse_date_text(text: str, order: str = "") -> pd.Timestamp | None:
    """A date typed as text -> Timestamp (a month as its first day), or None.

    ``order`` is the DateOrder setting (``DMY``, ``MDY`` or blank = day-first where the
    text is ambiguous; :func:`text_date` tells whether it was).
    """
    found = text_date(text)
    return None if found is None else found.read(order)


def date_problem(text: str) -> str:
    """Why a text in a date form is no real day, for a message (``2026-13-45``: ``there is
    no month 13``); blank for a date and for text in no date form (``abc``)."""
    found = text_date(text)
    return "" if found is None else found.problem


def read_order(value: object) -> str | None:
    """The DateOrder setting -> ``DMY``, ``MDY`` or ``""`` (blank); None when unreadable."""
    if value is None:
        return ""
    text = str(value).strip().upper().replace("-", "").replace("/", "")
    if not text:
        return ""
    aliases = {"DMY": "DMY", "DDMMYYYY": "DMY", "DAYFIRST": "DMY", "MDY": "MDY",
               "MMDDYYYY": "MDY", "MONTHFIRST": "MDY"}
    return aliases.get(text.replace(" ", ""))
