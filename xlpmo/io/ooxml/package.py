"""The zip package: parts, safe XML parsing, relationships, content types, saving.

Reading is defensive: XML is parsed with entity resolution, DTD loading and network
access off, a part with a DOCTYPE is refused (OOXML never needs one: it is how
"billion laughs" payloads arrive), and every part read is capped in size.

Saving copies every part that was not replaced *raw*: the same compressed bytes, CRC,
name, order, compression method and timestamp as in the source. Replaced parts keep
their place and compression method; added parts go at the end, deflated.
"""

from __future__ import annotations

import copy
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from xlpmo.errors import FileRefused, LimitExceeded
from xlpmo.io import limits
from xlpmo.io.ooxml.deflated import DeflatedPart

_CHUNK = 1 << 16  # bytes inflated (and read) at a time
_HEAD = 1 << 16  # the start of a part searched for a DTD
_ONE_SHOT = 16 << 20  # a deflated part larger than this is inflated again into one object

PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'

PARSER_OPTIONS = {
    "resolve_entities": False, "no_network": True, "load_dtd": False, "dtd_validation": False,
    "huge_tree": False, "remove_blank_text": False,
}
_PARSER = etree.XMLParser(**PARSER_OPTIONS)


def parse_xml(data: bytes, part: str = "part") -> etree._ElementTree:
    """Parse one XML part safely (see module docstring); FileRefused when it is not usable.
    ``part`` names it in the message (``xl/workbook.xml of Book.xlsx``)."""
    try:
        tree = etree.ElementTree(etree.fromstring(data, _PARSER))
    except etree.XMLSyntaxError as exc:
        raise FileRefused(f"{part} is damaged: it is not well-formed XML ({exc})") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise FileRefused(f"{part} declares a DTD (<!DOCTYPE>), which Excel never writes; "
                          "refusing it as a possible entity-expansion attack")
    return tree


_RE_ROOT = re.compile(rb"<[A-Za-z_]")


def refuse_dtd(head: bytes, part: str, label: str) -> None:
    """Refuse a part whose XML prolog holds a DTD (OOXML never has one), before any parser
    sees it: ``head`` is the part's start (its first 64 KB)."""
    text = head
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = head.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
    m = _RE_ROOT.search(text)
    prolog = (text if m is None else text[: m.start()]).upper()
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise FileRefused(
            f"{label}: part {part} declares a DTD (<!DOCTYPE>), which Excel never writes; "
            "refusing it as a possible entity-expansion attack")
    if m is None and len(head) >= _HEAD and part.lower().endswith((".xml", ".rels")):
        raise FileRefused(f"{label}: part {part} has no XML element in its first 64 KB")


def xml_declaration(original: bytes | None) -> bytes:
    """The original part's XML declaration (and line break) when it was UTF-8, else ours."""
    if original and original.startswith(b"<?xml"):
        end = original.find(b"?>")
        if end > 0:
            decl = original[: end + 2]
            rest = original[end + 2 : end + 4]
            if b"utf-16" not in decl.lower():
                newline = rest[: len(rest) - len(rest.lstrip(b"\r\n"))]
                return decl + newline
    return XML_DECL


def serialize_xml(tree: etree._ElementTree, original: bytes | None = None) -> bytes:
    """The tree as UTF-8 bytes, behind the original's XML declaration."""
    return xml_declaration(original) + etree.tostring(tree, encoding="UTF-8", xml_declaration=False)


