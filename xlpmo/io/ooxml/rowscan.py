"""Find the rows of a worksheet part the writer rewrites by a byte scan, without lxml.

:class:`~xlpmo.io.ooxml.sheet.Worksheet` leaves out of its tree the rows of the ``rewrite``
blocks whose cells all lie in the block's columns and hold no formula (they are replaced
whole). Finding them by parsing every row with lxml costs most of a re-refresh; an output
sheet's rows are plain enough to be found in the bytes: ``<row r="N">`` tags in ascending
order, each holding ``<c>`` cells with values or inline strings.

:func:`scan_rows` walks ``<sheetData>`` tag by tag and returns the part with the rows left
out cut from its bytes (a row with the whitespace after it, as lxml drops a row's tail with
it), and each left-out row's number and attributes. It decides each row as the lxml path
(``leftout.parse_leaving_out``) does and returns None whenever it cannot be sure it would
decide the same: markup it does not know inside a block row (rich text, extensions,
prefixed tags), comments, CDATA or processing instructions in ``sheetData``, namespace
declarations there, rows without a numeric ``r`` or out of order, attribute values that
need entity decoding, a part not in UTF-8. Rows it does not leave out (outside the blocks,
holding a formula, with cells beside the block) stay in the bytes for lxml to parse; so
any markup lxml would refuse there is still refused.

The grammar a left-out row must match (:data:`_CELLS`) is strict XML: the cut rows are
never parsed, so what they hold must be well-formed as written.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from xlpmo.io.a1 import CellRange, col_index, ref_col

_NAME = rb"[A-Za-z_][A-Za-z0-9_.-]*"
_VALUE = rb"(?:\"[^\"<]*\"|'[^'<]*')"
_ATTRS = rb"(?:[ \t\r\n]+(?:" + _NAME + rb":)?" + _NAME + rb"[ \t\r\n]*=[ \t\r\n]*" + _VALUE \
    + rb")*[ \t\r\n]*"
_WS = re.compile(rb"[ \t\r\n]*")
_SHEETDATA_OPEN = re.compile(rb"<sheetData(" + _ATTRS + rb")(/?)>")
_ROW_OPEN = re.compile(rb"<row(" + _ATTRS + rb")(/?)>")
_ATTR = re.compile(rb"[ \t\r\n]+((?:" + _NAME + rb":)?" + _NAME + rb")[ \t\r\n]*=[ \t\r\n]*"
                   rb"(?:\"([^\"<]*)\"|'([^'<]*)')")
_C_ATTRS = rb"(?:[ \t\r\n]+" + _NAME + rb"[ \t\r\n]*=[ \t\r\n]*" + _VALUE + rb")*[ \t\r\n]*"
_T_ATTRS = rb"(?:[ \t\r\n]+(?:xml:)?" + _NAME + rb"[ \t\r\n]*=[ \t\r\n]*" + _VALUE \
    + rb")*[ \t\r\n]*"
_TEXT = rb"[^<]*"
_CELL = (rb"<c" + _C_ATTRS + rb"(?:/>|>(?:<v>" + _TEXT + rb"</v>|<v/>|<is>(?:<t" + _T_ATTRS
         + rb">" + _TEXT + rb"</t>|<t" + _T_ATTRS + rb"/>)</is>)?</c>)")
_CELLS = re.compile(rb"(?:" + _CELL + rb"[ \t\r\n]*)*")
"""The content of a row that may be left out: cells holding a value, an inline string (one
``<t>``) or nothing, with unprefixed attributes."""
_PLAIN_TAIL = (rb'[0-9]+"(?: [a-z]+="[^"<&]*")*+(?:/>|>(?:<v>[^<]*+</v>|<is><t(?: xml:space='
               rb'"preserve")?>[^<]*+</t></is>)?</c>)')
_PLAIN_ROW = re.compile(
    rb'<row r="([1-9][0-9]*)"((?: (?:' + _NAME + rb":)?" + _NAME + rb'="[^"<&\t\n\r]*")*+)>'
    rb'(?:<c r="([A-Z]+)' + _PLAIN_TAIL + rb'(?:<c r="([A-Z]+)' + _PLAIN_TAIL + rb")*+)?</row>")
"""A row as xlpmo, Excel, LibreOffice and openpyxl write an output table's row: ``r`` first,
cells with ``r`` first and unprefixed attributes, each holding a value, one inline string or
nothing. Groups: the row number, its other attributes, the first and last cells' columns."""
_SPANS = re.compile(rb' spans="[^"]*"')
_CELL_R = re.compile(rb"<c(?:[ \t\r\n]+(?!r[ \t\r\n=])" + _NAME + rb"[ \t\r\n]*=[ \t\r\n]*"
                     + _VALUE + rb")*[ \t\r\n]+r[ \t\r\n]*=[ \t\r\n]*(?:\"([^\"]*)\"|'([^']*)')")
