"""A table part's filter (``autoFilter/filterColumn``) and sort (``sortState``), read and cleared.

The criteria are turned into :mod:`xlpmo.io.refilter` objects, with the column given as an
offset from the table's first column. A criterion xlpmo cannot re-apply exactly is
reported by a reason (the caller then clears the filter and says so in tblChecks), never
guessed.

Layout (ECMA-376 Part 1, 18.5.1.2 table, 18.3.1.2 autoFilter, 18.3.1.92 sortState):
``<table><autoFilter ref=".."><filterColumn colId="0-based">(filters | customFilters |
top10 | dynamicFilter | colorFilter | iconFilter)</filterColumn><sortState/>?</autoFilter>
<sortState/>?<tableColumns>...``; a table's sort state sits in ``autoFilter`` or beside it.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from lxml import etree

from xlpmo.io.a1 import CellRange
from xlpmo.io.ooxml.package import qn
from xlpmo.io.ooxml.tablepart import TablePart
from xlpmo.io.refilter import Criterion, Custom, DateGroup, Dynamic, SortKey, Top, ValueList

__all__ = ["FilterState", "clear_filter", "clear_sort", "read_filter_state"]


@dataclass
class FilterState:
    """A table's filter and sort, by column offset from the table's first column."""

    criteria: dict[int, Criterion] = field(default_factory=dict)
    problem: str | None = None  # why the filter cannot be re-applied (None: it can)
    sort: list[SortKey] = field(default_factory=list)
    sort_problem: str | None = None

    @property
    def filtered(self) -> bool:
        return bool(self.criteria) or self.problem is not None


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _criterion(el: etree._Element) -> Criterion:
    """One filterColumn's child as a criterion; ValueError (the reason) when unsupported."""
    kind = _local(el)
    if kind == "filters":
        if el.get("calendarType") not in (None, "none", "gregorian"):
            raise ValueError(f"a filter in the {el.get('calendarType')} calendar")
        values, dates = [], []
        for child in el:
            if _local(child) == "filter":
                values.append(child.get("val") or "")
            elif _local(child) == "dateGroupItem":
                dates.append(DateGroup(
                    child.get("dateTimeGrouping") or "", _int(child.get("year")),
                    _int(child.get("month"), 1), _int(child.get("day"), 1),
                    _int(child.get("hour")), _int(child.get("minute")),
                    _int(child.get("second"))))
        return ValueList(tuple(values), el.get("blank") in ("1", "true"), tuple(dates))
    if kind == "customFilters":
        conditions = tuple((c.get("operator") or "equal", c.get("val") or "")
                           for c in el if _local(c) == "customFilter")
        return Custom(conditions, el.get("and") in ("1", "true"))
    if kind == "top10":
        if el.get("percent") in ("1", "true"):
            raise ValueError("a top/bottom percent filter")
        try:
            count = float(el.get("val") or "10")
        except ValueError:
            raise ValueError("a top/bottom filter without a count") from None
        return Top(count, el.get("top") not in ("0", "false"))
    if kind == "dynamicFilter":
        if el.get("type") in ("aboveAverage", "belowAverage"):
            return Dynamic(el.get("type") or "")
        raise ValueError(f"the dynamic filter {el.get('type')!r}")
    raise ValueError({"colorFilter": "a colour filter", "iconFilter": "an icon filter"}
                     .get(kind, f"a {kind} filter"))


def _filter_columns(table: TablePart) -> list[etree._Element]:
    filt = table.root.find(qn(table.ns, "autoFilter"))
    if filt is None:
        return []
    return [fc for fc in filt if fc.tag == qn(table.ns, "filterColumn")]


def read_filter_state(table: TablePart) -> FilterState:
    """The table's filter criteria and sort keys (see module docstring)."""
    state = FilterState()
    filt = table.root.find(qn(table.ns, "autoFilter"))
    start = table.ref.c1
    if filt is not None and filt.get("ref"):
        with contextlib.suppress(ValueError):
            start = CellRange.parse(filt.get("ref") or "").c1
    for fc in _filter_columns(table):
        children = [c for c in fc if _local(c) and _local(c) != "extLst"]
        offset = start - table.ref.c1 + _int(fc.get("colId"), -1)
        if not children:
            continue
        if len(children) > 1 or not 0 <= offset < table.ref.cols:
            state.problem = "a filter xlpmo cannot read"
            continue
        try:
            state.criteria[offset] = _criterion(children[0])
        except ValueError as exc:
            state.problem = str(exc)
    sorts = list(table.root.iter(qn(table.ns, "sortState")))
    for sort in sorts:
        if sort.get("columnSort") in ("1", "true"):
            state.sort_problem = "a left-to-right sort"
        elif sort.get("caseSensitive") in ("1", "true"):
            state.sort_problem = "a case-sensitive sort"
        elif sort.get("sortMethod") not in (None, "none"):
            state.sort_problem = f"a sort by {sort.get('sortMethod')}"
        for cond in sort:
            if _local(cond) != "sortCondition":
                continue
            if cond.get("sortBy") not in (None, "value") or cond.get("customList"):
                state.sort_problem = ("a sort by colour or icon" if cond.get("sortBy")
                                      else "a sort by a custom list")
                continue
            try:
                col = CellRange.parse(cond.get("ref") or "").c1
            except ValueError:
                state.sort_problem = "a sort xlpmo cannot read"
                continue
            if not 0 <= col - table.ref.c1 < table.ref.cols:
                state.sort_problem = "a sort by a column outside the table"
                continue
            state.sort.append(SortKey(col - table.ref.c1,
                                      cond.get("descending") in ("1", "true")))
    if state.sort_problem is not None:
        state.sort = []
    return state


def clear_filter(table: TablePart) -> None:
    """Remove every column's criteria (the filter buttons stay)."""
    for fc in _filter_columns(table):
        fc.getparent().remove(fc)
        table.dirty = True


def clear_sort(table: TablePart) -> None:
    """Remove the table's sort state."""
    for sort in list(table.root.iter(qn(table.ns, "sortState"))):
        sort.getparent().remove(sort)
        table.dirty = True
