"""Re-apply a table's filter and sort to new rows, as Excel's Reapply does.

A filtered output table must still show the rows its filter selects after a refresh
(workbook.md, "User columns in output tables"), and a sorted one must stay sorted. This
module decides, on plain Python values, which rows a filter keeps and in which order a
sort puts them; :mod:`xlpmo.io.ooxml.autofilter` reads the criteria from a table part and
:mod:`xlpmo.io.rowplan` applies the result to the sheet (row ``hidden`` flags, row order).

Cells are given as ``(value, number format code)``: value None (blank), ``str``,
``float``, ``bool``, :class:`pandas.Timestamp` or :class:`~xlpmo.errors.XLError`.

Criteria (ECMA-376 Part 1, 18.3.2 "AutoFilter Settings"; Excel's behaviour for the rest):

- **value list** (``filters``): a cell is kept when its displayed text is one of the
  values (case-insensitive), when it is blank and ``blank="1"``, or when it is a date in
  one of the ``dateGroupItem`` groups (year, month, day, hour, minute, second). A number's
  displayed text is worked out for General and the fixed formats (``0.00``, ``#,##0``,
  ``0.0%``, two- and three-section formats, ``[Red]`` colours, quoted text); any other
  format makes the criterion :class:`Unsupported`.
- **custom** (``customFilters``): one or two comparisons (``equal`` default,
  ``notEqual``, ``lessThan``, ``lessThanOrEqual``, ``greaterThan``,
  ``greaterThanOrEqual``), joined by AND when ``and="1"`` else OR. Numbers compare with a
  numeric value (dates as serial numbers), text case-insensitively with the wildcards
  ``*`` ``?`` and ``~`` for equal/notEqual; ``equal " "`` is Excel's "(Blanks)" and
  ``notEqual " "`` its "(Non-blanks)".
- **top 10** by items (``top10`` without ``percent``): the numbers at least as large as
  the n-th largest (or small as the n-th smallest); ties are kept.
- **above / below average** (``dynamicFilter``): numbers against the mean of the
  column's numbers.

Everything else (top/bottom percent, colour and icon filters, date-relative filters such
as "this month") is :class:`Unsupported`: the caller clears the filter and says so.

Sort order (Excel's ascending order): numbers and dates, then text (case-insensitive),
then FALSE, TRUE, then errors (all equal); descending reverses it; blank cells go last
either way; rows that compare equal keep their order.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from xlpmo.errors import XLError

__all__ = [
    "Custom", "DateGroup", "Dynamic", "SortKey", "Top", "Unsupported", "ValueList", "keeps",
    "sort_order",
]

Cell = tuple[Any, str]  # (value, number format code)

_EPOCH = pd.Timestamp("1899-12-30")


class Unsupported(Exception):
    """A criterion xlpmo cannot re-apply exactly (the message says which)."""


@dataclass(frozen=True)
class DateGroup:
    """``dateGroupItem``: the date/time parts down to ``grouping`` must match."""

    grouping: str  # year, month, day, hour, minute, second
    year: int
    month: int = 1
    day: int = 1
    hour: int = 0
    minute: int = 0
    second: int = 0

    def matches(self, ts: pd.Timestamp) -> bool:
        order = ("year", "month", "day", "hour", "minute", "second")
        depth = order.index(self.grouping) + 1 if self.grouping in order else 0
        if depth == 0:
            raise Unsupported(f"a date group by {self.grouping!r}")
        want = (self.year, self.month, self.day, self.hour, self.minute, self.second)
        have = (ts.year, ts.month, ts.day, ts.hour, ts.minute, ts.second)
        return want[:depth] == have[:depth]


@dataclass(frozen=True)
class ValueList:
    values: tuple[str, ...] = ()
    blank: bool = False
    dates: tuple[DateGroup, ...] = ()


@dataclass(frozen=True)
class Custom:
    conditions: tuple[tuple[str, str], ...]  # (operator, val)
    all: bool = False  # and="1"


@dataclass(frozen=True)
class Top:
    count: float
    top: bool = True


@dataclass(frozen=True)
class Dynamic:
    kind: str  # aboveAverage / belowAverage


Criterion = ValueList | Custom | Top | Dynamic


@dataclass(frozen=True)
class SortKey:
    column: int  # index into the cells given to :func:`sort_order`
    descending: bool = False


# -- one cell ---------------------------------------------------------------------------------


def _is_blank(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value == ""


def _serial(ts: pd.Timestamp) -> float:
    return (ts - _EPOCH) / pd.Timedelta(days=1)


def _number(value: Any) -> float | None:
    """A cell's numeric value (dates as serials), or None when it is not a number."""
    if isinstance(value, bool | XLError):
        return None
    if isinstance(value, pd.Timestamp):
        return _serial(value)
    if isinstance(value, int | float):
        return float(value)
    return None


