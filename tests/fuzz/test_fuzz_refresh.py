"""Fuzzing the whole refresh with hostile contract workbooks (Hypothesis).

Workbooks are built with XlsxWriter in tmp: tblConfig, tblProjects, tblPlan (long or wide),
tblActuals and tblProgress, as Excel Tables or as plain sheets named like the tables
(where headers may be duplicated or blank and rows merged). Their cells hold what real
workbooks hold when people type, paste and import: text in number columns, numbers and
dates as text, date serials, blanks, error values, formulas (with cached results, as Excel
saves them), 1e308 and 5e-324, ``nan``/``inf`` text, right-to-left text, emoji, control
characters next to NUL, 32,767-character strings, booleans.

What must hold for every workbook:

- ``refresh_file`` raises nothing but :class:`XlpmoError` (and when it does, the file is
  unchanged and nothing is left beside it);
- every finding names a cell (``Sheet!A1``) or, for a whole-table problem, the table; every
  hostile cell that cannot be read is a finding naming exactly that cell;
- **consistency**: the output rows of the good projects equal those of the same workbook
  without the bad rows;
- the written file reads back: its output tables hold what the refresh computed, and
  tblChecks holds every finding.

A few workbooks go through the command line (``xlpmo.cli.main``) as a user runs it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xlsxwriter
from helpers.readback import check_read_back
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlpmo.app.pipeline import RefreshResult, refresh_file, validate_file
from xlpmo.cli import main
from xlpmo.contract import tables
from xlpmo.errors import XLError, XlpmoError
from xlpmo.io.a1 import address
from xlpmo.io.reader import read_workbook

STATUS = dt.datetime(2026, 6, 30)
MONTHS = [dt.datetime(2026, m, 1) for m in range(1, 13)]
GOOD = "Good"

# -- cells ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    """A formula cell as Excel saves it: the formula and its cached result."""

    text: str
    cached: Any = 0


@dataclass(frozen=True)
class Hostile:
    """A hostile cell value and what reading it in a number column must give.

    ``number``: ``"error"`` (an Error finding naming the cell), ``"warning"`` (read, with a
    Warning naming the cell), ``"ok"`` (read silently), ``None`` (no promise).
    """

    value: Any
    number: str | None = None


LONG_TEXT = "x" * 32_767
CONTROL = "a\x01b\x00c\x1f\x7f"
FORMULA_TEXTS = (
    "=cmd|' /C calc'!A0", "=HYPERLINK(\"http://example.invalid\",\"x\")",
    "=WEBSERVICE(\"http://127.0.0.1/\")", "=1/0", "=SUM(A1:A2)", "=INDIRECT(\"A1\")",
)

HOSTILE: tuple[Hostile, ...] = (
    Hostile("abc", "error"), Hostile("N/A", "error"), Hostile("TBD", "error"),
    Hostile("-", "error"), Hostile("1.234,50", "error"), Hostile("12%", "error"),
    Hostile("nan", "error"), Hostile("NaN", "error"), Hostile("inf", "error"),
    Hostile("-Infinity", "error"), Hostile("1e999", "error"), Hostile("Infinity", "error"),
    Hostile("1,234.50", "warning"), Hostile("$1,200", "warning"), Hostile("(300)", "warning"),
    Hostile(" 12 ", "warning"), Hostile("1e308", "warning"),
    Hostile(1e308, "ok"), Hostile(-1e308, "ok"), Hostile(1.7976931348623157e308, None),
    Hostile(5e-324, "ok"), Hostile(-0.0, "ok"), Hostile(0.1, "ok"), Hostile(46000, "ok"),
    Hostile(None, "ok"), Hostile("   ", "ok"), Hostile("", "ok"),
    Hostile(True, "error"), Hostile(False, "error"),
    Hostile(dt.datetime(2026, 3, 15), "error"), Hostile("2026-03-15", "error"),
    Hostile("15/03/2026", "error"), Hostile("Jan-2026", "error"),
    Hostile(Formula("=NA()", "#N/A"), "error"), Hostile(Formula("=1/0", "#DIV/0!"), "error"),
    Hostile(Formula("=A1", "#REF!"), "error"), Hostile(Formula("=X", "#NAME?"), "error"),
    Hostile(Formula("=SEQUENCE(3)", "#SPILL!"), "error"),
    *(Hostile(Formula(t, 7.0), "ok") for t in FORMULA_TEXTS),
    Hostile(Formula("=\"abc\"", "abc"), "error"),
    Hostile("#N/A", "error"), Hostile("#DIV/0!", "error"),
    *(Hostile(t, "error") for t in FORMULA_TEXTS),
    Hostile("+1", "warning"), Hostile("@SUM(1)", "error"), Hostile("\t=1+1", "error"),
    Hostile("\r-2", "warning"),
    Hostile("مشروع", "error"), Hostile("\u202eevil.exe", "error"), Hostile("🚀📈", "error"),
    Hostile("e\u0301", "error"), Hostile(CONTROL, "error"), Hostile("\x00", "error"),
    Hostile(LONG_TEXT, "error"), Hostile("_x0041_", "error"), Hostile("<b>&amp;</b>", "error"),
)
HOSTILE_TEXT = tuple(h for h in HOSTILE if isinstance(h.value, str) and h.value.strip())

hostile = st.sampled_from(HOSTILE)
hostile_value = hostile.map(lambda h: h.value)
not_a_number = st.sampled_from([h for h in HOSTILE if h.number == "error" or h.value is None])


# -- workbooks --------------------------------------------------------------------------------


@dataclass
class Table:
    """One input table: header and rows; ``merges`` are (row, col, row2, col2) in ``rows``."""

    name: str
    header: list[Any]
    rows: list[list[Any]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    bad: set[int] = field(default_factory=set)  # indices of bad rows

    @property
    def sheet(self) -> str:
        return tables.spec(self.name).sheet

    def cell(self, i: int, j: int) -> str:
        """Address of data value rows[i][j] (header in row 1, column A first)."""
        return address(self.sheet, i + 2, j + 1)

    def without_bad(self) -> Table:
        keep = [r for i, r in enumerate(self.rows) if i not in self.bad]
        return Table(self.name, list(self.header), keep)


@dataclass
class Book:
    tables: list[Table]
    listobjects: bool = True

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)

    def without_bad(self) -> Book:
        return Book([t.without_bad() for t in self.tables], self.listobjects)


def _write_cell(ws: Any, r: int, c: int, value: Any, fmt: dict[str, Any]) -> None:
    if isinstance(value, Formula):
        ws.write_formula(r, c, value.text, None, value.cached)
    elif value is None:
        return
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(r, c, value, fmt["date"])
    else:
        ws.write_string(r, c, str(value))


def write_book(path: Path, book: Book) -> Path:
    """Write ``book`` with XlsxWriter: Excel Tables named like the contract, or plain sheets
    (headers in row 1) when ``book.listobjects`` is False."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False,
                                          "strings_to_formulas": False,
                                          "strings_to_urls": False})
    fmt = {"date": wb.add_format({"num_format": "yyyy-mm-dd"})}
    for t in book.tables:
        ws = wb.add_worksheet(t.sheet)
        width = len(t.header)
        for j, h in enumerate(t.header):
            if isinstance(h, dt.datetime) and not book.listobjects:
                ws.write_datetime(0, j, h, fmt["date"])
            elif h not in (None, ""):
                ws.write_string(0, j, str(h))
        for i, row in enumerate(t.rows):
            for j, v in enumerate(row):
                _write_cell(ws, i + 1, j, v, fmt)
        if book.listobjects:
            names = [h.strftime("%Y-%m") if isinstance(h, dt.datetime) else str(h)
                     for h in t.header]
            ws.add_table(0, 0, max(len(t.rows), 1), width - 1,
                         {"name": t.name, "columns": [{"header": h} for h in names],
                          "autofilter": True})
        for r1, c1, r2, c2 in t.merges:
            ws.merge_range(r1 + 1, c1, r2 + 1, c2, None)
            _write_cell(ws, r1 + 1, c1, t.rows[r1][c1], fmt)
    wb.close()
    return path


