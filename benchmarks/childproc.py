"""A measured child process: wall and CPU seconds, and its own peak resident memory.

The peak is the child's ``VmHWM`` (``/proc/self/status``), which the child writes to stderr
when it exits (:func:`report_peak_at_exit`). ``ru_maxrss`` from ``os.wait4`` cannot be
used: Linux carries the parent's peak RSS over into a child it forks (measured here: a
child that only starts Python reports 813 MB when its parent has touched 800 MB, even
after freeing it), so a benchmark that built big data before starting the child measured
itself.
"""

from __future__ import annotations

import atexit
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEAK_MARK = "@@VmHWM_kB="
_PEAK = re.compile(re.escape(PEAK_MARK) + r"(\d+)")


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (VmHWM), MB of 2^20 bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def report_peak_at_exit() -> None:
    """In a child: write its peak resident memory to stderr when it exits."""
    atexit.register(lambda: sys.stderr.write(f"\n{PEAK_MARK}{round(peak_rss_mb() * 1024)}\n"))


#: ``python -c PYTHON_MAIN module args...``: run a module's ``main()`` as a measured child
PYTHON_MAIN = (f"import sys; sys.path.insert(0, {str(HERE)!r}); import childproc; "
               "childproc.report_peak_at_exit(); import importlib; "
               "sys.exit(importlib.import_module(sys.argv[1]).main(sys.argv[2:]))")


@dataclass
class Child:
    wall_s: float
    cpu_s: float
    peak_mb: float
    returncode: int
    output: str  # stdout and stderr, interleaved


def run_child(args: list[str], env: dict[str, str] | None = None) -> Child:
    """Run ``args`` to completion; the child must call :func:`report_peak_at_exit`
    (:data:`PYTHON_MAIN` does)."""
    t = time.perf_counter()
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        log.seek(0)
        text = log.read().decode(errors="replace")
    found = _PEAK.findall(text)
    return Child(wall, usage.ru_utime + usage.ru_stime,
                 int(found[-1]) / 1024 if found else float("nan"),
                 os.waitstatus_to_exitcode(status), _PEAK.sub("", text))


def run_main(module: str, args: list[str]) -> Child:
    """``module.main(args)`` in a measured child (``python -c`` :data:`PYTHON_MAIN`)."""
    return run_child([sys.executable, "-c", PYTHON_MAIN, module, *args])
