"""A worksheet part: queries on its cells, and patching of the rows xlpmo owns.

Only ``<sheetData>`` rows that receive patches change (plus ``<dimension>`` and
``<tableParts>`` when asked); everything else in the part is kept as parsed. Patched rows
keep their attributes (height, style, outline ...; ``spans`` is dropped because it is only a
hint that may no longer hold) and every cell that is not patched.

Rows whose cells are all new are rendered as text and spliced into the serialised part
(fast for tens of thousands of rows); rows that mix kept and new cells are merged in the
tree.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

from lxml import etree

from ..errors import XlpmoError
from .cells import CellRange, cell_ref, col_index, escape_attr, ref_col
from .package import Package, parse_xml, xml_declaration

CLEAR = object()
"""Patch payload: remove the cell's value/formula, keep its style (drop it when unstyled)."""

WORKSHEET_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
)

# Children of <worksheet> that come after <sheetData> (CT_Worksheet sequence).
_AFTER_SHEETDATA = (
    "sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter",
    "sortState", "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr",
    "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions", "pageMargins",
    "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches",
    "ignoredErrors", "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF",
    "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst",
)


def new_worksheet_xml(ns: str, rel_ns: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<worksheet xmlns="{ns}" xmlns:r="{rel_ns}"><dimension ref="A1"/>'
        '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/><sheetData/>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
        'footer="0.3"/></worksheet>'
    ).encode()