# -- strategies -------------------------------------------------------------------------------

money = st.one_of(
    st.integers(-500, 5000).map(lambda x: x * 10.0),
    st.just(0.0),
)


def config_table() -> Table:
    return Table("tblConfig", ["Setting", "Value"],
                 [["StatusDate", STATUS], ["Currency", "EUR"], ["EACMethod", "CPI"]])


@st.composite
def good_part(draw: st.DrawFn, wide: bool, percent: bool) -> dict[str, list[list[Any]]]:
    """Rows of the good projects G1..Gn (portfolio ``Good``), as clean as a template's;
    PercentComplete as fractions, or as percentages 0–100 when ``percent``."""
    n = draw(st.integers(1, 3))
    ids = [f"G{i}" for i in range(1, n + 1)]
    out: dict[str, list[list[Any]]] = {"projects": [], "plan": [], "actuals": [],
                                       "progress": []}
    for pid in ids:
        bac = draw(st.one_of(st.none(), money.filter(lambda x: x > 0)))
        out["projects"].append([pid, f"Project {pid}", GOOD, bac])
        plan = [draw(money) for _ in MONTHS]
        actual = [draw(money) if m <= STATUS else None for m in MONTHS]
        if wide:
            out["plan"].append([pid, "Labour", *plan])
            out["actuals"].append([pid, "Labour", *actual])
        else:
            out["plan"] += [[pid, m, "Labour", x] for m, x in zip(MONTHS, plan, strict=True)]
            out["actuals"] += [[pid, m, "Labour", x] for m, x in zip(MONTHS, actual, strict=True)
                               if x is not None]
        pc = draw(st.one_of(st.none(), st.integers(0, 100).map(lambda x: x / 100)))
        if pc is not None and percent:
            pc = draw(st.integers(2, 100))  # 0–100 form: the column is read as percentages
        if pc is not None:
            out["progress"].append([pid, dt.datetime(2026, 6, 1), pc, None])
    return out