def rels_part(part: str) -> str:
    """``xl/workbook.xml`` -> ``xl/_rels/workbook.xml.rels``."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve_target(source_part: str, target: str) -> str:
    """A relationship target -> zip entry name (no leading slash)."""
    target = unquote(target)
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    base = posixpath.dirname(source_part)
    return posixpath.normpath(posixpath.join(base, target))


def relative_target(source_part: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source_part) or ".")


class Package:
    """An OOXML zip opened for reading, with pending replacements/additions/removals.

    Every part is read by :meth:`read` under the caps of :mod:`xlpmo.io.limits`: its
    actual deflate stream is inflated (whatever sizes the zip claims) within
    ``max_part_bytes`` and :data:`~xlpmo.io.limits.MAX_RATIO`, all the parts read
    together within ``max_total_bytes`` (None: no total cap), its checksum checked, and an
    XML part whose prolog declares a DTD refused before any parser sees it. ``label`` names
    the file in messages (default: its file name).
    """

    def __init__(self, path: Path, max_part_bytes: int | None = None, *,
                 max_total_bytes: int | None = None, label: str | None = None) -> None:
        self.path = Path(path)
        self.label = label or self.path.name
        self.max_part_bytes = limits.MAX_PART_BYTES if max_part_bytes is None else max_part_bytes
        self.max_total_bytes = max_total_bytes
        self.total = 0  # bytes inflated so far, for max_total_bytes
        try:
            self._zf = zipfile.ZipFile(self.path)
        except FileNotFoundError:
            raise FileRefused(f"there is no file {self.path}") from None
        except OSError as exc:
            raise FileRefused(f"cannot read {self.label}: {exc.strerror or exc}") from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
            raise FileRefused(
                f"{self.label} is damaged or incomplete, or not an Excel workbook: it is not a "
                f"readable zip package ({exc}). Was the download or copy cut short?") from None
        self.infos = self._zf.infolist()
        seen: set[str] = set()
        for info in self.infos:  # OPC part names are case-insensitive
            low = info.filename.lstrip("/").lower()
            if low in seen:  # tools disagree on which copy counts
                self._zf.close()
                raise FileRefused(
                    f"{self.label} is damaged or crafted: it holds two zip entries with the "
                    f"same part name ({info.filename}); refusing duplicate entries")
            seen.add(low)
        self._by_lower = {i.filename.lower(): i.filename for i in self.infos}
        self._new: dict[str, bytes | DeflatedPart] = {}
        self._added: list[str] = []
        self._removed: set[str] = set()
        self._xml_cache: dict[str, etree._ElementTree] = {}

    def close(self) -> None:
        self._zf.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ----------------------------------------------------------------------------
    def name(self, part: str) -> str | None:
        """The stored spelling of a part name (OPC names are case-insensitive), or None."""
        part = part.lstrip("/")
        if part in self._removed:
            return None
        if part in self._new:
            return part
        found = self._by_lower.get(part.lower())
        if found is None:
            for added in self._added:
                if added.lower() == part.lower():
                    return added
        return None if found in self._removed else found

    def has(self, part: str) -> bool:
        return self.name(part) is not None

    def names(self) -> list[str]:
        """The stored part names, in the zip's order."""
        return [i.filename for i in self.infos]

    def read(self, part: str) -> bytes:
        name = self.name(part)
        if name is None:
            raise FileRefused(f"{self.label} is damaged: it has no part {part}")
        if name in self._new:
            new = self._new[name]
            return new.data() if isinstance(new, DeflatedPart) else new
        return self._read_original(name)

    def check(self, part: str) -> None:
        """Inflate a part under the caps without keeping it (a part another parser reads:
        calamine's shared strings, styles and workbook part)."""
        name = self.name(part)
        if name is not None and name not in self._new:
            self._read_original(name, keep=False)

    def _read_original(self, name: str, keep: bool = True) -> bytes:
        """Inflate one stored part (its actual stream, whatever sizes the zip claims) under
        the caps; refuse a part with a DTD. ``keep=False`` returns only its start.

        A deflated part past :data:`_ONE_SHOT` is checked (caps, checksum) as it streams
        without being kept, then inflated again in one go into a bytes object of the size
        it was measured to have: joining its pieces would hold it twice (the 330 MB sheet of
        a 648,000-row table: 660 MB at once instead of 330 MB plus its compressed bytes).
        """
        info = self._zf.getinfo(name)
        if info.flag_bits & 0x1:
            raise FileRefused(f"{self.label} is encrypted at the zip level (part {name}): "
                              "cannot read it")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FileRefused(f"{self.label}: part {name} uses a compression Excel does not "
                              f"write (method {info.compress_type})")
        inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED \
            else None
        chunks: list[bytes] = []
        head = b""
        again = False  # inflated again in one go (_ONE_SHOT)
        size = crc = consumed = 0
        for block in _stored_chunks(self._zf, info, self.label):
            consumed += len(block)
            pending = block
            while pending:
                if inflater is None:
                    piece, pending = pending, b""
                else:
                    try:
                        piece = inflater.decompress(pending, _CHUNK)
                    except zlib.error as exc:
                        raise FileRefused(f"{self.label} is damaged: part {name} ({exc})") \
                            from None
                    pending = inflater.unconsumed_tail
                size += len(piece)
                crc = zlib.crc32(piece, crc)
                self._check_size(name, size, consumed - len(pending))
                if keep and inflater is not None and size > _ONE_SHOT:
                    keep, again = False, True
                    head = b"".join(chunks)[:_HEAD]
                    chunks = []
                if keep:
                    chunks.append(piece)
                elif len(head) < _HEAD:
                    head += piece[:_HEAD - len(head)]
                if inflater is not None and inflater.eof:
                    break
            if inflater is not None and inflater.eof:
                break
        self._check_size(name, size, consumed)
        self.total += size
        if crc != info.CRC:
            raise FileRefused(f"{self.label} is damaged: part {name} fails its checksum")
        if again:  # the stream was checked whole: its size is known and bounded
            refuse_dtd(head, name, self.label)
            return zlib.decompress(b"".join(_stored_chunks(self._zf, info, self.label)), -15,
                                   size)
        out = b"".join(chunks) if keep else head
        refuse_dtd(out[:_HEAD], name, self.label)
        return out

    def _check_size(self, name: str, size: int, consumed: int) -> None:
        if size > self.max_part_bytes:
            raise LimitExceeded(
                f"{self.label}: part {name} inflates to more than "
                f"{self.max_part_bytes >> 20} MB, more than xlpmo reads of one part; refusing "
                "it (a zip bomb, or far more data than a workbook holds)")
        if self.max_total_bytes is not None and self.total + size > self.max_total_bytes:
            raise LimitExceeded(
                f"{self.label}: its parts inflate to more than {self.max_total_bytes >> 20} MB, "
                "more than xlpmo reads of one workbook; refusing it (a zip bomb, or far more "
                "data than a workbook holds)")
        if size > limits.RATIO_FLOOR and size > limits.MAX_RATIO * max(consumed, 1):
            raise LimitExceeded(
                f"{self.label}: part {name} inflates more than {limits.MAX_RATIO}:1 (xlpmo "
                f"reads parts compressed up to {limits.MAX_RATIO}:1); refusing it as a likely "
                "zip bomb")

    def xml(self, part: str) -> etree._ElementTree:
        """The parsed part (cached: edits to the tree are saved by :meth:`set_xml`)."""
        name = self.name(part)
        if name is None:
            raise FileRefused(f"{self.label} is damaged: it has no part {part}")
        tree = self._xml_cache.get(name)
        if tree is None:
            tree = parse_xml(self.read(name), f"{name} of {self.label}")
            self._xml_cache[name] = tree
        return tree

    def original_bytes(self, part: str) -> bytes | None:
        name = self._by_lower.get(part.lstrip("/").lower())
        return self._read_original(name) if name else None

    # -- changing ---------------------------------------------------------------------------
    def set(self, part: str, data: bytes | DeflatedPart) -> None:
        """Put a part's new content: bytes, or a part deflated already (saved as it is)."""
        part = part.lstrip("/")
        existing = self._by_lower.get(part.lower())
        if existing is not None:
            self._removed.discard(existing)
            part = existing
        elif part not in self._added:
            self._added.append(part)
        self._new[part] = data
        self._xml_cache.pop(part, None)

    def set_xml(self, part: str, tree: etree._ElementTree) -> None:
        name = self.name(part) or part.lstrip("/")
        original = self.original_bytes(name)
        self.set(name, serialize_xml(tree, original))
        self._xml_cache[name] = tree

    def remove(self, part: str) -> None:
        name = self.name(part)
        if name is None:
            return
        if name in self._added:
            self._added.remove(name)
        else:
            self._removed.add(name)
        self._new.pop(name, None)
        self._xml_cache.pop(name, None)

    def unused_name(self, pattern: str) -> str:
        """``xl/tables/table{}.xml`` -> the first name with a free number (from 1)."""
        n = 1
        while self.has(pattern.format(n)) or pattern.format(n).lower() in self._by_lower:
            n += 1
        return pattern.format(n)

    @property
    def replaced(self) -> list[str]:
        return [i.filename for i in self.infos if i.filename in self._new]

    @property
    def added(self) -> list[str]:
        return list(self._added)

    @property
    def removed(self) -> list[str]:
        return [i.filename for i in self.infos if i.filename in self._removed]

    # -- saving -----------------------------------------------------------------------------
    def save(self, dst: Path) -> int:
        """Write the package to ``dst`` (a new file); returns the number of raw-copied parts.

        Not fsynced: durable replacement of a user's file is :mod:`xlpmo.io.safesave`'s job.
        """
        copied = 0
        with open(dst, "wb") as fh, zipfile.ZipFile(fh, "w", allowZip64=True) as out:
            for info in self.infos:
                name = info.filename
                if name in self._removed:
                    continue
                if name in self._new:
                    zi = zipfile.ZipInfo(name, date_time=info.date_time)
                    zi.compress_type = info.compress_type
                    zi.external_attr = info.external_attr
                    zi.create_system = info.create_system
                    _write_new(out, zi, self._new[name])
                else:
                    _copy_raw(self._zf, info, out, self.label)
                    copied += 1
            for name in self._added:
                zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                zi.compress_type = zipfile.ZIP_DEFLATED
                _write_new(out, zi, self._new[name])
            out.comment = self._zf.comment
        return copied


