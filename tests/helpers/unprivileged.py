"""Run a child process as an ordinary user, even when the tests run as root (as CI does).

Root ignores file permissions, so "a workbook you may not write" or "a folder you cannot
create files in" means nothing to a test run as root. The child is started through
util-linux's ``setpriv`` as ``nobody`` (uid and gid 65534, no supplementary groups),
keeping one capability, CAP_DAC_READ_SEARCH (read any file, enter any folder): it can
still load the interpreter and packages from a private home folder (``/root/.pyenv`` is
mode 0700), while every write is checked against its permissions as for any user. As an
ordinary user the child simply runs as that user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

NOBODY = 65534


def child_uid() -> int:
    """The user the child runs as."""
    return NOBODY if os.geteuid() == 0 else os.geteuid()


def can_drop_privileges() -> bool:
    """A child can run as an ordinary user here (always, unless root lacks setpriv)."""
    return os.geteuid() != 0 or shutil.which("setpriv") is not None


def give_to_child(*paths: Path) -> None:
    """Make the child user the owner of ``paths`` (nothing to do when not root)."""
    if os.geteuid() == 0:
        for p in paths:
            os.chown(p, NOBODY, NOBODY)


def run_as_user(code: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -c code args...`` as an ordinary user (see module docstring)."""
    argv = [sys.executable, "-c", code, *args]
    if os.geteuid() == 0:
        argv = [shutil.which("setpriv") or "setpriv", f"--reuid={NOBODY}",
                f"--regid={NOBODY}", "--clear-groups", "--inh-caps=+dac_read_search",
                "--ambient-caps=+dac_read_search", *argv]
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLPMO")}
    env.update(HOME="/tmp", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)
