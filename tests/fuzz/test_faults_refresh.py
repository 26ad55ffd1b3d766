"""Faults during a whole refresh of a real workbook (the sample portfolio, 625 KB).

xlpmo.io.safesave is tested on its own in test_safesave.py; here the full ``refresh_file`` /
``xlpmo refresh`` path is hit where it hurts:

- **SIGKILL at random points of the write**: a child refreshes; as soon as it starts writing
  it is killed after a random delay. Every time the workbook is the old version byte for byte
  or the complete new one (it opens and every table reads, inputs as they were), a backup is
  the old version, nothing but hidden temp files and a dead lock are left, and the next
  refresh takes over and cleans up. CI kills a bounded sample, ``--runslow`` many more.
- **disk full**: a file-size limit (RLIMIT_FSIZE) in a child, and a real full file system (a
  small tmpfs in a private mount namespace, when the machine allows one): clear message,
  original unchanged, no litter.
- **two refreshes at once** (two children released together): one wins, the other refuses
  with a message; the result is one complete new version and one backup.
- **locks and changes**: a live refresh's lock, Excel's and LibreOffice's owner files, a
  change of the file between reading and writing and during the write: refused, the other
  party's bytes kept; a stale lock is taken over; a bare touch is not a change.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from xlpmo.app.pipeline import refresh_file
from xlpmo.contract import tables
from xlpmo.errors import XlpmoError
from xlpmo.io import writer as writer_module
from xlpmo.io.reader import read_workbook
from xlpmo.io.safesave import BACKUP_DIR, LOCK_SUFFIX

KILLS_CI, KILLS_ALL = 6, 60
LITTER = (".xlpmo-tmp", ".xlpmo-part", LOCK_SUFFIX, ".stale")
ENV = {**{k: v for k, v in os.environ.items() if not k.startswith("XLPMO")},
       "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}

CHILD = """
import sys
from pathlib import Path
from xlpmo.errors import XlpmoError
from xlpmo.app.pipeline import refresh_file
print("ready", flush=True)
sys.stdin.readline()
def step(label):
    if label == "writing workbook":
        print("writing", flush=True)
try:
    refresh_file(Path(sys.argv[1]), progress=step, refreshed_by=sys.argv[2])
except XlpmoError as exc:
    print("refused", str(exc).replace("\\n", " "), flush=True)
    sys.exit(2)
print("done", flush=True)
"""


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample portfolio workbook, refreshed once (so outputs exist and grow/shrink)."""
    from xlpmo.template.builder import build_workbook
    from xlpmo.template.sample import sample_portfolio

    path = tmp_path_factory.mktemp("sample") / "Tracker.xlsx"
    build_workbook(path, sample_portfolio())
    refresh_file(path, backup=False)
    return path


@pytest.fixture(scope="module")
def sample_inputs(sample: Path) -> dict[str, list[list[Any]]]:
    book = read_workbook(sample)
    return {name: t.rows for name, t in book.tables.items() if name in tables.INPUTS}


