"""A new part kept deflated in memory, built from chunks: the big worksheets a write renders.

A rendered output sheet of 400,000 rows is ~300 MB of XML; joined into one bytes object to
be deflated when the package is saved, it was held whole (twice while joining) until then.
:class:`DeflatedPart` deflates the chunks as they come (the part's pieces and row runs,
each freed once deflated) and keeps only the deflated bytes, about a sixth of the XML, with
the CRC and size the zip entry needs. :meth:`~xlpmo.io.ooxml.package.Package.save` writes
them as the entry's stored data: the same bytes as ``ZipFile.writestr`` of the joined part
(zlib's default level, as zipfile deflates; deflate's output does not depend on how its
input is split).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class DeflatedPart:
    """A part's raw deflate stream (no zlib header), its CRC-32 and inflated size."""

    raw: bytes
    crc: int
    size: int

    @classmethod
    def of(cls, chunks: Iterable[bytes]) -> DeflatedPart:
        """Deflate ``chunks`` in order, as zipfile would deflate their concatenation."""
        compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        out: list[bytes] = []
        crc = size = 0
        for chunk in chunks:
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
            out.append(compressor.compress(chunk))
        out.append(compressor.flush())
        return cls(b"".join(out), crc, size)

    def data(self) -> bytes:
        """The part inflated (for a reader of the new part; saving does not need it)."""
        return zlib.decompress(self.raw, -15)


__all__ = ["DeflatedPart"]
