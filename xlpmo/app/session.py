"""A workbook session: what a command needs of a workbook, in Excel or in a file.

The commands (:mod:`xlpmo.app.commands`) are written once against :class:`Session`:

- ``read(extra)``: the contract's input tables found in the workbook, plus the other
  contract tables named in ``extra`` (tblHistory, tblImportLog), as
  :class:`xlpmo.io.raw.RawTable` keyed by contract name, and the reader's own findings;
- ``write(tables, edits)``: in ONE step, whole tables (outputs: DataFrames with their
  header) and :class:`xlpmo.io.changes.TableEdit` edits of input tables (cells, added rows
  and month columns; a missing table is created). Either everything is written or nothing,
  with an :class:`~xlpmo.errors.XlpmoError` naming what was in the way. Returns what the
  write itself added to tblChecks (notes whose row is gone, a filter it could not
  re-apply, a table too big for its sheet);
- ``step(label)``: progress on long work (a no-op where nobody watches);
- ``notify(message)``: tell the user (a message box in Excel, the terminal for a file).

Two implementations: :class:`FileSession` (here: the package reader and writer through
:func:`xlpmo.io.safesave.atomic_write`: atomic, a backup, lock files, the file refused
when it changed since it was read, nothing else in it touched) and
:class:`xlpmo_udfs.book.BookSession` (an xlwings Book: ranges in, values out).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol, TextIO

import pandas as pd

from xlpmo.contract import tables as contract
from xlpmo.errors import Finding, XlpmoError
from xlpmo.io.changes import TableEdit
from xlpmo.io.raw import RawTable
from xlpmo.io.reader import read_workbook


class Session(Protocol):
    """What a command needs of a workbook (see the module docstring)."""

    @property
    def name(self) -> str: ...

    def read(self, extra: Sequence[str] = ()) -> tuple[dict[str, RawTable], list[Finding]]: ...

    def write(self, tables: Mapping[str, pd.DataFrame], edits: Sequence[TableEdit]
              ) -> list[Finding]: ...

    def step(self, label: str) -> None: ...

    def notify(self, message: str) -> None: ...


class FileSession:
    """A workbook file read with :func:`xlpmo.io.reader.read_workbook` and written with
    :func:`xlpmo.io.writer.write_tables` through :func:`xlpmo.io.safesave.atomic_write`.

    ``backup``: keep the previous version (``.xlpmo-backups``); ``progress``: called with
    a label before each step; ``out``: where :meth:`notify` prints. After a write,
    ``backup_path`` is the previous version's copy (None without one).
    """

    def __init__(self, path: str | Path, *, backup: bool = True,
                 progress: Callable[[str], None] | None = None,
                 out: TextIO | None = None) -> None:
        self.path = Path(path)
        self.backup = backup
        self.progress = progress
        self.out = out
        self.fingerprint = None
        self.backup_path: Path | None = None
        self.written = False

    @classmethod
    def writing(cls, path: str | Path, **options: object) -> FileSession:
        """A session for a command that changes the workbook: a read-only workbook, or a
        folder that takes no new files, is refused before any work
        (:func:`~xlpmo.io.safesave.check_can_save`), not after reading and computing."""
        from xlpmo.io.safesave import check_can_save

        if Path(path).exists():
            check_can_save(Path(path))
        return cls(path, **options)  # type: ignore[arg-type]

    @property
    def name(self) -> str:
        return self.path.name

    def read(self, extra: Sequence[str] = ()) -> tuple[dict[str, RawTable], list[Finding]]:
        """The input tables (and ``extra``); the file's fingerprint is kept, so a write
        is refused when the file changed since."""
        book = read_workbook(self.path, outputs=bool(extra))
        self.fingerprint = book.fingerprint
        wanted = {n.lower() for n in extra}
        found = {n: t for n, t in book.tables.items()
                 if n in contract.INPUTS or n.lower() in wanted}
        return found, list(book.findings)

    def write(self, tables: Mapping[str, pd.DataFrame], edits: Sequence[TableEdit]
              ) -> list[Finding]:
        from xlpmo.io.writer import write_tables

        reports = []
        self.save(lambda tmp: reports.append(write_tables(self.path, tmp, tables, None, edits)))
        return list(reports[-1].findings)

    def save(self, write: Callable[[Path], object]) -> None:
        """Replace the file by what ``write(temp_path)`` makes of it (reading ``self.path``),
        through :func:`xlpmo.io.safesave.atomic_write`: refused when the file is open in
        Excel, locked by another xlpmo or changed since :meth:`read`; the previous version
        kept when ``backup``. :meth:`write` is this with the table writer; a command that
        writes other parts (the Report's charts) passes its own ``write``."""
        from xlpmo.io.safesave import atomic_write

        if self.fingerprint is None:
            raise XlpmoError(f"{self.name}: read before writing")  # a programming slip
        try:
            saved = atomic_write(self.path, write, expected=self.fingerprint,
                                 backup=self.backup)
        except XlpmoError as exc:  # the writer's messages name parts: say which workbook
            if self.name in str(exc):
                raise
            raise type(exc)(f"{self.name}: {exc}") from None  # the same kind, named
        self.backup_path = saved.backup
        self.fingerprint = None  # a second write needs a second read
        self.written = True

    def step(self, label: str) -> None:
        if self.progress is not None:
            self.progress(label)

    def notify(self, message: str) -> None:
        print(message, file=self.out if self.out is not None else sys.stdout)
