"""The add-in's classic (COM) worksheet functions: xlwings' own VBA wrappers, made at build time.

xlwings' "Import Functions" button writes one VBA ``Function`` per ``@xw.func`` into the
workbook at run time (``xlwings.udfs.import_udfs``), which needs "Trust access to the VBA project
object model" and a reference to the xlwings add-in in every workbook. The xlpmo add-in instead
ships the wrappers inside ``xlpmo.xlam``: the builder runs the same generator
(``xlwings.udfs.generate_vba_wrapper``) on ``xlpmo_udfs.functions`` with the classic decorators
(see :mod:`.pywin32_standins`), so ``=PMO_CPI(...)`` works in every workbook once the add-in is
loaded. The wrappers call ``XLPy.CallUDF``; ``PMOBridge.bas`` provides ``XLPy`` by asking the
installed xlwings add-in for its Python COM server.

Run as ``python -m xlpmo_udfs.addin.classic_udfs MODULE`` it prints the result as JSON (the
builder uses a fresh interpreter, so nothing of this leaks into the caller's xlwings).
"""

from __future__ import annotations

import importlib
import io
import json
import os
import subprocess
import sys
import types
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from .pywin32_standins import classic_xlwings

__all__ = [
    "ADDIN_FILE", "MODULE_NAME", "VBA_RESERVED", "WRAPPER_NAMES", "ClassicArg", "ClassicFunction",
    "ClassicFunctions", "classic_functions", "classic_functions_subprocess", "identifier_problems",
    "main", "vba_attribute_text", "wrappers_module_source",
]

ADDIN_FILE = "xlpmo.xlam"
MODULE_NAME = "PMOFunctions"
# MS-VBAL 3.3.5.2 "Reserved Identifiers and IDENTIFIER": none of these can name a parameter.
_RESERVED_WORDS = """
    Call Case Close Const Declare DefBool DefByte DefCur DefDate DefDbl DefInt DefLng
    DefLngLng DefLngPtr DefObj DefSng DefStr DefVar Dim Do Else ElseIf End EndIf Enum
    Erase Event Exit For Friend Function Get Global GoSub GoTo If Implements Input Let
    Lock Loop LSet Next On Open Option Print Private Public Put RaiseEvent ReDim Resume
    Return RSet Seek Select Set Static Stop Sub Type Unlock Wend While With Write Any As
    ByRef ByVal Each In New Shared Until WithEvents Optional ParamArray Preserve Spc Tab
    Then To AddressOf And Eqv Imp Is Like Mod Not Or TypeOf Xor Abs CBool CByte CCur CDate
    CDbl CDec CInt CLng CLngLng CLngPtr CSng CStr CVar CVErr Date Debug DoEvents Fix Int
    Len LenB Me PSet Scale Sgn String Array Circle InputB LBound UBound Boolean Byte
    Currency Double Integer Long LongLong LongPtr Single Variant True False Nothing Empty
    Null Rem Attribute LINEINPUT CDecl Decimal DefDec
"""
VBA_RESERVED = frozenset(_RESERVED_WORDS.lower().split())
# Names the generated wrapper body itself uses: a parameter of that name would shadow them.
WRAPPER_NAMES = frozenset({"application", "err", "xlpy", "activeworkbook", "thisworkbook",
                           "argsarray", "k", "range", "failed"})


@dataclass(frozen=True)
class ClassicArg:
    name: str
    doc: str
    optional: bool


@dataclass(frozen=True)
class ClassicFunction:
    """One classic worksheet function as xlwings' ``udfs.xlfunc`` recorded it."""

    name: str
    description: str
    category: str
    args: tuple[ClassicArg, ...]


@dataclass(frozen=True)
class ClassicFunctions:
    """The VBA wrappers module text and the functions it defines."""

    module: str
    vba: str
    functions: tuple[ClassicFunction, ...]


class _AddinWorkbook:
    """What ``generate_vba_wrapper`` reads of the target workbook: its name. An ``.xlam`` name
    makes the wrappers pass ``ActiveWorkbook`` (the caller's workbook) instead of ThisWorkbook."""

    Name = ADDIN_FILE


def identifier_problems(functions: Iterable[ClassicFunction]) -> list[str]:
    """Why these functions would not compile as VBA (an empty list when they would).

    One bad wrapper stops the whole module from compiling, so every function would fail.
    """
    problems = []
    seen: dict[str, str] = {}
    for func in functions:
        key = func.name.lower()
        if key in seen:
            problems.append(f"{func.name}: defined twice (module attributes {seen[key]!r} and "
                            f"{func.name!r} both carry it; VBA says 'Ambiguous name detected')")
        seen[key] = func.name
        if key in VBA_RESERVED:
            problems.append(f"{func.name}: a VBA reserved word cannot name a function")
        arg_names: set[str] = set()
        for arg in func.args:
            low = arg.name.lower()
            if low in VBA_RESERVED or low in WRAPPER_NAMES:
                problems.append(f"{func.name}: parameter {arg.name!r} is a VBA reserved or "
                                "wrapper-internal name; rename it in Python")
            if low == key or low in arg_names:
                problems.append(f"{func.name}: parameter {arg.name!r} clashes with another "
                                "name of the function (VBA names ignore case)")
            if arg.name.startswith("_") or len(arg.name) > 255:
                problems.append(f"{func.name}: parameter {arg.name!r} is not a VBA identifier")
            arg_names.add(low)
    return problems


