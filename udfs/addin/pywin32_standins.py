"""Inert stand-ins for the pywin32 modules, so xlwings' classic COM modules import off Windows.

``xlwings._xlwindows``, ``xlwings.udfs`` and ``xlwings.com_server`` import pythoncom, pywintypes,
win32api, win32com ... at module level. With the stand-ins below in ``sys.modules`` they import
UNMODIFIED on Linux and macOS, so that

- ``xlwings.udfs.xlfunc`` records the real classic metadata (``__xlfunc__``) of decorated
  functions,
- ``xlwings.udfs.generate_vba_wrapper`` writes the same VBA wrappers "Import Functions" writes,
- ``xlwings.com_server.XLPython().CallUDF`` runs a call the way the VBA wrapper makes it.

Nothing here talks to Excel: every stand-in object accepts any attribute access or call and does
nothing. Only the names that must be real types are real types (exceptions, ``TimeType``).
On Windows with pywin32 installed, ``classic_xlwings`` uses the real modules.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import importlib
import importlib.util
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = [
    "PYWIN32_MODULES", "VARIANT", "VT_ERROR", "XLWINGS_COM_MODULES", "Inert", "TimeType",
    "classic_xlwings", "com_error", "make_standins", "pywin32_available",
]

PYWIN32_MODULES = (
    "pythoncom",
    "pywintypes",
    "win32api",
    "win32con",
    "win32event",
    "win32gui",
    "win32process",
    "win32timezone",
    "win32com",
    "win32com.client",
    "win32com.client.gencache",
    "win32com.server",
    "win32com.server.dispatcher",
    "win32com.server.exception",
    "win32com.server.policy",
    "win32com.server.util",
)
XLWINGS_COM_MODULES = ("xlwings._win32patch", "xlwings._xlwindows", "xlwings.udfs",
                       "xlwings.com_server")
_CTYPES_WINDOWS_NAMES = ("oledll", "windll", "PyDLL")
_DECORATORS = {"func": "xlfunc", "arg": "xlarg", "ret": "xlret", "sub": "xlsub",
               "script": "xlsub"}


class Inert:
    """Any attribute, call, item or iteration gives another inert object (or nothing)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __getattr__(self, name: str) -> Inert:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return Inert()

    def __call__(self, *args: Any, **kwargs: Any) -> Inert:
        return Inert()

    def __getitem__(self, key: Any) -> Inert:
        return Inert()

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __bool__(self) -> bool:
        return False


