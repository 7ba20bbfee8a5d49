"""`python -m bench [--quick]`: every benchmark module in order, each writing its own `results/` files.

New benchmarks (e.g. chat load) are added to MODULES; each module's `main(argv)` takes the same flags.
"""

from __future__ import annotations

import importlib
import sys
from typing import List, Optional

MODULES = ["bench.voice", "bench.whisper", "bench.phone", "bench.chat"]


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    failed = [name for name in MODULES if importlib.import_module(name).main(argv) != 0]
    if failed:
        print(f"benchmarks that failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
