"""xlpmo.io.safesave.atomic_write: refusals, backups, concurrency, crashes, full disks."""

from __future__ import annotations

import errno
import hashlib
import json
import multiprocessing as mp
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from xlpmo.errors import XlpmoError
from xlpmo.io.raw import Fingerprint, fingerprint
from xlpmo.io.safesave import BACKUP_DIR, atomic_write, excel_lock_owner

ORIGINAL = b"PK original workbook bytes " * 1000


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    path = tmp_path / "Tracker.xlsx"
    path.write_bytes(ORIGINAL)
    return path


def _writer(data: bytes):
    def write(tmp: Path) -> None:
        Path(tmp).write_bytes(data)
    return write


def _litter(folder: Path) -> list[str]:
    """Files an interrupted save could leave (temp files, locks)."""
    return sorted(p.name for p in folder.iterdir()
                  if p.name.endswith((".xlpmo-tmp", ".xlpmo-part", ".xlpmo-lock", ".stale")))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- basics ---------------------------------------------------------------------------------


def test_replaces_file_and_keeps_a_backup(book: Path) -> None:
    seen = fingerprint(book)
    result = atomic_write(book, _writer(b"new version"), expected=seen)
    assert book.read_bytes() == b"new version"
    assert result.backup is not None and result.backup.parent == book.parent / BACKUP_DIR
    assert result.backup.read_bytes() == ORIGINAL
    assert result.backup.name.startswith("Tracker.") and result.backup.suffix == ".xlsx"
    assert result.fingerprint == fingerprint(book)
    assert _litter(book.parent) == []


def test_backups_are_pruned_and_can_be_switched_off(book: Path) -> None:
    for i in range(6):
        atomic_write(book, _writer(f"v{i}".encode()), expected=None, keep=3)
    backups = sorted((book.parent / BACKUP_DIR).iterdir())
    assert [p.read_bytes() for p in backups] == [b"v2", b"v3", b"v4"]
    other = book.parent / "Other.xlsx"
    other.write_bytes(b"o")
    atomic_write(other, _writer(b"o2"), expected=None, backup=False)
    assert not any(p.name.startswith("Other.") for p in (book.parent / BACKUP_DIR).iterdir())


def test_new_file_needs_no_fingerprint(tmp_path: Path) -> None:
    path = tmp_path / "new.xlsx"
    result = atomic_write(path, _writer(b"first"), expected=None)
    assert path.read_bytes() == b"first" and result.backup is None


def test_permissions_are_kept(book: Path) -> None:
    os.chmod(book, 0o640)
    atomic_write(book, _writer(b"x"), expected=None)
    assert (book.stat().st_mode & 0o777) == 0o640


def test_empty_result_is_refused(book: Path) -> None:
    with pytest.raises(XlpmoError, match="nothing was written"):
        atomic_write(book, lambda tmp: None, expected=None)
    assert book.read_bytes() == ORIGINAL and _litter(book.parent) == []


# -- refusals -------------------------------------------------------------------------------


def _excel_owner_file(user: str) -> bytes:
    ansi = bytes([len(user)]) + user.encode("cp1252").ljust(53, b" ")
    wide = len(user).to_bytes(2, "little") + user.encode("utf-16-le")
    return (ansi + wide).ljust(165, b"\x00")


def test_refuses_when_open_in_excel_and_names_the_user(book: Path) -> None:
    owner = book.with_name("~$" + book.name)
    owner.write_bytes(_excel_owner_file("Jane Doe"))
    with pytest.raises(XlpmoError, match="open in Excel by Jane Doe"):
        atomic_write(book, _writer(b"x"), expected=None)
    owner.write_bytes(b"")  # unreadable owner file: still refused
    with pytest.raises(XlpmoError, match=r"open in Excel: close it"):
        atomic_write(book, _writer(b"x"), expected=None)
    assert book.read_bytes() == ORIGINAL and _litter(book.parent) == []
    owner.unlink()
    lo = book.with_name(f".~lock.{book.name}#")
    lo.write_text("Max Muster,host,user,28.11.2026 10:00,file\n")
    assert excel_lock_owner(book) == ("LibreOffice", "Max Muster")
    with pytest.raises(XlpmoError, match="open in LibreOffice by Max Muster"):
        atomic_write(book, _writer(b"x"), expected=None)


def test_refuses_when_file_changed_since_read(book: Path) -> None:
    seen = fingerprint(book)
    book.write_bytes(ORIGINAL + b"edited in Excel")
    with pytest.raises(XlpmoError, match="changed since xlpmo read it"):
        atomic_write(book, _writer(b"x"), expected=seen)
    assert book.read_bytes() == ORIGINAL + b"edited in Excel"
    assert _litter(book.parent) == [] and not (book.parent / BACKUP_DIR).exists()