bad_id = st.one_of(
    st.sampled_from(HOSTILE_TEXT).map(lambda h: h.value),
    st.text(min_size=1, max_size=12).filter(lambda s: s.strip() != ""),
    st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
    st.just(1e308), st.just(dt.datetime(2026, 1, 1)), st.booleans(),
    st.sampled_from([None, "", "  "]),
    st.sampled_from([Formula("=NA()", "#N/A"), Formula("=\"B1\"", "B1")]),
).filter(lambda v: not re.fullmatch(r"\s*G\d+\s*", str(v)))


@st.composite
def bad_part(draw: st.DrawFn, wide: bool, percent: bool
             ) -> tuple[dict[str, list[list[Any]]], list[tuple]]:
    """Rows of bad projects (IDs never those of good ones), full of hostile cells; and the
    hostile cells that a number column must report: (table, row, col, expectation).

    When the good rows hold PercentComplete as fractions, a bad row must not hold a number
    over 1 there: the contract reads the whole column as 0–100 then (workbook.md), which
    rightly changes the good rows too. Likewise, when they hold percentages 0–100, a bad
    row must not hold a plain number in (0, 1] (``5e-324``, ``+1``): the column is then not
    evidently 0–100, so it is read as fractions and the good rows' 2 is 200 % (an Error).
    """
    n = draw(st.integers(1, 4))
    ids = [draw(bad_id) for _ in range(n)]
    if n > 1 and draw(st.booleans()):
        ids.append(ids[0])  # a duplicated ID
    out: dict[str, list[list[Any]]] = {"projects": [], "plan": [], "actuals": [],
                                       "progress": []}
    probes: list[tuple] = []
    for pid in ids:
        bac = draw(hostile)
        portfolio = draw(st.one_of(hostile_value, st.just("Bad")).filter(
            lambda v: str(v).strip() != GOOD))
        out["projects"].append([pid, draw(hostile_value), portfolio, bac.value])
        probes.append(("projects", len(out["projects"]) - 1, 3, bac))
        for key in ("plan", "actuals"):
            if wide:
                cells = [draw(hostile) for _ in MONTHS]
                out[key].append([pid, draw(hostile_value), *(h.value for h in cells)])
                probes += [(key, len(out[key]) - 1, 2 + j, h) for j, h in enumerate(cells)]
            else:
                for _ in range(draw(st.integers(0, 3))):
                    amount = draw(hostile)
                    period = draw(st.one_of(st.sampled_from(MONTHS), hostile_value))
                    out[key].append([pid, period, draw(hostile_value), amount.value])
                    probes.append((key, len(out[key]) - 1, 3, amount))
        if draw(st.booleans()):
            pc, earned = draw(hostile.filter(lambda h: not _a_fraction(h.value)) if percent
                              else not_a_number), draw(hostile)
            out["progress"].append([pid, draw(st.one_of(st.sampled_from(MONTHS),
                                                         hostile_value)), pc.value, earned.value])
            probes += [("progress", len(out["progress"]) - 1, 2, pc),
                       ("progress", len(out["progress"]) - 1, 3, earned)]
    return out, probes


HEADERS = {
    "projects": ["ProjectID", "ProjectName", "Portfolio", "BAC"],
    "plan": ["ProjectID", "Period", "CostType", "Planned"],
    "actuals": ["ProjectID", "Period", "CostType", "Actual"],
    "progress": ["ProjectID", "Period", "PercentComplete", "Earned"],
}
NAMES = {"projects": "tblProjects", "plan": "tblPlan", "actuals": "tblActuals",
         "progress": "tblProgress"}


@st.composite
def books(draw: st.DrawFn) -> tuple[Book, list[tuple]]:
    """A contract workbook of good and bad projects, bad rows shuffled in; and the probes
    (hostile number cells) as (table name, row index, column index, Hostile)."""
    wide, listobjects, percent = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
    good = draw(good_part(wide, percent))
    bad, probes = draw(bad_part(wide, percent))
    out = [config_table()]
    where: dict[tuple[str, int], int] = {}
    for key, name in NAMES.items():
        header: list[Any] = list(HEADERS[key])
        if wide and key in ("plan", "actuals"):
            header = ["ProjectID", "CostType", *MONTHS]
        rows = [("g", r) for r in good[key]] + [("b", i) for i in range(len(bad[key]))]
        order = draw(st.permutations(range(len(rows))))
        table = Table(name, header, [])
        for pos, k in enumerate(order):
            kind, item = rows[k]
            if kind == "g":
                table.rows.append(list(item))
            else:
                table.rows.append(list(bad[key][item]))
                table.bad.add(pos)
                where[(key, item)] = pos
        if not listobjects:
            _sheet_hostility(draw, table)
        out.append(table)
    placed = [(NAMES[key], where[(key, i)], j, h) for key, i, j, h in probes]
    return Book(out, listobjects), placed