def fresh_copy(sample: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / sample.name
    shutil.copyfile(sample, path)
    return path


def litter(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(LITTER))


def leftovers(folder: Path, path: Path) -> list[str]:
    """Entries beside the workbook other than it, its backup folder and litter."""
    return sorted(p.name for p in folder.iterdir()
                  if p != path and p.name != BACKUP_DIR and not p.name.endswith(LITTER))


def check_intact(path: Path, original: bytes, inputs: dict[str, list[list[Any]]]) -> str:
    """'old' when ``path`` is the original byte for byte, 'new' when it is a complete new
    version (opens, every table reads, inputs unchanged); fails otherwise."""
    data = path.read_bytes()
    if data == original:
        return "old"
    book = read_workbook(path)  # raises on a damaged package
    for name, rows in inputs.items():
        got = book.tables[name].rows
        if name == tables.CONFIG.name:  # settings as they were; the refresh stamps move on
            def settings(table: list[list[Any]]) -> list[list[Any]]:
                return [r for r in table if r[0] not in ("LastRefreshed", "RefreshedBy")]
            assert settings(got) == settings(rows), "tblConfig settings changed"
        else:
            assert got == rows, f"{name} changed"
    for name in ("tblEVM", "tblPortfolio", "tblVariance", "tblForecastOut", "tblUtilisation",
                 "tblChecks"):
        assert len(book.tables[name]) > 0, name
    return "new"


class Child:
    """A refresh in a child process: it imports, says ``ready`` and waits for ``go``."""

    def __init__(self, path: Path, who: str = "child") -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), who], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
        self.ready = False

    def line(self) -> str:
        return self.proc.stdout.readline().strip()  # type: ignore[union-attr]

    def wait_ready(self) -> None:
        if not self.ready:
            assert self.line() == "ready"
            self.ready = True

    def go(self) -> None:
        self.wait_ready()
        self.proc.stdin.write("go\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]

    def finish(self, timeout: float = 120) -> tuple[int, str]:
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out + err


# -- SIGKILL at random points of the write -----------------------------------------------------


def write_seconds(sample: Path, folder: Path) -> float:
    """How long the write phase of one refresh takes here (one calibration run)."""
    path = fresh_copy(sample, folder)
    child = Child(path)
    child.go()
    assert child.line() == "writing"
    start = time.perf_counter()
    assert child.line() == "done"
    seconds = time.perf_counter() - start
    child.finish()
    return seconds


def test_sigkill_at_random_points_of_the_write(sample: Path, sample_inputs: dict,
                                              tmp_path: Path, runslow: bool) -> None:
    """Refreshes of one workbook, each killed at a random point of its write; each next
    refresh starts from whatever the last one left (and must clean up after it)."""
    original = sample.read_bytes()
    window = write_seconds(sample, tmp_path / "calibrate") * 1.3
    rng = random.Random(20261128)
    kills = KILLS_ALL if runslow else KILLS_CI
    path = fresh_copy(sample, tmp_path / "work")
    folder = path.parent
    outcomes: list[tuple[float, str]] = []
    child = Child(path)
    states = {sha(path)}  # every version the workbook has had
    for i in range(kills):
        before = path.read_bytes()
        child.go()
        assert child.line() == "writing"
        delay = rng.uniform(0, window)
        time.sleep(delay)
        child.proc.send_signal(signal.SIGKILL)
        child.finish()
        nxt = Child(path) if i + 1 < kills else None  # imports while this one is checked
        outcome = "old" if path.read_bytes() == before else check_intact(
            path, original, sample_inputs)
        outcomes.append((delay, outcome))
        states.add(sha(path))
        for backup in (folder / BACKUP_DIR).glob("*"):  # each one a version the file had
            assert sha(backup) in states, f"{backup.name} is no earlier version"
        assert leftovers(folder, path) == [], "only hidden temp files and a lock may be left"
        left = litter(folder)
        # hidden temp files, the dead process's lock, or a dead lock it was moving aside
        assert all(n.startswith(".") or n.endswith(LOCK_SUFFIX) or n.startswith(
            path.name + LOCK_SUFFIX + ".") for n in left), left
        temps = [n for n in left if n.endswith((".xlpmo-tmp", ".xlpmo-part"))]
        assert len(temps) <= 2, f"earlier litter was not cleaned up: {left}"
        child = nxt  # type: ignore[assignment]
    # the next refresh takes the dead process's lock over and removes all litter
    refresh_file(path, backup=False)
    assert check_intact(path, original, sample_inputs) == "new"
    assert litter(folder) == [], litter(folder)
    summary = ", ".join(f"{d * 1000:.0f} ms: {o}" for d, o in sorted(outcomes))
    print(f"\nSIGKILL during the write ({window * 1000:.0f} ms window): {summary}")


# -- disk full -----------------------------------------------------------------------------------

FSIZE_CHILD = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from xlpmo.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs POSIX file size limits")
@pytest.mark.parametrize("backup", [True, False], ids=["backup", "no-backup"])
def test_file_size_limit_leaves_the_original(sample: Path, tmp_path: Path, backup: bool) -> None:
    path = fresh_copy(sample, tmp_path / "work")
    before = sha(path)
    limit = path.stat().st_size // 2  # the new version cannot be written
    args = ["refresh", path.name, "--quiet", *([] if backup else ["--no-backup"])]
    proc = subprocess.run([sys.executable, "-c", FSIZE_CHILD, str(limit), *args],
                          cwd=path.parent, capture_output=True, text=True, timeout=120, env=ENV)
    assert proc.returncode == 2, proc.stderr
    assert "disk is full (or a size limit was reached)" in proc.stderr, proc.stderr
    assert "was not changed" in proc.stderr and "Traceback" not in proc.stderr
    assert sha(path) == before
    assert litter(path.parent) == [] and leftovers(path.parent, path) == []
    assert not any((path.parent / BACKUP_DIR).glob("*"))


TMPFS_CHILD = """
import contextlib, hashlib, io, json, os, shutil, subprocess, sys
folder, src, spare = sys.argv[1], sys.argv[2], int(sys.argv[3])
size = os.path.getsize(src) + spare
subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "xlpmo-full", folder],
               check=True)
path = os.path.join(folder, os.path.basename(src))
shutil.copyfile(src, path)
before = hashlib.sha256(open(path, "rb").read()).hexdigest()
from xlpmo.cli import main
err = io.StringIO()
with contextlib.redirect_stderr(err):
    code = main(["refresh", path, "--quiet"])
after = hashlib.sha256(open(path, "rb").read()).hexdigest()
files = sorted(os.path.relpath(os.path.join(d, f), folder)
               for d, _, fs in os.walk(folder) for f in fs)
print(json.dumps({"code": code, "err": err.getvalue(), "same": before == after,
                  "files": files, "free": shutil.disk_usage(folder).free}))
"""


def _can_mount_tmpfs() -> bool:
    if not shutil.which("unshare") or os.geteuid() != 0:
        return False
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                            "mount -t tmpfs -o size=64k x /mnt && umount /mnt"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


@pytest.mark.skipif(sys.platform != "linux", reason="tmpfs in a private mount namespace")
def test_full_file_system_leaves_the_original(sample: Path, tmp_path: Path) -> None:
    if not _can_mount_tmpfs():
        pytest.skip("cannot mount a tmpfs here (needs root and unshare)")
    folder = tmp_path / "full"
    folder.mkdir()
    proc = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable, "-c",
                           TMPFS_CHILD, str(folder), str(sample), str(64 << 10)],
                          capture_output=True, text=True, timeout=120, env=ENV)
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout.splitlines()[-1])
    assert answer["code"] == 2, answer
    assert "disk is full" in answer["err"] and "Traceback" not in answer["err"], answer
    assert answer["same"], "the workbook changed on a full disk"
    assert answer["files"] == [sample.name], answer["files"]  # no temp file, lock or backup
    assert list(folder.iterdir()) == [], "the tmpfs lived only in the child's namespace"