class Worksheet:
    """One worksheet part, parsed, with pending row patches."""

    def __init__(self, pkg: Package, part: str, name: str) -> None:
        self.pkg = pkg
        self.part = part
        self.name = name
        self.original = pkg.read(part)
        self.tree = parse_xml(self.original, part)
        self.root = self.tree.getroot()
        self.ns = etree.QName(self.root).namespace or ""
        self._t = {k: f"{{{self.ns}}}{k}" for k in ("row", "c", "v", "f", "is", "t", "r")}
        self.sheet_data = self.root.find(self._t["row"].replace("row", "sheetData"))
        if self.sheet_data is None:
            self.sheet_data = etree.Element(f"{{{self.ns}}}sheetData")
            self._insert_before(self.sheet_data, ("sheetCalcPr", *_AFTER_SHEETDATA[1:]))
        self._rows: dict[int, etree._Element] = {}
        prev = 0
        for el in self.sheet_data:
            if el.tag != self._t["row"]:
                continue
            r = el.get("r")
            if r is None or not r.isdigit():
                el.set("r", str(prev + 1))
                r = el.get("r")
            prev = int(r)
            self._rows[prev] = el
        # rows spliced in as text: declare the main namespace when it is not the default one
        # (some producers write <x:row>)
        default_ns = self.sheet_data.nsmap.get(None)
        self._row_open = "<row" if default_ns == self.ns else f'<row xmlns="{self.ns}"'
        self.patches: dict[int, dict[int, Any]] = {}
        self.formulas_changed = False
        self.changed = False
        self._extra_dimension: CellRange | None = None

    @property
    def label(self) -> str:
        return f"'{self.name}'" if re.search(r"[^A-Za-z0-9_.]", self.name) else self.name

    def where(self, row: int, col: int) -> str:
        return f"{self.label}!{cell_ref(row, col)}"

    # -- reading ----------------------------------------------------------------------------
    def row(self, r: int) -> etree._Element | None:
        return self._rows.get(r)

    def row_numbers(self) -> list[int]:
        return list(self._rows)

    def cells(self, row_el: etree._Element) -> Iterator[tuple[int, etree._Element]]:
        col = 0
        ctag = self._t["c"]
        for c in row_el:
            if c.tag != ctag:
                continue
            ref = c.get("r")
            col = ref_col(ref) if ref else col + 1
            yield col, c

    def cell(self, r: int, c: int) -> etree._Element | None:
        row_el = self._rows.get(r)
        if row_el is None:
            return None
        for col, el in self.cells(row_el):
            if col == c:
                return el
            if col > c:
                return None
        return None

    def has_content(self, c: etree._Element) -> bool:
        """A value, a formula or an inline string (a styled empty cell is empty)."""
        for child in c:
            if child.tag == self._t["v"]:
                if child.text:
                    return True
            elif child.tag in (self._t["f"], self._t["is"]):
                return True
        return False

    def is_formula(self, c: etree._Element) -> bool:
        return c.find(self._t["f"]) is not None

    def merged_ranges(self) -> list[CellRange]:
        out = []
        merged = self.root.find(f"{{{self.ns}}}mergeCells")
        if merged is not None:
            for m in merged:
                if m.get("ref"):
                    out.extend(CellRange.parse_sqref(m.get("ref")))
        return out

    def array_ranges(self) -> list[tuple[str, CellRange]]:
        """Multi-cell array formulas (CSE arrays and dynamic-array spills): (anchor, range)."""
        out = []
        for f in self.sheet_data.iter(self._t["f"]):
            if f.get("t") == "array" and f.get("ref"):
                rng = CellRange.parse(f.get("ref"))
                if rng.rows * rng.cols > 1:
                    out.append((f.getparent().get("r") or "?", rng))
        return out

    def content_bottom(self) -> int:
        """Last row holding a value, formula or merged cell (0 when the sheet is empty)."""
        bottom = 0
        for r in sorted(self._rows, reverse=True):
            if any(self.has_content(c) for _, c in self.cells(self._rows[r])):
                bottom = r
                break
        for rng in self.merged_ranges():
            bottom = max(bottom, rng.r2)
        for _, rng in self.array_ranges():
            bottom = max(bottom, rng.r2)
        return bottom

    def occupied_cells(self, region: CellRange, own: CellRange | None) -> list[str]:
        """A1 addresses of non-empty cells in ``region`` outside ``own``."""
        found = []
        inside_own = own is not None and own.c1 <= region.c1 and region.c2 <= own.c2
        for r in self._rows:
            if not region.r1 <= r <= region.r2:
                continue
            if inside_own and own.r1 <= r <= own.r2:  # type: ignore[union-attr]
                continue  # the whole row segment is the table's own
            for col, c in self.cells(self._rows[r]):
                if col < region.c1 or col > region.c2:
                    continue
                if own is not None and own.contains(r, col):
                    continue
                if self.has_content(c):
                    found.append(cell_ref(r, col))
        return found

    def cell_value(self, c: etree._Element, shared: list[str] | None) -> Any:
        """The value a reader sees: str, float, bool, error text, or None."""
        t = c.get("t", "n")
        if t == "inlineStr":
            node = c.find(self._t["is"])
            return "".join(_texts(node, self._t["t"])) if node is not None else ""
        v = c.find(self._t["v"])
        text = v.text if v is not None else None
        if text is None:
            return None
        if t == "s":
            if shared is None or not text.isdigit() or int(text) >= len(shared):
                return None
            return shared[int(text)]
        if t in ("str", "e"):
            return text
        if t == "b":
            return text.strip() in ("1", "true")
        try:
            return float(text)
        except ValueError:
            return text

    # -- patching ---------------------------------------------------------------------------
    def patch(self, row: int, col: int, payload: Any) -> None:
        """Queue a cell change: rendered ``<c>`` text, an element, or :data:`CLEAR`."""
        self.patches.setdefault(row, {})[col] = payload

    def patch_row(self, row: int, cells: dict[int, Any]) -> None:
        existing = self.patches.get(row)
        if existing is None:
            self.patches[row] = cells
        else:
            existing.update(cells)

    def extend_dimension(self, rng: CellRange) -> None:
        self._extra_dimension = rng if self._extra_dimension is None else \
            self._extra_dimension.union(rng)

    def add_table_part(self, rid: str, rel_ns: str) -> None:
        parts = self.root.find(f"{{{self.ns}}}tableParts")
        if parts is None:
            parts = etree.Element(f"{{{self.ns}}}tableParts")
            self._insert_before(parts, ("extLst",))
        etree.SubElement(parts, f"{{{self.ns}}}tablePart", {f"{{{rel_ns}}}id": rid})
        parts.set("count", str(len(parts)))
        self.changed = True

    def table_rids(self) -> list[str]:
        parts = self.root.find(f"{{{self.ns}}}tableParts")
        if parts is None:
            return []
        return [v for p in parts for k, v in p.attrib.items() if k.endswith("}id")]

    def _insert_before(self, el: etree._Element, names: tuple[str, ...]) -> None:
        wanted = {f"{{{self.ns}}}{n}" for n in names}
        for i, child in enumerate(self.root):
            if child.tag in wanted:
                self.root.insert(i, el)
                return
        self.root.append(el)

    def check_formula_structures(self) -> None:
        """Refuse to overwrite the anchor of a shared/array formula that reaches other cells."""
        ftag = self._t["f"]
        for r, payloads in self.patches.items():
            row_el = self._rows.get(r)
            if row_el is None or row_el.find(f".//{ftag}") is None:
                continue
            for col, c in self.cells(row_el):
                if col not in payloads:
                    continue
                f = c.find(ftag)
                if f is None or f.get("t") not in ("shared", "array") or not f.get("ref"):
                    continue
                rng = CellRange.parse(f.get("ref"))
                outside = [
                    cell_ref(rr, cc)
                    for rr in range(rng.r1, rng.r2 + 1)
                    for cc in range(rng.c1, rng.c2 + 1)
                    if cc not in self.patches.get(rr, ())
                ]
                if outside:
                    kind = "an array formula" if f.get("t") == "array" else "a shared formula"
                    raise XlpmoError(
                        f"{self.where(r, col)} holds {kind} that cells outside the table use "
                        f"({', '.join(outside[:5])}{' ...' if len(outside) > 5 else ''}); "
                        "xlpmo will not overwrite it. Move the formula out of the table's range."
                    )

    def apply(self) -> None:
        """Merge the queued patches into sheetData (see module docstring)."""
        if not self.patches and self._extra_dimension is None:
            return
        self.changed = True
        self.check_formula_structures()
        placeholders: list[list[str]] = []
        token = uuid.uuid4().hex
        new_children: list[etree._Element] = []
        pending: list[str] = []

        def flush() -> None:
            if pending:
                new_children.append(etree.Comment(f"xlpmo-{token}-{len(placeholders)}"))
                placeholders.append(pending.copy())
                pending.clear()

        affected = sorted(self.patches)
        ai = 0
        for el in self._ordered_children():
            if el.tag != self._t["row"]:
                flush()
                new_children.append(el)
                continue
            r = int(el.get("r"))
            while ai < len(affected) and affected[ai] < r:
                self._emit(affected[ai], None, pending, flush, new_children)
                ai += 1
            if ai < len(affected) and affected[ai] == r:
                self._emit(r, el, pending, flush, new_children)
                ai += 1
                continue
            flush()
            new_children.append(el)
        while ai < len(affected):
            self._emit(affected[ai], None, pending, flush, new_children)
            ai += 1
        flush()
        self.sheet_data[:] = new_children
        self._placeholders = (token, placeholders)
        self._update_dimension()

    def _ordered_children(self) -> list[etree._Element]:
        rows = [el for el in self.sheet_data if el.tag == self._t["row"]]
        others = [el for el in self.sheet_data if el.tag != self._t["row"]]
        rows.sort(key=lambda e: int(e.get("r")))
        return others + rows

    def _emit(self, r: int, row_el: etree._Element | None, pending: list[str], flush: Any,
              out: list[etree._Element]) -> None:
        payloads = self.patches[r]
        strings: list[tuple[int, str]] = []
        elements: list[tuple[int, etree._Element]] = []
        kept: list[tuple[int, etree._Element]] = []
        if row_el is not None and self._only_patched_cells(row_el, payloads):
            if next(row_el.iter(self._t["f"]), None) is not None:
                self.formulas_changed = True
        elif row_el is not None:
            for col, c in self.cells(row_el):
                if col not in payloads:
                    if c.get("r") is None:
                        c.set("r", cell_ref(r, col))
                    kept.append((col, c))
                    continue
                if self.is_formula(c):
                    self.formulas_changed = True
                if payloads[col] is CLEAR:
                    style = c.get("s")
                    if style and style != "0":
                        strings.append((col, f'<c r="{cell_ref(r, col)}" s="{style}"/>'))
                    payloads[col] = None
        for col, p in payloads.items():
            if p is None or p is CLEAR:
                continue
            if isinstance(p, str):
                strings.append((col, p))
            else:
                elements.append((col, p))
        if not kept and not elements:
            strings.sort(key=lambda x: x[0])
            body = "".join(s for _, s in strings)
            if row_el is None:
                if body:
                    pending.append(f'{self._row_open} r="{r}">{body}</row>')
            else:
                pending.append(f"{self._start_tag(row_el)}{body}</row>")
            return
        if row_el is None:
            row_el = etree.Element(self._t["row"], r=str(r))
        if "spans" in row_el.attrib:
            del row_el.attrib["spans"]
        parsed: list[tuple[int, etree._Element]] = []
        if strings:
            frag = etree.fromstring(
                f'<sheetData xmlns="{self.ns}">{"".join(s for _, s in strings)}</sheetData>'
            )
            parsed = [(col, c) for (col, _), c in zip(strings, list(frag), strict=True)]
        merged = sorted([*kept, *elements, *parsed], key=lambda x: x[0])
        non_cells = [ch for ch in row_el if ch.tag != self._t["c"]]  # e.g. extLst in a row
        row_el[:] = [c for _, c in merged] + non_cells
        flush()
        out.append(row_el)

    def _only_patched_cells(self, row_el: etree._Element, payloads: dict[int, Any]) -> bool:
        """Fast check: every existing cell of the row is replaced by a str/element payload.

        True when the payload columns are contiguous, hold no CLEAR, and the row's first and
        last cells (with explicit references) fall inside them.
        """
        lo, hi = min(payloads), max(payloads)
        if hi - lo + 1 != len(payloads) or any(p is CLEAR for p in payloads.values()):
            return False
        ctag = self._t["c"]
        first = row_el.find(ctag)
        if first is None:
            return True
        last = row_el[-1]
        if last.tag != ctag or first.get("r") is None or last.get("r") is None:
            return False
        return lo <= ref_col(first.get("r")) and ref_col(last.get("r")) <= hi \
            and len(row_el) <= len(payloads)

    def _start_tag(self, row_el: etree._Element) -> str:
        prefixes = {uri: p for p, uri in (row_el.nsmap or {}).items() if p}
        prefixes["http://www.w3.org/XML/1998/namespace"] = "xml"
        parts = []
        for key, value in row_el.attrib.items():
            if key == "spans":
                continue
            if key.startswith("{"):
                uri, local = key[1:].split("}", 1)
                key = f"{prefixes[uri]}:{local}" if uri in prefixes else local
            parts.append(f' {key}="{escape_attr(value)}"')
        return f"{self._row_open}{''.join(parts)}>"

    def _update_dimension(self) -> None:
        if self._extra_dimension is None:
            return
        dim = self.root.find(f"{{{self.ns}}}dimension")
        if dim is None:
            return
        try:
            old = CellRange.parse(dim.get("ref") or "A1")
        except ValueError:
            old = self._extra_dimension
        empty = self._rows == {} and old == CellRange(1, 1, 1, 1)
        dim.set("ref", str(self._extra_dimension if empty else old.union(self._extra_dimension)))

    def to_bytes(self) -> bytes:
        data = etree.tostring(self.tree, encoding="UTF-8", xml_declaration=False)
        token, placeholders = getattr(self, "_placeholders", ("", []))
        if placeholders:
            pattern = re.compile(rb"<!--xlpmo-" + token.encode() + rb"-(\d+)-->")
            data = pattern.sub(
                lambda m: "".join(placeholders[int(m.group(1))]).encode("utf-8"), data
            )
        return xml_declaration(self.original) + data

    def save(self) -> None:
        if self.changed:
            self.pkg.set(self.part, self.to_bytes())


def _texts(node: etree._Element, t_tag: str) -> Iterator[str]:
    """Text runs of an ``<is>``/``<si>`` element, without phonetic runs (``rPh``)."""
    for el in node.iter(t_tag):
        parent = el.getparent()
        if parent is not None and etree.QName(parent).localname == "rPh":
            continue
        yield el.text or ""


def shared_string_texts(tree: etree._ElementTree) -> list[str]:
    root = tree.getroot()
    ns = etree.QName(root).namespace or ""
    return ["".join(_texts(si, f"{{{ns}}}t")) for si in root if si.tag == f"{{{ns}}}si"]


__all__ = [
    "CLEAR", "WORKSHEET_CONTENT_TYPE", "Worksheet", "col_index", "new_worksheet_xml",
    "shared_string_texts",
]
