"""Worksheet-function arguments in, Excel values out (:mod:`.args`), for every runtime."""

__all__ = ["args"]
