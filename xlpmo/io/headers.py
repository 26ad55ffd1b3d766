"""Table headers: matching the contract's column names, and month headers as one set.

Rules (shared/spec/workbook.md v2, "Reading values"):

- A header matches a contract column after Excel's ``_xHHHH_`` decoding (the reader
  decodes table parts: a line break in a header is ``_x000a_`` there), trimming spaces and
  line breaks, and ignoring case: ``" bac⏎"`` is BAC. The first of two equal headers is
  read (Warning).
- A header that is a contract name written with spaces, line breaks, ``_``, ``-`` or ``.``
  inside (``Percent Complete``, ``Project ID``) is read as that column, with one Warning
  naming the header cell and the name to use. A header a letter or two away from a
  contract name (``Projct ID``) is not read; one finding names it and suggests the name
  (an Error when the column is required: the table is not read).
- Month headers (wide layout) are read as one set. A header is a month when it is a date
  (dates typed as text by :mod:`xlpmo.contract.parse`, an ISO date from a date cell, or a date
  serial from 20000 up in the workbook's date system). Text such as ``02/01/2026`` reads
  two ways; the ``DateOrder`` setting decides, and without it the order that gives every
  header its own month is used (day-first when both do; a Warning names the headers).
  Two headers in one month are an Error naming both cells, and neither column is read.
  A header in a date form that is no real month (``2026-13``) is an Error: its column is
  not read.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from xlpmo.contract.parse import TextDate, text_date
from xlpmo.errors import Finding

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_SEPARATORS = re.compile(r"[\s_\-.]")
_MIN_SERIAL = 20000  # 1954-10-03: smaller numbers in headers are not months
_MAX_SERIAL = 2958465  # 9999-12-31
_NS_FIRST = pd.Timestamp("1677-09-22")  # months datetime64[ns] can hold
_NS_LAST = pd.Timestamp("2262-04-01")
_EPOCHS = {False: pd.Timestamp("1899-12-30"), True: pd.Timestamp("1904-01-01")}
_CLOSE = 0.8  # difflib ratio from which a header is a likely typo of a contract name


def decode_xstring(text: str) -> str:
    """Excel's ``_xHHHH_`` escapes -> characters (``Project_x000a_ID`` -> ``Project⏎ID``;
    ``_x005F_`` is a literal underscore, so ``_x005F_x000a_`` stays ``_x000a_``)."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)


def fold(text: str) -> str:
    """The key a header matches by: trimmed (spaces, line breaks) and case-folded."""
    return text.strip().casefold()


def loose(text: str) -> str:
    """``Percent Complete`` -> ``percentcomplete``: separators dropped, case folded."""
    return _SEPARATORS.sub("", text).casefold()


@dataclass
class Header:
    """One header row: texts, and how to name a header cell."""

    texts: list[str]
    table: str
    cell: Callable[[int], str]  # header index -> its cell ("Plan!C1")

    def at(self, j: int) -> str:
        return self.cell(j)


def match_columns(header: Header, names: list[str], required: set[str]
                  ) -> tuple[dict[str, int], list[Finding], dict[str, int]]:
    """Contract column -> header index, the findings about the header row, and for each
    missing ``required`` column the header that is likely meant (index), to name in the
    caller's Error."""
    findings: list[Finding] = []
    first: dict[str, int] = {}
    for j, h in enumerate(header.texts):
        key = fold(h)
        if not key:
            continue
        if key in first:
            findings.append(Finding(
                "Warning", header.table, header.at(j),
                f"header {h.strip()!r} appears twice ({header.at(first[key])} and "
                f"{header.at(j)}): the first one is read", changed_number=True))
            continue
        first[key] = j
    where = {name: first[fold(name)] for name in names if fold(name) in first}
    taken = set(where.values())
    exact = {fold(n) for n in names}
    loose_of: dict[str, int] = {}
    for j, h in enumerate(header.texts):
        if j not in taken and fold(h) not in exact:
            loose_of.setdefault(loose(h), j)
    for name in names:
        j = loose_of.get(loose(name))
        if name in where or j is None or j in taken:
            continue
        where[name] = j
        taken.add(j)
        findings.append(Finding(
            "Warning", header.table, header.at(j),
            f"header {_show(header.texts[j])} is read as {name}: rename it to {name}, "
            "the contract's name"))
    unmatched = {j: loose(h) for j, h in enumerate(header.texts) if j not in taken and h.strip()}
    hints: dict[str, int] = {}
    for name in names:
        close = [j for j, key in unmatched.items()
                 if name not in where
                 and difflib.SequenceMatcher(None, key, loose(name)).ratio() >= _CLOSE]
        if not close:
            continue
        j = close[0]
        unmatched.pop(j)
        if name in required:
            hints[name] = j
            continue
        findings.append(Finding(
            "Warning", header.table, header.at(j),
            f"header {_show(header.texts[j])} is not a column of {header.table}: did you "
            f"mean {name}? The column is not read", changed_number=True))
    return where, findings, hints


