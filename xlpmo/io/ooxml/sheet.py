"""A worksheet part: queries on its cells, and patching of the rows xlpmo owns.

Only ``<sheetData>`` rows that receive patches change (plus ``<dimension>`` and
``<tableParts>`` when asked); everything else in the part is kept as parsed. Patched rows
keep their attributes (height, style, outline ...; ``spans`` is dropped because it is only a
hint that may no longer hold) and every cell that is not patched.

Rows whose cells are all new are rendered as text and spliced into the serialised part
(fast for tens of thousands of rows); rows that mix kept and new cells are merged in the
tree.

Rows the caller will rewrite (``rewrite`` blocks: the data rows of a table whose every
column is written again) are not kept in the tree at all (:mod:`~xlpmo.io.ooxml.leftout`):
the rows of a table of 30,000 rows would otherwise cost ~18 times their XML in lxml nodes,
only to be thrown away. Every such row must then be patched in all of the block's columns
with rendered text (or nothing), which the writer guarantees; the result is byte for byte
what patching the parsed row gives.

A table's data cells are queued as a :class:`~xlpmo.io.ooxml.rowblock.RowBlock` and
rendered a run of rows at a time while the part is serialised, so that one run's cell text
is in memory, not the table's. A saved part is deflated as its pieces are serialised
(:mod:`~xlpmo.io.ooxml.deflated`), never joined whole.
"""

from __future__ import annotations

import heapq
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from lxml import etree

