"""Save a workbook without ever leaving it half-written, and without racing anyone.

:func:`atomic_write` is the only way xlpmo replaces a user's file:

1. Refuse when the workbook is open in Excel (its owner file ``~$<name>`` is beside it) or
   LibreOffice (``.~lock.<name>#``); the message names the user when the lock file says.
   Refuse a read-only workbook (no write permission for the user, mode 0444 even for
   root, the Windows read-only attribute) and a folder the user cannot create files in
   (:func:`check_can_save`), with a message that says so.
2. Take an advisory lock: ``<name>.xlpmo-lock`` created with ``O_EXCL`` (pid, host, user,
   time inside) and removed afterwards. A second refresh of the same file meanwhile is
   refused. A lock is stale (taken over) when its process is gone (same host) or it is older
   than ``stale_after`` seconds (default 10 minutes).
3. Refuse when the file changed since it was read: size and sha256 must still match the
   :class:`Fingerprint` taken at read time (mtime_ns is recorded too, but a bare touch that
   leaves the bytes alone is not a change). Checked again just before the replace.
4. Write the new version to a hidden temp file in the same directory
   (``.<name>.<random>.xlpmo-tmp``), fsync it.
5. Keep the previous version: ``.xlpmo-backups/<stem>.<YYYYmmdd-HHMMSS-ffffff><suffix>``
   beside the workbook, the newest ``keep`` (default 5) per workbook (``backup=False`` turns
   it off). The backup is a hard link to the old file where the file system allows (no
   copy, no extra space), else a copy.
6. ``os.replace`` the temp file over the workbook (atomic on POSIX and Windows/NTFS) and
   fsync the directory.

At every instant the workbook is either the old or the new version. A writer killed
mid-way leaves at most a hidden temp file and a lock whose process is gone; the next
save removes both.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import shutil
import socket
import stat
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xlpmo.errors import FileChanged, FileRefused, WriteConflict, XlpmoError
from xlpmo.io.raw import Fingerprint, fingerprint
from xlpmo.user import user_name

__all__ = [
    "BACKUP_DIR", "SaveResult", "atomic_write", "check_can_save", "excel_lock_owner",
]

BACKUP_DIR = ".xlpmo-backups"
LOCK_SUFFIX = ".xlpmo-lock"
TEMP_SUFFIXES = (".xlpmo-tmp", ".xlpmo-part")
DEFAULT_KEEP = 5
DEFAULT_STALE_AFTER = 600.0


@dataclass(frozen=True)
class SaveResult:
    path: Path
    backup: Path | None
    fingerprint: Fingerprint


# -- other programs' locks -------------------------------------------------------------------


def _excel_owner_name(data: bytes) -> str:
    """User name in an Excel/Office owner file (``~$name``), or "" when unreadable.

    Layout: byte 0 = length n, then n bytes of the name in the ANSI code page, padded to
    54 bytes; then a 2-byte length and the name in UTF-16LE.
    """
    if len(data) >= 56:
        n = int.from_bytes(data[54:56], "little")
        if 0 < n <= 54 and len(data) >= 56 + 2 * n:
            with contextlib.suppress(UnicodeDecodeError):
                return data[56 : 56 + 2 * n].decode("utf-16-le").strip()
    if data:
        n = data[0]
        if 0 < n < len(data):
            return data[1 : 1 + n].decode("cp1252", errors="replace").strip()
    return ""


def excel_lock_owner(path: Path) -> tuple[str, str] | None:
    """(program, user) when Excel or LibreOffice has the workbook open, else None."""
    path = Path(path)
    excel = path.with_name("~$" + path.name)
    if excel.exists():
        try:
            user = _excel_owner_name(excel.read_bytes()[:512])
        except OSError:
            user = ""
        return "Excel", user
    office = path.with_name(f".~lock.{path.name}#")
    if office.exists():
        try:
            user = office.read_text("utf-8", errors="replace").split(",")[0].strip()
        except OSError:
            user = ""
        return "LibreOffice", user
    return None


def _refuse_if_open(path: Path) -> None:
    owner = excel_lock_owner(path)
    if owner is not None:
        program, user = owner
        by = f" by {user}" if user else ""
        raise WriteConflict(
            f"{path.name} is open in {program}{by}: close it there first (xlpmo will not "
            "overwrite a workbook that is open; its changes would be lost)"
        )


# -- permissions ------------------------------------------------------------------------------

_READONLY_ATTRIBUTE = 0x1  # FILE_ATTRIBUTE_READONLY (stat.FILE_ATTRIBUTE_READONLY on Windows)


def _read_only(path: Path) -> bool:
    """The file is read-only: the Windows read-only attribute, no write bit at all (0444:
    root could write it, but its owner marked it read-only), or not writable by this user
    (an immutable file too)."""
    st = os.stat(path)
    if getattr(st, "st_file_attributes", 0) & _READONLY_ATTRIBUTE:
        return True
    return not st.st_mode & 0o222 or not os.access(path, os.W_OK)


def _folder_refusal(path: Path) -> XlpmoError:
    return XlpmoError(
        f"cannot save {path.name}: you cannot create files in its folder {path.parent} "
        "(xlpmo writes the new version beside the workbook, keeps a backup there and then "
        "renames it over the old one). Ask for write permission on the folder, or copy the "
        "workbook to a folder of yours; the workbook was not changed."
    )


def check_can_save(path: Path) -> None:
    """Refuse, before any work, a save that cannot happen: a read-only workbook or a folder
    the user cannot create files in. Raises XlpmoError with a message that says which."""
    path = Path(path).absolute().resolve()
    if path.exists() and _read_only(path):
        raise FileRefused(
            f"{path.name} is read-only (its file permissions, or the read-only attribute in "
            "its Properties): xlpmo will not replace it. Make it writable if xlpmo should "
            "change it (or work on a copy); the workbook was not changed."
        )
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise _folder_refusal(path)


# -- our own advisory lock -------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    """Is a process of this host still running? (Unknown counts as running.)"""
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process on Windows
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _windows_pid_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _read_lock(lock: Path) -> dict | None:
    try:
        return json.loads(lock.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _is_stale(lock: Path, info: dict | None, stale_after: float) -> bool:
    try:
        age = time.time() - lock.stat().st_mtime
    except FileNotFoundError:
        return True
    if age > stale_after:
        return True
    if info and info.get("host") == socket.gethostname():
        return not _pid_alive(int(info.get("pid", 0)))
    return False


class _Lock:
    def __init__(self, path: Path, stale_after: float) -> None:
        self.lock = path.with_name(path.name + LOCK_SUFFIX)
        self.stale_after = stale_after
        self.token = uuid.uuid4().hex
        self.info = {
            "pid": os.getpid(), "host": socket.gethostname(), "user": user_name(),
            "since": dt.datetime.now().isoformat(timespec="seconds"), "token": self.token,
        }

    def acquire(self) -> None:
        for _ in range(5):
            try:
                fd = os.open(self.lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                info = _read_lock(self.lock)
                if not _is_stale(self.lock, info, self.stale_after):
                    raise WriteConflict(self._busy_message(info)) from None
                self._take_over(info)
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self.info, fh)
            return
        raise WriteConflict(f"could not lock {self.lock.name}: other refreshes keep taking it")

    def _take_over(self, seen: dict | None) -> None:
        """Move a stale lock aside; if it turned out to be a fresh one, put it back."""
        aside = self.lock.with_name(f"{self.lock.name}.{self.token}.stale")
        try:
            os.rename(self.lock, aside)
        except FileNotFoundError:
            return
        if _read_lock(aside) != seen and seen is not None:
            with contextlib.suppress(OSError):
                os.link(aside, self.lock)  # someone's fresh lock: restore it unless re-taken
        with contextlib.suppress(OSError):
            aside.unlink()

    def release(self) -> None:
        info = _read_lock(self.lock)
        if info is not None and info.get("token") == self.token:
            with contextlib.suppress(OSError):
                self.lock.unlink()

    def _busy_message(self, info: dict | None) -> str:
        name = self.lock.name[: -len(LOCK_SUFFIX)]
        if not info:
            return f"{name} is being saved by another xlpmo refresh; try again in a moment"
        return (
            f"{name} is being saved by another xlpmo refresh ({info.get('user', '?')}, "
            f"pid {info.get('pid', '?')} on {info.get('host', '?')}, since "
            f"{info.get('since', '?')}); try again when it has finished"
        )


# -- litter and backups ----------------------------------------------------------------------


def _is_litter(entry_name: str, target_name: str) -> bool:
    """Temp files of earlier saves of ``target_name`` (ours, never the user's files)."""
    if not entry_name.endswith(TEMP_SUFFIXES):
        return False
    return entry_name.startswith((f".{target_name}.", f"..{target_name}."))


def _remove_litter(path: Path, keep: set[Path]) -> None:
    """Remove temp files and moved-aside locks left by killed saves (we hold the lock)."""
    with os.scandir(path.parent) as it:
        for entry in it:
            stale_lock = entry.name.startswith(path.name + LOCK_SUFFIX + ".") and \
                entry.name.endswith(".stale")
            if (_is_litter(entry.name, path.name) or stale_lock) and Path(entry.path) not in keep:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _backup(path: Path, keep: int) -> Path:
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    try:
        os.link(path, target)
    except OSError:
        shutil.copy2(path, target)
    prefix, suffix = f"{path.stem}.", path.suffix
    mine = sorted(
        p for p in folder.iterdir()
        if p.name.startswith(prefix) and p.name.endswith(suffix)
        and len(p.name) == len(prefix) + len(stamp) + len(suffix)
    )
    for old in mine[: max(len(mine) - keep, 0)]:
        with contextlib.suppress(OSError):
            old.unlink()
    return target


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- the save --------------------------------------------------------------------------------


def atomic_write(
    path: Path, write: Callable[[Path], None], *, expected: Fingerprint | None,
    backup: bool = True, keep: int = DEFAULT_KEEP, stale_after: float = DEFAULT_STALE_AFTER,
) -> SaveResult:
    """Replace ``path`` with what ``write(temp_path)`` writes, safely (see module docstring).

    ``expected`` is the fingerprint taken when the file was read (None: do not check, e.g.
    for a new file). Raises XlpmoError, leaving ``path`` as it was, when the file is open in
    Excel, locked by another refresh, changed since it was read, or the write fails (disk
    full, permissions, an error in ``write``).
    """
    link = Path(path).absolute()
    path = link.resolve()  # through a symbolic link its target is replaced; the link stays
    names = {link, path}  # Excel's owner file sits beside the name it opened
    for name in names:
        _refuse_if_open(name)
    check_can_save(path)
    lock = _Lock(path, stale_after)
    try:
        lock.acquire()
    except OSError as exc:  # the folder does not take new files after all (read-only mount)
        raise _os_error(path, exc) from exc
    tmp: Path | None = None
    try:
        _remove_litter(path, keep=set())
        _check_unchanged(path, expected)
        try:
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIXES[0],
                                        dir=path.parent)
        except OSError as exc:
            raise _os_error(path, exc) from exc
        os.close(fd)
        tmp = Path(name)
        try:
            write(tmp)
            with open(tmp, "rb+") as fh:
                if os.fstat(fh.fileno()).st_size == 0:
                    raise FileRefused(f"nothing was written for {path.name}; it was not changed")
                os.fsync(fh.fileno())
            if path.exists():
                os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
        except OSError as exc:
            raise _os_error(path, exc) from exc
        except XlpmoError as exc:  # the writer's own message names the hidden temp file
            if isinstance(exc.__cause__, OSError):
                raise _os_error(path, exc.__cause__) from exc
            raise
        for name in names:  # Excel may have opened it while we wrote
            _refuse_if_open(name)
        _check_unchanged(path, expected)
        try:
            saved = _backup(path, keep) if backup and path.exists() else None
        except OSError as exc:
            raise _os_error(path, exc) from exc
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise _os_error(path, exc) from exc
        tmp = None
        _fsync_dir(path.parent)
        return SaveResult(path, saved, fingerprint(path))
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        _remove_litter(path, keep=set())
        lock.release()


def _check_unchanged(path: Path, expected: Fingerprint | None) -> None:
    """Refuse when the bytes differ from the fingerprint (a bare touch is not a change)."""
    if expected is None:
        return
    if not path.exists():
        raise FileChanged(f"{path.name} was moved or deleted since it was read; nothing saved")
    if os.stat(path).st_size == expected.size and fingerprint(path).sha256 == expected.sha256:
        return
    raise FileChanged(
        f"{path.name} changed since xlpmo read it (saved by someone else?): nothing was "
        "written. Refresh again to work on the current version."
    )


def _os_error(path: Path, exc: OSError) -> XlpmoError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        why = "the disk is full (or a size limit was reached)"
    elif exc.errno == errno.EROFS:
        why = f"its folder {path.parent} is on a read-only file system"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        if not os.access(path.parent, os.W_OK | os.X_OK) or (
                exc.filename and Path(exc.filename).parent == path.parent
                and Path(exc.filename) != path):
            return _folder_refusal(path)
        why = "permission denied (is it open in another program, or read-only?)"
    else:
        why = exc.strerror or str(exc)
    return XlpmoError(f"could not save {path.name}: {why}; the workbook was not changed")