_FORMULA = re.compile(rb"<f[ \t\r\n/>]")
_ENTITY = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)")
_XMLNS = re.compile(rb"[ \t\r\n]xmlns[:=]")
_ALLOWED = bytes([9, 10, 13, *range(32, 256)])
"""Bytes XML allows in a UTF-8 part (no control characters but tab, line feed, return)."""
_ENCODING = re.compile(rb"encoding[ \t\r\n]*=[ \t\r\n]*[\"']([A-Za-z0-9._-]+)[\"']")


@dataclass
class RowScan:
    """A worksheet part with the rows to be rewritten cut out (see module docstring)."""

    pieces: list[bytes] = field(default_factory=list)
    """The part's bytes without the left-out rows, in order (join them to parse)."""
    left_out: dict[int, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    """Row number -> the row's attributes (qualified name, value) in document order; empty
    for a row whose only attribute is ``r`` (and maybe ``spans``) in canonical form."""

    def remainder(self) -> bytes:
        return b"".join(self.pieces)


def scan_rows(data: bytes, blocks: Sequence[CellRange]) -> RowScan | None:
    """Cut the left-out rows of ``blocks`` from ``data``; None when not sure (docstring)."""
    if not _utf8(data) or data.count(b"sheetData") != 2:
        return None
    opened = _SHEETDATA_OPEN.search(data)
    if opened is None or opened.group(2):
        return None
    start = opened.end()
    end = data.find(b"</sheetData>", start)
    if end < 0 or _unsure_region(data, start, end):
        return None
    scan = RowScan()
    kept_from = 0  # start of the bytes not yet put into pieces
    prev = 0
    pos = _WS.match(data, start, end).end()
    while pos < end:
        plain = _PLAIN_ROW.match(data, pos, end)
        if plain is not None:
            r = int(plain.group(1))
            extra = plain.group(2)
            attrs: tuple[tuple[str, str], ...] = () if not extra or _SPANS.fullmatch(extra) \
                else (("r", plain.group(1).decode()), *_attributes(extra))
            after = plain.end()
        else:
            found = _row(data, pos, end)
            if found is None:
                return None
            attrs, after, body = found
            r = 0
        if attrs:
            r = _row_number(attrs, r)
        if r is None or r <= prev:
            return None
        prev = r
        if not data.startswith(b"<", after):
            after = _WS.match(data, after, end).end()
        for block in blocks:
            if block.r1 <= r <= block.r2:
                leave = _plain_leaves_out(data, plain, block) if plain is not None else \
                    _leaves_out(data, *body, block)
                if leave is None:
                    return None
                if leave:
                    scan.pieces.append(data[kept_from:pos])
                    scan.left_out[r] = attrs
                    kept_from = after
                break
        pos = after
    scan.pieces.append(data[kept_from:])
    return scan


def _row(data: bytes, pos: int, end: int
         ) -> tuple[tuple[tuple[str, str], ...], int, tuple[int, int]] | None:
    """A row in any other markup at ``pos``: its attributes, where it ends and its content's
    span; None when there is no row there or it holds another row."""
    row = _ROW_OPEN.match(data, pos, end)
    if row is None:
        return None
    if row.group(2):  # <row .../>
        return tuple(_attributes(row.group(1))), row.end(), (row.end(), row.end())
    body_end = data.find(b"</row>", row.end(), end)
    if body_end < 0 or data.find(b"<row", row.end(), body_end) >= 0:
        return None
    return tuple(_attributes(row.group(1))), body_end + len(b"</row>"), (row.end(), body_end)


def _plain_leaves_out(data: bytes, plain: re.Match[bytes], block: CellRange) -> bool:
    """:func:`_leaves_out` for a :data:`_PLAIN_ROW` (no formula, every cell referenced)."""
    first = plain.group(3)
    if first is None:
        return True  # no cells: an empty row
    last = plain.group(4) or first
    if _column(first) < block.c1 or _column(last) > block.c2:
        return False
    return data.count(b"<c ", plain.end(2), plain.end()) <= block.c2 - block.c1 + 1


_COLUMNS: dict[bytes, int] = {}


def _column(letters: bytes) -> int:
    """``b"AB"`` -> 28 (:func:`~xlpmo.io.a1.col_index`, cached by the bytes)."""
    n = _COLUMNS.get(letters)
    if n is None:
        n = col_index(letters.decode("ascii"))
        if len(_COLUMNS) < 65_536:
            _COLUMNS[letters] = n
    return n


def _utf8(data: bytes) -> bool:
    """The part is UTF-8 (no UTF-16 byte order mark, no other declared encoding)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return False
    if data.startswith(b"<?xml"):
        decl = data[: data.find(b"?>") + 2]
        m = _ENCODING.search(decl)
        if m is not None and m.group(1).lower() not in (b"utf-8", b"utf8"):
            return False
    return True


def _unsure_region(data: bytes, start: int, end: int) -> bool:
    """``sheetData`` holds markup the scan does not follow: comments, CDATA, processing
    instructions, namespace declarations, entity references other than the predefined and
    character ones, characters XML forbids (control characters, ``]]>`` in text), or bytes
    that are not UTF-8. (Cut rows are never parsed: what lxml would refuse in them must be
    seen here.)"""
    if data.find(b"<!", start, end) >= 0 or data.find(b"<?", start, end) >= 0:
        return True
    if data.find(b"]]>", start, end) >= 0 or _forbidden_bytes(data):
        return True
    at = data.find(b"xmlns", start, end)
    if at >= 0 and _XMLNS.search(data, at - 1, end):
        return True
    if _ENTITY.search(data, start, end):
        return True
    return not _valid_utf8(data, start, end)


def _forbidden_bytes(data: bytes, chunk: int = 1 << 22) -> bool:
    """Does the part hold a byte XML forbids everywhere? Looked for a few MB at a time:
    ``translate`` allocates as much as its input before shrinking to what it kept (the
    330 MB part of a 648,000-row table held twice)."""
    return any(data[i:i + chunk].translate(None, _ALLOWED) for i in range(0, len(data), chunk))


def _valid_utf8(data: bytes, start: int, end: int, chunk: int = 1 << 22) -> bool:
    view = memoryview(data)[start:end]
    if view.obj.isascii():  # the usual part: no decoding at all
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for i in range(0, len(view), chunk):
            decoder.decode(view[i:i + chunk])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _attributes(raw: bytes) -> list[tuple[str, str]]:
    return [(m.group(1).decode("ascii"), (m.group(2) if m.group(2) is not None
                                          else m.group(3)).decode("utf-8"))
            for m in _ATTR.finditer(raw)]


def _row_number(attrs: Sequence[tuple[str, str]], r: int) -> int | None:
    """The row's number (``r`` when already known), when its ``r`` is a plain number and the
    attributes need no normalising (duplicates, whitespace or references in values make the
    scan unsure). The caller checks that it comes after the previous row."""
    names = [k for k, _ in attrs]
    if len(set(names)) != len(names):
        return None
    for _, value in attrs:
        if "&" in value or "\t" in value or "\n" in value or "\r" in value:
            return None
    if r:
        return r
    text = dict(attrs).get("r")
    if text is None or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def _leaves_out(data: bytes, start: int, end: int, block: CellRange) -> bool | None:
    """Whether lxml's path leaves the row whose content is ``data[start:end]`` out: no
    formula, every cell in the block's columns (``leftout.cells_inside``). None: not sure."""
    if _FORMULA.search(data, start, end):
        return False  # a formula row is parsed and kept, markup and all
    if _CELLS.fullmatch(data, start, end) is None:
        return None
    first = data.find(b"<c", start, end)
    if first < 0:
        return True  # no cells: an empty row
    last = data.rfind(b"<c", start, end)
    try:
        refs = [_cell_ref(data, at, end) for at in (first, last)]
        if refs[0] is None or refs[1] is None:
            return False  # lxml keeps a row whose first or last cell has no reference
        lo, hi = ref_col(refs[0]), ref_col(refs[1])
    except ValueError:
        return None
    cells = data.count(b"<c", start, end)
    return block.c1 <= lo and hi <= block.c2 and cells <= block.c2 - block.c1 + 1


def _cell_ref(data: bytes, at: int, end: int) -> str | None:
    """The ``r`` of the cell starting at ``at`` (None: it has none); ValueError when the
    value is not plain ASCII without references or whitespace (lxml would normalise it)."""
    m = _CELL_R.match(data, at, end)
    if m is None:
        return None
    raw = m.group(1) if m.group(1) is not None else m.group(2)
    if b"&" in raw or b"\t" in raw or b"\n" in raw or b"\r" in raw:
        raise ValueError(raw)
    return raw.decode("ascii")


__all__ = ["RowScan", "scan_rows"]
