"""`python -m benchmarks` (or `make benchmarks`): the commission at scale, every listed path
against its floor in one run, printed as one table; exits non-zero when a budget is missed
(benchmarks/scale.py, `--help` for the options, docs/performance.md).

Each single-path benchmark of this folder still runs on its own: `python -m benchmarks.<name>`."""

import sys

from benchmarks.scale import main

if __name__ == "__main__":
    sys.exit(main())
