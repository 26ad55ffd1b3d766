"""Write a VBA project (the streams of ``vbaProject.bin``) from VBA source text, per [MS-OVBA].

Source: Microsoft, "[MS-OVBA]: Office VBA File Format Structure" (open specification):
2.4.1 compression, 2.4.3 data encryption (the CMG/DPB/GC obfuscation), 2.3.1 PROJECT stream,
2.3.4.1 _VBA_PROJECT stream, 2.3.4.2 dir stream, 2.3.4.3 module streams.

The project is written in the interoperable form the spec asks writers to use: ``_VBA_PROJECT``
version 0xFFFF and no performance caches (no p-code), so Excel compiles the modules from their
source text when it opens the file. The streams go into a compound file with ``cfb.compound_file``.
"""

from __future__ import annotations

import hashlib
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from .cfb import compound_file

__all__ = [
    "CODEPAGE", "ENCODING", "HOST_EXTENDER_INFO", "LCID_EN_US", "STANDARD_REFERENCES",
    "VBA_PROJECT_STREAM", "WORKBOOK_BASE", "WORKSHEET_BASE", "VbaModule", "compress", "decrypt",
    "encrypt", "module_from_bas", "project_id_for", "vba_project_bin", "vba_project_streams",
]

CODEPAGE = 1252
ENCODING = "cp1252"
LCID_EN_US = 0x0409
# Base GUIDs of Excel's document modules (the VB_Base attribute of ThisWorkbook and of a sheet).
WORKBOOK_BASE = "{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "{00020820-0000-0000-C000-000000000046}"
HOST_EXTENDER_INFO = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
# Type libraries every Excel VBA project references: OLE Automation and the Office object
# library (IRibbonControl lives in the latter). VBA and Excel themselves are implicit.
STANDARD_REFERENCES = (
    ("stdole", "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#"
               "C:\\Windows\\System32\\stdole2.tlb#OLE Automation"),
    ("Office", "*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#"
               "C:\\Program Files\\Common Files\\Microsoft Shared\\OFFICE16\\MSO.DLL#"
               "Microsoft Office 16.0 Object Library"),
)

_CHUNK = 4096
_MAX_CANDIDATES = 128  # earlier matches tried per position: bounds the time on repetitive text