def _sheet_hostility(draw: st.DrawFn, table: Table) -> None:
    """What only a plain sheet can hold: a duplicated or blank header right of the contract
    columns (the first wins; a blank ends the header), and merged cells in bad rows."""
    extra = draw(st.sampled_from(["", "dup", "blank", "both"]))
    if extra in ("dup", "both"):
        table.header.append(table.header[0])
        for i, r in enumerate(table.rows):
            r.append("G1" if i in table.bad else "not me")
    if extra in ("blank", "both"):
        table.header += [None, "Planned"]
        for r in table.rows:
            r += ["junk", 1e308]
    bad = sorted(table.bad)
    if bad and draw(st.booleans()):
        i = draw(st.sampled_from(bad))
        table.merges.append((i, 0, i, 1))  # ProjectID and the next cell merged
    if len(bad) > 1 and draw(st.booleans()):
        i = draw(st.sampled_from(bad))
        if i + 1 in table.bad:
            table.merges.append((i, 2, i + 1, 2))  # a cell merged down over the next row


# -- running and checking ---------------------------------------------------------------------

_RE_CELL = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_.]*|'(?:[^']|'')+')!\$?[A-Z]{1,3}\$?[0-9]+$")


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def refresh_checked(path: Path) -> RefreshResult | str:
    """refresh_file that may only raise XlpmoError, and then changes nothing: the result,
    or the message of the refusal."""
    before = listing(path.parent)
    try:
        return refresh_file(path, backup=False, refreshed_by="fuzz")
    except XlpmoError as exc:
        assert str(exc).strip()
        assert listing(path.parent) == before, "a refused refresh changed the folder"
        return str(exc)


def check_findings(result: RefreshResult) -> None:
    for f in result.findings:
        assert f.cell, f
        assert _RE_CELL.match(f.cell) or f.cell in tables.ALL, f"not a cell or table: {f}"
        assert f.message.strip()


def check_probes(book: Book, result: RefreshResult, probes: list[tuple]) -> None:
    """Each hostile number cell whose row is read gets the finding the contract promises."""
    by_cell: dict[str, set[str]] = {}
    for f in result.findings:
        by_cell.setdefault(f.cell, set()).add(f.severity)
    for name, i, j, h in probes:
        t = book.table(name)
        if not book.listobjects and any(r1 <= i <= r2 and c1 <= j <= c2 and (i, j) != (r1, c1)
                                        for r1, c1, r2, c2 in t.merges):
            continue  # merged away: blank
        pid = t.rows[i][0]
        if not _readable_id(pid):
            continue  # the row is dropped for its ID (a finding names that cell instead)
        cell = t.cell(i, j)
        found = by_cell.get(cell, set())
        expect = h.number
        if name == "tblProgress" and j == 2 and str(h.value).strip().endswith("%"):
            expect = "warning"  # a percentage is what a fraction column takes
        elif name == "tblProjects" and j == 3 and expect in ("ok", "warning"):
            x = _as_number(h.value)  # a negative budget is an Error (#VALUE! in tblEVM)
            if x is not None and x < 0:
                expect = "error"
        elif name == "tblProgress" and j == 2 and expect in ("ok", "warning"):
            x = _as_number(h.value)  # v2: PercentComplete below 0 or above 100 fits no scale
            if x is not None and (x < 0 or x > 100):
                expect = "error"
            elif x is not None and x > 1:
                expect = None  # 2 is 2 % or 200 %: the column's other cells decide
        if expect == "error":
            assert "Error" in found, f"{h.value!r} in {cell}: no Error ({found})"
        elif expect == "warning":
            assert found & {"Warning", "Error"}, f"{h.value!r} in {cell}: not reported"
        elif expect == "ok":
            assert "Error" not in found, f"{h.value!r} in {cell}: {found}"


