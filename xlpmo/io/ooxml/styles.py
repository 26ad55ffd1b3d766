"""styles.xml: number formats of existing cell styles, and the few styles xlpmo adds.

A style (``xf``) is only appended when a cell needs a number format its current style
does not give it; each (base style, format) pair is appended once and reused, so writing
the same workbook twice adds nothing the second time.
"""

from __future__ import annotations

import re

from lxml import etree

from xlpmo.contract.tables import NUMBER_FORMATS
from xlpmo.io.ooxml.package import Package, Relationships, qn

# Formats by column kind (xlpmo.contract.tables kinds; the same as the template's).
# Text ids get none.
KIND_FORMATS: dict[str, str] = {
    kind: code for kind, code in NUMBER_FORMATS.items() if kind != "id"
}
DATE_KINDS = {"date", "period", "timestamp"}
DATE_FORMAT = KIND_FORMATS["date"]
DATETIME_FORMAT = KIND_FORMATS["timestamp"]

# Built-in number formats (ECMA-376 Part 1, 18.8.30) that xlpmo may reuse or must recognise.
BUILTIN_FORMATS: dict[int, str] = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
    11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm",
    17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
    22: "m/d/yy h:mm", 37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss",
    46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}
_BUILTIN_DATE_IDS = set(range(14, 23)) | {45, 46, 47} | set(range(27, 37)) | set(range(50, 59))
_BUILTIN_BY_CODE = {code: i for i, code in BUILTIN_FORMATS.items() if i not in (0, 49)}

_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def is_date_format(code: str) -> bool:
    """True when a number format code shows a date or time (d, m, y, h, s outside quotes)."""
    stripped = _QUOTED.sub("", code.split(";")[0]).lower()
    return any(ch in stripped for ch in "dmyhs") and "general" not in stripped


PERCENT_FORMAT_IDS = frozenset({9, 10})  # built-in 0% and 0.00%


def is_percent_format(code: str) -> bool:
    """True when a number format code shows numbers as percentages: a ``%`` outside quotes,
    escapes and brackets in its first section (``0.0%``, ``#,##0 %;[Red]-0 %``)."""
    return "%" in _QUOTED.sub("", code.split(";")[0])


MINIMAL_STYLES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b'<styleSheet xmlns="{ns}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
    b'</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    b'<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/>'
    b'<right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf '
    b'numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf '
    b'numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles '
    b'count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