_SECTION_SPLIT = re.compile(r'("(?:[^"])*"|\\.|;)')
_QUOTED = re.compile(r'"([^"]*)"|\\(.)')
_BRACKET = re.compile(r"\[([^\]]*)\]")


def _sections(code: str) -> list[str]:
    out, current = [], ""
    for piece in _SECTION_SPLIT.split(code):
        if piece == ";":
            out.append(current)
            current = ""
        else:
            current += piece
    out.append(current)
    return out


def _display_parts(x: float, code: str) -> tuple[bool, Decimal] | None:
    """(shown negative, the number shown without sign) for a fixed format; None when the
    format is General. Raises Unsupported for formats it cannot work out."""
    if code.strip().lower() in ("", "general"):
        return None
    sections = _sections(code)
    if len(sections) > 4:
        raise Unsupported(f"the number format {code!r}")
    if x < 0 and len(sections) >= 2:
        section, auto_minus = sections[1], False
    elif x == 0 and len(sections) >= 3:
        section, auto_minus = sections[2], False
    else:
        section, auto_minus = sections[0], x < 0
    literal = "".join(a or b for a, b in _QUOTED.findall(section))
    body = _QUOTED.sub("", section)
    for tag in _BRACKET.findall(body):
        if not re.fullmatch(r"(?i)red|black|blue|green|white|yellow|magenta|cyan|color\d+|"
                            r"\$[^-]*(-[0-9a-f]+)?", tag):
            raise Unsupported(f"the number format {code!r}")
    body = _BRACKET.sub("", body)
    body = re.sub(r"_.|\*.", "", body)
    if re.search(r"(?i)[ymdhse/?@]", body) or any(ch.isdigit() for ch in literal):
        raise Unsupported(f"the number format {code!r}")
    if re.search(r"[0#],+(?![0#])", body):
        raise Unsupported(f"the number format {code!r}")  # trailing commas scale by 1000
    whole, _, frac = body.partition(".")
    decimals = sum(ch in "0#" for ch in frac)
    if not any(ch in "0#" for ch in whole + frac):
        raise Unsupported(f"the number format {code!r}")
    scale = Decimal(100) ** body.count("%")
    shown = (Decimal(repr(abs(x))) * scale).quantize(Decimal(1).scaleb(-decimals),
                                                    rounding=ROUND_HALF_UP)
    return auto_minus or "-" in literal or "(" in body or "-" in body, shown


def _parse_shown(text: str) -> tuple[bool, Decimal] | None:
    """A displayed number's (negative, magnitude), ignoring currency and separators."""
    t = text.strip()
    negative = t.startswith("-") or "(" in t or t.endswith("-")
    digits = re.sub(r"[^0-9.]", "", t)
    if not digits or digits.count(".") > 1 or digits == ".":
        return None
    return negative, Decimal(digits)


def _number_shown_as(x: float, val: str, code: str) -> bool:
    parts = _display_parts(x, code)
    if parts is None:  # General
        try:
            wanted = float(val.replace(",", ""))
        except ValueError:
            return False
        return math.isclose(x, wanted, rel_tol=1e-9, abs_tol=1e-300)
    shown = _parse_shown(val)
    if shown is None:
        return False
    negative, magnitude = parts
    return shown[1] == magnitude and (shown[0] == negative or magnitude == 0)


def _in_value_list(cell: Cell, crit: ValueList) -> bool:
    value, code = cell
    if _is_blank(value):
        return crit.blank
    if isinstance(value, XLError):
        return value.value.lower() in {v.lower() for v in crit.values}
    if isinstance(value, str):
        return value.lower() in {v.lower() for v in crit.values}
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE").lower() in {v.lower() for v in crit.values}
    if isinstance(value, pd.Timestamp):
        if any(group.matches(value) for group in crit.dates):
            return True
        if crit.values and not crit.dates:  # dates not grouped: matched by shown text
            raise Unsupported("a date column filtered by displayed text")
        return False
    x = _number(value)
    if x is None:
        raise Unsupported(f"a value of type {type(value).__name__}")
    return any(_number_shown_as(x, val, code) for val in crit.values)


