"""What the reader learns from the package XML besides calamine's cell values.

- **Error cells** (:func:`error_cells`): calamine reads them as blanks; the reader puts
  them back as :class:`~xlpmo.errors.XLError`.

- **Percent-formatted cells** (:func:`percent_styles`, :func:`percent_cells`): the cell
  styles (``cellXfs``) whose number format shows a percentage (built-in 9 and 10, or a
  custom code with ``%``), and the cells of a sheet that carry one. Coercion reads such a
  cell as a fraction whatever the other cells of its column hold
  (shared/spec/workbook.md v2, "Reading values").
- **Formula cells without a saved value** (:func:`uncalculated_cells`): a formula whose
  ``<v>`` is missing or empty (openpyxl writes formulas so, and drops every cached value of
  a file it loads and saves). A program that does not calculate may also store a
  placeholder: XlsxWriter writes ``<v>0</v>`` under every formula; its files carry the
  ``fileVersion`` ``rupBuild="4505"`` and ``calcPr calcId="124519" fullCalcOnLoad="1"``
  (:func:`uncalculating_writer`), which Excel and LibreOffice replace when they save. Such
  cells come back as :class:`Uncalculated` values: an Error naming the cell, never 0 or
  blank.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from xlpmo.errors import XLError
from xlpmo.io.a1 import col_index
from xlpmo.io.ooxml.styles import PERCENT_FORMAT_IDS, is_percent_format

_RE_R = re.compile(rb"\sr\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?([0-9]{1,7})[\"']")
_RE_CELL_OPEN = re.compile(rb"^<(?:\w+:)?c\s")
_RE_F = re.compile(rb"<(?:\w+:)?f[\s>/]")
_RE_F_QUICK = re.compile(rb"f>")  # in <f>, </f>, <x:f>, </x:f>
_RE_C_CLOSE = re.compile(rb"</(?:\w+:)?c>")
_RE_V = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>([^<]*)</(?:\w+:)?v>")
_RE_F_TEXT = re.compile(rb"^<(?:\w+:)?f(?:\s[^>]*)?>([^<]*)</")
_RE_T = re.compile(rb"\st\s*=\s*[\"']([a-zA-Z]+)[\"']")
_RE_ERROR_T = (re.compile(rb' t="e"'), re.compile(rb" t='e'"))
_RE_V_OR_C = re.compile(rb"<(?:(\w+):)?(v|c)[\s>/]")
_UNKNOWN_ERROR = XLError.VALUE  # #SPILL!, #CALC!, #BUSY! ... have no XLError member


class Uncalculated:
    """The value of a formula cell whose file holds no saved result: what the formula is,
    and which program left it so (for the message)."""

    __slots__ = ("formula", "writer")

    def __init__(self, formula: str, writer: str = "") -> None:
        self.formula = formula
        self.writer = writer

    def message(self) -> str:
        what = f"formula ={self.formula}" if self.formula else "a formula"
        if self.writer:
            saved = (f"holds only the placeholder 0 that {self.writer} writes (the file was "
                     f"last saved by {self.writer}, which does not calculate)")
        else:
            saved = ("has no saved value (the file was last saved by a program that does not "
                     "calculate formulas, such as openpyxl)")
        return (f"{what} {saved}: open the file in Excel or LibreOffice and save it, so "
                "the value is stored")

    def __str__(self) -> str:
        return f"={self.formula}"

    def __repr__(self) -> str:
        return f"Uncalculated({self.formula!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Uncalculated) and other.formula == self.formula
                and other.writer == self.writer)

    def __hash__(self) -> int:
        return hash((self.formula, self.writer))


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def percent_styles(styles_root: Any) -> frozenset[int]:
    """Indices of the cell styles (``cellXfs/xf``) showing numbers as percentages."""
    codes: dict[int, str] = {}
    xfs: list[Any] = []
    for el in styles_root:
        name = _local(el.tag)
        if name == "numFmts":
            for nf in el:
                fid = nf.get("numFmtId") or ""
                if _local(nf.tag) == "numFmt" and fid.isdigit():
                    codes[int(fid)] = nf.get("formatCode") or ""
        elif name == "cellXfs":
            xfs = [x for x in el if _local(x.tag) == "xf"]
    found = set()
    for i, xf in enumerate(xfs):
        fid = xf.get("numFmtId") or "0"
        if not fid.isdigit():
            continue
        number = int(fid)
        if number in codes:
            if is_percent_format(codes[number]):
                found.add(i)
        elif number in PERCENT_FORMAT_IDS:
            found.add(i)
    return frozenset(found)


def _position(xml: bytes, start: int) -> tuple[int, int] | None:
    """(row, column) of the ``<c>`` tag opening at ``start``; None without an address."""
    if start < 0:
        return None
    end = xml.find(b">", start)
    tag = xml[start:end]
    if end < 0 or not _RE_CELL_OPEN.match(tag):
        return None
    ref = _RE_R.search(tag)
    return None if ref is None else (int(ref[2]), col_index(ref[1].decode()))


def percent_cells(xml: bytes, styles: frozenset[int]) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns), 1-based, of the cells of a sheet part whose style is in ``styles``
    (the ``s="3"`` attribute as Excel and other writers put it, in either quotes)."""
    if not styles:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    ids = b"|".join(str(i).encode() for i in sorted(styles))
    patterns = [re.compile(rb' s="(?:' + ids + rb')"')]  # a literal start: a quick search
    if b"'" in xml:
        patterns.append(re.compile(rb" s='(?:" + ids + rb")'"))
    rows, cols = [], []
    for pattern in patterns:
        for m in pattern.finditer(xml):
            where = _position(xml, xml.rfind(b"<", 0, m.start()))  # an s of a <c> tag?
            if where is not None:
                rows.append(where[0])
                cols.append(where[1])
    return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)