def test_a_touch_alone_is_not_a_change(book: Path) -> None:
    seen = fingerprint(book)
    os.utime(book, ns=(seen.mtime_ns + 10**9, seen.mtime_ns + 10**9))
    assert fingerprint(book) != seen
    atomic_write(book, _writer(b"x"), expected=seen)
    assert book.read_bytes() == b"x"


def test_refuses_when_file_was_deleted(book: Path) -> None:
    seen = fingerprint(book)
    book.unlink()
    with pytest.raises(XlpmoError, match="moved or deleted"):
        atomic_write(book, _writer(b"x"), expected=seen)
    assert not book.exists()


def test_change_during_the_write_is_caught_before_replacing(book: Path) -> None:
    seen = fingerprint(book)

    def write(tmp: Path) -> None:
        Path(tmp).write_bytes(b"ours")
        book.write_bytes(b"someone saved meanwhile")

    with pytest.raises(XlpmoError, match="changed since"):
        atomic_write(book, write, expected=seen)
    assert book.read_bytes() == b"someone saved meanwhile" and _litter(book.parent) == []


def test_error_in_the_write_leaves_everything_as_it_was(book: Path) -> None:
    def write(tmp: Path) -> None:
        Path(tmp).write_bytes(b"half")
        raise XlpmoError("the table would overwrite Dashboard!A9")

    with pytest.raises(XlpmoError, match="Dashboard!A9"):
        atomic_write(book, write, expected=fingerprint(book))
    assert book.read_bytes() == ORIGINAL and _litter(book.parent) == []
    atomic_write(book, _writer(b"next"), expected=None)  # the lock was released
    assert book.read_bytes() == b"next"


# -- our own lock ---------------------------------------------------------------------------


def _lock_file(book: Path, **info: object) -> Path:
    lock = book.with_name(book.name + ".xlpmo-lock")
    lock.write_text(json.dumps({"pid": 1, "host": "elsewhere", "user": "bob",
                                "since": "2026-11-28T10:00:00", "token": "t", **info}))
    return lock


def test_fresh_lock_of_another_machine_refuses(book: Path) -> None:
    _lock_file(book, host="pmo-laptop", user="bob")
    with pytest.raises(XlpmoError, match=r"another xlpmo refresh \(bob, pid 1 on pmo-laptop"):
        atomic_write(book, _writer(b"x"), expected=None)
    assert book.read_bytes() == ORIGINAL


def test_lock_of_a_dead_process_is_taken_over(book: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    _lock_file(book, host=socket.gethostname(), pid=int(dead.stdout))
    atomic_write(book, _writer(b"x"), expected=None)
    assert book.read_bytes() == b"x" and _litter(book.parent) == []


def test_old_lock_is_stale(book: Path) -> None:
    lock = _lock_file(book, host="pmo-laptop")
    old = time.time() - 3600
    os.utime(lock, (old, old))
    atomic_write(book, _writer(b"x"), expected=None, stale_after=600)
    assert book.read_bytes() == b"x" and not lock.exists()


def _concurrent_writer(path: str, barrier: mp.synchronize.Barrier, out: mp.Queue, i: int) -> None:
    barrier.wait()

    def write(tmp: Path) -> None:
        time.sleep(1.0)
        Path(tmp).write_bytes(f"writer {i}".encode())

    try:
        atomic_write(Path(path), write, expected=None)
        out.put((i, "ok"))
    except XlpmoError as exc:
        out.put((i, str(exc)))


def test_two_concurrent_saves_exactly_one_wins(book: Path) -> None:
    ctx = mp.get_context("fork")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_concurrent_writer, args=(str(book), barrier, out, i))
             for i in range(2)]
    for p in procs:
        p.start()
    results = dict(out.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    winners = [i for i, r in results.items() if r == "ok"]
    assert len(winners) == 1, results
    loser = results[1 - winners[0]]
    assert "being saved by another xlpmo refresh" in loser
    assert book.read_bytes() == f"writer {winners[0]}".encode()
    assert _litter(book.parent) == []


# -- crashes and full disks -----------------------------------------------------------------

_KILLED_WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from xlpmo.io.safesave import atomic_write

    path, marker = Path(sys.argv[1]), Path(sys.argv[2])

    def write(tmp):
        with open(tmp, "wb") as fh:
            fh.write(b"N" * 300_000)
            fh.flush()
            marker.write_text("half written")
            time.sleep(60)
            fh.write(b"N" * 300_000)

    atomic_write(path, write, expected=None)
""")


def test_sigkill_mid_write_leaves_the_original_and_next_save_cleans_up(book: Path) -> None:
    marker = book.parent / "marker"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(book), str(marker)])
    try:
        deadline = time.time() + 60
        while not marker.exists():
            assert proc.poll() is None, "writer ended early"
            assert time.time() < deadline, "writer never started"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert book.read_bytes() == ORIGINAL
    left = _litter(book.parent)
    assert all(n.startswith(".") or n.endswith(".xlpmo-lock") for n in left), left  # hidden
    atomic_write(book, _writer(b"after the crash"), expected=fingerprint(book))
    assert book.read_bytes() == b"after the crash"
    assert _litter(book.parent) == []


def test_sigkill_after_the_workbook_was_written_but_before_replace(tmp_path: Path) -> None:
    """The real writer, killed in a hook between writing the temp file and replacing."""
    import xlsxwriter

    path = tmp_path / "Tracker.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Config")
    wb.close()
    before = _sha(path)
    marker = tmp_path / "marker"
    script = textwrap.dedent("""
        import sys, time
        from pathlib import Path
        import pandas as pd
        from xlpmo.io.writer import save_tables

        def hook(tmp):
            Path(sys.argv[2]).write_text(str(tmp))
            time.sleep(60)

        df = pd.DataFrame({"Severity": ["Error"], "Table": ["t"], "Cell": ["c"],
                           "Message": ["m"]})
        save_tables(Path(sys.argv[1]), {"tblChecks": df}, before_replace=hook)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script, str(path), str(marker)])
    try:
        deadline = time.time() + 60
        while not marker.exists():
            assert proc.poll() is None and time.time() < deadline
            time.sleep(0.05)
        assert Path(marker.read_text()).stat().st_size > 0  # the new workbook was complete
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _sha(path) == before


