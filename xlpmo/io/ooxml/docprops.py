"""The sheet list of the extended properties (``docProps/app.xml``).

Excel lists a workbook's sheet names there (``TitlesOfParts``) and counts them by kind
(``HeadingPairs``: ``Worksheets`` 3, ``Named Ranges`` 2, ... — the kind names are in Excel's
display language). Excel rewrites the part on every save and ignores it on open, but file
managers and document-management systems show it, so when the writer adds sheets their
names are added to the worksheets' group. A part whose layout is not recognised is left
as it is.
"""

from __future__ import annotations

from lxml import etree

from xlpmo.errors import XlpmoError
from xlpmo.io.ooxml.package import Package, Relationships

#: relationship type suffixes of the extended-properties part (transitional, Strict)
_APP_REL_TYPES = ("extended-properties", "extendedProperties")


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _child(el: etree._Element | None, name: str) -> etree._Element | None:
    if el is None:
        return None
    return next((c for c in el if _local(c) == name), None)


def app_part(pkg: Package) -> str | None:
    """The extended-properties part of the package, or None."""
    rels = Relationships(pkg, "")
    for suffix in _APP_REL_TYPES:
        for _rid, part in rels.of_type(suffix):
            if pkg.has(part):
                return part
    return None


def add_sheet_titles(tree: etree._ElementTree, existing: list[str], added: list[str]) -> bool:
    """Append ``added`` to the group of ``TitlesOfParts`` that lists the worksheets.

    The worksheets' group is the first ``HeadingPairs`` group with at least one title whose
    titles are all names in ``existing`` (the workbook's worksheets before the additions);
    its count and the vector sizes are raised to match. Returns whether the tree changed.
    """
    root = tree.getroot()
    headings = _child(_child(root, "HeadingPairs"), "vector")
    titles_vec = _child(_child(root, "TitlesOfParts"), "vector")
    if headings is None or titles_vec is None or not added:
        return False
    variants = [v for v in headings if _local(v) == "variant"]
    titles = [t for t in titles_vec if _local(t) == "lpstr"]
    known = set(existing)
    start = 0
    for count_variant in variants[1::2]:
        count_el = next((c for c in count_variant if isinstance(c.tag, str)), None)
        try:
            n = int((count_el.text or "").strip()) if count_el is not None else -1
        except ValueError:
            return False
        if n < 0:
            return False
        group = titles[start:start + n]
        if n and len(group) == n and all((t.text or "") in known for t in group):
            anchor = group[-1]
            for name in added:
                new = etree.Element(anchor.tag)
                new.text, new.tail = name, group[-1].tail
                anchor.addnext(new)
                anchor = new
            count_el.text = str(n + len(added))
            titles_vec.set("size", str(len(titles) + len(added)))
            return True
        start += n
    return False


def record_added_sheets(pkg: Package, existing: list[str], added: list[str]) -> bool:
    """Add the new sheets' names to ``docProps/app.xml`` (see :func:`add_sheet_titles`);
    a package without the part, or with one it cannot read, is left as it is."""
    part = app_part(pkg) if added else None
    if part is None:
        return False
    try:
        tree = pkg.xml(part)
    except XlpmoError:  # a damaged properties part is not a reason to refuse the refresh
        return False
    if not add_sheet_titles(tree, existing, added):
        return False
    pkg.set_xml(part, tree)
    return True
