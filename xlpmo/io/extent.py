"""The used rectangle of a sheet part: the reader's guard before calamine reads the sheet.

calamine allocates the whole rectangle a sheet's cells span and aborts the process when
that fails, so the reader first finds, from the sheet's XML bytes, a bound no cell or row
reference exceeds (:func:`quick_bound`: one regex pass, the common case; :func:`extent`:
every reference, in any form XML and calamine accept) and refuses a sheet beyond Excel's
grid or beyond :data:`xlpmo.io.limits.MAX_SHEET_CELLS` (:func:`fits`).
"""

from __future__ import annotations

import re

from xlpmo.io import limits
from xlpmo.io.a1 import MAX_COLS, MAX_ROWS, col_index, letters_any, parse_ref

__all__ = ["RE_DIMENSION", "declared", "extent", "fits", "letters_gt", "letters_le", "num_gt",
           "quick_bound"]

RE_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s+ref=\"([A-Za-z$]+[0-9$]+)(?::([A-Za-z$]+[0-9$]+))?\""
)
# An attribute named r in any form XML and calamine accept: the letter r not preceded by
# a name character (so not header=, xmlns:r=, x:r=), then optional white space and "=".
# calamine takes a cell's position from it whether or not white space precedes it.
_R_ATTR = rb"r(?<![\w:.\-]r)"
_RE_ANY_REF = re.compile(_R_ATTR + rb"\s*=\s*[\"']\$?([A-Za-z]*)\$?0*([0-9]+)[\"']")
# an r attribute's name and the character after it (white space or "="), as _R_ATTR
_R_ATTR_NEXT = rb"r[\s=](?<![\w:.\-]r[\s=])"
# an r attribute not written as ` r="` (tab or no space before it, space around "=", ')
_RE_ODD_R = re.compile(_R_ATTR_NEXT + rb"(?:(?<! r=)|(?!\"))")


def num_gt(n: int) -> bytes:
    """Regex alternatives matching a decimal integer (no leading zeros) greater than n."""
    s = str(n)
    k = len(s)
    alts = [f"[1-9][0-9]{{{k},}}"]
    for i, ch in enumerate(s):
        d = int(ch)
        if d < 9:
            alts.append(f"{s[:i]}[{d + 1}-9][0-9]{{{k - i - 1}}}")
    return "|".join(alts).encode()


def letters_gt(letters: str) -> bytes:
    """Regex alternatives matching column letters after ``letters`` (A..Z, then AA..)."""
    m = len(letters)
    alts = [f"[A-Z]{{{m + 1},}}"]
    for i, ch in enumerate(letters):
        if ch < "Z":
            alts.append(f"{letters[:i]}[{chr(ord(ch) + 1)}-Z][A-Z]{{{m - i - 1}}}")
    return "|".join(alts).encode()


def letters_le(letters: str) -> bytes:
    """Regex alternatives matching column letters up to ``letters`` (A .. ``letters``)."""
    m = len(letters)
    alts = [f"[A-Z]{{1,{m - 1}}}"] if m > 1 else []
    for i, ch in enumerate(letters[:-1]):
        if ch > "A":
            alts.append(f"{letters[:i]}[A-{chr(ord(ch) - 1)}][A-Z]{{{m - i - 1}}}")
    alts.append(f"{letters[:-1]}[A-{letters[-1]}]")
    return "|".join(alts).encode()


def declared(xml: bytes) -> tuple[int, int] | None:
    """The bottom-right corner of the sheet's ``<dimension>`` (as the writer declared it)."""
    m = RE_DIMENSION.search(xml, 0, 1 << 16)
    if not m:
        return None
    try:
        return parse_ref((m[2] or m[1]).decode().replace("$", ""))
    except ValueError:  # AAAA1, a row of eight digits: no usable declaration
        return None


def quick_bound(xml: bytes) -> tuple[int, int] | None:
    """A (rows, columns) no cell or row reference of a sheet part exceeds, found with one
    regex pass: the declared ``<dimension>``'s columns and its rows rounded up past the
    first digit (A1:E500001 gives (599999, 5)). None when the sheet declares no dimension,
    or when any r attribute is not written ``r="E500001"`` within that bound (white space
    around "=", single quotes, lower case, leading zeros, a reference past the bound): then
    :func:`extent` looks at every reference.

    This is the common case, and quicker than :func:`extent`'s checks.
    """
    corner = declared(xml)
    if corner is None:
        return None
    rows, cols = corner
    digits = str(rows)
    k, first = len(digits), digits[0]
    row_re = f"[1-9][0-9]{{0,{k - 2}}}|[1-{first}][0-9]{{{k - 1}}}" if k > 1 else f"[1-{first}]"
    suspect = re.compile(
        _R_ATTR_NEXT + rb"(?!\"(?:" + letters_le(letters_any(cols))
        + b")?(?:" + row_re.encode() + b')")'
    )
    if suspect.search(xml):
        return None
    return (int(first) + 1) * 10 ** (k - 1) - 1, cols


def extent(xml: bytes) -> tuple[int, int]:
    """The largest row and column any cell or row of a sheet part names.

    Fast path: the ``<dimension>`` the writer declared, verified by one regex search for
    a reference beyond it; otherwise every reference (in any form) is scanned.
    """
    corner = declared(xml)
    odd = _RE_ODD_R.search(xml) is not None  # r=' , \tr=, r = ... (see _RE_ODD_R)
    if corner and not odd and not re.search(rb' r="\$?[a-z]', xml):
        rows, cols = corner
        beyond = re.compile(
            b' r="(?:(?:' + letters_gt(letters_any(cols)) + b")[0-9]|[A-Z]{0,3}0*(?:"
            + num_gt(rows) + b')")'
        )
        if not beyond.search(xml):
            return rows, cols
    rows = cols = 0
    for letters, digits in set(_RE_ANY_REF.findall(xml)):
        rows = max(rows, int(digits))
        if letters:
            cols = max(cols, col_index(letters.decode()))
    return rows, max(cols, 1)


def fits(rows: int, cols: int) -> bool:
    """A used rectangle xlpmo reads (within Excel's grid and
    :data:`~xlpmo.io.limits.MAX_SHEET_CELLS`)."""
    return rows <= MAX_ROWS and cols <= MAX_COLS and rows * cols <= limits.MAX_SHEET_CELLS