_OPS = {
    "equal": lambda a, b: a == b, "notEqual": lambda a, b: a != b,
    "lessThan": lambda a, b: a < b, "lessThanOrEqual": lambda a, b: a <= b,
    "greaterThan": lambda a, b: a > b, "greaterThanOrEqual": lambda a, b: a >= b,
}


def _wildcard(val: str) -> re.Pattern[str]:
    """Excel's wildcards (``*``, ``?``, ``~`` escapes) as a case-insensitive regex."""
    out, i = [], 0
    while i < len(val):
        ch = val[i]
        if ch == "~" and i + 1 < len(val):
            out.append(re.escape(val[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def _custom_one(cell: Cell, op: str, val: str) -> bool:
    if op not in _OPS:
        raise Unsupported(f"the custom filter operator {op!r}")
    value = cell[0]
    if val.strip() == "" and op in ("equal", "notEqual"):  # (Blanks) / (Non-blanks)
        return _is_blank(value) == (op == "equal")
    if _is_blank(value):
        return op == "notEqual"
    x = _number(value)
    try:
        wanted = float(val)
    except ValueError:
        wanted = None
    if x is not None and wanted is not None:
        return bool(_OPS[op](x, wanted))
    if x is not None or (wanted is not None and isinstance(value, str)):
        return op == "notEqual"  # a number against text (or the reverse) never equals
    text = value.value if isinstance(value, XLError) else \
        ("TRUE" if value else "FALSE") if isinstance(value, bool) else str(value)
    if op in ("equal", "notEqual"):
        hit = _wildcard(val).fullmatch(text) is not None
        return hit if op == "equal" else not hit
    if isinstance(value, XLError):
        return False
    return bool(_OPS[op](text.casefold(), val.casefold()))


def _numbers(cells: Sequence[Cell]) -> list[float]:
    return [x for x in (_number(v) for v, _ in cells) if x is not None]


def keeps(cells: Sequence[Cell], crit: Criterion) -> list[bool]:
    """Which of a column's cells the criterion keeps (shown rows). Raises Unsupported."""
    if isinstance(crit, ValueList):
        return [_in_value_list(c, crit) for c in cells]
    if isinstance(crit, Custom):
        if not crit.conditions or len(crit.conditions) > 2:
            raise Unsupported("a custom filter of more than two conditions")
        out = []
        for c in cells:
            hits = [_custom_one(c, op, val) for op, val in crit.conditions]
            out.append(all(hits) if crit.all else any(hits))
        return out
    if isinstance(crit, Top):
        nums = sorted(_numbers(cells), reverse=crit.top)
        n = int(crit.count)
        if n < 1 or n != crit.count:
            raise Unsupported(f"a top/bottom filter of {crit.count} items")
        if not nums:
            return [False] * len(cells)
        edge = nums[min(n, len(nums)) - 1]
        return [(x := _number(v)) is not None and (x >= edge if crit.top else x <= edge)
                for v, _ in cells]
    if isinstance(crit, Dynamic):
        if crit.kind not in ("aboveAverage", "belowAverage"):
            raise Unsupported(f"the dynamic filter {crit.kind!r}")
        nums = _numbers(cells)
        mean = sum(nums) / len(nums) if nums else 0.0
        return [(x := _number(v)) is not None and (x > mean if crit.kind == "aboveAverage"
                                                    else x < mean) for v, _ in cells]
    raise Unsupported(type(crit).__name__)


# -- sorting ----------------------------------------------------------------------------------


def _rank(value: Any) -> tuple[int, Any]:
    """(category, comparable) in Excel's ascending order; category 9 = blank."""
    if _is_blank(value):
        return 9, 0
    if isinstance(value, XLError):
        return 4, 0
    if isinstance(value, bool):
        return 3, int(value)
    x = _number(value)
    if x is not None:
        return 1, x
    return 2, str(value).casefold()


def sort_order(columns: Sequence[Sequence[Any]], keys: Sequence[SortKey]) -> list[int]:
    """Row order after sorting by ``keys`` (most significant first); ``columns[k]`` holds
    the values of the column a key's ``column`` names. Stable; blanks last."""
    n = len(columns[0]) if columns else 0
    ranks = [[_rank(v) for v in col] for col in columns]

    def compare(i: int, j: int) -> int:
        for key in keys:
            a, b = ranks[key.column][i], ranks[key.column][j]
            if a == b:
                continue
            if a[0] == 9 or b[0] == 9:
                return 1 if a[0] == 9 else -1
            less = a < b
            return (1 if less else -1) if key.descending else (-1 if less else 1)
        return 0

    return sorted(range(n), key=functools.cmp_to_key(compare))

