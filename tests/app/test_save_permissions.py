"""A workbook that may not be replaced, or a folder that takes no new files, is refused
with a clear message and exit code 2, and nothing changes (issue #11 item 5).

Root may write anything, so the cases "as the file's owner" and "a folder you cannot write
to" run in a child process as an ordinary user (:mod:`helpers.unprivileged`): they run in
CI, which runs as root, instead of being skipped there."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.unprivileged import can_drop_privileges, give_to_child, run_as_user

from xlpmo.cli import main

CLI = "import sys; from xlpmo.cli import main; sys.exit(main(['refresh', sys.argv[1]]))"
needs_child = pytest.mark.skipif(not can_drop_privileges(),
                                 reason="running as root without setpriv (util-linux)")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from xlpmo.template.builder import build_workbook
    from xlpmo.template.sample import example_rows

    path = tmp_path_factory.mktemp("book") / "PMO.xlsx"
    build_workbook(path, example_rows())
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def base() -> Iterator[Path]:
    """A folder the child user can reach (pytest's own tmp_path is private to root; the
    kernel's access() checks a path as the real user, without capabilities)."""
    path = Path(tempfile.mkdtemp(prefix="xlpmo-perm-"))
    path.chmod(0o755)
    yield path
    for folder in (path, *path.iterdir()):
        folder.chmod(0o755)
    shutil.rmtree(path)


def _folder(base: Path, workbook: Path) -> tuple[Path, Path]:
    folder = base / "shared"
    folder.mkdir()
    path = folder / "PMO.xlsx"
    shutil.copy(workbook, path)
    return folder, path


def test_read_only_workbook_is_refused(base: Path, workbook: Path,
                                       capsys: pytest.CaptureFixture) -> None:
    """Mode 0444 is refused even by a user who could write it anyway (root here in CI)."""
    folder, path = _folder(base, workbook)
    path.chmod(0o444)
    before = _sha(path)
    assert main(["refresh", str(path)]) == 2
    err = capsys.readouterr().err
    assert "PMO.xlsx is read-only" in err and "unexpected" not in err
    assert _sha(path) == before and sorted(os.listdir(folder)) == ["PMO.xlsx"]



@pytest.mark.parametrize("verb", [
    ["close-period"],
    ["new-project", "--id", "PRJ-900", "--name", "New", "--start", "2026-01-01",
     "--finish", "2026-12-31", "--bac", "1000"],
    ["import", "EXPORT", "--into", "tblActuals"],
    ["report"],
], ids=["close-period", "new-project", "import", "report"])
def test_every_verb_that_writes_refuses_a_read_only_workbook_first(
        verb: list[str], base: Path, workbook: Path, capsys: pytest.CaptureFixture) -> None:
    """Before any work (no step of reading it is shown), with a message that fits the verb
    (it said "if it should be refreshed" for close-period, import, new-project and report)."""
    folder, path = _folder(base, workbook)
    export = base / "export.csv"
    export.write_text("ProjectID,Month,Amount\nPRJ-101,2026-01,100\n", encoding="utf-8")
    path.chmod(0o444)
    before = _sha(path)
    args = [str(export) if a == "EXPORT" else a for a in verb]
    assert main([args[0], str(path), *args[1:]]) == 2
    err = capsys.readouterr().err
    assert "PMO.xlsx is read-only" in err and "refresh" not in err, err
    assert "reading workbook" not in err and "unexpected" not in err, err
    assert _sha(path) == before and sorted(os.listdir(folder)) == ["PMO.xlsx"]

@needs_child
def test_read_only_workbook_is_refused_as_its_owner(base: Path, workbook: Path) -> None:
    folder, path = _folder(base, workbook)
    give_to_child(folder, path)  # the folder is the user's own: only the mode says no
    path.chmod(0o444)
    before = _sha(path)
    result = run_as_user(CLI, str(path))
    assert result.returncode == 2, result.stderr
    assert "PMO.xlsx is read-only" in result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
    assert _sha(path) == before and sorted(os.listdir(folder)) == ["PMO.xlsx"]


@needs_child
def test_folder_without_write_permission_is_a_clear_refusal(base: Path, workbook: Path) -> None:
    """The workbook is the user's and writable, its folder is not: no temp file, lock or
    backup can be made there, so the refresh is refused before any work."""
    folder, path = _folder(base, workbook)
    give_to_child(path)
    folder.chmod(0o555)
    before = _sha(path)
    try:
        result = run_as_user(CLI, str(path))
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2, result.stderr
    assert f"you cannot create files in its folder {folder}" in result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
    assert _sha(path) == before and sorted(os.listdir(folder)) == ["PMO.xlsx"]
