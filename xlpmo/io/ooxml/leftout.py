"""A worksheet part parsed with the rows to be rewritten left out, and row start tags.

The writer rewrites every data row of a table whose every column it writes again; those
rows are not kept in the tree at all (:class:`~xlpmo.io.ooxml.sheet.Worksheet`). A row of a
block whose cells all lie in the block's columns, with no formula, is replaced by its start
tag. The rows are found by a byte scan (:mod:`~xlpmo.io.ooxml.rowscan`) that cuts them from
the part before lxml parses the rest; when the scan is not sure, lxml parses the part row by
row instead, to the same result (:func:`parse_leaving_out`, the scan's oracle in the tests).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lxml import etree

from xlpmo.errors import FileRefused
from xlpmo.io.a1 import CellRange, ref_col
from xlpmo.io.ooxml.cells import escape_attr
from xlpmo.io.ooxml.package import PARSER_OPTIONS, parse_xml
from xlpmo.io.ooxml.rowscan import scan_rows

_FEED = 1 << 20  # bytes fed to the row-by-row parser at a time


def cells_inside(row_el: etree._Element, ctag: str, lo: int, hi: int) -> bool:
    """The row's cells lie in columns ``lo..hi``: its first and last cells (with explicit
    references) fall inside them and it has no more children than those columns."""
    first = row_el.find(ctag)
    if first is None:
        return True
    last = row_el[-1]
    if last.tag != ctag or first.get("r") is None or last.get("r") is None:
        return False
    return lo <= ref_col(first.get("r")) and ref_col(last.get("r")) <= hi \
        and len(row_el) <= hi - lo + 1


def row_start_tag(row_el: etree._Element, row_open: str) -> str:
    """``<row r="5" ht="20">`` of a row (without ``spans``: only a hint that may no longer
    hold), opened by ``row_open`` (``<row``, with an xmlns when the main namespace is not
    the default one)."""
    keys = row_el.keys()
    if len(keys) <= 2 and all(k in ("r", "spans") for k in keys):  # most rows: r="5" only
        r = row_el.get("r")
        return f'{row_open} r="{escape_attr(r)}">' if r is not None else f"{row_open}>"
    return start_tag_of(row_el.attrib.items(), ns_prefixes(row_el.nsmap), row_open)


_XML_NS = "http://www.w3.org/XML/1998/namespace"


def ns_prefixes(nsmap: dict[str | None, str] | None) -> dict[str, str]:
    """Namespace URI -> the prefix a start tag writes for it (``xml`` included)."""
    prefixes = {uri: p for p, uri in (nsmap or {}).items() if p}
    prefixes[_XML_NS] = "xml"
    return prefixes


def start_tag_of(items: Iterable[tuple[str, str]], prefixes: dict[str, str],
                  row_open: str) -> str:
    """A row start tag from its attributes (lxml's ``{uri}local`` keys), ``spans`` left out
    (:func:`row_start_tag`)."""
    parts = []
    for key, value in items:
        if key == "spans":
            continue
        if key.startswith("{"):
            uri, local = key[1:].split("}", 1)
            key = f"{prefixes[uri]}:{local}" if uri in prefixes else local
        parts.append(f' {key}="{escape_attr(value)}"')
    return f"{row_open}{''.join(parts)}>"


def parse_rewriting(data: bytes, part: str, blocks: Sequence[CellRange]
                     ) -> tuple[etree._ElementTree, dict[int, str]] | None:
    """The part's tree without the rows to be rewritten, and their start tags: found by the
    byte scan (:func:`parse_scanned`) when it is sure, else by lxml row by row
    (:func:`parse_leaving_out`; None when the part is better parsed whole)."""
    return parse_scanned(data, part, blocks) or parse_leaving_out(data, part, blocks)


def parse_scanned(data: bytes, part: str, blocks: Sequence[CellRange]
                   ) -> tuple[etree._ElementTree, dict[int, str]] | None:
    """:func:`parse_leaving_out`'s result from :func:`~.rowscan.scan_rows`: the rows it
    cuts are those lxml would leave out, and the rest is parsed whole. None when the scan is
    not sure or what it kept is not what it assumed (a main namespace that is not the
    default one in ``sheetData``, an unbound prefix, XML lxml refuses)."""
    scan = scan_rows(data, blocks)
    if scan is None:
        return None
    try:
        tree = parse_xml(scan.remainder(), part)
    except FileRefused:
        return None
    root = tree.getroot()
    ns = etree.QName(root).namespace or ""
    sheet_data = root.find(f"{{{ns}}}sheetData")
    if sheet_data is None or sheet_data.nsmap.get(None) != ns:
        return None
    nsmap = {**sheet_data.nsmap, "xml": _XML_NS}
    prefixes = ns_prefixes(sheet_data.nsmap)
    tags: dict[int, str] = {}
    for r, attrs in scan.left_out.items():
        if not attrs:  # r="5" (and spans) only
            tags[r] = f'<row r="{r}">'
            continue
        items = []
        for key, value in attrs:
            if ":" in key:
                prefix, local = key.split(":", 1)
                if prefix not in nsmap:
                    return None
                key = f"{{{nsmap[prefix]}}}{local}"
            items.append((key, value))
        tags[r] = start_tag_of(items, prefixes, "<row")
    return tree, tags


def parse_leaving_out(data: bytes, part: str, blocks: Sequence[CellRange]
                       ) -> tuple[etree._ElementTree, dict[int, str]] | None:
    """Parse a worksheet part row by row, leaving out the rows to be rewritten.

    A row of ``sheetData`` is left out when its number lies in a block's rows, it holds no
    formula and its cells lie in the block's columns (:func:`cells_inside`, the test the
    writer's fast path applies to a row whose cells are all replaced). Every row gets an
    ``r`` (the previous row's plus one when it has none, as :class:`Worksheet` does).

    Returns the tree and ``{row number: start tag}`` of the rows left out, or None when the
    part is better parsed whole (rows not in ascending order, XML that is not well-formed,
    a DTD: :func:`parse_xml` then gives its usual result or message).
    """
    parser = etree.XMLPullParser(events=("end",), tag="{*}row", **PARSER_OPTIONS)
    left_out: dict[int, str] = {}
    root = sheet_data = last_out = None
    ns = row_tag = ctag = ftag = row_open = ""
    prev = 0
    try:
        for start in range(0, len(data), _FEED):
            parser.feed(data[start:start + _FEED])
            for _, el in parser.read_events():
                if root is None:
                    root = el.getroottree().getroot()
                    ns = etree.QName(root).namespace or ""
                    row_tag, ctag, ftag = (f"{{{ns}}}{n}" for n in ("row", "c", "f"))
                if sheet_data is None:
                    sheet_data = root.find(f"{{{ns}}}sheetData")
                    if sheet_data is not None:  # as Worksheet._row_open
                        row_open = "<row" if sheet_data.nsmap.get(None) == ns else \
                            f'<row xmlns="{ns}"'
                if el.tag != row_tag or sheet_data is None or el.getparent() is not sheet_data:
                    continue
                if last_out is not None:  # the parser has moved on: drop the row left out
                    sheet_data.remove(last_out)
                    last_out = None
                r = el.get("r")
                if r is None or not r.isdigit():
                    el.set("r", str(prev + 1))
                    r = el.get("r")
                if int(r) <= prev:
                    return None
                prev = int(r)
                for block in blocks:
                    if block.r1 <= prev <= block.r2:
                        if next(el.iter(ftag), None) is None and \
                                cells_inside(el, ctag, block.c1, block.c2):
                            left_out[prev] = row_start_tag(el, row_open)
                            el.clear()
                            last_out = el
                        break
        root = parser.close()
    except etree.XMLSyntaxError:
        return None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        return None
    if last_out is not None and sheet_data is not None:
        sheet_data.remove(last_out)
    return tree, left_out


__all__ = [
    "cells_inside", "ns_prefixes", "parse_leaving_out", "parse_rewriting", "parse_scanned",
    "row_start_tag", "start_tag_of",
]
