"""Print the proposal for a plan text as gold-schema JSON.

usage: python -m decomposition.extractor PLAN.txt --year 2021 > pred.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import extract, proposal_to_gold_dict


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m decomposition.extractor", description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="UTF-8 plan text")
    parser.add_argument("--year", type=int, required=True, help="the plan year relative deadlines resolve against")
    args = parser.parse_args(argv)
    proposal = extract(args.path.read_text(encoding="utf-8"), args.year)
    json.dump(proposal_to_gold_dict(proposal), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