def _show(text: str) -> str:
    return repr(text.strip())


# -- month headers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    dmy: pd.Timestamp | None
    mdy: pd.Timestamp | None
    problem: str = ""

    @property
    def ambiguous(self) -> bool:
        return (self.dmy is not None and self.mdy is not None
                and (self.dmy.year, self.dmy.month) != (self.mdy.year, self.mdy.month))

    def month(self, order: str) -> pd.Timestamp | None:
        found = self.mdy if order == "MDY" else self.dmy
        return found if found is not None else (self.dmy if order == "MDY" else self.mdy)


def _month(ts: pd.Timestamp | None) -> pd.Timestamp | None:
    if ts is None:
        return None
    start = pd.Timestamp(year=ts.year, month=ts.month, day=1)
    return start if _NS_FIRST <= start <= _NS_LAST else None


def _candidate(text: str, date1904: bool) -> _Candidate | None:
    found: TextDate | None = text_date(text)
    if found is not None:
        if found.problem:
            return _Candidate(None, None, found.problem)
        dmy, mdy = _month(found.dmy), _month(found.mdy)
        return None if dmy is None and mdy is None else _Candidate(dmy, mdy)
    try:
        number = float(text)
    except ValueError:
        return None
    if not _MIN_SERIAL <= number <= _MAX_SERIAL:
        return None
    month = _month(_EPOCHS[date1904] + pd.to_timedelta(int(number), unit="D"))
    return None if month is None else _Candidate(month, month)


def is_month_header(text: str, date1904: bool = False) -> bool:
    """Whether a header reads as a month (a date, a date typed as text or a date serial;
    see the module docstring), even one in a date form that is no real month."""
    return _candidate(text, date1904) is not None


def month_columns(header: Header, skip: set[int], order: str, date1904: bool = False
                  ) -> tuple[dict[int, pd.Timestamp], list[Finding]]:
    """The month of each month column (header index -> first day of the month), and the
    findings (see the module docstring). Columns in ``skip`` are not months."""
    candidates = {j: c for j, h in enumerate(header.texts)
                  if j not in skip and (c := _candidate(h, date1904)) is not None}
    findings: list[Finding] = []
    for j, c in candidates.items():
        if c.problem:
            findings.append(Finding(
                "Error", header.table, header.at(j),
                f"header {_show(header.texts[j])} is not a month ({c.problem}): its column "
                "is not read", changed_number=True))
    good = {j: c for j, c in candidates.items() if not c.problem}
    ambiguous = [j for j, c in good.items() if c.ambiguous]
    chosen = order or "DMY"
    if ambiguous and not order:
        distinct = {o: _distinct([c.month(o) for c in good.values()]) for o in ("DMY", "MDY")}
        chosen = "MDY" if distinct["MDY"] and not distinct["DMY"] else "DMY"
        example = header.texts[ambiguous[0]].strip()
        reading = f"{good[ambiguous[0]].month(chosen):%B %Y}"
        why = ("only that order gives each header its own month" if distinct[chosen]
               and not distinct["MDY" if chosen == "DMY" else "DMY"] else
               "both orders give each header its own month" if distinct[chosen] else
               "neither order gives each header its own month")
        findings.append(Finding(
            "Warning", header.table, _cells(header, ambiguous),
            f"month headers such as {example!r} are read {_ORDER_WORDS[chosen]} "
            f"({example!r} is {reading}): {why}; set DateOrder in tblConfig to DMY or MDY "
            "to say which", changed_number=True))
    months = {j: c.month(chosen) for j, c in good.items()}
    by_month: dict[pd.Timestamp, list[int]] = {}
    for j, m in months.items():
        by_month.setdefault(m, []).append(j)
    for m, cols in by_month.items():
        if len(cols) > 1:
            shown = [f"{header.at(j)} ({_show(header.texts[j])})" for j in cols]
            both = "both" if len(cols) == 2 else "all"
            findings.append(Finding(
                "Error", header.table, header.at(cols[0]),
                f"headers {', '.join(shown[:-1])} and {shown[-1]} {both} fall in {m:%Y-%m}: "
                "none of these columns is read (fix the headers, or set DateOrder in "
                "tblConfig)", changed_number=True))
            for j in cols:
                months.pop(j)
    return months, findings


_ORDER_WORDS = {"DMY": "day-first (DMY)", "MDY": "month-first (MDY)"}


def _distinct(months: list[pd.Timestamp | None]) -> bool:
    real = [m for m in months if m is not None]
    return len(real) == len(set(real))


def _cells(header: Header, cols: list[int]) -> str:
    """``Plan!C1`` for one column, ``Plan!C1:N1`` for a run (the first and last)."""
    first, last = header.at(cols[0]), header.at(cols[-1])
    if first == last:
        return first
    return f"{first}:{last.rpartition('!')[2]}"
