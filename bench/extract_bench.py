"""Time the plan-text extractor on the seed plan and the long Zhengzhou report.

usage: .venv/bin/python bench/extract_bench.py

The target is 10 000 characters in under 0.2 s (50 000 chars/s); each document is extracted
several times and the best run is reported, so a busy machine does not blur the figure.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from decomposition.extractor import extract  # noqa: E402  (needs the repo on sys.path when run as a script)

DOCUMENTS = {
    "erqi-2021-plan.txt": 2021,
    "zhengzhou-2021-report.txt": 2021,
    "dev/深圳市-2024.txt": 2024,
    "dev/乌鲁木齐市-2020.txt": 2020,
}
DATA = REPO / "decomposition" / "tests" / "data"
RUNS = 5


def best_time(text: str, plan_year: int) -> float:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        extract(text, plan_year)
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    print(f"{'document':<28}{'chars':>8}{'seconds':>10}{'chars/s':>12}")
    for name, plan_year in DOCUMENTS.items():
        text = (DATA / name).read_text(encoding="utf-8")
        seconds = best_time(text, plan_year)
        print(f"{name:<28}{len(text):>8}{seconds:>10.4f}{len(text) / seconds:>12,.0f}")


if __name__ == "__main__":
    main()
