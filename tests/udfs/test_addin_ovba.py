"""The vbaProject.bin writer: MS-OVBA compression and encryption, and the compound file.

Checked against independent readers (oletools' decompressor, olefile) and against values Excel
itself wrote (the PROJECT stream of the add-in template shipped inside the xlwings package).
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import olefile
import pytest
import xlwings
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import decompress_stream
from xlpmo_udfs.addin import cfb, ovba

XLWINGS_TEMPLATE = Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"
CHUNK = 4096


def roundtrip(data: bytes) -> bytes:
    return bytes(decompress_stream(bytearray(ovba.compress(data))))


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=9, max_codepoint=126), max_size=9000))
def test_compressed_text_decompresses_to_itself_with_oletools(text: str) -> None:
    data = text.encode("ascii")
    assert roundtrip(data) == data


@settings(max_examples=30, deadline=None)
@given(st.binary(min_size=1, max_size=3000), st.integers(1, 6))
def test_repetitive_bytes_roundtrip(unit: bytes, repeats: int) -> None:
    data = unit * repeats
    assert roundtrip(data) == data


def test_incompressible_full_chunks_are_stored_raw() -> None:
    data = random.Random(7).randbytes(3 * CHUNK)
    packed = ovba.compress(data)
    assert roundtrip(data) == data
    # three raw chunks: signature byte + 3 x (2-byte header + 4096 bytes)
    assert len(packed) == 1 + 3 * (2 + CHUNK)


def test_repetitive_source_compresses() -> None:
    line = b"    PMO_CPI = XLPy.CallUDF(\"xlpmo_udfs.functions\", \"PMO_CPI\", Array(ev, ac))\r\n"
    data = line * 200
    assert len(ovba.compress(data)) < len(data) / 10
    assert roundtrip(data) == data


def test_xlwings_bas_roundtrips() -> None:
    """The 46 KB xlwings.bas that ms-ovba 0.0.1 garbled survives this compressor."""
    data = (Path(xlwings.__file__).parent / "xlwings.bas").read_bytes()
    assert roundtrip(data) == data


def excel_project_stream() -> dict[str, str]:
    with zipfile.ZipFile(XLWINGS_TEMPLATE) as zf:
        ole = olefile.OleFileIO(io.BytesIO(zf.read("xl/vbaProject.bin")))
    text = ole.openstream("PROJECT").read().decode("cp1252")
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def test_decrypt_reads_the_values_excel_wrote() -> None:
    props = excel_project_stream()
    project_id = props["ID"].strip('"')
    key = sum(project_id.encode()) & 0xFF
    assert ovba.decrypt(bytes.fromhex(props["CMG"].strip('"'))) == (key, b"\x00" * 4)
    assert ovba.decrypt(bytes.fromhex(props["DPB"].strip('"'))) == (key, b"\x00")
    assert ovba.decrypt(bytes.fromhex(props["GC"].strip('"'))) == (key, b"\xff")


@given(st.binary(max_size=40), st.integers(0, 255), st.uuids())
def test_encrypt_then_decrypt(data: bytes, seed: int, guid) -> None:
    project_id = "{" + str(guid).upper() + "}"
    blob = ovba.encrypt(project_id, data, seed)
    assert blob[0] == seed
    assert len(blob) == 3 + (seed & 6) // 2 + 4 + len(data)
    assert ovba.decrypt(blob) == (sum(project_id.encode()) & 0xFF, data)


# ------------------------------------------------------------------------- compound file
def check_red_black(ole: olefile.OleFileIO) -> None:
    """Every sibling tree is a binary search tree in MS-CFB order with red-black colours."""
    entries = ole.direntries

    def key(sid: int) -> tuple[int, str]:
        name = entries[sid].name
        return (len(name), name.upper())

    def walk(sid: int, lo, hi) -> int:  # returns the black height
        if sid == cfb.NOSTREAM:
            return 1
        entry = entries[sid]
        assert (lo is None or key(sid) > lo) and (hi is None or key(sid) < hi)
        if entry.color == cfb._RED:
            for child in (entry.sid_left, entry.sid_right):
                assert child == cfb.NOSTREAM or entries[child].color == cfb._BLACK
        left = walk(entry.sid_left, lo, key(sid))
        right = walk(entry.sid_right, key(sid), hi)
        assert left == right
        return left + (entry.color == cfb._BLACK)

    for entry in entries:
        if entry is not None and entry.sid_child != cfb.NOSTREAM:
            assert entries[entry.sid_child].color == cfb._BLACK  # a tree's root is black
            walk(entry.sid_child, None, None)


names = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh_0123456789", min_size=1, max_size=31)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(names, st.integers(0, 9000), min_size=1, max_size=25),
       st.integers(0, 2**32 - 1))
def test_compound_file_roundtrips_with_olefile(sizes: dict[str, int], seed: int) -> None:
    rng = random.Random(seed)
    names_upper: set[str] = set()
    streams = {}
    for i, (name, size) in enumerate(sizes.items()):
        if name.upper() in names_upper | {"VBA"}:  # names are case-insensitive in a
            continue  # compound file; VBA is the storage of every second stream
        names_upper.add(name.upper())
        path = f"VBA/{name}" if i % 2 else name
        streams[path] = rng.randbytes(size)
    blob = cfb.compound_file(streams)
    assert len(blob) % cfb.SECTOR == 0
    ole = olefile.OleFileIO(io.BytesIO(blob), raise_defects=olefile.DEFECT_INCORRECT)
    for path, data in streams.items():
        assert ole.openstream(path).read() == data
    listed = {"/".join(p) for p in ole.listdir(streams=True, storages=False)}
    assert listed == set(streams)
    check_red_black(ole)


@pytest.mark.parametrize("streams, message", [
    ({"VBA/dir": b"1", "vba": b"2"}, "has the name of a storage \\('VBA'\\)"),
    ({"Module1": b"1", "MODULE1": b"2"}, "has the name of another stream"),
    ({"vba": b"1", "VBA/dir": b"2"}, "'VBA' is both a stream and a storage"),
])
def test_compound_file_refuses_names_that_clash_ignoring_case(streams, message) -> None:
    with pytest.raises(ValueError, match=message):
        cfb.compound_file(streams)


def test_compound_file_refuses_long_names() -> None:
    with pytest.raises(ValueError, match="31 characters"):
        cfb.compound_file({"x" * 32: b"1"})


# ------------------------------------------------------------------------------- project
def test_vba_project_streams_read_back() -> None:
    modules = [
        ovba.VbaModule("ThisWorkbook", kind="document", base=ovba.WORKBOOK_BASE),
        ovba.module_from_bas('Attribute VB_Name = "M1"\nSub A()\nEnd Sub\n'),
    ]
    ole = olefile.OleFileIO(io.BytesIO(ovba.vba_project_bin("proj", modules)))
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert 'Name="proj"' in project and "Module=M1" in project
    assert "Document=ThisWorkbook/&H00000000" in project
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("cc61ffff000100")
    source = bytes(decompress_stream(bytearray(ole.openstream("VBA/M1").read())))
    assert source == b'Attribute VB_Name = "M1"\r\nSub A()\r\nEnd Sub\r\n'
    dir_stream = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    assert b"proj" in dir_stream and b"stdole" in dir_stream and b"Office" in dir_stream


def test_module_names_must_be_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        ovba.vba_project_streams("p", [ovba.VbaModule("A"), ovba.VbaModule("a")])


def test_bas_text_must_name_its_module() -> None:
    with pytest.raises(ValueError, match="VB_Name"):
        ovba.module_from_bas("Sub A()\nEnd Sub\n")