class _InertModule(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return Inert()


class TimeType(dt.datetime):
    """pywintypes.TimeType: what COM hands Python for a date cell (a datetime subclass)."""


class com_error(Exception):
    """pywintypes.com_error."""


VT_ERROR = 10  # the VARTYPE of an error value (as in pythoncom)


class VARIANT:
    """win32com.client.VARIANT: a value with an explicit COM type (e.g. a VT_ERROR cell error)."""

    def __init__(self, varianttype: int, value: Any) -> None:
        self.varianttype = varianttype
        self.value = value

    def __repr__(self) -> str:
        return f"VARIANT({self.varianttype}, {self.value!r})"


def _module(name: str, **attrs: Any) -> types.ModuleType:
    module = _InertModule(name)
    module.__file__ = None  # type: ignore[assignment]
    module.__path__ = []  # every stand-in may act as a package
    for key, value in attrs.items():
        setattr(module, key, value)
    return module


def _class(name: str) -> type:
    return type(name, (), {"__init__": lambda self, *a, **k: None})


def _dispatch(obj: Any, *args: Any, **kwargs: Any) -> Any:
    """win32com.client.Dispatch: an object that is already a Python object stays itself."""
    return obj


_IID_IDISPATCH = "{00020400-0000-0000-C000-000000000046}"


class _TimeZoneInfo:
    """win32timezone.TimeZoneInfo: xlwings only asks it for UTC (dates written to cells)."""

    @staticmethod
    def utc() -> dt.tzinfo:
        return dt.timezone.utc


def _unwrap(obj: Any) -> Any:
    raise TypeError("not a wrapped Python COM object")


def make_standins() -> dict[str, types.ModuleType]:
    """Fresh stand-in modules for every name in ``PYWIN32_MODULES``."""
    ole_error = type("ole_error", (com_error,), {})
    mods = {
        "pythoncom": _module("pythoncom", com_error=com_error, ole_error=ole_error,
                             VT_ERROR=VT_ERROR,
                             TypeIIDs={_IID_IDISPATCH: _class("PyIDispatch")},
                             IID_IDispatch=_IID_IDISPATCH),
        "pywintypes": _module("pywintypes", TimeType=TimeType, com_error=com_error,
                              error=type("error", (Exception,), {}), IID=str),
        "win32com.client": _module(
            "win32com.client", Dispatch=_dispatch, DispatchEx=_dispatch,
            CDispatch=_class("CDispatch"), CoClassBaseClass=_class("CoClassBaseClass"),
            DispatchBaseClass=_class("DispatchBaseClass"), VARIANT=VARIANT),
        "win32timezone": _module("win32timezone", TimeZoneInfo=_TimeZoneInfo),
        # a plain Python value is not a wrapped COM object: unwrap refuses it, as pywin32 does
        "win32com.server.util": _module("win32com.server.util", unwrap=_unwrap,
                                        wrap=lambda obj, *a, **k: obj),
    }
    for name in PYWIN32_MODULES:
        mods.setdefault(name, _module(name))
    for name, module in mods.items():
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(mods[parent], child, module)
    return mods


def pywin32_available() -> bool:
    """True where the real pywin32 is installed (Windows)."""
    return importlib.util.find_spec("pythoncom") is not None


@contextmanager
def classic_xlwings(*, force_standins: bool = False) -> Iterator[types.ModuleType]:
    """Make xlwings behave as on Windows with pywin32, and yield ``xlwings.udfs``.

    Inside the block ``xlwings.func/arg/ret/sub/script`` are the classic COM decorators of
    ``xlwings.udfs`` (as xlwings' ``__init__`` binds them on Windows), so a module of
    ``@xw.func`` functions imported inside the block gets the classic ``__xlfunc__`` metadata.
    Off Windows the pywin32 modules are inert stand-ins. On exit ``sys.modules``, ctypes and the
    xlwings decorators are restored; modules first imported inside the block are unloaded again
    (their functions keep the classic metadata they got).
    """
    import xlwings

    use_standins = force_standins or not pywin32_available()
    saved_modules = dict(sys.modules)
    saved_ctypes = {n: getattr(ctypes, n) for n in _CTYPES_WINDOWS_NAMES if hasattr(ctypes, n)}
    xw_names = (*_DECORATORS, *(m.rpartition(".")[2] for m in XLWINGS_COM_MODULES))
    saved_xw = {n: getattr(xlwings, n) for n in xw_names if hasattr(xlwings, n)}
    added_engine = None
    try:
        if use_standins:
            for name in XLWINGS_COM_MODULES:
                sys.modules.pop(name, None)
            sys.modules.update(make_standins())
            for name in _CTYPES_WINDOWS_NAMES:
                setattr(ctypes, name, Inert())
        for name in XLWINGS_COM_MODULES:
            importlib.import_module(name)
        udfs = sys.modules["xlwings.udfs"]
        added_engine = _add_excel_engine(xlwings)
        if use_standins:  # from-imports are bound now; give ctypes its own names back
            _restore_ctypes(saved_ctypes)
        for name, target in _DECORATORS.items():
            setattr(xlwings, name, getattr(udfs, target))
        yield udfs
    finally:
        if added_engine is not None:
            xlwings.engines.engines.remove(added_engine)
            del xlwings.engines.engines_by_name[added_engine.name]
        _restore_ctypes(saved_ctypes)
        for name in xw_names:
            if name in saved_xw:
                setattr(xlwings, name, saved_xw[name])
            elif hasattr(xlwings, name):
                delattr(xlwings, name)
        for name in list(sys.modules):
            if name not in saved_modules:
                del sys.modules[name]
        sys.modules.update(saved_modules)


def _add_excel_engine(xlwings: types.ModuleType) -> Any:
    """Register the COM engine as xlwings' ``__init__`` does on Windows (None if already there)."""
    if "excel" in xlwings.engines.engines_by_name:
        return None
    engine = xlwings.main.Engine(impl=sys.modules["xlwings._xlwindows"].engine)
    xlwings.engines.add(engine)
    return engine


def _restore_ctypes(saved: dict[str, Any]) -> None:
    for name in _CTYPES_WINDOWS_NAMES:
        if name in saved:
            setattr(ctypes, name, saved[name])
        elif hasattr(ctypes, name):
            delattr(ctypes, name)
