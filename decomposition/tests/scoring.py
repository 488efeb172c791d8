"""The scoring rule of /work/shared/tools/score_extraction.py, so tests need nothing outside the repo.

Items match when their quotes overlap in the whitespace-free text (one-to-one, largest overlap first);
an exact match also has every scored field equal.
"""

from __future__ import annotations

import re
from typing import Any

FIELDS = {
    "commitments": ("target_value", "unit", "deadline", "modality"),
    "achievements": ("value", "unit"),
}


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def _spans(text: str, quote: str) -> list[tuple[int, int]]:
    needle = _squeeze(quote)
    if not needle:
        return []
    occurrences = re.compile(f"(?={re.escape(needle)})")  # overlapping occurrences, as str.find in a loop
    return [(match.start(), match.start() + len(needle)) for match in occurrences.finditer(text)]


def _same(field: str, gold: Any, pred: Any) -> bool:
    if field in ("target_value", "value"):
        if gold is None or pred is None:
            return gold is None and pred is None
        gold, pred = float(gold), float(pred)
        return abs(gold - pred) <= 1e-9 * max(1.0, abs(gold), abs(pred))
    if isinstance(gold, str) and isinstance(pred, str):
        return _squeeze(gold) == _squeeze(pred)
    return gold == pred


def _f1(hits: int, predicted: int, expected: int) -> float:
    precision = hits / predicted if predicted else float(not expected)
    recall = hits / expected if expected else 1.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def exact_f1(text: str, gold: dict[str, Any], pred: dict[str, Any]) -> dict[str, float]:
    """Exact F1 per list, as the last line of the official scorer prints it."""
    text = _squeeze(text)
    scores = {}
    for kind, fields in FIELDS.items():
        pairs = []
        for gi, g in enumerate(gold[kind]):
            for pi, p in enumerate(pred[kind]):
                overlap = max(
                    (min(b, d) - max(a, c) for a, b in _spans(text, g["quote"]) for c, d in _spans(text, p["quote"])),
                    default=0,
                )
                if overlap > 0:
                    pairs.append((overlap, gi, pi))
        used_gold, used_pred, exact = set(), set(), 0
        for _, gi, pi in sorted(pairs, reverse=True):
            if gi in used_gold or pi in used_pred:
                continue
            used_gold.add(gi)
            used_pred.add(pi)
            exact += all(_same(f, gold[kind][gi].get(f), pred[kind][pi].get(f)) for f in fields)
        scores[kind] = _f1(exact, len(pred[kind]), len(gold[kind]))
    return scores
