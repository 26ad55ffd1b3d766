"""Progress display for long command-line work (steps with timings, on stderr)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Prints ``[2/5] computing earned value ...`` lines with the time each step took.

    ``total`` is the number of steps expected (an estimate is fine); ``enabled=False``
    silences it (``--quiet``).
    """

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.count = 0
        self._started = time.perf_counter()
        self._step_started = self._started
        self._label: str | None = None

    def __call__(self, label: str) -> None:
        self._finish_step()
        self.count += 1
        self._label = label
        self._step_started = time.perf_counter()
        if self.enabled:
            total = max(self.total, self.count)
            self.stream.write(f"[{self.count}/{total}] {label} ...")
            self.stream.flush()

    def _finish_step(self) -> None:
        if self._label is not None and self.enabled:
            self.stream.write(f" {time.perf_counter() - self._step_started:.2f} s\n")
            self.stream.flush()
        self._label = None

    def done(self) -> float:
        """End the last step; returns the total seconds."""
        self._finish_step()
        return time.perf_counter() - self._started
