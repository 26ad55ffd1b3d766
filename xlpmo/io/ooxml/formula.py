"""Move a cell's formula to another cell, as Excel moves it when rows are sorted or inserted.

A formula written in a user column of an output table moves with its row's key
(:mod:`xlpmo.io.keyed`). Its relative references must move with it, exactly as Excel's
fill/sort adjusts them: a relative row (``B7``, ``B$7`` keeps its row, ``$B7`` moves)
shifts by the number of rows the cell moved (a relative column by the columns it moved,
for the cells of a shared formula); a reference pushed off the sheet becomes ``#REF!``.
Structured references (``[@CPI]``, ``tblEVM[[#This Row],[CPI]]``), text in quotes, quoted
sheet names and names are not cell references and stay as they are.

Formulas are stored in the file in A1 notation without the leading ``=``.
"""

from __future__ import annotations

import re

from xlpmo.io.a1 import MAX_COLS, MAX_ROWS, col_index, col_letter

__all__ = ["shift_formula"]

# a cell reference, a whole-row range or a whole-column range, not after a name character
_REF = re.compile(
    r"(?<![A-Za-z0-9_.\\$])"
    r"(?:(?P<c1>\$?)(?P<col>[A-Za-z]{1,3})(?P<r1>\$?)(?P<row>[0-9]{1,7})(?![A-Za-z0-9_.(\\])"
    r"|(?P<a1>\$?)(?P<ra>[0-9]{1,7}):(?P<b1>\$?)(?P<rb>[0-9]{1,7})(?![0-9A-Za-z_.(])"
    r"|(?P<ca>\$?)(?P<la>[A-Za-z]{1,3}):(?P<cb>\$?)(?P<lb>[A-Za-z]{1,3})(?![0-9A-Za-z_.(]))"
)


def _shift(n: int, anchored: bool, delta: int, last: int) -> int | None:
    if anchored:
        return n
    new = n + delta
    return new if 1 <= new <= last else None


def _shift_plain(text: str, rows: int, cols: int) -> str:
    """Shift the references of formula text that holds no quotes or brackets."""

    def column(letters: str, anchored: bool) -> str | None:
        n = _shift(col_index(letters), anchored, cols, MAX_COLS)
        if n is None:
            return None
        return letters if anchored or cols == 0 else col_letter(n)

    def one(m: re.Match[str]) -> str:
        if m["col"] is not None:
            if col_index(m["col"]) > MAX_COLS or not 1 <= int(m["row"]) <= MAX_ROWS:
                return m[0]  # a name such as XYZ1, not a cell
            row = _shift(int(m["row"]), bool(m["r1"]), rows, MAX_ROWS)
            letters = column(m["col"], bool(m["c1"]))
            if row is None or letters is None:
                return "#REF!"
            return f"{m['c1']}{letters}{m['r1']}{row}"
        if m["ra"] is not None:
            top = _shift(int(m["ra"]), bool(m["a1"]), rows, MAX_ROWS)
            bottom = _shift(int(m["rb"]), bool(m["b1"]), rows, MAX_ROWS)
            if top is None or bottom is None:
                return "#REF!"
            return f"{m['a1']}{top}:{m['b1']}{bottom}"
        if col_index(m["la"]) > MAX_COLS or col_index(m["lb"]) > MAX_COLS:
            return m[0]
        left, right = column(m["la"], bool(m["ca"])), column(m["lb"], bool(m["cb"]))
        if left is None or right is None:
            return "#REF!"
        return f"{m['ca']}{left}:{m['cb']}{right}"

    return _REF.sub(one, text)


def shift_formula(formula: str, rows: int, cols: int = 0) -> str:
    """``formula`` (without ``=``) as it reads ``rows`` rows further down (up if < 0) and
    ``cols`` columns to the right."""
    if rows == 0 and cols == 0:
        return formula
    out, plain, i, n = [], [], 0, len(formula)

    def flush() -> None:
        if plain:
            out.append(_shift_plain("".join(plain), rows, cols))
            plain.clear()

    while i < n:
        ch = formula[i]
        if ch in "\"'":  # a text literal or a quoted sheet name: doubled quotes escape
            flush()
            j = i + 1
            while j < n:
                if formula[j] == ch:
                    if j + 1 < n and formula[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            out.append(formula[i:j + 1])
            i = j + 1
        elif ch == "[":  # a structured reference or an external book: nested brackets
            flush()
            depth, j = 0, i
            while j < n:
                if formula[j] == "'" and j + 1 < n:  # '[ escapes a bracket in a column name
                    j += 2
                    continue
                if formula[j] == "[":
                    depth += 1
                elif formula[j] == "]":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            out.append(formula[i:j + 1])
            i = j + 1
        else:
            plain.append(ch)
            i += 1
    flush()
    return "".join(out)
