"""The headless application: :mod:`.pipeline` (read -> check -> compute -> write, as the CLI
runs it) and :mod:`.progress` (progress lines)."""

__all__ = ["pipeline", "progress"]