class Styles:
    """The workbook's cell styles; created minimal when the workbook has no styles part."""

    CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"

    def __init__(self, pkg: Package, workbook_part: str, ns: str, rel_base: str) -> None:
        self.pkg = pkg
        self.ns = ns
        self.rel_base = rel_base
        self.workbook_part = workbook_part
        rels = Relationships(pkg, workbook_part)
        found = rels.of_type("styles")
        self.part = found[0][1] if found and pkg.has(found[0][1]) else None
        self.created = self.part is None
        if self.part is None:
            self.part = "xl/styles.xml"
            data = MINIMAL_STYLES.replace(b"{ns}", ns.encode())
            from xlpmo.io.ooxml.package import parse_xml

            self.tree = parse_xml(data, self.part)
        else:
            self.tree = pkg.xml(self.part)
        root = self.tree.getroot()
        self.cell_xfs = root.find(qn(ns, "cellXfs"))
        if self.cell_xfs is None:
            self.cell_xfs = etree.SubElement(root, qn(ns, "cellXfs"))
            etree.SubElement(self.cell_xfs, qn(ns, "xf"), numFmtId="0", fontId="0", fillId="0",
                             borderId="0", xfId="0")
        self._xfs = [x for x in self.cell_xfs if x.tag == qn(ns, "xf")]
        self.num_fmts = root.find(qn(ns, "numFmts"))
        self._codes: dict[int, str] = dict(BUILTIN_FORMATS)
        if self.num_fmts is not None:
            for nf in self.num_fmts:
                if nf.tag == qn(ns, "numFmt") and (nf.get("numFmtId") or "").isdigit():
                    self._codes[int(nf.get("numFmtId"))] = nf.get("formatCode") or ""
        self._cache: dict[tuple[int, str], int] = {}
        self.dirty = False

    # -- queries ----------------------------------------------------------------------------
    def numfmt_id(self, xf: int) -> int:
        if 0 <= xf < len(self._xfs):
            value = self._xfs[xf].get("numFmtId") or "0"
            return int(value) if value.isdigit() else 0
        return 0

    def format_code(self, xf: int) -> str:
        return self._codes.get(self.numfmt_id(xf), "General")

    def is_general(self, xf: int) -> bool:
        fid = self.numfmt_id(xf)
        return fid == 0 or self._codes.get(fid, "General").lower() == "general"

    def is_date(self, xf: int) -> bool:
        fid = self.numfmt_id(xf)
        return fid in _BUILTIN_DATE_IDS or is_date_format(self._codes.get(fid, "General"))

    def valid(self, xf: int) -> bool:
        return 0 <= xf < len(self._xfs)

    # -- additions --------------------------------------------------------------------------
    def with_format(self, base: int, code: str) -> int:
        """A style like ``base`` but showing numbers with ``code`` (appended once)."""
        if not self.valid(base):
            base = 0
        if self.format_code(base) == code:
            return base
        key = (base, code)
        if key in self._cache:
            return self._cache[key]
        fmt_id = self._format_id(code)
        for i, xf in enumerate(self._xfs):  # an identical style added earlier (or by Excel)
            if i == base or self.numfmt_id(i) != fmt_id:
                continue
            if _same_except_numfmt(xf, self._xfs[base]):
                self._cache[key] = i
                return i
        new = etree.fromstring(etree.tostring(self._xfs[base]))
        new.set("numFmtId", str(fmt_id))
        new.set("applyNumberFormat", "1")
        last = self._xfs[-1]
        last.addnext(new)
        self._xfs.append(new)
        self.cell_xfs.set("count", str(len(self._xfs)))
        self.dirty = True
        self._cache[key] = len(self._xfs) - 1
        return len(self._xfs) - 1

    def with_bold(self, base: int) -> int:
        """A style like ``base`` with its font in bold (a font and a style appended once)."""
        if not self.valid(base):
            base = 0
        key = (base, "\x00bold")
        if key in self._cache:
            return self._cache[key]
        root = self.tree.getroot()
        fonts = root.find(qn(self.ns, "fonts"))
        xf = self._xfs[base]
        font_id = int(xf.get("fontId") or 0) if (xf.get("fontId") or "0").isdigit() else 0
        items = [f for f in fonts if f.tag == qn(self.ns, "font")] if fonts is not None else []
        if fonts is None or not 0 <= font_id < len(items):
            self._cache[key] = base
            return base
        font = etree.fromstring(etree.tostring(items[font_id]))
        for b in font.findall(qn(self.ns, "b")):
            font.remove(b)
        font.insert(0, etree.Element(qn(self.ns, "b")))
        text = etree.tostring(font, method="c14n")
        bold_id = next((i for i, f in enumerate(items)
                        if etree.tostring(f, method="c14n") == text), None)
        if bold_id is None:  # a bold font added earlier (by xlpmo or Excel) is reused
            items[-1].addnext(font)
            fonts.set("count", str(len(items) + 1))
            bold_id = len(items)
        new = etree.fromstring(etree.tostring(xf))
        new.set("fontId", str(bold_id))
        new.set("applyFont", "1")
        text = etree.tostring(new, method="c14n")
        same = next((i for i, x in enumerate(self._xfs)
                     if etree.tostring(x, method="c14n") == text), None)
        if same is not None:
            self._cache[key] = same
            return same
        self._xfs[-1].addnext(new)
        self._xfs.append(new)
        self.cell_xfs.set("count", str(len(self._xfs)))
        self.dirty = True
        self._cache[key] = len(self._xfs) - 1
        return len(self._xfs) - 1

    def _format_id(self, code: str) -> int:
        if code in _BUILTIN_BY_CODE:
            return _BUILTIN_BY_CODE[code]
        for fid, existing in self._codes.items():
            if fid >= 164 and existing == code:
                return fid
        root = self.tree.getroot()
        if self.num_fmts is None:
            self.num_fmts = etree.Element(qn(self.ns, "numFmts"))
            root.insert(0, self.num_fmts)
        fid = max([163, *[k for k in self._codes if k >= 164]]) + 1
        etree.SubElement(self.num_fmts, qn(self.ns, "numFmt"), numFmtId=str(fid), formatCode=code)
        self.num_fmts.set("count", str(len(self.num_fmts)))
        self._codes[fid] = code
        self.dirty = True
        return fid

    def save(self, content_types: object, workbook_rels: Relationships) -> None:
        if not self.dirty:
            return
        self.pkg.set_xml(self.part, self.tree)
        if self.created:
            workbook_rels.add(self.rel_base + "/styles", self.part)
            content_types.set_override(self.part, self.CONTENT_TYPE)  # type: ignore[attr-defined]
        self.dirty = False


def _same_except_numfmt(a: etree._Element, b: etree._Element) -> bool:
    ignore = {"numFmtId", "applyNumberFormat"}
    attrs_a = {k: v for k, v in a.attrib.items() if k not in ignore}
    attrs_b = {k: v for k, v in b.attrib.items() if k not in ignore}
    if attrs_a != attrs_b or len(a) != len(b):
        return False
    return all(etree.tostring(x) == etree.tostring(y) for x, y in zip(a, b, strict=True))