from xlpmo.errors import WriteConflict, XlpmoError
from xlpmo.io.a1 import CellRange, cell_ref, col_index, quote_sheet, ref_col
from xlpmo.io.ooxml.deflated import DeflatedPart
from xlpmo.io.ooxml.leftout import cells_inside, parse_rewriting, row_start_tag
from xlpmo.io.ooxml.package import Package, parse_xml, xml_declaration
from xlpmo.io.ooxml.rowblock import Renderer, RowBlock

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

    def __init__(self, pkg: Package, part: str, name: str,
                 rewrite: Sequence[CellRange] = ()) -> None:
        """Parse the part; rows of the ``rewrite`` blocks are left out (module docstring)."""
        self.pkg = pkg
        self.part = part
        self.name = name
        data = pkg.read(part)
        self._declaration = xml_declaration(data)
        # row number -> start tag of a row left out of the tree, to be rewritten
        self._rewritten: dict[int, str] = {}
        parsed = parse_rewriting(data, part, rewrite) if rewrite else None
        if parsed is None:
            self.tree = parse_xml(data, part)
        else:
            self.tree, self._rewritten = parsed
        del data
        self.root = self.tree.getroot()
        self.ns = etree.QName(self.root).namespace or ""
        self._t = {k: f"{{{self.ns}}}{k}" for k in ("row", "c", "v", "f", "is", "t", "r")}
        self.sheet_data = self.root.find(f"{{{self.ns}}}sheetData")
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
        self.blocks: list[RowBlock] = []  # rows whose cells are rendered as they are written
        self.row_hidden: dict[int, bool] = {}  # rows whose hidden flag is set or cleared
        self.formulas_changed = False
        self.changed = False
        self.saved = False
        self._extra_dimension: CellRange | None = None
        self._placeholders: tuple[str, list[list[str] | None]] = ("", [])

    @property
    def label(self) -> str:
        return quote_sheet(self.name)

    def where(self, row: int, col: int) -> str:
        return f"{self.label}!{cell_ref(row, col)}"

    # -- reading ----------------------------------------------------------------------------
    def row(self, r: int) -> etree._Element | None:
        return self._rows.get(r)

    def row_numbers(self) -> list[int]:
        """Numbers of the rows in the part (those left out to be rewritten included)."""
        if not self._rewritten:
            return list(self._rows)
        return sorted({*self._rows, *self._rewritten})

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

    def formula(self, c: etree._Element) -> etree._Element | None:
        """The cell's ``<f>`` element, or None."""
        return c.find(self._t["f"])

    def shared_formula_anchors(self) -> dict[str, tuple[int, int, str]]:
        """``si`` -> (row, column, formula text) of each shared formula's first cell."""
        out = {}
        for f in self.sheet_data.iter(self._t["f"]):
            if f.get("t") == "shared" and f.text and f.get("si") is not None:
                try:
                    rng = CellRange.parse(f.getparent().get("r") or "")
                except ValueError:
                    continue
                out[f.get("si")] = (rng.r1, rng.c1, f.text)
        return out

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
        """Last row holding a value, formula or merged cell (0 when the sheet is empty).

        Rows left out to be rewritten count as holding content.
        """
        bottom = max(self._rewritten, default=0)
        for r in sorted(self._rows, reverse=True):
            if r <= bottom:
                break
            if any(self.has_content(c) for _, c in self.cells(self._rows[r])):
                bottom = r
                break
        for rng in self.merged_ranges():
            bottom = max(bottom, rng.r2)
        for _, rng in self.array_ranges():
            bottom = max(bottom, rng.r2)
        return bottom

    def occupied_cells(self, region: CellRange, own: CellRange | None) -> list[str]:
        """A1 addresses of non-empty cells in ``region`` outside ``own``.

        Rows left out to be rewritten are not looked at: they are a table's own data rows.
        """
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
        self._check_open()
        self.patches.setdefault(row, {})[col] = payload

    def patch_row(self, row: int, cells: dict[int, Any]) -> None:
        self._check_open()
        existing = self.patches.get(row)
        if existing is None:
            self.patches[row] = cells
        else:
            existing.update(cells)

    def patch_block(self, first_row: int, n_rows: int, cols: Sequence[int],
                    render: Renderer) -> None:
        """Queue rows ``first_row``... whose cells in ``cols`` are rendered text (or no
        cell), made by ``render`` a run at a time when the rows are written
        (:class:`~xlpmo.io.ooxml.rowblock.RowBlock`). Cells queued by :meth:`patch` on the
        same rows and columns win."""
        self._check_open()
        if n_rows > 0 and cols:
            self.blocks.append(RowBlock(first_row, n_rows, cols, render))

    def set_row_hidden(self, row: int, hidden: bool) -> None:
        """Hide or show a row (its ``hidden`` attribute) when the sheet is saved."""
        self._check_open()
        self.row_hidden[row] = hidden

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
        for r, row_el in self._rows.items():
            if (r not in self.patches and not self._blocks_at(r)) \
                    or row_el.find(f".//{ftag}") is None:
                continue  # only patched rows are searched for formulas
            payloads = self._patched_cols(r)
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
                    if cc not in self._patched_cols(rr)
                ]
                if outside:
                    kind = "an array formula" if f.get("t") == "array" else "a shared formula"
                    raise WriteConflict(
                        f"{self.where(r, col)} holds {kind} that cells outside the table use "
                        f"({', '.join(outside[:5])}{' ...' if len(outside) > 5 else ''}); "
                        "xlpmo will not overwrite it. Move the formula out of the table's range."
                    )

    def _patched_cols(self, r: int) -> set[int]:
        """The columns of row ``r`` that get a patch or a block's cell."""
        cols = set(self.patches.get(r, ()))
        for block in self._blocks_at(r):
            cols.update(block.cols)
        return cols

    def _blocks_at(self, r: int) -> list[RowBlock]:
        """The row blocks that hold row ``r``."""
        return [b for b in self.blocks if r in b] if self.blocks else []

    def _rewritten_start(self, r: int) -> str:
        """The start tag of a row left out of the tree (taken), with its hidden flag as
        set since."""
        start = self._rewritten.pop(r)
        hidden = self.row_hidden.get(r)
        return start if hidden is None else _hidden_in_tag(start, hidden)

    def _check_open(self) -> None:
        if self.saved:
            raise RuntimeError(f"{self.part} was already saved into the package")

    def apply(self) -> None:
        """Merge the queued patches into sheetData (see module docstring)."""
        self._check_open()
        if (not self.patches and not self.blocks and self._extra_dimension is None
                and not self.row_hidden):
            return
        self.changed = True
        self.check_formula_structures()
        had_rows = bool(self._rows or self._rewritten)
        placeholders: list[list[str]] = []
        token = uuid.uuid4().hex
        new_children: list[etree._Element] = []
        pending: list[str | _Lazy] = []

        def flush() -> None:
            if pending:
                new_children.append(etree.Comment(f"xlpmo-{token}-{len(placeholders)}"))
                placeholders.append(pending.copy())
                pending.clear()

        affected = self._affected_rows()
        nxt = next(affected, None)
        for el in self._ordered_children():
            if el.tag != self._t["row"]:
                flush()
                new_children.append(el)
                continue
            r = int(el.get("r"))
            while nxt is not None and nxt < r:
                self._emit(nxt, None, pending, flush, new_children)
                nxt = next(affected, None)
            if nxt == r:
                self._emit(r, el, pending, flush, new_children)
                nxt = next(affected, None)
                continue
            if r in self.row_hidden:
                _set_hidden(el, self.row_hidden[r])
            flush()
            new_children.append(el)
        while nxt is not None:
            self._emit(nxt, None, pending, flush, new_children)
            nxt = next(affected, None)
        flush()
        self.sheet_data[:] = new_children
        self._placeholders = (token, placeholders)
        self._update_dimension(had_rows)

    def _affected_rows(self) -> Iterator[int]:
        """The rows with patches or in a block, ascending, each once."""
        last = None
        for r in heapq.merge(sorted(self.patches), *(b.rows() for b in self.blocks)):
            if r != last:
                yield r
                last = r

    def _ordered_children(self) -> list[etree._Element]:
        rows = [el for el in self.sheet_data if el.tag == self._t["row"]]
        others = [el for el in self.sheet_data if el.tag != self._t["row"]]
        rows.sort(key=lambda e: int(e.get("r")))
        return others + rows

    def _emit(self, r: int, row_el: etree._Element | None, pending: list[str | _Lazy],
              flush: Any, out: list[etree._Element]) -> None:
        payloads = self.patches.pop(r, None)  # released as the row is written
        blocks = self._blocks_at(r)
        hidden = self.row_hidden.get(r)
        if row_el is not None and hidden is not None:
            _set_hidden(row_el, hidden)
        if blocks:
            lazy = self._deferred(r, row_el, hidden, payloads, blocks)
            if lazy is not None:
                pending.append(lazy)
                return
            cells: dict[int, Any] = {}
            for block in blocks:
                cells.update(block.cells(r))
            cells.update(payloads or {})
            payloads = cells
        assert payloads is not None, "an affected row has patches or a block"
        if row_el is None and r in self._rewritten:
            self._emit_rewritten(r, payloads, pending)
            return
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
                if body or hidden:
                    flag = ' hidden="1"' if hidden else ""
                    pending.append(f'{self._row_open} r="{r}"{flag}>{body}</row>')
            else:
                pending.append(f"{self._start_tag(row_el)}{body}</row>")
            return
        if row_el is None:
            row_el = etree.Element(self._t["row"], r=str(r))
            if hidden:
                row_el.set("hidden", "1")
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

    def _deferred(self, r: int, row_el: etree._Element | None, hidden: bool | None,
                  payloads: dict[int, Any] | None, blocks: list[RowBlock]) -> _Lazy | None:
        """A row in a block written as text when the part is serialised (its cells are
        rendered then), or None when the row must be merged in the tree now: a patch that is
        not text (an element, CLEAR), or an existing row with cells outside the new ones."""
        if payloads and any(p is not None and not isinstance(p, str)
                            for p in payloads.values()):
            return None
        if row_el is None:
            if r in self._rewritten:
                return _Lazy(r, self._rewritten_start(r), payloads)
            if hidden:
                return _Lazy(r, f'{self._row_open} r="{r}" hidden="1">', payloads)
            return _Lazy(r, None, payloads)
        cols = {c for b in blocks for c in b.cols} | set(payloads or ())
        if not self._covers(row_el, cols):
            return None
        if next(row_el.iter(self._t["f"]), None) is not None:
            self.formulas_changed = True
        return _Lazy(r, self._start_tag(row_el), payloads)

    def _render_lazy(self, row: _Lazy) -> str:
        """The text of a deferred row: its blocks' cells and its own, by column."""
        r = row.r
        blocks = self._blocks_at(r)
        if len(blocks) == 1 and not row.extra and blocks[0].ordered:
            body = "".join(c for _, c in blocks[0].cells(r) if c is not None)
        else:
            cells: dict[int, str | None] = {}
            for block in blocks:
                cells.update(block.cells(r))
            cells.update(row.extra or {})
            body = "".join(cells[c] or "" for c in sorted(cells))
        if row.start is not None:
            return f"{row.start}{body}</row>"
        return f'{self._row_open} r="{r}">{body}</row>' if body else ""

    def _emit_rewritten(self, r: int, payloads: dict[int, Any],
                        pending: list[str | _Lazy]) -> None:
        """A row left out of the tree: its start tag and the new cells (as the fast path of
        :meth:`_emit` writes a row whose cells are all replaced)."""
        start = self._rewritten_start(r)
        if any(p is not None and not isinstance(p, str) for p in payloads.values()):
            raise XlpmoError(f"internal error: row {r} of {self.part} was left out of the "
                             "parse but gets a cell that needs the old row")
        strings = sorted((col, p) for col, p in payloads.items() if isinstance(p, str))
        pending.append(f"{start}{''.join(s for _, s in strings)}</row>")

    def _only_patched_cells(self, row_el: etree._Element, payloads: dict[int, Any]) -> bool:
        """Fast check: every existing cell of the row is replaced by a str/element payload.

        True when the payload columns are contiguous, hold no CLEAR, and the row's first and
        last cells (with explicit references) fall inside them.
        """
        if any(p is CLEAR for p in payloads.values()):
            return False
        return self._covers(row_el, payloads)

    def _covers(self, row_el: etree._Element, cols: Iterable[int]) -> bool:
        """Are ``cols`` contiguous, with the row's first and last cells (with explicit
        references) inside them?"""
        cols = set(cols)
        lo, hi = min(cols), max(cols)
        return hi - lo + 1 == len(cols) and cells_inside(row_el, self._t["c"], lo, hi)

    def _start_tag(self, row_el: etree._Element) -> str:
        return row_start_tag(row_el, self._row_open)

    def _update_dimension(self, had_rows: bool) -> None:
        if self._extra_dimension is None:
            return
        dim = self.root.find(f"{{{self.ns}}}dimension")
        if dim is None:
            return
        try:
            old = CellRange.parse(dim.get("ref") or "A1")
        except ValueError:
            old = self._extra_dimension
        empty = not had_rows and old == CellRange(1, 1, 1, 1)
        dim.set("ref", str(self._extra_dimension if empty else old.union(self._extra_dimension)))

    def to_bytes(self) -> bytes:
        """The part as it now is (patches applied by :meth:`apply`)."""
        return b"".join(self.chunks())

    def chunks(self) -> Iterator[bytes]:
        """The part as it now is, in pieces: the tree's serialisation between the runs of
        rows rendered as text, each run encoded when its turn comes and released then (for
        :class:`~.deflated.DeflatedPart`, which deflates them as they come)."""
        if self._rewritten:
            raise XlpmoError(f"internal error: rows {sorted(self._rewritten)[:5]} of "
                             f"{self.part} were left out of the parse and not rewritten")
        data = etree.tostring(self.tree, encoding="UTF-8", xml_declaration=False)
        token, placeholders = self._placeholders
        yield self._declaration
        if not placeholders:
            yield data
            return
        pattern = re.compile(rb"<!--xlpmo-" + token.encode() + rb"-(\d+)-->")
        pieces = pattern.split(data)  # text, index, text, index, ..., text
        del data
        self._placeholders = ("", [])
        for i, piece in enumerate(pieces):
            pieces[i] = b""  # released as it is handed on
            if i % 2 == 0:
                yield piece
                continue
            k = int(piece)
            rows, placeholders[k] = placeholders[k], None
            assert rows is not None, "each placeholder appears once"
            yield from self._encoded(rows)

    def _encoded(self, rows: list[str | _Lazy]) -> Iterator[bytes]:
        """A run of rows as UTF-8, a few thousand rows at a time (deferred rows rendered
        then), each slice of the list released once encoded."""
        for start in range(0, len(rows), _RUN):
            run = rows[start:start + _RUN]
            yield "".join(x if isinstance(x, str) else self._render_lazy(x)
                          for x in run).encode("utf-8")
            rows[start:start + _RUN] = [""] * len(run)

    def save(self) -> None:
        """Put the part into the package (when it changed) and free the parsed tree.

        The worksheet cannot be changed or queried afterwards.
        """
        self._check_open()
        if self.changed:
            self.pkg.set(self.part, DeflatedPart.of(self.chunks()))
        self.saved = True
        self.tree = self.root = self.sheet_data = None  # type: ignore[assignment]
        self._rows = {}
        self.patches = {}
        for block in self.blocks:
            block.release()
        self.blocks = []


