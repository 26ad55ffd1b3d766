"""Write a compound file (OLE2 structured storage), version 3, per [MS-CFB].

Source: Microsoft, "[MS-CFB]: Compound File Binary File Format" (open specification): 2.2 header,
2.3 FAT, 2.4 mini FAT, 2.6 directory entries and their red-black trees.

Enough for a ``vbaProject.bin``: storages and streams given as ``{"VBA/dir": b"...", ...}``;
streams under 4096 bytes go to the mini stream, larger ones to regular 512-byte sectors.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["MINI_CUTOFF", "MINI_SECTOR", "NOSTREAM", "SECTOR", "compound_file"]

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT, ENDOFCHAIN, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_RED, _BLACK = 0, 1
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_HEADER_DIFAT = 109


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: dict[str, _Entry] = field(default_factory=dict)  # by upper-case name
    sid: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = _BLACK
    start: int = ENDOFCHAIN


def _sort_key(name: str) -> tuple[int, str]:
    """Sibling order of MS-CFB 2.6.4: shorter names first, then by upper-cased name."""
    return (len(name.encode("utf-16-le")), name.upper())


def _tree(parent: _Entry, entries: list[_Entry]) -> None:
    """Link ``parent``'s children as a balanced binary search tree with valid red-black colours.

    Splitting at the middle fills every level but the deepest; colouring the deepest level red
    (when it is not full) and the rest black gives equal black heights on every path.
    """
    children = sorted(parent.children.values(), key=lambda e: _sort_key(e.name))
    for child in children:
        if len(child.name) > 31:
            raise ValueError(f"compound file names have at most 31 characters: {child.name!r}")

    depth_of: dict[int, int] = {}

    def build(lo: int, hi: int, depth: int) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        node = children[mid]
        depth_of[node.sid] = depth
        node.left = build(lo, mid, depth + 1)
        node.right = build(mid + 1, hi, depth + 1)
        return node.sid

    parent.child = build(0, len(children), 0)
    if children:
        deepest = max(depth_of.values())
        full = len(children) == 2 ** (deepest + 1) - 1
        for node in children:
            on_last = depth_of[node.sid] == deepest and deepest > 0 and not full
            node.color = _RED if on_last else _BLACK
    for child in children:
        _tree(child, entries)


def _entries(streams: Mapping[str, bytes]) -> list[_Entry]:
    root = _Entry("Root Entry", _ROOT)
    for path, data in streams.items():
        *storages, name = path.split("/")
        node = root
        for storage in storages:  # names compare case-insensitively in a compound file
            node = node.children.setdefault(storage.upper(), _Entry(storage, _STORAGE))
            if node.kind != _STORAGE:
                raise ValueError(f"{storage!r} is both a stream and a storage")
        taken = node.children.get(name.upper())
        if taken is not None:
            what = "a storage" if taken.kind == _STORAGE else "another stream"
            raise ValueError(f"stream {path!r} has the name of {what} ({taken.name!r})")
        node.children[name.upper()] = _Entry(name, _STREAM, bytes(data))
    order: list[_Entry] = []

    def number(entry: _Entry) -> None:
        entry.sid = len(order)
        order.append(entry)
        for child in entry.children.values():
            number(child)

    number(root)
    _tree(root, order)
    return order


def _pad(data: bytes, size: int) -> bytes:
    return data + b"\x00" * (-len(data) % size)


def _dir_entry(entry: _Entry, size: int) -> bytes:
    """One 128-byte directory entry (MS-CFB 2.6.1); a storage has start sector and size 0."""
    name = entry.name.encode("utf-16-le") + b"\x00\x00"
    start = 0 if entry.kind == _STORAGE else entry.start
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name, len(name), entry.kind, entry.color, entry.left, entry.right, entry.child,
        b"\x00" * 16, 0, 0, 0, start, size,
    )


_EMPTY_ENTRY = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM,
                           b"\x00" * 16, 0, 0, 0, 0, 0)


def compound_file(streams: Mapping[str, bytes]) -> bytes:
    """The bytes of a version-3 compound file holding ``streams`` (paths use ``/``)."""
    entries = _entries(streams)
    # mini stream: every small stream in 64-byte mini sectors, itself stored in regular sectors
    mini_stream, mini_fat = bytearray(), []
    for entry in entries:
        if entry.kind == _STREAM and 0 < len(entry.data) < MINI_CUTOFF:
            first = len(mini_stream) // MINI_SECTOR
            count = -(-len(entry.data) // MINI_SECTOR)
            mini_fat += [*range(first + 1, first + count), ENDOFCHAIN]
            entry.start = first
            mini_stream += _pad(entry.data, MINI_SECTOR)
    # regular sectors, in order: large streams, mini stream, mini FAT, directory, then FAT
    body, fat = bytearray(), []

    def allocate(data: bytes) -> int:
        if not data:
            return ENDOFCHAIN
        first = len(fat)
        count = -(-len(data) // SECTOR)
        fat.extend([*range(first + 1, first + count), ENDOFCHAIN])
        body.extend(_pad(data, SECTOR))
        return first

    for entry in entries:
        if entry.kind == _STREAM and len(entry.data) >= MINI_CUTOFF:
            entry.start = allocate(entry.data)
    entries[0].start = allocate(bytes(mini_stream))
    mini_fat_bytes = struct.pack(f"<{len(mini_fat)}I", *mini_fat)
    mini_fat_bytes += struct.pack("<I", FREESECT) * (-len(mini_fat) % (SECTOR // 4))
    first_mini_fat = allocate(mini_fat_bytes)
    sizes = {id(e): (len(mini_stream) if e.kind == _ROOT else len(e.data)) for e in entries}
    directory = b"".join(_dir_entry(e, 0 if e.kind == _STORAGE else sizes[id(e)])
                         for e in entries)
    directory += _EMPTY_ENTRY * (-len(entries) % (SECTOR // 128))
    first_dir = allocate(directory)
    # the FAT covers every sector, its own sectors included
    n_fat = 1
    while (len(fat) + n_fat) > n_fat * (SECTOR // 4):
        n_fat += 1
    if n_fat > _HEADER_DIFAT:
        raise ValueError("compound file too large for a header-only DIFAT")
    fat_sectors = list(range(len(fat), len(fat) + n_fat))
    fat += [FATSECT] * n_fat
    fat += [FREESECT] * (n_fat * (SECTOR // 4) - len(fat))
    body += struct.pack(f"<{len(fat)}I", *fat)
    difat = fat_sectors + [FREESECT] * (_HEADER_DIFAT - n_fat)
    header = (
        _SIGNATURE + b"\x00" * 16
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, n_fat, first_dir, 0, MINI_CUTOFF, first_mini_fat,
                      len(mini_fat_bytes) // SECTOR if mini_fat else 0, ENDOFCHAIN, 0)
        + struct.pack(f"<{_HEADER_DIFAT}I", *difat)
    )
    return header + bytes(body)
