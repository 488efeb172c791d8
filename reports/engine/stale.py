"""Stale and copied reports (应付式报送): repeated narratives, unmoving values, reused evidence. Pure: no Django."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from reports.engine.vocabulary import EPSILON

# === stale and copied reports ===================================================================


class StaleKind(StrEnum):
    """Signs that a report was copied rather than written (应付式报送)."""

    NARRATIVE_REPEATED = "narrative_repeated"
    VALUE_UNCHANGED = "value_unchanged"
    EVIDENCE_REUSED = "evidence_reused"


@dataclass(frozen=True, slots=True)
class ReportSnapshot:
    """What stale detection reads of one report: one per task and period, with the evidence files' content hashes."""

    task_key: Hashable
    period_end: dt.date
    narrative: str = ""
    value: float | None = None
    evidence_hashes: frozenset[str] = frozenset()
    report_key: Hashable | None = None


@dataclass(frozen=True, slots=True)
class StaleFlag:
    """One suspicion about one report, pointing at the earlier report it resembles.

    For a repeated narrative the earlier report is the previous period's, with
    the similarity; for an unchanged value it is where the value was first
    reported, with the number of periods since; for reused evidence it is the
    first report that carried the file, with the file's hash.
    """

    kind: StaleKind
    task_key: Hashable
    period_end: dt.date
    report_key: Hashable
    earlier_task_key: Hashable
    earlier_period_end: dt.date
    similarity: float | None = None
    unchanged_periods: int | None = None
    evidence_hash: str | None = None


@dataclass(frozen=True, slots=True)
class StaleRules:
    """Thresholds for stale detection.

    Digits are masked before comparing narratives by default: a copy whose only
    edit is the number (完成40个 → 完成52个) is still a copy. Narratives shorter
    than `min_narrative_chars` after normalising ("无", "正常推进") are not compared.
    """

    similarity_threshold: float = 0.85
    min_narrative_chars: int = 10
    unchanged_periods: int = 3
    ignore_numbers: bool = True


DEFAULT_STALE_RULES = StaleRules()


_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")
_DIGIT_RUN = re.compile(r"\d+")


def normalise_narrative(text: str, *, ignore_numbers: bool = True) -> str:
    """Text reduced to what a copy keeps: NFKC (full-width → half-width), lower case, no spaces or punctuation.

    With `ignore_numbers` every run of digits becomes a single 0, so 9 and 12 read the same.
    """
    text = _NOT_LETTER_OR_DIGIT.sub("", unicodedata.normalize("NFKC", text).lower())
    return _DIGIT_RUN.sub("0", text) if ignore_numbers else text


def narrative_similarity(first: str, second: str, *, ignore_numbers: bool = True) -> float:
    """Jaccard similarity of the character bigrams (二元字串) of two normalised narratives, 0 to 1.

    Bigrams suit Chinese, which has no spaces to split words on, and sets make
    the comparison linear in the text length, so 200,000 reports a year stay cheap.
    """
    return _jaccard(
        _bigrams(normalise_narrative(first, ignore_numbers=ignore_numbers)),
        _bigrams(normalise_narrative(second, ignore_numbers=ignore_numbers)),
    )


def _bigrams(text: str) -> frozenset[str]:
    if len(text) < 2:
        return frozenset([text]) if text else frozenset()
    return frozenset(text[index : index + 2] for index in range(len(text) - 1))


def _jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    if not first and not second:
        return 1.0
    return len(first & second) / len(first | second)


def periods_without_movement(values: Sequence[float | None]) -> int:
    """How many periods in a row, ending with the last, the value has not moved (0 if it just moved)."""
    count = 0
    for index in range(len(values) - 1, 0, -1):
        if not _same_value(values[index], values[index - 1]):
            break
        count += 1
    return count


def _same_value(newer: float | None, older: float | None) -> bool:
    """Unknown values (a milestone task's report without a figure) never count as unchanged."""
    return newer is not None and older is not None and abs(newer - older) <= EPSILON


def detect_stale_reports(
    snapshots: Iterable[ReportSnapshot], rules: StaleRules = DEFAULT_STALE_RULES
) -> list[StaleFlag]:
    """Flag copied narratives, values that never move and evidence seen before, over many tasks at once.

    Pass the reports of unfinished tasks only: a finished task's value is meant
    to stay put. Flags are hints for the office to look at, not verdicts.
    """
    ordered = sorted(snapshots, key=lambda snapshot: snapshot.period_end)
    by_task: dict[Hashable, list[ReportSnapshot]] = {}
    for snapshot in ordered:
        by_task.setdefault(snapshot.task_key, []).append(snapshot)
    flags: list[StaleFlag] = []
    for history in by_task.values():
        flags.extend(_repeated_narratives(history, rules))
        flags.extend(_unchanged_values(history, rules))
    flags.extend(_reused_evidence(ordered))
    return flags


def _repeated_narratives(history: Sequence[ReportSnapshot], rules: StaleRules) -> Iterable[StaleFlag]:
    previous_bigrams: frozenset[str] | None = None
    for previous, current in zip([None, *history], history, strict=False):
        text = normalise_narrative(current.narrative, ignore_numbers=rules.ignore_numbers)
        bigrams = _bigrams(text) if len(text) >= rules.min_narrative_chars else None
        if previous is not None and bigrams is not None and previous_bigrams is not None:
            similarity = _jaccard(previous_bigrams, bigrams)
            if similarity >= rules.similarity_threshold:
                yield _flag(StaleKind.NARRATIVE_REPEATED, current, previous, similarity=similarity)
        previous_bigrams = bigrams


def _unchanged_values(history: Sequence[ReportSnapshot], rules: StaleRules) -> Iterable[StaleFlag]:
    streak = 0
    for index, current in enumerate(history):
        streak = streak + 1 if index and _same_value(current.value, history[index - 1].value) else 0
        if streak >= rules.unchanged_periods:
            yield _flag(StaleKind.VALUE_UNCHANGED, current, history[index - streak], unchanged_periods=streak)


def _reused_evidence(ordered: Iterable[ReportSnapshot]) -> Iterable[StaleFlag]:
    """A file whose hash appeared in an earlier period, or in another task's report; not a resubmission."""
    first_seen: dict[str, ReportSnapshot] = {}
    for current in ordered:
        for evidence_hash in sorted(current.evidence_hashes):
            original = first_seen.setdefault(evidence_hash, current)
            if original.task_key != current.task_key or original.period_end != current.period_end:
                yield _flag(StaleKind.EVIDENCE_REUSED, current, original, evidence_hash=evidence_hash)


def _flag(
    kind: StaleKind,
    current: ReportSnapshot,
    earlier: ReportSnapshot,
    *,
    similarity: float | None = None,
    unchanged_periods: int | None = None,
    evidence_hash: str | None = None,
) -> StaleFlag:
    return StaleFlag(
        kind=kind,
        task_key=current.task_key,
        period_end=current.period_end,
        report_key=current.report_key,
        earlier_task_key=earlier.task_key,
        earlier_period_end=earlier.period_end,
        similarity=similarity,
        unchanged_periods=unchanged_periods,
        evidence_hash=evidence_hash,
    )
