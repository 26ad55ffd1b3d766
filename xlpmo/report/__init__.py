"""The Report: one definition (:mod:`.definition`), drawn on the Report sheet (:mod:`.sheet`)
and in a printable PDF pack (:mod:`.pdf`)."""

__all__ = ["definition", "pdf", "sheet"]
