"""Run every benchmark in this folder: `python -m benchmarks` (or `make benchmarks`).

Each benchmark module prints its figures against its budget and exits non-zero when a budget
is not met. This runner runs them one after the other and prints a summary."""

import pkgutil
import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).parent
    names = [
        m.name
        for m in pkgutil.iter_modules([str(here)])
        if not m.name.startswith("_") and m.name != "__main__"
    ]
    selected = sys.argv[1:] or names
    results = {}
    for name in selected:
        print(f"=== benchmarks.{name}", flush=True)
        results[name] = subprocess.call([sys.executable, "-m", f"benchmarks.{name}"])
    print("=== summary")
    for name, code in results.items():
        print(f"  {name:<24} {'PASS' if code == 0 else 'FAIL'}")
    return 0 if all(code == 0 for code in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