def _functions(module: types.ModuleType) -> tuple[ClassicFunction, ...]:
    found = []
    for attr in dir(module):  # the generator's own walk: every attribute with __xlfunc__
        xlf = getattr(getattr(module, attr), "__xlfunc__", None)
        if xlf is None or xlf.get("sub"):
            continue
        doc = (xlf["ret"]["doc"] or "").strip()
        found.append(ClassicFunction(
            name=xlf["name"],
            description=doc.splitlines()[0][:255] if doc else "",
            category=str(xlf.get("category", "")),
            args=tuple(ClassicArg(a["name"], a["doc"], "optional" in a)
                       for a in xlf["args"] if not a["vba"]),
        ))
    return tuple(found)


def _fresh_import(name: str) -> types.ModuleType:
    """Import ``name`` anew, so its decorators run with whatever ``xlwings.func`` is now."""
    sys.modules.pop(name, None)
    return importlib.import_module(name)


def classic_functions(module_name: str) -> ClassicFunctions:
    """Import ``module_name`` with the classic decorators and generate its VBA wrappers.

    In-process; the caller's ``sys.modules`` and xlwings are restored afterwards, except that
    a parent package's attribute for the module is put back too.
    """
    parent_name, _, child = module_name.rpartition(".")
    parent = sys.modules.get(parent_name) if parent_name else None
    had_attr = parent is not None and hasattr(parent, child)
    saved_attr = getattr(parent, child, None) if parent is not None else None
    try:
        with classic_xlwings() as udfs:
            module = _fresh_import(module_name)
            text = io.StringIO()
            udfs.generate_vba_wrapper(module_name, module, text, _AddinWorkbook())
            functions = _functions(module)
    finally:
        if parent is not None:
            if had_attr:
                setattr(parent, child, saved_attr)
            elif hasattr(parent, child):
                delattr(parent, child)
    return ClassicFunctions(module=module_name, vba=text.getvalue(), functions=functions)


def classic_functions_subprocess(module_name: str, extra_path: Iterable[str] = ()) -> \
        ClassicFunctions:
    """``classic_functions`` run in a fresh interpreter (no side effects on this one)."""
    env = {k: v for k, v in os.environ.items() if k != "XLWINGS_ON_SERVER"}
    paths = [*extra_path, *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(paths)
    proc = subprocess.run(
        [sys.executable, "-m", __name__, module_name],
        capture_output=True, text=True, env=env, check=False,
    )
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["(no message)"]
        raise RuntimeError(f"could not read the classic functions of {module_name}: {tail[0]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])  # the last line: import may print
    return ClassicFunctions(
        module=data["module"], vba=data["vba"],
        functions=tuple(
            ClassicFunction(name=f["name"], description=f["description"],
                            category=f["category"],
                            args=tuple(ClassicArg(**a) for a in f["args"]))
            for f in data["functions"]
        ),
    )


_ASCII_FOR = {"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2264": "<=", "\u2265": ">=",
              "\u2260": "<>", "\u2192": "->", "\u2026": "..."}


def vba_attribute_text(text: str, encoding: str = "cp1252") -> str:
    """``text`` as a VBA string literal body: one line, quotes doubled, and only characters of
    the project's code page (others replaced by an ASCII look-alike, else ``?``)."""
    out = []
    for char in " ".join(text.split()).replace('"', '""'):
        try:
            char.encode(encoding)
            out.append(char)
        except UnicodeEncodeError:
            out.append(_ASCII_FOR.get(char, "?"))
    return "".join(out)


def wrappers_module_source(result: ClassicFunctions) -> str:
    """The text of the ``PMOFunctions`` module: header, then xlwings' wrappers, each with its
    one-line description as ``VB_Description`` (what Excel's Insert Function dialog shows)."""
    descriptions = {f.name.lower(): f.description for f in result.functions}
    lines = [
        f'Attribute VB_Name = "{MODULE_NAME}"',
        f"' Generated by 'xlpmo addin build' from {result.module} with xlwings' own wrapper",
        "' generator (xlwings.udfs.generate_vba_wrapper). Do not edit: rebuild instead.",
        "#Const App = \"Microsoft Excel\" 'Adjust when using outside of Excel",
    ]
    for line in result.vba.splitlines():
        lines.append(line)
        words = line.split("(")[0].split()
        if len(words) == 2 and words[0] in ("Function", "Sub"):
            description = descriptions.get(words[1].lower())
            if description:
                lines.append(f'Attribute {words[1]}.VB_Description = '
                             f'"{vba_attribute_text(description)}"')
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m xlpmo_udfs.addin.classic_udfs MODULE", file=sys.stderr)
        return 2
    result = classic_functions(args[0])
    print(json.dumps(asdict(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
