"""The classic xlwings add-in (``xlpmo.xlam``) for Excel on Windows and macOS.

Data files: ``customUI.xml`` (the PMO ribbon tab) and the VBA source modules ``*.bas``.
Code: ``ovba`` (MS-OVBA compression and the vbaProject.bin streams), ``cfb`` (a compound file
writer), ``pywin32_standins`` and ``classic_udfs`` (xlwings' own COM UDF machinery run off
Windows). ``xlpmo_udfs.addin_build`` puts them together.
"""

__all__ = ["cfb", "classic_udfs", "ovba", "pywin32_standins"]
