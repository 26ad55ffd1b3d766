"""The application: every command written once over a workbook session (read -> check ->
compute -> write), for a file and for an open Excel workbook alike.

- :mod:`.session`: the session interface, and :class:`~xlpmo.app.session.FileSession` (a file:
  the package reader, the package writer, the safe save);
- :mod:`.loading`: the one read-and-check path (coerce, validate);
- :mod:`.commands`: Refresh, Validate, Close period, New project;
- :mod:`.importing`: Import actuals;
- :mod:`.pipeline`: the headless entry points the CLI calls;
- :mod:`.progress`: progress lines.
"""

__all__ = ["commands", "importing", "loading", "pipeline", "progress", "session"]
