"""Hostile files through ``xlpmo refresh`` and ``xlpmo validate``, as a user runs them.

Each file is refreshed by the command line in a child process limited to 1 GB of address
space (RLIMIT_AS); a 600-second timeout only stops a hang (speed is measured in
benchmarks/, not asserted here). Every refusal must be:

- a clear message (exit code 2, the file named, no traceback, no "unexpected" error);
- within that memory bound;
- harmless: the folder holds exactly the bytes it held before (no change to the file, no
  temp file, lock or backup left behind).

Files that are odd but legitimate (200 sheets, a huge part nobody reads, an external entity
in a part nobody parses) must refresh within the same memory bound, the odd part copied as it
was. The contents of ``/etc/passwd`` and of a secret file that external entities point at
never appear in any output, message or written part.
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
import xlsxwriter
from helpers.reader_books import bomb_book, patch_zip_entry, rezip

from xlpmo.io.reader import read_workbook

TEMPLATE = Path(__file__).resolve().parents[2] / "workbook" / "PMO_Tracker.xlsx"
MEMORY = 1 << 30  # address space of the child: python + pandas need about 500 MB
SECONDS = 600  # a hang guard, not a speed target
PLAN_SHEET = "xl/worksheets/sheet9.xml"  # Plan (an input the reader parses)
DASHBOARD_SHEET = "xl/worksheets/sheet2.xml"  # Dashboard (tblEVM: only the writer parses it)
# the child runs each command line given (JSON) and answers (exit code, stdout, stderr,
# seconds) for each: one interpreter start for validate and refresh
RUN = """
import contextlib, io, json, sys, time
from xlpmo.cli import main
answers = []
for args in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    answers.append([code, out.getvalue(), err.getvalue(), time.perf_counter() - start])
print(json.dumps(answers))
"""

LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
          + b"".join(b' <!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else
                                                         b"&lol;") * 10) for i in range(1, 10))
          + b"]>\n")


def passwd_secret() -> str:
    """A line of /etc/passwd that must never show up anywhere."""
    try:
        return Path("/etc/passwd").read_text().splitlines()[0]
    except (OSError, IndexError):
        return "root:x:0:0"


# -- running the command line in a bounded child ----------------------------------------------


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_cli(*commands: list[str], cwd: Path) -> list[tuple[int, str, str, float]]:
    """Run ``xlpmo`` command lines one after the other in one bounded child process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLPMO")}
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-c", RUN, json.dumps(commands)], cwd=cwd,
                          env=env, preexec_fn=_limits, capture_output=True, text=True,
                          timeout=SECONDS)
    assert proc.returncode == 0, f"the child died ({proc.returncode}): {proc.stderr[-2000:]}"
    return [tuple(a) for a in json.loads(proc.stdout.splitlines()[-1])]


def snapshot(folder: Path) -> dict[str, bytes]:
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink():
            out[str(p.relative_to(folder))] = p.read_bytes()
        else:
            out[str(p.relative_to(folder))] = b"<dir or link>"
    return out


def every_byte(path: Path) -> bytes:
    """The file's bytes and, for a zip, every part inflated (a leak could hide in any)."""
    data = path.read_bytes()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            parts = [z.read(i) for i in z.infolist()
                     if i.file_size < 64 << 20 and not i.flag_bits & 0x1]
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError, zlib.error):
        return data
    return data + b"".join(parts)


def assert_no_leak(texts: list[str], folder: Path, secrets: list[str]) -> None:
    for secret in secrets:
        for text in texts:
            assert secret not in text
        for p in folder.rglob("*"):
            if p.is_file() and not p.is_symlink():
                assert secret.encode() not in every_byte(p), f"{secret!r} leaked into {p.name}"


# -- hostile files ----------------------------------------------------------------------------


def _template(folder: Path, name: str = "Tracker.xlsx") -> Path:
    path = folder / name
    path.write_bytes(TEMPLATE.read_bytes())
    return path


def _dtd(payload: bytes) -> Callable[[bytes], bytes]:
    """Put a DTD prolog in front of a part's root element (the entity used inside)."""
    def patch(data: bytes) -> bytes:
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        return payload + body.lstrip()
    return patch


