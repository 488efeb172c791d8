"""Qualitative dated commitments (定性节点任务): 「3月底前挂牌运营」, 「上半年完成干熄焦改造」, 「年内开工」.

They have no number, so they are not in the quantified `commitments` (the gold schema needs a target
value); the office supervises them as milestone tasks, done or not done by the deadline. A clause is
one when, in the plan part, it holds a deadline phrase and a delivery verb, and no counted quantity.
Its quote is the clause, widened to the clause before it when the clause alone names nothing
(「加快推进A项目前期工作,力争年内开工」): every milestone has an object and a verb.
"""

from __future__ import annotations

import re

# Verbs that name a result a supervisor can check by a date.
_DELIVERY = re.compile(
    r"完成|建成|开工|竣工|投用|投入使用|投产|通车|运营|挂牌|开业|上线|启动|出台|印发|制定|编制|落地|签约|开放|"
    r"验收|交付|实现|创建|获批|搬迁|供水|供气|通水|通电|并网|首飞|开通|揭牌|成立|组建|开馆|开园|改造|整治"
)
# Deadline words and modal/linking words that name nothing by themselves.
_EMPTY_WORDS = re.compile(
    r"(?:力争|争取|确保|务必|全力|加快|推动|推进|基本|全面|全部|顺利|如期|按期|年内|年底前|今年|全年|上半年|下半年|"
    r"(?:\d{1,2}|[一二三四五六七八九十]{1,2})月(?:底前|底|末|前|\d{1,2}日前)|[一二三四1-4]季度(?:末|底)?(?:前)?|"
    r"(?:19|20)\d{2}年(?:底前|底|末|前)?|并|要|将|,|、|:|;|。)"
)
_DESCRIBES_YEAR = re.compile(r"是.*之年|之年$")
_OBJECT_MIN_CHARS = 3
_MAX_CHARS = 60
_ENUMERATOR = re.compile(r"^(?:[一二三四五六七八九十]+是|\(?\d{1,2}\)|\d{1,2}[.、]|[①-⑳]|其中|同时|此外)")


def is_milestone_clause(clause: str, *, alone: bool = True) -> bool:
    """A clause with a delivery verb that still names something once deadline and modal words go.

    With ``alone=False`` the object may come from the clause before (「…前期工作,力争年内开工」).
    A clause that calls the year something (「2020年是…收官之年」) is not a task.
    """
    if not _DELIVERY.search(clause) or _DESCRIBES_YEAR.search(clause):
        return False
    return not alone or len(named_part(clause)) >= _OBJECT_MIN_CHARS


def named_part(clause: str) -> str:
    """What a clause names once deadline, modal and delivery words are taken out."""
    return _DELIVERY.sub("", _EMPTY_WORDS.sub("", clause))


def needs_context(clause: str) -> bool:
    """「力争年内开工」: the clause alone has a verb but no object."""
    return len(named_part(clause)) < _OBJECT_MIN_CHARS


def milestone_title(quote: str) -> str:
    """The task name: the quote without a leading enumerator or trailing punctuation."""
    return _ENUMERATOR.sub("", quote.strip()).strip(" ,，;；:：。、")[: _MAX_CHARS * 2]


def short_enough(text: str) -> bool:
    return len(text) <= _MAX_CHARS
