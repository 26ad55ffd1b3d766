"""Benchmark of the core: earned value + variance + utilisation at portfolio scale.

1,000 projects × 60 months; 2,000 resources × 500,000 timesheet rows (synthetic,
deterministic). Target (issue 2): under 1 s and 500 MB on a 2-core machine; per stage
(formerly timed tests, issue 13): ``project_measures`` < 0.3 s, ``evm`` < 0.5 s,
``variance`` < 0.3 s at 1,000 projects × 60 months.

    python benchmarks/core.py [--repeat 3] [--projects 1000] [--months 60]

Prints seconds per stage (best of ``--repeat``) against its target and the peak memory the
computation allocated (tracemalloc, which numpy reports to) plus the process's peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

from synthetic import synthetic_inputs  # benchmarks/ is on sys.path when run as a script

from xlpmo.core.evm import evm_table, project_measures
from xlpmo.core.trend_out import trend_table
from xlpmo.core.utilisation import utilisation_table
from xlpmo.core.variance import variance_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--months", type=int, default=60)
    args = parser.parse_args()
    t0 = time.perf_counter()
    inputs = synthetic_inputs(n_projects=args.projects, n_months=args.months)
    print(f"generated inputs in {time.perf_counter() - t0:.2f} s "
          f"({len(inputs.plan):,} plan rows, {len(inputs.timesheets):,} timesheet rows)")
    stages = {"evm": evm_table, "variance": variance_table, "utilisation": utilisation_table,
              "trend": trend_table}  # tblTrend (Refresh shares its rows with tblEVM's ranges)
    # stage targets at 1,000 x 60 (seconds); project_measures is part of evm, not summed
    targets = {"project_measures": 0.3, "evm": 0.5, "variance": 0.3}
    measures = min(_timed(project_measures, inputs) for _ in range(args.repeat))
    best: dict[str, float] = {}
    for _ in range(args.repeat):
        for name, func in stages.items():
            t = time.perf_counter()
            func(inputs)
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - t)
    tracemalloc.start()
    for func in stages.values():
        func(inputs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    total = sum(best.values())
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for name, secs in {"project_measures": measures, **best}.items():
        target = targets.get(name)
        mark = "" if target is None else (f"  target < {target} s: "
                                          + ("OK" if secs < target else "OVER"))
        print(f"{name:16s} {secs:6.3f} s{mark}")
    verdict = "OK" if total < 1.0 and peak / 2**20 < 500 else "OVER TARGET"
    print(f"core_s={total:.3f} alloc_peak_mb={peak / 2**20:.0f} rss_peak_mb={rss_mb:.0f} "
          f"target: <1 s and <500 MB -> {verdict}")


def _timed(func, inputs) -> float:
    t = time.perf_counter()
    func(inputs)
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
