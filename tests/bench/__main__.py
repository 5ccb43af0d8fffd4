"""`make bench`: run every benchmark module here; each prints one JSON object per line."""

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    wanted = set(sys.argv[1:])
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name.startswith("_") or (wanted and module.name not in wanted):
            continue
        bench = importlib.import_module(f"tests.bench.{module.name}")
        if hasattr(bench, "main"):
            bench.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
