"""The pure .xlsx builder (core/xlsx.py) on 20 000 ledger-like rows: `.venv/bin/python bench/xlsx_bench.py`.

No database, no Django: how long writing the city's ledger takes, apart from reading it.
"""

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.xlsx import build_table_xlsx  # noqa: E402

ROWS = [
    [i, f"T{i:05d}", "全面完成老旧小区改造提升任务，新建改造城市道路" * 2, 248, "个", "分管城建副区长",
     "区住建局", "区城管局、区发改委", dt.date(2021, 12, 31), "6月底前完成50个；9月底前完成150个；年底前全部完成",
     "城市建设", "确保", None, None]
    for i in range(20000)
]  # fmt: skip

if __name__ == "__main__":
    started = time.perf_counter()
    content = build_table_xlsx(title="任务分解表", headers=[f"列{i}" for i in range(14)], rows=ROWS)
    print(f"{len(ROWS)} rows × 14 columns: {time.perf_counter() - started:.2f} s, {len(content) / 1024:.0f} KB")
