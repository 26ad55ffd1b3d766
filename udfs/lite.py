"""xlwings Lite plugin: every worksheet function and every command of xlpmo in one module.

xlwings Lite registers the custom functions (``@func``) and scripts (``@script``) it finds
as members of a module. Two ways to use xlpmo in a workbook:

- as a plugin: name ``xlpmo`` in the workbook's ``requirements.txt``; the package declares
  this module under the entry point group :data:`ENTRY_POINT_GROUP`
  (``[project.entry-points.xlwings_lite] xlpmo = "xlpmo_udfs.lite"``);
- without the plugin mechanism: ``xlpmo`` in ``requirements.txt`` and one line in the
  workbook's ``main.py``: ``from xlpmo_udfs.lite import *``.

Either way Excel shows ``=PMO.CPI(...)`` and the others, and the task pane the scripts
Refresh, Validate, Import actuals, Close period, New project and Report.
"""

from __future__ import annotations

import xlpmo.functions as _pmo

from . import commands as _commands
from . import functions as _functions

ENTRY_POINT_GROUP = "xlwings_lite"

#: the custom functions, in the order of functions.md
FUNCTIONS = tuple(getattr(_functions, "PMO_" + name) for name in _pmo.__all__)
#: the scripts (task-pane buttons)
SCRIPTS = (_commands.refresh, _commands.validate, _commands.import_actuals,
           _commands.close_period, _commands.new_project, _commands.report)

globals().update({f.__name__: f for f in (*FUNCTIONS, *SCRIPTS)})
__all__ = [f.__name__ for f in (*FUNCTIONS, *SCRIPTS)]
