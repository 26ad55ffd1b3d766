"""Who is running xlpmo: the one login-name lookup.

Used wherever xlpmo records a person: ``RefreshedBy`` in tblConfig, the owner written into
its lock file (:mod:`xlpmo.io.safesave`) and tblImportLog. A leaf module (standard library
only), so every layer may import it.
"""

from __future__ import annotations

import getpass

UNKNOWN = "unknown"


def user_name() -> str:
    """The login name (``getpass.getuser()``: the environment variables LOGNAME, USER,
    LNAME, USERNAME, then the password database), or ``"unknown"`` where there is none
    (xlwings Lite's browser sandbox, some service accounts)."""
    try:
        name = getpass.getuser()
    except Exception:  # no login name: KeyError, OSError, ImportError (no pwd module)
        return UNKNOWN
    return name.strip() or UNKNOWN
