"""Unit tests of xlpmo.io.ooxml: references, cell values, escaping, safe parsing, zip copy."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers.ooxml import Unseekable, raw_entry
from helpers.paths import CORPUS as CORPUS_DIR
from hypothesis import given
from hypothesis import strategies as st

from xlpmo.errors import XLError, XlpmoError
from xlpmo.io.a1 import MAX_COLS, CellRange, col_index, col_letter, parse_ref
from xlpmo.io.ooxml.cells import encode_value, escape_text, excel_serial, serials
from xlpmo.io.ooxml.package import Package, parse_xml, resolve_target, xml_declaration
from xlpmo.io.ooxml.styles import is_date_format


@given(st.integers(min_value=1, max_value=MAX_COLS))
def test_column_letters_round_trip(col: int) -> None:
    assert col_index(col_letter(col)) == col


def test_known_column_letters() -> None:
    assert [col_letter(c) for c in (1, 26, 27, 52, 53, 702, 703, 16384)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]
    assert parse_ref("$AB$12") == (12, 28)
    with pytest.raises(ValueError):
        col_letter(16385)


def test_ranges() -> None:
    r = CellRange.parse("Sheet1!C10:A2")
    assert (r.r1, r.c1, r.r2, r.c2) == (2, 1, 10, 3) and str(r) == "A2:C10"
    assert str(CellRange.parse("B2")) == "B2"
    assert r.intersects(CellRange.parse("C10:D11")) and not r.intersects(CellRange.parse("D1"))
    assert r.contains_range(CellRange.parse("B3:C4"))
    assert [str(x) for x in CellRange.parse_sqref("A1:B2 D4 1:1 C:C")] == ["A1:B2", "D4"]
    with pytest.raises(XlpmoError) as caught:
        CellRange(1, 1, 1_048_577, 1).check_bounds("tblX needs Data!A1:A1048577")
    # one statement, the range once (it used to read "needs ... would need A1:A1048577")
    assert str(caught.value) == ("tblX needs Data!A1:A1048577: that reaches row 1,048,577, "
                                 "past the sheet's last row 1,048,576")
    assert str(CellRange(1, 16_384, 2, 16_385)) == "XFD1:XFE2"  # named, not a crash


def test_escape_text() -> None:
    assert escape_text("a<b>&c") == "a&lt;b&gt;&amp;c"
    assert escape_text("tab\tnew\nline") == "tab\tnew\nline"     # XML may carry these
    assert escape_text("cr\rnul\x00bell\x07") == "cr_x000D_nul_x0000_bell_x0007_"
    assert escape_text("keep _x0041_ literal") == "keep _x005F_x0041_ literal"
    assert escape_text("lone \ud800 surrogate") == "lone _xD800_ surrogate"


def test_encode_value_types() -> None:
    assert encode_value(None) is None and encode_value(float("nan")) is None
    assert encode_value(pd.NaT) is None and encode_value(pd.NA) is None
    assert encode_value(np.datetime64("NaT")) is None
    assert encode_value(3) == ("", "<v>3</v>", "number")
    assert encode_value(np.int32(3)) == ("", "<v>3</v>", "number")
    assert encode_value(0.1) == ("", "<v>0.1</v>", "number")
    assert encode_value(np.float32(0.5)) == ("", "<v>0.5</v>", "number")
    assert encode_value(True) == (' t="b"', "<v>1</v>", "other")
    assert encode_value(np.bool_(False)) == (' t="b"', "<v>0</v>", "other")
    assert encode_value(XLError.DIV0) == (' t="e"', "<v>#DIV/0!</v>", "other")
    assert encode_value(float("-inf"))[1] == "<v>#NUM!</v>"
    assert encode_value("=A1") == (
        ' t="inlineStr"', '<is><t xml:space="preserve">=A1</t></is>', "other")
    assert encode_value(dt.date(2026, 1, 1)) == ("", "<v>46023.0</v>", "date")
    assert encode_value(pd.Timestamp("2026-01-01 12:00")) == ("", "<v>46023.5</v>", "datetime")
    assert encode_value(pd.Timestamp("2026-01-01 12:00", tz="Europe/Zurich"))[1] == \
        "<v>46023.5</v>"  # wall-clock time
    assert encode_value(pd.Period("2026-01", "M"))[1] == "<v>46023.0</v>"
    assert encode_value(dt.time(6, 0)) == ("", "<v>0.25</v>", "number")
    assert encode_value(dt.date(1899, 1, 1))[0] == ' t="inlineStr"'  # before Excel's dates
    with pytest.raises(ValueError, match="longer than a cell"):
        encode_value("x" * 32_768)
    with pytest.raises(TypeError, match="cannot be written"):
        encode_value(object())


def test_excel_serials_match_excel() -> None:
    # Excel: 1900-03-01 = 61, 2026-01-01 = 46023; 1904 system: 2026-01-01 = 44561
    assert excel_serial(dt.date(1900, 3, 1)) == 61
    assert excel_serial(dt.date(2026, 1, 1)) == 46023
    assert excel_serial(dt.date(2026, 1, 1), date1904=True) == 44561
    stamps = pd.to_datetime(["2026-01-01 00:00", None, "2026-01-01 06:00"])
    values, timed = serials(pd.Series(stamps))
    assert values[0] == 46023 and np.isnan(values[1]) and values[2] == 46023.25
    assert timed.tolist() == [False, False, True]
    # far dates: a nanosecond difference from 1899 would overflow after 2192
    assert excel_serial(dt.datetime(9999, 12, 31)) == 2958465  # Excel's last date
    far = pd.Series([pd.Timestamp("2300-01-01")]).astype("datetime64[us]")
    assert serials(far)[0][0] == excel_serial(dt.date(2300, 1, 1)) == 146099


@pytest.mark.parametrize("code, is_date", [
    ("yyyy-mm-dd", True), ("mmm yyyy", True), ("[h]:mm", True), ("dd/mm/yyyy hh:mm", True),
    ("#,##0.00", False), ("0.0%", False), ('"days "0', False), ("[Red]#,##0", False),
    ("General", False), ("0.00E+00", False), ('#,##0 "m"', False),
])
def test_date_format_detection(code: str, is_date: bool) -> None:
    assert is_date_format(code) is is_date


def test_xml_declaration_is_kept() -> None:
    assert xml_declaration(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<a/>') \
        == b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    assert xml_declaration(b"<a/>").startswith(b'<?xml version="1.0" encoding="UTF-8"')


def test_parser_refuses_dtds_and_does_not_resolve_entities(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xxe = f'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file://{secret}">]><a>&x;</a>'
    with pytest.raises(XlpmoError, match="DTD"):
        parse_xml(xxe.encode(), "xl/x.xml")
    laughs = ('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY l "ha"><!ENTITY l2 "&l;&l;&l;&l;">'
              '<!ENTITY l3 "&l2;&l2;&l2;&l2;">]><a>&l3;</a>')
    with pytest.raises(XlpmoError, match="DTD"):
        parse_xml(laughs.encode(), "xl/x.xml")
    with pytest.raises(XlpmoError, match="not well-formed XML"):
        parse_xml(b"<a><b></a>", "xl/x.xml")


def test_relationship_targets() -> None:
    assert resolve_target("xl/workbook.xml", "worksheets/sheet1.xml") == "xl/worksheets/sheet1.xml"
    assert resolve_target("xl/worksheets/sheet1.xml", "../tables/table1.xml") == \
        "xl/tables/table1.xml"
    assert resolve_target("xl/workbook.xml", "/xl/styles.xml") == "xl/styles.xml"
    assert resolve_target("", "xl/work%20book.xml") == "xl/work book.xml"


def _zip(path: Path, entries: dict[str, tuple[bytes, int]]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, (data, method) in entries.items():
            z.writestr(zipfile.ZipInfo(name, (2020, 5, 17, 10, 11, 12)), data, method)
    return path


def test_save_copies_untouched_entries_raw(tmp_path: Path) -> None:
    src = _zip(tmp_path / "a.zip", {
        "[Content_Types].xml": (b"<Types/>", zipfile.ZIP_DEFLATED),
        "stored.bin": (bytes(range(256)) * 50, zipfile.ZIP_STORED),
        "deflated.xml": (b"<x>" + b"a" * 5000 + b"</x>", zipfile.ZIP_DEFLATED),
        "replaced.xml": (b"<old/>", zipfile.ZIP_DEFLATED),
    })
    pkg = Package(src)
    pkg.set("replaced.xml", b"<new/>")
    pkg.set("added.xml", b"<added/>")
    copied = pkg.save(tmp_path / "b.zip")
    pkg.close()
    assert copied == 3
    old = {i.filename: i for i in zipfile.ZipFile(src).infolist()}
    new = zipfile.ZipFile(tmp_path / "b.zip")
    assert new.testzip() is None
    assert new.namelist() == [*old, "added.xml"]
    for info in new.infolist():
        if info.filename in ("stored.bin", "deflated.xml", "[Content_Types].xml"):
            o = old[info.filename]
            assert (info.compress_type, info.CRC, info.date_time) == \
                (o.compress_type, o.CRC, o.date_time)
            assert raw_entry(tmp_path / "b.zip", info) == raw_entry(src, o)
    assert new.read("replaced.xml") == b"<new/>" and new.read("added.xml") == b"<added/>"
    assert new.getinfo("replaced.xml").date_time == (2020, 5, 17, 10, 11, 12)


def test_entries_with_data_descriptors_are_copied(tmp_path: Path) -> None:
    sink = Unseekable()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as z:  # streamed: data descriptors
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("big.xml", b"<x>" + b"b" * 10000 + b"</x>")
    src = tmp_path / "dd.zip"
    src.write_bytes(bytes(sink.buf))
    assert zipfile.ZipFile(src).getinfo("big.xml").flag_bits & 0x08
    with Package(src) as pkg:
        pkg.save(tmp_path / "out.zip")
    out = zipfile.ZipFile(tmp_path / "out.zip")
    assert out.testzip() is None and out.read("big.xml") == b"<x>" + b"b" * 10000 + b"</x>"


def test_part_size_cap_and_duplicate_entries(tmp_path: Path) -> None:
    src = _zip(tmp_path / "a.zip", {"big.xml": (b"<a>" + b"x" * 10_000 + b"</a>", 8)})
    with Package(src, max_part_bytes=1000) as pkg, pytest.raises(XlpmoError, match="more than"):
        pkg.read("big.xml")
    dup = tmp_path / "dup.zip"
    with zipfile.ZipFile(dup, "w") as z:
        z.writestr("a.xml", b"1")
        with pytest.warns(UserWarning):
            z.writestr("a.xml", b"2")
    with pytest.raises(XlpmoError, match="duplicate"):
        Package(dup)


def test_the_writers_package_reads_parts_under_the_readers_guards(tmp_path: Path) -> None:
    # one zip reader for reading and writing: sizes the zip claims are not trusted, an
    # encrypted entry or a compression Excel does not write is refused with a message
    # (zipfile raised RuntimeError / NotImplementedError or read a cut-short part)
    from helpers.reader_books import patch_zip_entry

    from xlpmo.errors import FileRefused, LimitExceeded

    big = b"<a>" + b" " * (2 << 20) + b"</a>"
    liar = patch_zip_entry(_zip(tmp_path / "liar.zip", {"big.xml": (big, 8)}), "big.xml",
                           size=100)
    with Package(liar, max_part_bytes=1 << 20) as pkg, \
            pytest.raises(LimitExceeded, match="inflates to more than 1 MB"):
        pkg.read("big.xml")
    enc = patch_zip_entry(_zip(tmp_path / "enc.zip", {"a.xml": (b"<a/>", 8)}), "a.xml",
                          flags=0x1)
    with Package(enc) as pkg, pytest.raises(FileRefused, match="encrypted"):
        pkg.read("a.xml")
    bz = _zip(tmp_path / "bz.zip", {"a.xml": (b"<a/>", zipfile.ZIP_BZIP2)})
    with Package(bz) as pkg, pytest.raises(FileRefused, match="compression Excel does not"):
        pkg.read("a.xml")
    dtd = _zip(tmp_path / "dtd.zip", {"a.xml": (b'<!DOCTYPE a [<!ENTITY b "c">]><a/>', 8)})
    with Package(dtd) as pkg, pytest.raises(FileRefused, match="DTD"):
        pkg.read("a.xml")



def test_a_big_part_is_read_whole_and_checked_like_a_small_one(tmp_path: Path) -> None:
    """A deflated part past 16 MB (inflated again in one go after its stream was checked)
    reads as zipfile reads it; its checksum, a DTD at its start and the part cap still
    refuse it; a part just under the limit and a stored one read as well."""
    from helpers.reader_books import patch_zip_entry

    from xlpmo.errors import FileRefused, LimitExceeded

    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i * 7)
                    for i in range(1, 500_001))
    big = b"<a>" + rows + b"</a>"
    assert len(big) > 16 << 20
    src = _zip(tmp_path / "big.zip", {"big.xml": (big, 8), "stored.xml": (big, 0),
                                      "under.xml": (big[:(16 << 20) - 10] + b"</a>", 8)})
    with zipfile.ZipFile(src) as z, Package(src) as pkg:
        for name in ("big.xml", "stored.xml", "under.xml"):
            assert pkg.read(name) == z.read(name), name
    crc = zipfile.ZipFile(src).getinfo("big.xml").CRC
    bad = patch_zip_entry(_zip(tmp_path / "crc.zip", {"big.xml": (big, 8)}), "big.xml",
                          crc=crc ^ 1)
    with Package(bad) as pkg, pytest.raises(FileRefused, match="checksum"):
        pkg.read("big.xml")
    dtd = _zip(tmp_path / "dtd.zip", {"big.xml": (b'<!DOCTYPE a [<!ENTITY b "c">]>' + big, 8)})
    with Package(dtd) as pkg, pytest.raises(FileRefused, match="DTD"):
        pkg.read("big.xml")
    with Package(src, max_part_bytes=20 << 20) as pkg, \
            pytest.raises(LimitExceeded, match="more than 20 MB"):
        pkg.read("big.xml")


CORPUS = CORPUS_DIR


def _worksheet_parts(path: Path) -> list[tuple[str, str]]:
    from helpers.ooxml import sheets_in_zip

    return [(name, part) for name, (kind, part) in sheets_in_zip(path).items()
            if kind == "worksheet"][:4]


def _c14n(el: object) -> bytes:
    from lxml import etree

    return etree.tostring(el, method="c14n")


@pytest.mark.skipif(not CORPUS.exists(), reason="no corpus")
def test_patching_real_sheets_keeps_everything_else() -> None:
    """On every worksheet of the corpus (up to 4 a file): patch rows below the content and
    one cell beside existing content; every other row and every other element of the part
    (extLst, mc:AlternateContent, drawings, conditional formats, ...) stays as it was."""
    from lxml import etree

    from xlpmo.io.a1 import CellRange
    from xlpmo.io.ooxml.sheet import Worksheet

    checked = 0
    for path in sorted(CORPUS.glob("*.x*")):
        with Package(path) as pkg:
            for name, part in _worksheet_parts(path):
                ws = Worksheet(pkg, part, name)
                original = etree.fromstring(pkg.read(part))
                bottom = ws.content_bottom()
                rows = ws.row_numbers()
                beside = rows[0] if rows else None
                for r in range(bottom + 2, bottom + 5):
                    ws.patch_row(r, {1: f'<c r="A{r}" t="inlineStr"><is><t>n{r}</t></is></c>',
                                     2: f'<c r="B{r}"><v>{r}</v></c>'})
                if beside is not None:
                    ws.patch(beside, 16000, f'<c r="WQJ{beside}"><v>1</v></c>')
                ws.extend_dimension(CellRange(bottom + 2, 1, bottom + 4, 2))
                patched = {str(r) for r in ws.patches}
                ws.apply()
                after = etree.fromstring(ws.to_bytes())
                ns = ws.ns
                skip = {f"{{{ns}}}sheetData", f"{{{ns}}}dimension"}
                assert [_c14n(e) for e in original if e.tag not in skip] == \
                    [_c14n(e) for e in after if e.tag not in skip], (path.name, part)
                old_rows = {e.get("r"): e for e in original.find(f"{{{ns}}}sheetData")}
                new_rows = {e.get("r"): e for e in after.find(f"{{{ns}}}sheetData")}
                for r, el in old_rows.items():
                    if r is not None and r not in patched:
                        assert _c14n(new_rows[r]) == _c14n(el), (path.name, part, r)
                if beside is not None:
                    kept = [_c14n(c) for c in old_rows[str(beside)]]
                    assert [_c14n(c) for c in new_rows[str(beside)]][:len(kept)] == kept
                    assert new_rows[str(beside)][len(kept)].get("r") == f"WQJ{beside}"
                for r in range(bottom + 2, bottom + 5):
                    cells = new_rows[str(r)]
                    assert [c.get("r") for c in cells][:2] == [f"A{r}", f"B{r}"]
                    assert etree.QName(cells[0]).namespace == ns
                checked += 1
    assert checked > 100
