"""Size caps for reading untrusted workbooks (zip bombs, absurd sheets): one place for the
reader and the package writer."""

from __future__ import annotations

MAX_FILE_BYTES = 1 << 30  # 1 GB on disk
MAX_PART_BYTES = 512 << 20  # one XML part, inflated (a 648,000-row output sheet: 329 MB)
MAX_TOTAL_BYTES = 512 << 20  # all the parts read, inflated
MAX_RATIO = 200  # inflated / compressed, checked once a part passes RATIO_FLOOR
RATIO_FLOOR = 8 << 20
MAX_SHEET_CELLS = 20_000_000  # rows x columns of the used rectangle of one sheet