# -- two refreshes at once -----------------------------------------------------------------------


def test_two_refreshes_at_once_one_wins(sample: Path, sample_inputs: dict, tmp_path: Path,
                                        runslow: bool) -> None:
    for round_ in range(5 if runslow else 1):
        two_at_once(sample, sample_inputs, tmp_path / f"round{round_}")


def two_at_once(sample: Path, sample_inputs: dict, folder: Path) -> None:
    path = fresh_copy(sample, folder)
    original = path.read_bytes()
    children = [Child(path, f"user{i}") for i in range(2)]
    for child in children:
        child.wait_ready()
    for child in children:  # both released together, imports done
        child.go()
    results = [child.finish() for child in children]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    loser = next(text for code, text in results if code == 2)
    assert ("being saved by another xlpmo refresh" in loser
            or "changed since xlpmo read it" in loser), loser
    assert "Traceback" not in loser
    winner = next(i for i, (code, _) in enumerate(results) if code == 0)
    assert check_intact(path, original, sample_inputs) == "new"
    stamp = dict(read_workbook(path).tables["tblConfig"].rows)
    assert stamp["RefreshedBy"] == f"user{winner}"
    backups = list((path.parent / BACKUP_DIR).glob("*"))
    assert len(backups) == 1 and backups[0].read_bytes() == original
    assert litter(path.parent) == []


# -- locks, open workbooks, changes between read and write ---------------------------------------


def _lock(path: Path, pid: int, host: str | None = None) -> Path:
    lock = path.with_name(path.name + LOCK_SUFFIX)
    lock.write_text(json.dumps({"pid": pid, "host": host or socket.gethostname(),
                                "user": "colleague", "since": "2026-11-28T09:00:00",
                                "token": "x"}))
    return lock


def test_lock_of_a_live_refresh_refuses(sample: Path, tmp_path: Path) -> None:
    path = fresh_copy(sample, tmp_path / "work")
    before = sha(path)
    lock = _lock(path, os.getpid())
    with pytest.raises(XlpmoError, match="being saved by another xlpmo refresh") as info:
        refresh_file(path)
    assert "colleague" in str(info.value)
    assert sha(path) == before and lock.exists() and leftovers(path.parent, path) == []
    assert not (path.parent / BACKUP_DIR).exists()