def error_cells(xml: bytes) -> dict[tuple[int, int], XLError]:
    """(row, column) -> error value of every error cell (``t="e"``) of a sheet part
    (calamine reads error cells as blanks); an error without an XLError member (``#SPILL!``,
    ``#CALC!``) is ``#VALUE!``."""
    found: dict[tuple[int, int], XLError] = {}
    quoted = (_RE_ERROR_T if b"'" in xml else _RE_ERROR_T[:1])  # one byte search: quick
    matches = [m for pattern in quoted for m in pattern.finditer(xml)]
    for m in matches:
        start = xml.rfind(b"<", 0, m.start())
        end = xml.find(b">", m.end())
        tag = xml[start:end]
        if start < 0 or end < 0 or not _RE_CELL_OPEN.match(tag) or tag.endswith(b"/"):
            continue
        ref = _RE_R.search(tag)
        if ref is None:
            continue  # a cell without its address: left blank
        text = b""
        nxt = _RE_V_OR_C.search(xml, end)
        if nxt is not None and nxt[2] == b"v":
            close = xml.find(b"<", nxt.end())
            text = xml[nxt.end() : close]
        err = XLError.parse(text.decode("utf-8", "replace")) or _UNKNOWN_ERROR
        found[(int(ref[2]), col_index(ref[1].decode()))] = err
    return found


def uncalculating_writer(workbook_root: Any) -> str:
    """The name of the program that saved the workbook when it is one that stores a
    placeholder instead of each formula's value (XlsxWriter); blank otherwise."""
    version = calc = None
    for el in workbook_root:
        name = _local(el.tag)
        if name == "fileVersion":
            version = el
        elif name == "calcPr":
            calc = el
    if version is None or calc is None:
        return ""
    if (version.get("rupBuild") == "4505" and calc.get("calcId") == "124519"
            and (calc.get("fullCalcOnLoad") or "").strip().lower() in ("1", "true")):
        return "XlsxWriter"
    return ""


def uncalculated_cells(xml: bytes, writer: str = "") -> dict[tuple[int, int], Uncalculated]:
    """(row, column) -> :class:`Uncalculated` for the formula cells of a sheet part without a
    saved value; with ``writer`` (see :func:`uncalculating_writer`) also those holding its
    placeholder 0."""
    found: dict[tuple[int, int], Uncalculated] = {}
    if _RE_F_QUICK.search(xml) is None and xml.find(b"<f ") < 0:  # no formula: two quick
        return found  # literal searches (a regex with alternatives is 5 times slower)
    for m in _RE_F.finditer(xml):
        start = xml.rfind(b"<", 0, m.start())
        where = _position(xml, start)
        if where is None:
            continue
        close = _RE_C_CLOSE.search(xml, m.start())
        body = xml[m.start() : close.start() if close else len(xml)]
        value = _RE_V.search(body)
        text = value[1].strip() if value is not None else b""
        kind = _RE_T.search(xml[start : m.start()])
        placeholder = (writer and text == b"0"
                       and (kind is None or kind[1] in (b"n", b"N")))
        if text and not placeholder:
            continue
        formula = _RE_F_TEXT.match(body)
        found[where] = Uncalculated(
            _unescape(formula[1].decode("utf-8", "replace")) if formula else "",
            writer if placeholder else "")
    return found


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))