def _use_entity(part_patch: Callable[[bytes], bytes], find: bytes, entity: bytes
                ) -> Callable[[bytes], bytes]:
    def patch(data: bytes) -> bytes:
        data = part_patch(data)
        assert find in data, find
        return data.replace(find, find + entity, 1)
    return patch


def xxe(target: str) -> bytes:
    return (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "'
            + target.encode() + b'">]>\n')


_BOMBS: dict[str, bytes] = {}


def build(folder: Path, case: str, secret_file: Path) -> Path:
    """Write the hostile file ``case`` into ``folder``; returns its path."""
    src = _template(folder / "..", "_source.xlsx") if case != "two_hundred_sheets" else None
    path = folder / ("Book" + {"legacy_xls": ".xls", "xlsb": ".xlsb", "ods": ".ods"}
                     .get(case, ".xlsx"))
    data = TEMPLATE.read_bytes()
    if case == "csv":
        path.write_text("ProjectID,Planned\nP1,100\n")
    elif case == "html":
        path.write_bytes(b"<!DOCTYPE html><html><body>Sign in to continue</body></html>")
    elif case == "empty":
        path.write_bytes(b"")
    elif case == "random":
        path.write_bytes(bytes((i * 7919 + 13) % 251 for i in range(100_000)))
    elif case == "truncated_half":
        path.write_bytes(data[: len(data) // 2])
    elif case == "truncated_tail":
        path.write_bytes(data[:-200])  # the central directory cut short
    elif case.endswith("_bomb") and case != "unread_bomb":
        part = {"sheet_bomb": PLAN_SHEET, "shared_strings_bomb": "xl/sharedStrings.xml",
                "output_sheet_bomb": DASHBOARD_SHEET}[case]
        if part not in _BOMBS:  # 1 GB of zeros deflated once per run (about 1 MB)
            _BOMBS[part] = bomb_book(src, folder / "bomb.tmp", part, 1 << 30).read_bytes()
            (folder / "bomb.tmp").unlink()
        path.write_bytes(_BOMBS[part])
    elif case.startswith("laughs_"):
        part = {"laughs_workbook": "xl/workbook.xml", "laughs_strings": "xl/sharedStrings.xml",
                "laughs_styles": "xl/styles.xml", "laughs_table": "xl/tables/table5.xml",
                "laughs_plan": PLAN_SHEET, "laughs_dashboard": DASHBOARD_SHEET,
                "laughs_content_types": "[Content_Types].xml",
                "laughs_rels": "xl/_rels/workbook.xml.rels"}[case]
        rezip(src, path, {part: _dtd(LAUGHS)})
    elif case == "xxe_dtd_system":
        rezip(src, path, {"xl/sharedStrings.xml": _dtd(
            b'<?xml version="1.0"?>\n<!DOCTYPE sst SYSTEM "' + secret_file.as_uri().encode()
            + b'">\n')})
    elif case.startswith("xxe_") and case != "xxe_unparsed":
        target = "file:///etc/passwd" if case.endswith("passwd") else secret_file.as_uri()
        where = case.split("_")[1]
        part, find = {
            "strings": ("xl/sharedStrings.xml", b"<t>"),
            "workbook": ("xl/workbook.xml", b'<sheet name="'),
            "dashboard": (DASHBOARD_SHEET, b"<sheetData>"),
            "types": ("[Content_Types].xml", b"<Types"),
        }[where]
        entity = b"&xxe;" if where != "types" else b""
        rezip(src, path, {part: _use_entity(_dtd(xxe(target)), find, entity)})
    elif case == "encrypted":
        from msoffcrypto.format.ooxml import OOXMLFile

        with open(src, "rb") as fh, open(path, "wb") as out:
            OOXMLFile(fh).encrypt("s3cret", out)
    elif case == "legacy_xls":
        from xlpmo_udfs.addin.cfb import compound_file

        bof = bytes.fromhex("0908100000060500BB0DCC07000000000600000000000000")  # BIFF8 BOF
        path.write_bytes(compound_file({"Workbook": bof + b"\0" * 5000}))
    elif case == "xlsb":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://'
                       'schemas.openxmlformats.org/package/2006/content-types"/>')
            z.writestr("_rels/.rels", (
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
                'org/officeDocument/2006/relationships/officeDocument" '
                'Target="xl/workbook.bin"/></Relationships>'))
            z.writestr("xl/workbook.bin", b"\x83\x01\x00" * 100)
    elif case == "ods":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            z.writestr("content.xml", "<office:document-content/>")
    elif case == "zip_encrypted_part":
        rezip(src, path, {})
        patch_zip_entry(path, PLAN_SHEET, flags=0x1)
    elif case == "far_cell":
        rezip(src, path, {PLAN_SHEET: lambda d: d.replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
                             b"</sheetData>")})
    elif case == "duplicate_entries":
        rezip(src, path, {})
        with zipfile.ZipFile(path, "a") as z, pytest.warns(UserWarning):
            z.writestr("xl/workbook.xml", b"<workbook/>")
    elif case == "fifo":
        os.mkfifo(path)
    elif case == "dev_zero":
        path.symlink_to("/dev/zero")
    # -- legitimate but odd: must refresh within the bounds ---------------------------------
    elif case == "two_hundred_sheets":
        two_hundred_sheets(path)
    elif case == "unread_bomb":  # a 1 GB part nobody references: copied, never inflated
        path.write_bytes(data)
        chunk = b"\0" * (1 << 22)
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z, \
                z.open("xl/media/blob.bin", "w", force_zip64=True) as fh:
            for _ in range((1 << 30) // len(chunk)):
                fh.write(chunk)
    elif case == "xxe_unparsed":
        rezip(src, path, {"docProps/core.xml": _use_entity(
            _dtd(xxe("file:///etc/passwd")), b"<dc:creator>", b"&xxe;")})
    elif case == "xinclude":  # XInclude needs no DTD: it must simply never be processed
        xi = (b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/'
              b'passwd" parse="text"/>')
        rezip(src, path, {"xl/sharedStrings.xml": lambda d: d.replace(b"<t>", xi + b"<t>", 1),
                          PLAN_SHEET: lambda d: d.replace(b"<sheetData>", b"<sheetData>" + xi,
                                                          1)})
    elif case == "escaping_entry_name":
        rezip(src, path, {"../../escaped.txt": b"a part whose name climbs out of the folder"})
    else:
        raise KeyError(case)
    return path


def two_hundred_sheets(path: Path) -> Path:
    """The contract tables among 200 sheets, some named to confuse (quotes, RTL, emoji,
    ``plan`` lookalikes)."""
    wb = xlsxwriter.Workbook(str(path))
    tables = {
        "Config": ("tblConfig", [["Setting", "Value"], ["StatusDate", "2026-06-30"]]),
        "Projects": ("tblProjects", [["ProjectID", "ProjectName"], ["P1", "Alpha"],
                                     ["P2", "Beta"]]),
        "Plan": ("tblPlan", [["ProjectID", "Period", "Planned"], ["P1", "2026-01", 100.0],
                             ["P2", "2026-02", 200.0]]),
    }
    names = ["Plan (old)", "Pl'an", "it's", "مشروع", "🚀 launch", "Plan 2", "PLAN_", "Sheet 1"]
    names += [f"Sheet{i}" for i in range(200 - len(names) - len(tables))]
    for i, name in enumerate(names[:100]):
        wb.add_worksheet(name).write_row(0, 0, ["ProjectID", "Planned", i])
    for sheet, (name, rows) in tables.items():
        ws = wb.add_worksheet(sheet)
        ws.add_table(0, 0, len(rows) - 1, len(rows[0]) - 1,
                     {"name": name, "columns": [{"header": h} for h in rows[0]],
                      "data": rows[1:]})
    for name in names[100:]:
        wb.add_worksheet(name).write(0, 0, "filler")
    wb.close()
    return path


REFUSED: dict[str, tuple[str, ...]] = {
    "csv": ("not an Excel workbook", "CSV"),
    "html": ("not an Excel workbook", "web page"),
    "empty": ("empty",),
    "random": ("not an Excel workbook",),
    "truncated_half": ("damaged or incomplete",),
    "truncated_tail": ("damaged",),
    "sheet_bomb": ("zip bomb",),
    "shared_strings_bomb": ("zip bomb",),
    "output_sheet_bomb": ("more than", "xlpmo reads"),
    "laughs_workbook": ("DTD",),
    "laughs_strings": ("DTD",),
    "laughs_styles": ("DTD",),
    "laughs_table": ("DTD",),
    "laughs_plan": ("DTD",),
    "laughs_dashboard": ("DTD",),
    "laughs_content_types": ("DTD",),
    "laughs_rels": ("DTD",),
    "xxe_strings_passwd": ("DTD",),
    "xxe_workbook_passwd": ("DTD",),
    "xxe_dashboard_passwd": ("DTD",),
    "xxe_types_passwd": ("DTD",),
    "xxe_strings_secret": ("DTD",),
    "xxe_dtd_system": ("DTD",),
    "encrypted": ("encrypted", "password"),
    "legacy_xls": ("legacy .xls", "save it as .xlsx"),
    "xlsb": (".xlsb", "save it as .xlsx"),
    "ods": ("OpenDocument",),
    "zip_encrypted_part": ("encrypted",),
    "far_cell": ("more than xlpmo reads",),
    "duplicate_entries": ("two zip entries",),
    "fifo": ("not a regular file",),
    "dev_zero": ("not a regular file",),
}
# parts only the writer parses (output sheets, content types): validate, which reads the
# inputs only, may pass them; refresh must refuse them
WRITER_ONLY = {"output_sheet_bomb", "laughs_dashboard", "xxe_dashboard_passwd",
               "laughs_content_types", "xxe_types_passwd", "duplicate_entries"}
ACCEPTED = ("two_hundred_sheets", "unread_bomb", "xxe_unparsed", "escaping_entry_name",
            "xinclude")


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOKEN-7f3a9c-never-to-be-read\n")
    return path


@pytest.mark.parametrize("case", list(REFUSED))
def test_hostile_file_is_refused_within_bounds(case: str, tmp_path: Path,
                                               secret_file: Path) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    path = build(folder, case, secret_file)
    before = snapshot(folder)
    texts = []
    commands = [["validate", path.name], ["refresh", path.name, "--quiet"]]
    answers = run_cli(*commands, cwd=folder)
    assert snapshot(folder) == before, "the folder changed"
    for command, (code, out, err, _seconds) in zip(commands, answers, strict=True):
        texts += [out, err]
        if command[0] == "validate" and case in WRITER_ONLY and code == 0:
            continue
        assert code == 2, f"{command}: exit {code}\n{out}\n{err}"
        assert "Traceback" not in err and "unexpected" not in err, err
        assert path.name in err, err
        for word in REFUSED[case]:
            assert word in err, f"{word!r} not in {err!r}"
    assert_no_leak(texts, folder, [passwd_secret(), secret_file.read_text().strip()])


@pytest.mark.parametrize("case", ACCEPTED)
def test_odd_but_legitimate_file_refreshes_within_bounds(case: str, tmp_path: Path,
                                                         secret_file: Path) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    path = build(folder, case, secret_file)
    with zipfile.ZipFile(path) as z:
        raw_before = {i.filename: (i.CRC, i.compress_size) for i in z.infolist()}
    [(code, out, err, _seconds)] = run_cli(["refresh", path.name, "--quiet", "--no-backup"],
                                           cwd=folder)
    assert code == 0, f"exit {code}\n{out}\n{err}"
    assert sorted(p.name for p in folder.iterdir()) == [path.name], "temp litter"
    assert not (tmp_path / "escaped.txt").exists() and not Path("escaped.txt").exists()
    book = read_workbook(path)
    assert {"tblEVM", "tblChecks"} <= set(book.tables)
    with zipfile.ZipFile(path) as z:
        after = {i.filename: (i.CRC, i.compress_size) for i in z.infolist()}
    odd = {"unread_bomb": "xl/media/blob.bin", "xxe_unparsed": "docProps/core.xml",
           "escaping_entry_name": "../../escaped.txt"}.get(case)
    if odd:
        assert after[odd] == raw_before[odd], "the odd part is copied as it was"
    assert_no_leak([out, err], folder, [passwd_secret()])