def test_lock_of_a_dead_refresh_is_taken_over(sample: Path, tmp_path: Path) -> None:
    path = fresh_copy(sample, tmp_path / "work")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    _lock(path, int(dead.stdout))
    (path.parent / f".{path.name}.deadbeef.xlpmo-tmp").write_bytes(b"half a workbook")
    result = refresh_file(path)
    assert result.written and litter(path.parent) == []


@pytest.mark.parametrize("owner", ["excel", "libreoffice"])
def test_workbook_open_elsewhere_refuses(sample: Path, tmp_path: Path, owner: str) -> None:
    path = fresh_copy(sample, tmp_path / "work")
    before = sha(path)
    if owner == "excel":
        name = "Jane Doe"
        data = bytes([len(name)]) + name.encode() + b"\0" * (53 - len(name))
        data += len(name).to_bytes(2, "little") + name.encode("utf-16-le")
        path.with_name("~$" + path.name).write_bytes(data)
        program = "Excel"
    else:
        path.with_name(f".~lock.{path.name}#").write_text("Jane Doe,host,/tmp,2026;")
        program = "LibreOffice"
    with pytest.raises(XlpmoError, match=f"open in {program} by Jane Doe"):
        refresh_file(path)
    assert sha(path) == before and litter(path.parent) == []


def test_change_between_read_and_write_is_refused(sample: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone saves the workbook while the refresh computes: their version is kept."""
    path = fresh_copy(sample, tmp_path / "work")
    theirs = sample.read_bytes() + b"\0"  # any other bytes: a save by someone else

    def someone_saves_after_the_compute(label: str) -> None:
        if label == "writing workbook":
            path.write_bytes(theirs)

    with pytest.raises(XlpmoError, match="changed since xlpmo read it"):
        refresh_file(path, progress=someone_saves_after_the_compute)
    assert path.read_bytes() == theirs
    assert litter(path.parent) == [] and not (path.parent / BACKUP_DIR).exists()


def test_change_during_the_write_is_refused(sample: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone saves while the new version is being written: caught before the replace."""
    path = fresh_copy(sample, tmp_path / "work")
    theirs = sample.read_bytes()[:-1] + b"\1"
    write_tables = writer_module.write_tables

    def write_then_someone_saves(*args: Any, **kwargs: Any) -> Any:
        report = write_tables(*args, **kwargs)
        path.write_bytes(theirs)
        return report

    monkeypatch.setattr(writer_module, "write_tables", write_then_someone_saves)
    with pytest.raises(XlpmoError, match="changed since xlpmo read it"):
        refresh_file(path)
    assert path.read_bytes() == theirs
    assert litter(path.parent) == [] and not (path.parent / BACKUP_DIR).exists()


def test_a_touch_is_not_a_change(sample: Path, sample_inputs: dict, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = fresh_copy(sample, tmp_path / "work")
    original = path.read_bytes()

    def touch_after_the_compute(label: str) -> None:
        if label == "writing workbook":
            os.utime(path, (time.time() + 5, time.time() + 5))

    assert refresh_file(path, progress=touch_after_the_compute).written
    assert check_intact(path, original, sample_inputs) == "new"


# a read-only workbook or folder: tests/app/test_save_permissions.py (run as an ordinary
# user in a child process, so they run in CI as root too)


_ = resource  # RLIMIT_FSIZE is set in the children (FSIZE_CHILD)


def test_refresh_through_a_symbolic_link(sample: Path, sample_inputs: dict,
                                         tmp_path: Path) -> None:
    """The target is saved and the link stays a link; the backup is the real old version;
    Excel's owner file beside the link's name refuses the save."""
    real = fresh_copy(sample, tmp_path / "work")
    original = real.read_bytes()
    link = real.with_name("Shortcut.xlsx")
    link.symlink_to(real.name)
    owner = link.with_name("~$" + link.name)
    owner.write_bytes(b"\x03Ann" + b"\0" * 60)
    with pytest.raises(XlpmoError, match="open in Excel"):
        refresh_file(link)
    owner.unlink()
    assert refresh_file(link).written
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert check_intact(real, original, sample_inputs) == "new"
    [backup] = (real.parent / BACKUP_DIR).iterdir()
    assert not backup.is_symlink() and backup.read_bytes() == original
    assert litter(real.parent) == []