def test_disk_full_leaves_the_original(book: Path) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            fh.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(XlpmoError, match="disk is full"):
        atomic_write(book, write, expected=fingerprint(book))
    assert book.read_bytes() == ORIGINAL and _litter(book.parent) == []


_LIMITED_WRITER = textwrap.dedent("""
    import resource, signal, sys
    from pathlib import Path
    from xlpmo.errors import XlpmoError
    from xlpmo.io.safesave import atomic_write

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    def write(tmp):
        with open(tmp, "wb") as fh:
            for _ in range(100):
                fh.write(b"x" * 10_000)

    try:
        atomic_write(Path(sys.argv[1]), write, expected=None)
    except XlpmoError as exc:
        print(exc)
        sys.exit(3)
""")


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs POSIX file size limits")
def test_file_size_limit_in_a_subprocess_leaves_the_original(book: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", _LIMITED_WRITER, str(book)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stderr
    assert "size limit" in proc.stdout and "was not changed" in proc.stdout
    assert book.read_bytes() == ORIGINAL and _litter(book.parent) == []


def test_fingerprint_fields(book: Path) -> None:
    fp = fingerprint(book)
    assert isinstance(fp, Fingerprint)
    assert fp.size == len(ORIGINAL) and fp.sha256 == hashlib.sha256(ORIGINAL).hexdigest()
    assert fp.mtime_ns == book.stat().st_mtime_ns


# -- durability: the order that makes a crash or a power cut safe (issue #11 item 8) --------


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="names open files via /proc")
def test_new_bytes_are_on_disk_before_the_rename_and_the_rename_after(
        book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A spy on os.fsync / os.replace (the real calls still run): the temp file is fsynced
    before it replaces the workbook (else a power cut can leave the name on empty blocks),
    and the folder is fsynced after the rename (else the rename itself can be lost)."""
    events: list[tuple[str, ...]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: object, dst: object) -> None:
        events.append(("replace", str(src), str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    atomic_write(book, _writer(b"new version"), expected=fingerprint(book))
    assert book.read_bytes() == b"new version"
    [at] = [i for i, e in enumerate(events) if e[0] == "replace" and e[2] == str(book)]
    temp = events[at][1]
    assert Path(temp).parent == book.parent and temp != str(book)
    assert ("fsync", temp) in events[:at], events
    assert ("fsync", str(book.parent)) in events[at + 1:], events


@pytest.mark.parametrize("owner", ["excel", "libreoffice"])
def test_workbook_opened_during_the_write_is_not_replaced(book: Path, owner: str) -> None:
    """Excel (or LibreOffice) opens the workbook while the new version is being written:
    the check just before the replace refuses, so the user's session is not overwritten."""
    lock = (book.with_name("~$" + book.name) if owner == "excel"
            else book.with_name(f".~lock.{book.name}#"))

    def write(tmp: Path) -> None:
        Path(tmp).write_bytes(b"ours")
        lock.write_bytes(_excel_owner_file("Ann") if owner == "excel"
                         else b"Ann,host,ann,28.11.2026 10:00,file\n")

    with pytest.raises(XlpmoError, match=r"is open in (Excel|LibreOffice) by Ann"):
        atomic_write(book, write, expected=fingerprint(book))
    assert book.read_bytes() == ORIGINAL and _litter(book.parent) == []
    assert not (book.parent / BACKUP_DIR).exists()
