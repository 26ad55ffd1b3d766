"""DataFrame columns -> cell XML text, with the number format each value needs.

Style rule (the template's formats win): a column starts from a *base* style, the style
of the existing table's first data-row cell (0 for a new table). A value keeps the base
style when it already shows that kind of value; otherwise the base style is cloned with
the kind's number format (:data:`xlpmo.io.ooxml.styles.KIND_FORMATS`):

- numbers need a number format only when the base is General;
- dates need a date format: the base is kept when it is a date format;
- text, booleans and errors always keep the base style.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlpmo.errors import InputError, XLError
from xlpmo.io.a1 import col_letter
from xlpmo.io.ooxml.cells import (
    DATE,
    DATETIME,
    MAX_TEXT,
    NUMBER,
    OTHER,
    encode_value,
    inline_string_body,
    serials,
)
from xlpmo.io.ooxml.styles import DATE_FORMAT, DATE_KINDS, DATETIME_FORMAT, KIND_FORMATS, Styles

_INF = (float("inf"), float("-inf"))


class ColumnStyle:
    """Picks the style index for each value class of one column (cached)."""

    def __init__(self, styles: Styles, base: int, kind: str) -> None:
        self.styles = styles
        self.base = base if styles.valid(base) else 0
        self.kind = kind
        self._cache: dict[str, str] = {}

    def index(self, klass: str) -> int:
        styles, base, kind = self.styles, self.base, self.kind
        if klass == NUMBER:
            code = KIND_FORMATS.get(kind)
            if code is None or not styles.is_general(base):
                return base
            return styles.with_format(base, code)
        if klass in (DATE, DATETIME):
            if styles.is_date(base):
                return base
            if kind in DATE_KINDS:
                code = KIND_FORMATS[kind]
            else:
                code = DATETIME_FORMAT if klass == DATETIME else DATE_FORMAT
            return styles.with_format(base, code)
        return base

    def attr(self, klass: str) -> str:
        cached = self._cache.get(klass)
        if cached is None:
            s = self.index(klass)
            cached = f' s="{s}"' if s else ""
            self._cache[klass] = cached
        return cached

    @property
    def natural_class(self) -> str:
        if self.kind in DATE_KINDS:
            return DATETIME if self.kind == "timestamp" else DATE
        return NUMBER if self.kind in KIND_FORMATS else OTHER

    def blank(self, ref: str) -> str | None:
        """A styled empty cell keeping the column's format, or None (no cell) when unstyled."""
        attr = self.attr(self.natural_class)
        return f'<c r="{ref}"{attr}/>' if attr else None


def render_value(value: Any, ref: str, style: ColumnStyle, date1904: bool) -> str | None:
    """One cell's XML text (None = no cell). Raises ValueError/TypeError for bad values."""
    enc = encode_value(value, date1904)
    if enc is None:
        return style.blank(ref)
    t, body, klass = enc
    return f'<c r="{ref}"{style.attr(klass)}{t}>{body}</c>'


def render_header(text: str, ref: str, style: int) -> str:
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s} t="inlineStr">{inline_string_body(text)}</c>'


def render_column(
    series: pd.Series, col: int, first_row: int, style: ColumnStyle, date1904: bool,
    where: str, origin: int | None = None,
) -> list[str | None]:
    """Cell XML for every value of a column written from ``first_row`` down.

    ``where`` names the table and column for error messages, which count rows from
    ``origin`` (the table's first data row; default ``first_row``).
    """
    letter = col_letter(col)
    rows = range(first_row, first_row + len(series))
    dtype = series.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        fast = _render_datetimes(series, letter, rows, style, date1904)
        if fast is not None:
            return fast
    elif pd.api.types.is_float_dtype(dtype) or (
        pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    ):
        return _render_numbers(series, letter, rows, style)
    return _render_objects(series.tolist(), letter, rows, style, date1904, where,
                           first_row if origin is None else origin)


def _render_objects(values: list[Any], letter: str, rows: range, style: ColumnStyle,
                    date1904: bool, where: str, first_row: int) -> list[str | None]:
    """Mixed values; floats, plain text and errors inline (the common output mix)."""
    number, other = style.attr(NUMBER), style.attr(OTHER)
    out: list[str | None] = []
    for r, value in zip(rows, values, strict=True):
        kind = type(value)
        if (kind is float or kind is np.float64) and value == value and value not in _INF:
            out.append(f'<c r="{letter}{r}"{number}><v>{float(value)!r}</v></c>')
        elif kind is XLError:
            out.append(f'<c r="{letter}{r}"{other} t="e"><v>{value.value}</v></c>')
        elif kind is str and len(value) <= MAX_TEXT:
            out.append(f'<c r="{letter}{r}"{other} t="inlineStr">{inline_string_body(value)}</c>')
        else:
            ref = f"{letter}{r}"
            try:
                out.append(render_value(value, ref, style, date1904))
            except (ValueError, TypeError) as exc:
                raise InputError(f"{where}, cell {ref} (row {r - first_row + 1}): {exc}") \
                    from None
    return out


def _render_numbers(series: pd.Series, letter: str, rows: range,
                    style: ColumnStyle) -> list[str | None]:
    integer = pd.api.types.is_integer_dtype(series.dtype) and not series.hasnans
    values = series.tolist() if integer else series.to_numpy(dtype=float, na_value=np.nan).tolist()
    sa = style.attr(NUMBER)
    out: list[str | None] = []
    for r, x in zip(rows, values, strict=True):
        if integer:
            out.append(f'<c r="{letter}{r}"{sa}><v>{int(x)}</v></c>')
        elif x != x:  # NaN
            out.append(style.blank(f"{letter}{r}"))
        elif x in (float("inf"), float("-inf")):
            out.append(f'<c r="{letter}{r}"{style.attr(OTHER)} t="e"><v>#NUM!</v></c>')
        else:
            out.append(f'<c r="{letter}{r}"{sa}><v>{x!r}</v></c>')
    return out


def _render_datetimes(series: pd.Series, letter: str, rows: range, style: ColumnStyle,
                      date1904: bool) -> list[str | None] | None:
    values, timed = serials(series, date1904)
    if np.isnan(values).sum() != int(series.isna().sum()):
        return None  # dates Excel cannot show: the generic path writes them as text
    sd, sdt = style.attr(DATE), style.attr(DATETIME)
    out: list[str | None] = []
    for r, x, t in zip(rows, values.tolist(), timed.tolist(), strict=True):
        if x != x:
            out.append(style.blank(f"{letter}{r}"))
        else:
            out.append(f'<c r="{letter}{r}"{sdt if t else sd}><v>{x!r}</v></c>')
    return out