_RUN = 1 << 12  # rendered rows encoded (and deflated) at a time


class _Lazy:
    """A row of a block to be rendered when the part is serialised: its start tag (None: a
    new row, ``<row r="..">``, left out when it has no cell), its own text patches."""

    __slots__ = ("extra", "r", "start")

    def __init__(self, r: int, start: str | None, extra: dict[int, Any] | None) -> None:
        self.r = r
        self.start = start
        self.extra = extra


def copy_cell(c: etree._Element, ref: str) -> etree._Element:
    """A detached copy of a cell element, moved to ``ref``."""
    copy = etree.fromstring(etree.tostring(c))
    copy.set("r", ref)
    return copy


def _set_hidden(row_el: etree._Element, hidden: bool) -> None:
    if hidden:
        row_el.set("hidden", "1")
    elif "hidden" in row_el.attrib:
        del row_el.attrib["hidden"]


_HIDDEN_ATTR = re.compile(r'\shidden="[^"]*"')


def _hidden_in_tag(tag: str, hidden: bool) -> str:
    """A row start tag (``<row r="5">``) with its hidden flag set or removed."""
    tag = _HIDDEN_ATTR.sub("", tag)
    return tag[:-1] + ' hidden="1">' if hidden else tag


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
    "CLEAR", "WORKSHEET_CONTENT_TYPE", "Worksheet", "col_index", "copy_cell",
    "new_worksheet_xml", "shared_string_texts",
]
