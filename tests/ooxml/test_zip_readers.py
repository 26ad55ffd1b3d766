"""Every common zip reader accepts a written workbook (issue #11 item 7).

Streaming readers (Java's ``java.util.zip.ZipInputStream``, which Apache POI's streaming
path uses, and any reader that walks the local headers without the central directory)
trust each entry's local header: an entry that keeps the data-descriptor flag (bit 3)
while its sizes are in the header and no descriptor follows makes Java fail with "invalid
entry size". The source here is written the way streaming writers write (every entry with
a data descriptor) and carries an archive comment, which must be kept.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from helpers.ooxml import Unseekable

from xlpmo.io.writer import write_tables

JAVA = """
import java.io.FileInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

public class StreamZip {
    public static void main(String[] args) throws Exception {
        try (ZipInputStream in = new ZipInputStream(new FileInputStream(args[0]))) {
            byte[] buf = new byte[8192];
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                long n = 0;
                int k;
                while ((k = in.read(buf)) > 0) n += k;
                System.out.println(e.getName() + "\\t" + n);
            }
        }
    }
}
"""


@pytest.fixture()
def written(tmp_path: Path) -> tuple[Path, Path]:
    """(source with data descriptors and a comment, the workbook written from it)."""
    plain = tmp_path / "plain.xlsx"
    wb = xlsxwriter.Workbook(str(plain))
    ws = wb.add_worksheet("Checks")
    ws.write("A1", "kept as it is")
    wb.add_worksheet("Notes").write("B2", "x" * 5000)
    wb.close()
    sink = Unseekable()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info.filename, src.read(info))
        z.comment = b"exported by the finance system"
    source = tmp_path / "streamed.xlsx"
    source.write_bytes(bytes(sink.buf))
    assert all(i.flag_bits & 0x08 for i in zipfile.ZipFile(source).infolist())
    out = tmp_path / "out.xlsx"
    write_tables(source, out, {"tblChecks": pd.DataFrame({
        "Severity": ["Info"], "Table": ["t"], "Cell": ["c"], "Message": ["m"]})})
    return source, out


def _walk_local_headers(data: bytes) -> dict[str, bytes]:
    """Read a zip the way a streaming reader does: local header after local header, from
    the first byte, trusting each header's sizes (no central directory)."""
    out, pos = {}, 0
    while data[pos:pos + 4] == b"PK\x03\x04":
        (_, flags, method, _, _, crc, csize, usize, nlen, xlen) = struct.unpack(
            "<HHHHHIIIHH", data[pos + 4:pos + 30])
        name = data[pos + 30:pos + 30 + nlen].decode()
        assert not flags & 0x08, f"{name}: data-descriptor flag set"
        start = pos + 30 + nlen + xlen
        raw = data[start:start + csize]
        body = zlib.decompress(raw, -15) if method == 8 else raw
        assert len(body) == usize and zlib.crc32(body) == crc, name
        out[name] = body
        pos = start + csize
    assert data[pos:pos + 4] == b"PK\x01\x02", "the central directory follows the last entry"
    return out


def test_local_headers_alone_describe_every_entry(written: tuple[Path, Path]) -> None:
    _source, out = written
    entries = _walk_local_headers(out.read_bytes())
    with zipfile.ZipFile(out) as z:
        assert entries == {i.filename: z.read(i) for i in z.infolist()}
        assert not [i.filename for i in z.infolist() if i.flag_bits & 0x08]


def test_archive_comment_is_kept(written: tuple[Path, Path]) -> None:
    _source, out = written
    assert zipfile.ZipFile(out).comment == b"exported by the finance system"


@pytest.mark.skipif(not (shutil.which("javac") and shutil.which("java")),
                    reason="needs a JDK (javac, java)")
def test_java_zip_input_stream_reads_every_entry(written: tuple[Path, Path],
                                                 tmp_path: Path) -> None:
    _source, out = written
    (tmp_path / "StreamZip.java").write_text(JAVA)
    subprocess.run(["javac", "StreamZip.java"], cwd=tmp_path, check=True, timeout=120,
                   capture_output=True)
    result = subprocess.run(["java", "-cp", str(tmp_path), "StreamZip", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    listed = dict(line.split("\t") for line in result.stdout.splitlines())
    with zipfile.ZipFile(out) as z:
        assert {k: int(v) for k, v in listed.items()} == {i.filename: i.file_size
                                                          for i in z.infolist()}


@pytest.mark.skipif(not shutil.which("unzip"), reason="needs Info-ZIP unzip")
def test_info_zip_tests_the_archive(written: tuple[Path, Path]) -> None:
    _source, out = written
    result = subprocess.run(["unzip", "-tq", str(out)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and "No errors detected" in result.stdout, result.stdout