def _as_number(value: Any) -> float | None:
    """A probe's number as a person reads it (``(300)`` is -300, ``$1,200`` is 1200)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    text = value.strip().replace(",", "").replace("$", "")
    sign = -1.0 if text.startswith("(") and text.endswith(")") else 1.0
    try:
        return sign * float(text.strip("()"))
    except ValueError:
        return None


def _a_fraction(value: Any) -> bool:
    """A plain number in (0, 1]: it says a PercentComplete column holds fractions."""
    x = _as_number(value)
    return x is not None and 0 < x <= 1 and not str(value).strip().endswith("%")


def _readable_id(value: Any) -> bool:
    if isinstance(value, Formula):
        value = value.cached
        if isinstance(value, str) and XLError.parse(value):
            return False
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, str):
        return bool(value.strip()) and XLError.parse(value) is None
    return True


def good_rows(result: RefreshResult) -> dict[str, pd.DataFrame]:
    """The output rows of the good projects (and the Good portfolio), index reset."""
    out = {}
    for name in ("tblEVM", "tblVariance", "tblForecastOut"):
        df = result.outputs[name]
        keep = df["ProjectID"].map(lambda v: bool(re.fullmatch(r"G\d+", str(v))))
        out[name] = df[keep.to_numpy(dtype=bool)].reset_index(drop=True)
    pf = result.outputs["tblPortfolio"]
    out["tblPortfolio"] = pf[(pf["Portfolio"] == GOOD).to_numpy(dtype=bool)].reset_index(
        drop=True)
    return out




FUZZ = settings(
    max_examples=max(6, settings.default.max_examples // 2),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(case=books())
def test_refresh_of_hostile_workbooks(tmp_path_factory: pytest.TempPathFactory,
                                      case: tuple[Book, list[tuple]]) -> None:
    book, probes = case
    folder = tmp_path_factory.mktemp("fuzz")
    path = write_book(folder / "Hostile.xlsx", book)
    clean = write_book(folder / "Clean.xlsx", book.without_bad())
    result = refresh_checked(path)
    assert not isinstance(result, str), f"the required tables are there, yet: {result[:500]}"
    check_findings(result)
    check_probes(book, result, probes)
    check_read_back(path, result)
    expected = refresh_checked(clean)
    assert not isinstance(expected, str), expected
    got, want = good_rows(result), good_rows(expected)
    for name in want:
        pd.testing.assert_frame_equal(got[name], want[name], check_dtype=False, obj=name)
    leftovers = sorted(p.name for p in folder.iterdir())
    assert leftovers == ["Clean.xlsx", "Hostile.xlsx"], leftovers


# -- chaos: every table, header and setting may be hostile ------------------------------------

PLAUSIBLE = {
    "id": st.sampled_from(["G1", "G2", "R1", "R2", " G1 ", "g1", 101, 101.0]),
    "text": st.sampled_from(["Alpha", "Labour", "DE", "GB", "", None, "Active"]),
    "money": st.one_of(money, st.sampled_from(["1,200.50", "(300)", "$40"])),
    "hours": st.sampled_from([0.0, 7.5, 8, 40, 37.5, -1.0, 25.0, 160.0]),
    "number": st.sampled_from([0.0, 0.5, 1, 1.0, 2.0]),
    "fraction": st.sampled_from([0.0, 0.3, 1.0, 45, "45%", 150]),
    "date": st.sampled_from([*MONTHS, dt.datetime(2026, 6, 30), "2026-05-04", 46100,
                             dt.datetime(1900, 1, 1), dt.datetime(9999, 12, 31)]),
    "period": st.sampled_from([*MONTHS, "2026-03", "Mar-26", 46100, "2200-01",
                               dt.datetime(1700, 1, 1)]),
    "bool": st.sampled_from([True, False, "yes", "n", 1, 0, None]),
}
SETTING_VALUES = st.one_of(
    hostile_value,
    st.sampled_from([STATUS, "2026-06-30", 46203, "9999-12-31", "1677-01-01", "2262-04-30",
                     "Mon-Fri", "Sun-Thu", "0000011", "1111111", "WEIGHTED", "COMPOSITE",
                     "BOTTOMUP", "SPI", "nan", "inf", "-1", "200%", 0, 25, 1e308]),
)


def cell_values(kind: str) -> st.SearchStrategy[Any]:
    return st.one_of(PLAUSIBLE.get(kind, PLAUSIBLE["text"]), hostile_value)


@st.composite
def chaos_header(draw: st.DrawFn, spec: tables.TableSpec, listobjects: bool) -> list[Any]:
    names: list[Any] = list(spec.column_names)
    if spec.amount and draw(st.booleans()):  # wide layout
        names = ["ProjectID", "CostType", *draw(st.lists(
            st.one_of(st.sampled_from(MONTHS), st.sampled_from(
                ["2026-01", "Feb-26", "March 2026", "46113", "13/2026", "Total", "2026-13"])),
            min_size=1, max_size=8))]
    names = draw(st.permutations(names))
    if draw(st.integers(0, 4)) == 0:
        del names[draw(st.integers(0, len(names) - 1))]  # a missing column
    mutate = st.sampled_from(["keep", "case", "spaces", "junk", "dup", "blank"])
    out: list[Any] = []
    for n in names:
        how = draw(mutate)
        if how == "case":
            out.append(str(n).upper() if not isinstance(n, dt.datetime) else n)
        elif how == "spaces":
            out.append(f"  {n} " if not isinstance(n, dt.datetime) else n)
        elif how == "junk":
            out += [n, draw(st.sampled_from([h.value for h in HOSTILE_TEXT]))]
        elif how == "dup" and not listobjects:
            out += [n, n]
        elif how == "blank" and not listobjects:
            out += [n, None]
        else:
            out.append(n)
    if listobjects:  # an Excel Table's column names are unique, non-blank text
        seen: set[str] = set()
        unique = []
        for n in out:
            text = n.strftime("%Y-%m") if isinstance(n, dt.datetime) else str(n)
            text = "".join(ch for ch in text if ch >= " ").strip() or "Column"
            while text.casefold() in seen:
                text += "2"
            seen.add(text.casefold())
            unique.append(text[:255])
        out = unique
    return out or ["ProjectID"]


def _kind_of(spec: tables.TableSpec, header: Any) -> str:
    try:
        return spec.column(str(header).strip()).kind
    except KeyError:
        return "money" if spec.amount else "text"


@st.composite
def chaos_books(draw: st.DrawFn) -> Book:
    listobjects = draw(st.booleans())
    config = Table("tblConfig", ["Setting", "Value"], [
        [name, draw(SETTING_VALUES)] for name in draw(st.lists(st.sampled_from(
            ["StatusDate", "HoursPerDay", "Workweek", "EACMethod", "EACWeight",
             "ScheduleIndex", "CPIAmber", "CPIRed", "SPIAmber", "VarianceRed",
             "UtilisationTarget", "Currency", "LastRefreshed", None, "🚀"]),
            max_size=8))])
    if draw(st.integers(0, 5)) != 0:
        config.rows.insert(0, ["StatusDate", STATUS])
    out = [config]
    names = ["tblProjects", "tblPlan", *draw(st.lists(st.sampled_from(
        ["tblActuals", "tblProgress", "tblForecast", "tblResources", "tblHolidays", "tblLeave",
         "tblAllocations", "tblTimesheets", "tblMilestones"]), unique=True, max_size=5))]
    for name in names:
        spec = tables.spec(name)
        header = draw(chaos_header(spec, listobjects))
        n_rows = draw(st.integers(0, 6))
        rows = [[draw(cell_values(_kind_of(spec, h))) for h in header] for _ in range(n_rows)]
        out.append(Table(name, header, rows))
    return Book(out, listobjects)


@FUZZ
@given(book=chaos_books())
def test_refresh_never_crashes_on_chaos(tmp_path_factory: pytest.TempPathFactory,
                                        book: Book) -> None:
    folder = tmp_path_factory.mktemp("chaos")
    path = write_book(folder / "Chaos.xlsx", book)
    result = refresh_checked(path)
    if isinstance(result, str):  # v2: a required table missing, or no StatusDate to use
        assert "required table" in result or (
            "StatusDate" in result and "cannot be read" in result), result
        return
    check_findings(result)
    check_read_back(path, result)
    assert sorted(p.name for p in folder.iterdir()) == ["Chaos.xlsx"]


# -- every hostile value at once, through the command line ------------------------------------


def catalogue_book(listobjects: bool) -> tuple[Book, list[tuple]]:
    """Good projects G1, G2 and bad projects whose wide plan and actual months, BAC and
    progress hold every hostile value of the catalogue once."""
    values = list(HOSTILE)
    projects = [["G1", "Project G1", GOOD, 1200.0], ["G2", "Project G2", GOOD, None]]
    plan = [["G1", "Labour", *([100.0] * 12)], ["G2", "Labour", *([50.0] * 12)]]
    actuals = [["G1", "Labour", *([110.0] * 6), *([None] * 6)],
               ["G2", "Labour", *([40.0] * 6), *([None] * 6)]]
    progress = [["G1", dt.datetime(2026, 6, 1), 0.5, None], ["G2", dt.datetime(2026, 6, 1),
                                                              None, 300.0]]
    probes: list[tuple] = []
    bad_rows = {"tblPlan": plan, "tblActuals": actuals}
    for k in range(0, len(values), 12):
        chunk = values[k:k + 12]
        pid = f"B{k // 12}"
        for name, rows in bad_rows.items():
            rows.append([pid, "Odd", *(h.value for h in chunk), *([None] * (12 - len(chunk)))])
            probes += [(name, len(rows) - 1, 2 + j, h) for j, h in enumerate(chunk)]
        bac = chunk[0]
        projects.append([pid, chunk[-1].value, "Bad", bac.value])
        probes.append(("tblProjects", len(projects) - 1, 3, bac))
        earned = chunk[1]
        progress.append([pid, dt.datetime(2026, 6, 1), None, earned.value])
        probes.append(("tblProgress", len(progress) - 1, 3, earned))
    wide = ["ProjectID", "CostType", *MONTHS]
    book = Book([
        config_table(), Table("tblProjects", HEADERS["projects"], projects, bad={2, 3, 4, 5, 6, 7}),
        Table("tblPlan", wide, plan), Table("tblActuals", list(wide), actuals),
        Table("tblProgress", HEADERS["progress"], progress),
    ], listobjects)
    for t in book.tables[1:]:
        t.bad = {i for i, r in enumerate(t.rows) if str(r[0]).startswith("B")}
    return book, probes


@pytest.mark.parametrize("listobjects", [True, False], ids=["tables", "sheets"])
def test_every_hostile_value_through_the_command_line(
        tmp_path: Path, listobjects: bool, capsys: pytest.CaptureFixture[str]) -> None:
    book, probes = catalogue_book(listobjects)
    path = write_book(tmp_path / "Catalogue.xlsx", book)
    clean = write_book(tmp_path / "Clean.xlsx", book.without_bad())
    assert main(["validate", str(path), "--quiet"]) == 1  # Errors found: exit 1
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err and "unexpected" not in out.err
    # written, with the findings in tblChecks, but exit 1: values were left out of the figures
    assert main(["refresh", str(path), "--quiet", "--no-backup"]) == 1
    out = capsys.readouterr()
    assert "refreshed" in out.out and "exit 1:" in out.out and not out.err
    assert len(out.out) < 20_000, "32,767-character cells are not echoed whole"
    # the same checks as the fuzzed workbooks, on the file the command wrote
    result = refresh_file(path, backup=False, refreshed_by="fuzz")
    check_findings(result)
    check_probes(book, result, probes)
    check_read_back(path, result)
    expected = refresh_file(clean, backup=False)
    got, want = good_rows(result), good_rows(expected)
    for name in want:
        assert len(want[name]), name
        pd.testing.assert_frame_equal(got[name], want[name], check_dtype=False, obj=name)


# -- missing columns and tables ---------------------------------------------------------------


def test_missing_required_column_is_one_finding_and_stops_refresh(tmp_path: Path) -> None:
    """workbook.md v2: a required table present but unusable is treated like a missing one:
    the refresh stops (exit 2) and the file is not touched; validate names the header."""
    book, _ = catalogue_book(True)
    plan = book.table("tblPlan")
    plan.header[0] = "Project"  # ProjectID missing: the table cannot be read
    path = write_book(tmp_path / "NoID.xlsx", book)
    before = listing(tmp_path)
    message = refresh_checked(path)
    assert isinstance(message, str) and "tblPlan" in message and "ProjectID" in message
    assert listing(tmp_path) == before
    errors = [f for f in validate_file(path).findings
              if f.table == "tblPlan" and f.severity == "Error"]
    assert [(f.cell, f.message) for f in errors] == [(
        "Plan!A1", "tblPlan has no ProjectID column (is 'Project' meant to be ProjectID?); "
        "the table is not read")]


def test_missing_required_table_refuses_and_writes_nothing(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    book, _ = catalogue_book(True)
    book.tables = [t for t in book.tables if t.name != "tblProjects"]
    path = write_book(tmp_path / "NoProjects.xlsx", book)
    before = listing(tmp_path)
    message = refresh_checked(path)
    assert isinstance(message, str) and "tblProjects" in message and "not changed" in message
    assert main(["refresh", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "tblProjects" in err and "Traceback" not in err
    assert listing(tmp_path) == before


# -- a wide layout thousands of columns wide ---------------------------------------------------


def test_thousands_of_month_columns(tmp_path: Path) -> None:
    """A wide tblPlan over 250 years (3,000 month columns) next to 500 columns of junk."""
    months = [dt.datetime(1900 + m // 12, m % 12 + 1, 1) for m in range(3000)]
    junk = [f"Note {j}" for j in range(500)]
    header = ["ProjectID", "CostType", *months, *junk]
    rows = []
    for p in range(12):
        amounts = [float((p + 1) * (m % 7)) if p * 200 <= m < p * 200 + 400 else None
                   for m in range(3000)]
        rows.append([f"G{p + 1}", "Labour", *amounts, *(["x"] * 500)])
    projects = [[f"G{p + 1}", f"Project {p + 1}", GOOD, None] for p in range(12)]
    book = Book([config_table(), Table("tblProjects", HEADERS["projects"], projects),
                 Table("tblPlan", header, rows)])
    path = write_book(tmp_path / "Wide.xlsx", book)
    result = refresh_file(path, backup=False)
    check_findings(result)
    info = [f.message for f in result.findings if f.table == "tblPlan"]
    assert any("3,000 months" in m or "3000 months" in m for m in info), info
    evm = result.outputs["tblEVM"].set_index("ProjectID")
    for p in range(12):
        planned = sum((p + 1) * (m % 7) for m in range(p * 200, p * 200 + 400))
        assert evm.loc[f"G{p + 1}", "BAC"] == pytest.approx(planned)
    check_read_back(path, result)


# -- what the fuzzing found, pinned down -------------------------------------------------------


def small_book(listobjects: bool = True, **replace: Table) -> Book:
    plan = Table("tblPlan", HEADERS["plan"], [["P1", m, "Labour", 100.0] for m in MONTHS])
    tables_ = {"tblConfig": config_table(),
               "tblProjects": Table("tblProjects", HEADERS["projects"],
                                    [["P1", "Alpha", GOOD, None]]),
               "tblPlan": plan}
    tables_.update(replace)
    return Book(list(tables_.values()), listobjects)


def test_duplicated_project_ids_are_findings_not_a_failed_refresh(tmp_path: Path) -> None:
    projects = Table("tblProjects", HEADERS["projects"],
                     [["P1", "Alpha", GOOD, 1000.0], ["P1", "Alpha again", GOOD, 5.0]])
    path = write_book(tmp_path / "Dup.xlsx", small_book(tblProjects=projects))
    result = refresh_file(path, backup=False)
    dup = [f for f in result.findings if "duplicate ProjectID" in f.message]
    assert [(f.severity, f.cell) for f in dup] == [("Error", "Projects!A3")]
    evm = result.outputs["tblEVM"]
    assert evm["ProjectID"].tolist() == ["P1"] and evm["BAC"].tolist() == [1000.0]
    check_read_back(path, result)


def test_dates_after_2192_are_written(tmp_path: Path) -> None:
    """Nanosecond Timestamps after 2192 overflowed the serial-date arithmetic."""
    plan = Table("tblPlan", HEADERS["plan"], [["P1", dt.datetime(2250, 1, 1), "L", 100.0],
                                              ["P1", dt.datetime(2026, 1, 1), "L", 100.0]])
    path = write_book(tmp_path / "Far.xlsx", small_book(tblPlan=plan))
    result = refresh_file(path, backup=False)
    computed = [p for p in result.outputs["tblForecastOut"]["Period"] if p.year > 2192]
    assert computed, "the forecast runs to the plan's last period"
    written = [r[1] for r in read_workbook(path).tables["tblForecastOut"].rows]
    assert [p.to_pydatetime() for p in computed] == [d for d in written if d.year > 2192]
    check_read_back(path, result)


def test_month_headers_beyond_the_calendar_are_not_months(tmp_path: Path) -> None:
    header = ["ProjectID", "CostType", "2026-01", "3162-07", "461132", "2026-02"]
    plan = Table("tblPlan", header, [["P1", "L", 100.0, 5.0, 7.0, 50.0]])
    path = write_book(tmp_path / "Headers.xlsx", small_book(tblPlan=plan))
    result = refresh_file(path, backup=False)
    assert any("wide layout, 2 months" in f.message for f in result.findings)
    assert result.outputs["tblEVM"]["BAC"].tolist() == [150.0]


def test_the_readers_own_findings_reach_tblchecks(tmp_path: Path) -> None:
    actuals = Table("tblActuals", ["Project", "Period", "Actual"], [["P1", MONTHS[0], 5.0]])
    path = write_book(tmp_path / "Sheets.xlsx", small_book(False, tblActuals=actuals))
    result = refresh_file(path, backup=False)
    notes = [f for f in result.findings if f.cell == "Actuals!A1"]
    assert notes and "not read as tblActuals" in notes[0].message
    assert "Actuals!A1" in [r[2] for r in read_workbook(path).tables["tblChecks"].rows]


def test_a_plain_config_sheet_keeps_its_settings(tmp_path: Path) -> None:
    """The refresh stamps used to go into a new tblConfig table below the plain Config
    sheet, which hid StatusDate and every setting from the next refresh."""
    path = write_book(tmp_path / "Plain.xlsx", small_book(False))
    first = refresh_file(path, backup=False)
    second = refresh_file(path, backup=False)
    for result in (first, second):
        assert result.inputs.settings.StatusDate == pd.Timestamp(STATUS)
        assert any(f.severity == "Info" and "LastRefreshed" in f.message
                   for f in result.findings)
    assert read_workbook(path).tables["tblConfig"].ref.startswith("A1:")


def test_long_cells_are_quoted_short(tmp_path: Path) -> None:
    """A 32,767-character cell quoted in a finding made tblChecks unwritable."""
    projects = Table("tblProjects", HEADERS["projects"],
                     [["P1", "Alpha", GOOD, LONG_TEXT], [LONG_TEXT, "x", "Bad", None],
                      [LONG_TEXT, "y", "Bad", None]])
    path = write_book(tmp_path / "Long.xlsx", small_book(tblProjects=projects))
    result = refresh_file(path, backup=False)
    assert all(len(f.message) <= 1000 for f in result.findings)
    assert any(f.cell == "Projects!D2" and f.severity == "Error" for f in result.findings)
    assert LONG_TEXT in result.outputs["tblEVM"]["ProjectID"].tolist()
    check_read_back(path, result)
