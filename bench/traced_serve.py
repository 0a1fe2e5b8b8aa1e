"""Bench only (bench/serve_memory.py --tracemalloc N): `shuangchuang serve` with tracemalloc on from the
first import. On SIGUSR1 the server writes the total traced and the N largest allocation sites, by
file, to $BENCH_TRACEMALLOC_OUT.

    python bench/traced_serve.py serve --port 8000
"""

from __future__ import annotations

import tracemalloc

tracemalloc.start()

import os  # noqa: E402 - tracing starts before any other import
import signal  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from types import FrameType  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _write_top(_signum: int, _frame: FrameType | None) -> None:
    stats = tracemalloc.take_snapshot().statistics("filename")
    total = sum(stat.size for stat in stats)
    lines = [f"{total / 2**20:7.1f} MiB traced in all"]
    for stat in stats[: int(os.environ.get("BENCH_TRACEMALLOC_TOP", "25"))]:
        name = stat.traceback[0].filename
        for prefix in (str(ROOT) + os.sep, *(p + os.sep for p in sys.path if p.endswith("site-packages"))):
            name = name.removeprefix(prefix)
        lines.append(f"{stat.size / 2**20:7.1f} MiB {stat.count:8d} blocks  {name}")
    out = Path(os.environ["BENCH_TRACEMALLOC_OUT"])
    tmp = out.with_suffix(".partial")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(out)


signal.signal(signal.SIGUSR1, _write_top)

from scoring.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.argv = ["shuangchuang", *sys.argv[1:]]
    main()