# --------------------------------------------------------------------------- compression 2.4.1
def _copy_token_help(decompressed_current: int, chunk_start: int) -> tuple[int, int]:
    """2.4.1.3.19.1 CopyToken Help: (bit count of the offset part, maximum copy length)."""
    difference = decompressed_current - chunk_start
    bit_count = max((difference - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + 3


def _compress_chunk(data: bytes, start: int, end: int) -> bytes:
    """Compress ``data[start:end]`` (at most 4096 bytes) into one CompressedChunk."""
    out = bytearray()
    positions: dict[bytes, list[int]] = {}  # 3-byte prefix -> earlier positions in this chunk
    current = start
    while current < end:
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if current >= end:
                break
            bit_count, max_length = _copy_token_help(current, start)
            best_length, best_offset = 0, 0
            limit = min(max_length, end - current)
            if limit >= 3:
                earlier = positions.get(data[current:current + 3], [])
                for candidate in reversed(earlier[-_MAX_CANDIDATES:]):
                    length = 3
                    while length < limit and data[candidate + length] == data[current + length]:
                        length += 1
                    if length > best_length:
                        best_length, best_offset = length, current - candidate
                        if length == limit:
                            break
            step = best_length if best_length >= 3 else 1
            if best_length >= 3:
                token = ((best_offset - 1) << (16 - bit_count)) | (best_length - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
            else:
                out.append(data[current])
            for pos in range(current, current + step):
                if pos + 3 <= end:
                    positions.setdefault(data[pos:pos + 3], []).append(pos)
            current += step
        out[flag_index] = flags
    if len(out) > _CHUNK:  # incompressible: a raw chunk, only possible for a full chunk
        if end - start != _CHUNK:
            raise ValueError("a short incompressible chunk cannot be stored (MS-OVBA 2.4.1.3.7)")
        return struct.pack("<H", 0x3000 | (_CHUNK - 1)) + data[start:end]
    header = 0xB000 | (len(out) + 2 - 3)  # flag 1, signature 0b011, size - 3
    return struct.pack("<H", header) + bytes(out)


def compress(data: bytes) -> bytes:
    """A CompressedContainer (MS-OVBA 2.4.1.1.1) holding ``data``."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), _CHUNK):
        out += _compress_chunk(data, start, min(start + _CHUNK, len(data)))
    return bytes(out)


# ------------------------------------------------------------------ data encryption 2.4.3
def encrypt(project_id: str, data: bytes, seed: int) -> bytes:
    """Data Encryption (MS-OVBA 2.4.3.2) of ``data`` for the project ``project_id``.

    ``seed`` (0-255) is the spec's random seed; it also sets the number of ignored bytes.
    """
    version = 2
    proj_key = sum(project_id.encode(ENCODING)) & 0xFF
    version_enc, proj_key_enc = seed ^ version, seed ^ proj_key
    out = bytearray([seed, version_enc, proj_key_enc])
    unencrypted_1, encrypted_1, encrypted_2 = proj_key, proj_key_enc, version_enc
    ignored = bytes(((seed & 6) // 2) * [0])
    for byte in ignored + struct.pack("<I", len(data)) + data:
        byte_enc = byte ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        out.append(byte_enc)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, byte_enc, byte
    return bytes(out)


def decrypt(blob: bytes) -> tuple[int, bytes]:
    """Data Decryption (MS-OVBA 2.4.3.3): ``(ProjKey, Data)`` of an encrypted blob."""
    seed, version_enc, proj_key_enc = blob[0], blob[1], blob[2]
    if seed ^ version_enc != 2:
        raise ValueError("not MS-OVBA encrypted data (version is not 2)")
    proj_key = seed ^ proj_key_enc
    unencrypted_1, encrypted_1, encrypted_2 = proj_key, proj_key_enc, version_enc
    plain = bytearray()
    for byte_enc in blob[3:]:
        byte = byte_enc ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        plain.append(byte)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, byte_enc, byte
    ignored = (seed & 6) // 2
    length = struct.unpack("<I", bytes(plain[ignored:ignored + 4]))[0]
    data = bytes(plain[ignored + 4:ignored + 4 + length])
    if len(data) != length:
        raise ValueError("encrypted data is shorter than its length field")
    return proj_key, data


# --------------------------------------------------------------------------------- modules
@dataclass(frozen=True)
class VbaModule:
    """One VBA module: its name, kind and source text (without the ``Attribute VB_Name`` line
    for standard modules, which ``source_text`` adds).

    kind: ``"module"`` (standard module, e.g. a .bas file) or ``"document"`` (ThisWorkbook or a
    sheet; ``base`` is its VB_Base GUID).
    """

    name: str
    code: str = ""
    kind: str = "module"
    base: str = ""

    def source_text(self) -> str:
        """The module's source as VBA stores it: attribute header, then the code, CRLF lines."""
        if self.kind == "document":
            header = [
                f'Attribute VB_Name = "{self.name}"',
                f'Attribute VB_Base = "0{self.base}"',
                "Attribute VB_GlobalNameSpace = False",
                "Attribute VB_Creatable = False",
                "Attribute VB_PredeclaredId = True",
                "Attribute VB_Exposed = True",
                "Attribute VB_TemplateDerived = False",
                "Attribute VB_Customizable = True",
            ]
        else:
            header = [f'Attribute VB_Name = "{self.name}"']
        lines = header + [ln for ln in self.code.splitlines()]
        return "\r\n".join(lines) + "\r\n"


def module_from_bas(text: str) -> VbaModule:
    """A standard module from an exported ``.bas`` text (``Attribute VB_Name`` line first)."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith('Attribute VB_Name = "'):
        raise ValueError('a .bas file must start with: Attribute VB_Name = "<module name>"')
    return VbaModule(name=lines[0].split('"')[1], code="\n".join(lines[1:]))


# ------------------------------------------------------------------------------- dir stream
def _record(record_id: int, payload: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(payload)) + payload


def _text_records(id_mbcs: int, id_unicode: int, text: str) -> bytes:
    """A record pair holding ``text`` in MBCS then UTF-16LE (the unicode part has a reserved id)."""
    return _record(id_mbcs, text.encode(ENCODING)) + _record(id_unicode, text.encode("utf-16-le"))


def _dir_stream(project_name: str, modules: Sequence[VbaModule]) -> bytes:
    """The uncompressed dir stream (MS-OVBA 2.3.4.2)."""
    info = (
        _record(0x0001, struct.pack("<I", 1))  # PROJECTSYSKIND: 32-bit Windows
        + _record(0x0002, struct.pack("<I", LCID_EN_US))  # PROJECTLCID
        + _record(0x0014, struct.pack("<I", LCID_EN_US))  # PROJECTLCIDINVOKE
        + _record(0x0003, struct.pack("<H", CODEPAGE))  # PROJECTCODEPAGE
        + _record(0x0004, project_name.encode(ENCODING))  # PROJECTNAME
        + _text_records(0x0005, 0x0040, "")  # PROJECTDOCSTRING
        + _text_records(0x0006, 0x003D, "")  # PROJECTHELPFILEPATH (twice, both empty)
        + _record(0x0007, struct.pack("<I", 0))  # PROJECTHELPCONTEXT
        + _record(0x0008, struct.pack("<I", 0))  # PROJECTLIBFLAGS
        + struct.pack("<HIIH", 0x0009, 4, 1, 0)  # PROJECTVERSION (Reserved=4, major, minor)
        + _text_records(0x000C, 0x003C, "")  # PROJECTCONSTANTS
    )
    references = b""
    for name, libid in STANDARD_REFERENCES:
        references += _text_records(0x0016, 0x003E, name)  # REFERENCENAME
        libid_bytes = libid.encode(ENCODING)
        registered = struct.pack("<I", len(libid_bytes)) + libid_bytes + struct.pack("<IH", 0, 0)
        references += _record(0x000D, registered)  # REFERENCEREGISTERED
    mods = _record(0x000F, struct.pack("<H", len(modules))) + _record(0x0013, b"\xff\xff")
    for module in modules:
        mods += (
            _record(0x0019, module.name.encode(ENCODING))  # MODULENAME
            + _record(0x0047, module.name.encode("utf-16-le"))  # MODULENAMEUNICODE
            + _text_records(0x001A, 0x0032, module.name)  # MODULESTREAMNAME
            + _text_records(0x001C, 0x0048, "")  # MODULEDOCSTRING
            + _record(0x0031, struct.pack("<I", 0))  # MODULEOFFSET: no performance cache
            + _record(0x001E, struct.pack("<I", 0))  # MODULEHELPCONTEXT
            + _record(0x002C, b"\xff\xff")  # MODULECOOKIE
            + _record(0x0021 if module.kind == "module" else 0x0022, b"")  # MODULETYPE
            + _record(0x002B, b"")  # module terminator
        )
    return info + references + mods + _record(0x0010, b"")


# --------------------------------------------------------------------------- PROJECT stream
def project_id_for(project_name: str) -> str:
    """A stable project GUID derived from the project name (reproducible builds)."""
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"xlpmo:{project_name}")).upper() + "}"


def _project_stream(project_name: str, project_id: str, modules: Sequence[VbaModule]) -> bytes:
    """The PROJECT stream (MS-OVBA 2.3.1): visible, unlocked, no password."""
    seed = hashlib.sha256(project_id.encode()).digest()[0]
    no_protection, no_password, visible = bytes(4), b"\x00", b"\xff"
    lines = [f'ID="{project_id}"']
    for module in modules:
        lines.append(f"Document={module.name}/&H00000000" if module.kind == "document"
                     else f"Module={module.name}")
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{encrypt(project_id, no_protection, seed).hex().upper()}"',
        f'DPB="{encrypt(project_id, no_password, seed).hex().upper()}"',
        f'GC="{encrypt(project_id, visible, seed).hex().upper()}"',
        "",
        "[Host Extender Info]",
        HOST_EXTENDER_INFO,
        "",
    ]
    return "\r\n".join(lines).encode(ENCODING)


# ------------------------------------------------------------------------------ the project
# _VBA_PROJECT (2.3.4.1): Reserved1 0x61CC, Version 0xFFFF (interoperable), Reserved2 0x00,
# Reserved3 as in the spec's example, and no PerformanceCache.
VBA_PROJECT_STREAM = struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0001)


def vba_project_streams(project_name: str, modules: Sequence[VbaModule]) -> dict[str, bytes]:
    """Every stream of the VBA project storage, keyed by path inside the compound file."""
    if len({m.name.lower() for m in modules}) != len(modules):
        raise ValueError("VBA module names must be unique (case-insensitive)")
    project_id = project_id_for(project_name)
    streams = {
        "PROJECT": _project_stream(project_name, project_id, modules),
        "VBA/_VBA_PROJECT": VBA_PROJECT_STREAM,
        "VBA/dir": compress(_dir_stream(project_name, modules)),
    }
    for module in modules:
        streams[f"VBA/{module.name}"] = compress(module.source_text().encode(ENCODING))
    return streams


def vba_project_bin(project_name: str, modules: Sequence[VbaModule]) -> bytes:
    """The bytes of a ``vbaProject.bin`` holding ``modules`` as source text."""
    return compound_file(vba_project_streams(project_name, modules))