def _data_offset(src: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> int:
    """Where an entry's stored (compressed) bytes start: after its local header."""
    fp = src.fp
    assert fp is not None
    fp.seek(info.header_offset)
    header = fp.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise FileRefused(f"{label} is damaged: the zip entry {info.filename} has a bad local "
                          "header")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    return info.header_offset + 30 + name_len + extra_len


def _stored_chunks(src: zipfile.ZipFile, info: zipfile.ZipInfo, label: str
                   ) -> Iterator[bytes]:
    """An entry's stored bytes (``compress_size`` of them, as the central directory says),
    in chunks; FileRefused when the file ends first."""
    start = _data_offset(src, info, label)
    fp = src.fp
    assert fp is not None
    done = 0
    while done < info.compress_size:
        fp.seek(start + done)
        block = fp.read(min(_CHUNK, info.compress_size - done))
        if not block:
            raise FileRefused(f"{label} is damaged or incomplete: part {info.filename} is cut "
                              "short")
        done += len(block)
        yield block


def _copy_raw(src: zipfile.ZipFile, info: zipfile.ZipInfo, out: zipfile.ZipFile,
              label: str) -> None:
    """Copy one entry's compressed bytes unchanged (no recompression)."""
    fp = src.fp
    assert fp is not None
    fp.seek(_data_offset(src, info, label))
    raw = fp.read(info.compress_size)
    if len(raw) != info.compress_size:
        raise FileRefused(f"{label} is damaged: the zip entry {info.filename} is truncated")
    zi = copy.copy(info)
    strip = getattr(zipfile, "_strip_extra", None)
    if strip is not None:
        zi.extra = strip(zi.extra, (1,))  # a zip64 extra is rebuilt by FileHeader if needed
    _write_raw(out, zi, raw)


def _write_new(out: zipfile.ZipFile, zi: zipfile.ZipInfo, data: bytes | DeflatedPart) -> None:
    """A new part: bytes deflated by zipfile, or a deflated part's stream as it is (the
    same entry bytes, :mod:`~xlpmo.io.ooxml.deflated`)."""
    if not isinstance(data, DeflatedPart) or zi.compress_type != zipfile.ZIP_DEFLATED:
        out.writestr(zi, data.data() if isinstance(data, DeflatedPart) else data)
        return
    if data.size * 1.05 > zipfile.ZIP64_LIMIT:  # zipfile's own zip64 choice: let it deflate
        out.writestr(zi, data.data())
        return
    zi.CRC, zi.compress_size, zi.file_size = data.crc, len(data.raw), data.size
    zi.flag_bits = 0  # as zipfile's _open_to_write sets an entry it deflates
    if not zi.external_attr:
        zi.external_attr = 0o600 << 16
    _write_raw(out, zi, data.raw)


def _write_raw(out: zipfile.ZipFile, zi: zipfile.ZipInfo, raw: bytes) -> None:
    """Write an entry whose stored bytes are ``raw`` (``zi`` has their CRC and sizes)."""
    assert out.fp is not None
    zi.flag_bits &= ~0x08  # sizes go in the local header: no data descriptor follows
    zip64 = zi.file_size > zipfile.ZIP64_LIMIT or zi.compress_size > zipfile.ZIP64_LIMIT
    zi.header_offset = out.fp.tell()
    out.fp.write(zi.FileHeader(zip64))
    out.fp.write(raw)
    out.filelist.append(zi)
    out.NameToInfo[zi.filename] = zi
    out.start_dir = out.fp.tell()
    out._didModify = True


# -- relationships and content types --------------------------------------------------------


class Relationships:
    """The relationships of one source part (``_rels/*.rels``), editable."""

    def __init__(self, pkg: Package, source_part: str) -> None:
        self.pkg = pkg
        self.source = source_part
        self.part = rels_part(source_part)
        if pkg.has(self.part):
            self.tree = pkg.xml(self.part)
        else:
            self.tree = etree.ElementTree(etree.Element(f"{{{PKG_REL_NS}}}Relationships",
                                                        nsmap={None: PKG_REL_NS}))
        self.dirty = False

    def _items(self) -> list[etree._Element]:
        return [e for e in self.tree.getroot() if e.tag == f"{{{PKG_REL_NS}}}Relationship"]

    def of_type(self, suffix: str) -> list[tuple[str, str]]:
        """(Id, target part) of internal relationships whose Type ends with ``/suffix``."""
        out = []
        for rel in self._items():
            if rel.get("TargetMode") == "External":
                continue
            if (rel.get("Type") or "").rsplit("/", 1)[-1] == suffix:
                target = resolve_target(self.source, rel.get("Target") or "")
                out.append((rel.get("Id") or "", target))
        return out

    def targets(self) -> dict[str, tuple[str, str]]:
        """Id -> (type suffix, target part) of every internal relationship."""
        out = {}
        for rel in self._items():
            if rel.get("TargetMode") == "External":
                continue
            suffix = (rel.get("Type") or "").rsplit("/", 1)[-1]
            out[rel.get("Id") or ""] = (suffix, resolve_target(self.source,
                                                               rel.get("Target") or ""))
        return out

    def target(self, rid: str) -> tuple[str, str] | None:
        """(type suffix, target part) for an Id."""
        for rel in self._items():
            if rel.get("Id") == rid and rel.get("TargetMode") != "External":
                suffix = (rel.get("Type") or "").rsplit("/", 1)[-1]
                return suffix, resolve_target(self.source, rel.get("Target") or "")
        return None

    def add(self, rel_type: str, part: str) -> str:
        ids = {e.get("Id") for e in self._items()}
        n = len(ids) + 1
        while f"rId{n}" in ids:
            n += 1
        rid = f"rId{n}"
        etree.SubElement(self.tree.getroot(), f"{{{PKG_REL_NS}}}Relationship",
                         Id=rid, Type=rel_type, Target=relative_target(self.source, part))
        self.dirty = True
        return rid

    def remove_type(self, suffix: str) -> list[str]:
        """Remove every relationship of a type; returns the removed target parts."""
        removed = []
        for rel in self._items():
            if (rel.get("Type") or "").rsplit("/", 1)[-1] == suffix:
                removed.append(resolve_target(self.source, rel.get("Target") or ""))
                rel.getparent().remove(rel)
                self.dirty = True
        return removed

    def save(self) -> None:
        if self.dirty:
            self.pkg.set_xml(self.part, self.tree)
            self.dirty = False


class ContentTypes:
    """``[Content_Types].xml``: Override entries for the parts we add or remove."""

    PART = "[Content_Types].xml"

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        self.tree = pkg.xml(self.PART)
        self.dirty = False

    def override(self, part: str) -> str | None:
        want = "/" + part.lstrip("/").lower()
        for el in self.tree.getroot():
            if el.tag == f"{{{CT_NS}}}Override" and (el.get("PartName") or "").lower() == want:
                return el.get("ContentType")
        return None

    def set_override(self, part: str, content_type: str) -> None:
        if self.override(part) == content_type:
            return
        self.remove_override(part)
        etree.SubElement(self.tree.getroot(), f"{{{CT_NS}}}Override",
                         PartName="/" + part.lstrip("/"), ContentType=content_type)
        self.dirty = True

    def remove_override(self, part: str) -> None:
        want = "/" + part.lstrip("/").lower()
        for el in list(self.tree.getroot()):
            if el.tag == f"{{{CT_NS}}}Override" and (el.get("PartName") or "").lower() == want:
                el.getparent().remove(el)
                self.dirty = True

    def save(self) -> None:
        if self.dirty:
            self.pkg.set_xml(self.PART, self.tree)
            self.dirty = False


def office_document(pkg: Package) -> str:
    """The workbook part named by the package's ``officeDocument`` relationship."""
    rels = Relationships(pkg, "")
    found = rels.of_type("officeDocument")
    if not found:
        raise FileRefused(f"{pkg.label} has no workbook part (is it an Excel file?)")
    return found[0][1]


def qn(ns: str, *names: str) -> str | list[str]:
    """Clark names in a namespace: ``qn(ns, "row")`` -> ``{ns}row``."""
    out = [f"{{{ns}}}{n}" for n in names]
    return out[0] if len(out) == 1 else out


def iter_local(el: etree._Element, names: Iterable[str]) -> Iterable[etree._Element]:
    wanted = set(names)
    for child in el:
        if isinstance(child.tag, str) and etree.QName(child).localname in wanted:
            yield child
