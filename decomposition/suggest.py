"""三定 suggestions for a proposed row (pure: no Django), from what the office has already decided.

Two sources, each shown with its reason and never applied silently:

* **Earlier tasks with a similar object** (this plan's accepted tasks and earlier plans'): the most
  similar one's responsible leader, lead unit and co-operating units. Similarity is the Dice
  coefficient of the character bigrams of the row's object and title (老旧小区改造 ~ 老旧小区改造提升).
* **The unit-responsibilities table** (单位职责表, `org.UnitDuty`): a unit whose keyword occurs in the
  row (区住建局: 老旧小区) is suggested as lead unit; the longest keyword wins.

An earlier task at least `SIMILAR` alike wins; otherwise a duty keyword names the lead unit (with the
leader and co-units most often decided for that unit, when there are any); otherwise the nearest
earlier task above `WEAK` is offered.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

SIMILAR = 0.5
WEAK = 0.25
_NOISE = re.compile(r"[\s\d.%,，、:：;；“”\"'()（）《》\-—]+|[一二三四五六七八九十百千万亿]+(?=[个项家所座条户人处])")


@dataclass(frozen=True)
class Decided:
    """An earlier task's 三定, with the words that describe it."""

    text: str  # object and title
    label: str  # how the reason names it: 「2021年度重点工作：老旧小区改造提升」
    post: int | None
    lead: int | None
    co_units: tuple[int, ...] = ()


@dataclass(frozen=True)
class Duty:
    unit: int
    keyword: str


@dataclass(frozen=True)
class Suggestion:
    post: int | None
    lead: int | None
    co_units: tuple[int, ...]
    source: str  # "task" | "duty"
    reason: str  # the task label, or the keyword
    score: float  # similarity for a task; 1.0 for a duty keyword


def bigrams(text: str) -> Counter[str]:
    cleaned = _NOISE.sub(" ", text)
    grams: Counter[str] = Counter()
    for part in cleaned.split():
        grams.update(part[i : i + 2] for i in range(len(part) - 1))
        if len(part) == 1:
            grams[part] += 1
    return grams


def similarity(a: Counter[str], b: Counter[str]) -> float:
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 0.0


@dataclass
class Pool:
    """The decided tasks and duties prepared once (bigrams, unit names), for many rows of one page."""

    decided: list[Decided]
    duties: list[Duty]
    units: dict[int, str]
    grams: list[Counter[str]]
    index: dict[str, list[int]]  # bigram → the tasks that have it, so a row is compared with few
    sizes: list[int]

    @classmethod
    def of(cls, decided: list[Decided], duties: list[Duty], units: dict[int, str] | None = None) -> Pool:
        units = units or {}
        # a task decided for the unit it names (a street's share) is no precedent for other rows
        kept = [t for t in decided if t.lead and units.get(t.lead, "\0") not in t.text]
        grams = [bigrams(_without_names(t.text, units)) for t in kept]
        index: dict[str, list[int]] = {}
        for number, task_grams in enumerate(grams):
            for gram in task_grams:
                index.setdefault(gram, []).append(number)
        return cls(kept, duties, units, grams, index, [sum(g.values()) for g in grams])

    def alike(self, grams: Counter[str]) -> list[tuple[float, int]]:
        """(similarity, task number) for the tasks sharing a bigram with ``grams``, most alike first."""
        shared: Counter[int] = Counter()
        for gram, count in grams.items():
            for number in self.index.get(gram, ()):
                shared[number] += min(count, self.grams[number][gram])
        size = sum(grams.values())
        scored = [(2 * n / (size + self.sizes[i]), i) for i, n in shared.items()]
        return sorted(scored, key=lambda pair: (-pair[0], pair[1]))


def suggest(
    row_text: str, decided: list[Decided], duties: list[Duty], units: dict[int, str] | None = None
) -> Suggestion | None:
    """The 三定 to propose for a row whose object and title are ``row_text``, or None.

    ``units`` (id → name) lets a row that names a unit get it, and keeps names out of the comparison.
    """
    return suggest_from(row_text, Pool.of(decided, duties, units), decided)


def suggest_from(row_text: str, pool: Pool, decided: list[Decided] | None = None) -> Suggestion | None:
    """`suggest` against a prepared pool (``decided``: all tasks, for the leader most often decided)."""
    units, duties = pool.units, pool.duties
    everyone = pool.decided if decided is None else decided
    named = sorted((pk for pk, name in units.items() if name and name in row_text), key=lambda pk: -len(units[pk]))
    if named:
        post = Counter(t.post for t in everyone if t.lead == named[0] and t.post).most_common(1)
        return Suggestion(post[0][0] if post else None, named[0], (), "named", units[named[0]], 1.0)
    scored = pool.alike(bigrams(_without_names(row_text, units)))
    best = (pool.decided[scored[0][1]], scored[0][0]) if scored else None
    if best and best[1] >= SIMILAR:
        return _from_task(*best)
    matches = sorted((d for d in duties if d.keyword and d.keyword in row_text), key=lambda d: -len(d.keyword))
    if matches:
        duty = matches[0]
        same_unit = [task for task in everyone if task.lead == duty.unit]
        post = Counter(t.post for t in same_unit if t.post).most_common(1)
        co = Counter(c for t in same_unit for c in t.co_units if c != duty.unit).most_common(2)
        return Suggestion(
            post=post[0][0] if post else None,
            lead=duty.unit,
            co_units=tuple(unit for unit, _ in co),
            source="duty",
            reason=duty.keyword,
            score=1.0,
        )
    if best and best[1] >= WEAK:
        return _from_task(*best)
    return None


def _without_names(text: str, units: dict[int, str]) -> str:
    for name in units.values():
        if name and name in text:
            text = text.replace(name, " ")
    return text


def _from_task(task: Decided, score: float) -> Suggestion:
    return Suggestion(task.post, task.lead, task.co_units, "task", task.label, round(score, 2))


def leave_one_out(decided: list[Decided], duties: list[Duty], units: dict[int, str] | None = None) -> tuple[int, int]:
    """(rows whose suggested lead unit is the one decided, rows) with each task left out of its own pool."""
    hits = 0
    for index, task in enumerate(decided):
        pool = decided[:index] + decided[index + 1 :]
        suggestion = suggest(task.text, pool, duties, units)
        hits += suggestion is not None and suggestion.lead == task.lead
    return hits, len(decided)
