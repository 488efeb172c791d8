"""Evidence that a sentence, a paragraph or a stretch of the document reports the past or plans ahead.

Headings are not always there: an excerpt may start inside the review, and a review may be headed by
run-in slogans (「——经济发展迈上新台阶。」). So review versus plan is decided from every cue there is:

* the sentence's own words: completed forms (建成了, 已, 获批/获评/入选, a ranking such as 居全省第二)
  against commitment words (力争/争取/确保/计划/目标, 年内, X月底前);
* a heading that states an outcome (「城乡面貌变化显著」, 「取得新进展」, 「着力强化了发展基石」) heads a
  review; one that asks for action (「推动…取得新突破」, 「致力让就业更加充分」) does not;
* the position in the document (the *zone*): a review opener (过去一年, 五年来, a paragraph opening
  with last year) starts the review, and the plan part starts at 今年工作, 主要预期目标, 今后五年 or a
  paragraph opening with the plan year.
"""

from __future__ import annotations

import re

from .cues import Frame

# 了 as a completed aspect after a verb, not inside 为了/除了/了解/了如指掌/不了/罢了/终了/明了.
_PERFECTIVE = re.compile(r"(?<=[\u4e00-\u9fff])(?<![为除不罢终明])了(?![解如])")
# 已 as "already done", not the adjective of 已关闭矿山 / 已搭建的通道.
_ALREADY = re.compile(r"(?<![尚未])(?:已经|已(?:全部|基本)?(?:完成|建成|实现|达到|覆盖|通车|投产|开工)(?=[,。;]|了))")
_AWARDED = re.compile(
    r"获批|获评|荣获|被评为|被列为|被授予|被确定为|入选|跻身|成功(?:创建|举办|获|入选|申报|承办|引进)"
)
_RANKED = re.compile(
    r"(?:位)?居(?:全国|全省|全区|全市|国内|内地|中部|西部|全球|同类)?[\u4e00-\u9fff]{0,8}?"
    r"(?:第[一二三四五六七八九十\d]+(?:位)?|前列|首位|前茅)"
)
_PROMISE = re.compile(
    r"力争|确保|务必|预期目标|目标(?:是|为)|年内|年底前|明年|今年|\d{1,2}月底前|上半年|下半年|要(?=[把在以让使])"
)

# A heading that states an outcome: it ends in one of these predicates.
_OUTCOME = re.compile(
    r"(?:取得|实现|迈上|迈出|再上|得到|展现|呈现|开创|打开|跃上|站上)(?:了)?"
    r"(?:新|重大|明显|显著|积极|阶段性|历史性|决定性|长足)[\u4e00-\u9fff]{1,4}$"
    r"|(?:显著|明显|不断|持续|稳步|全面|大幅|有效|进一步|日益|更加|更)"
    r"(?:提升|提高|增强|改善|优化|完善|进步|加强|扩大|向好|坚实|有力|宜居|完备|优质|彰显|巩固|壮大|增长|深化|活跃)$"
    r"|变化显著|成效(?:显著|明显|突出|初显)|长足进步|稳中有进|稳中向好|回升向好|振奋人心|更具[\u4e00-\u9fff]{1,4}"
    r"|(?:持续|高速|快速|平稳)(?:高速|健康|快速)?(?:增长|发展)$|新(?:进展|突破|成效|台阶|面貌|水平|进步|提升|局面)$"
    r"|[\u4e00-\u9fff]了[\u4e00-\u9fff]{1,8}$"
)
# …unless its last clause asks for action: 推动改革取得新突破, 致力让就业更加充分.
_CAUSATIVE = re.compile(r"^(?:推动|促进|致力|聚力|着力|加快|力争|确保|努力|奋力|让|使|全力|推进|坚持|以)")
_HEADING_PUNCTUATION = re.compile(r"[,;:、]")
_HEADING_MARKS = re.compile(r"^(?:——|—|[一二三四五六七八九十]+、|\([一二三四五六七八九十\d]+\)|\d{1,2}[.、])")

_REVIEW_OPENER = re.compile(r"^(?:刚刚)?(?:过去(?:的)?(?:一|五|5)年|(?:这|近)?(?:五|5|一)年来|回顾|回望|总结)")
_PLAN_OPENER = re.compile(
    r"今年(?:政府)?工作|今年是|主要预期目标|预期目标|主要目标(?:是|为)|今后五年|未来五年|重点抓好以下|主要任务(?:是|为)"
)
_FIRST_SENTENCE = re.compile(r"^[^。!?]*[。!?]?")
_LEADING_YEAR = re.compile(r"^((?:19|20)\d{2})年[,,是]")


def sentence_evidence(sentence: str) -> Frame | None:
    """Past when the sentence reports something done and promises nothing, future for the reverse."""
    past = bool(_PERFECTIVE.search(sentence) or _ALREADY.search(sentence) or _AWARDED.search(sentence))
    past = past or bool(_RANKED.search(sentence))
    future = bool(_PROMISE.search(sentence))
    if past and not future:
        return Frame("past")
    if future and not past:
        return Frame("future")
    return None


def paragraph_evidence(sentences: list[str]) -> Frame | None:
    """The frame most sentences of a paragraph give, when no sentence says the opposite."""
    frames = [frame for frame in map(sentence_evidence, sentences) if frame is not None]
    tenses = {frame.tense for frame in frames}
    return frames[0] if len(tenses) == 1 else None


def heading_states_outcome(heading: str) -> bool:
    """「城乡面貌变化显著」 and 「着力强化了发展基石」 report; 「推动改革取得新突破」 asks for action."""
    last = _HEADING_PUNCTUATION.split(_HEADING_MARKS.sub("", heading.strip().rstrip("。.")))[-1]
    return bool(last) and bool(_OUTCOME.search(last)) and not _CAUSATIVE.match(last)


def zone_opened_by(paragraph: str, plan_year: int) -> Frame | None:
    """The document part a paragraph opens: the review (过去一年…, 2019年,…) or the plan (今年工作…).

    Plan words count in the first sentence only: a review may recall 「年初预期目标」 further on.
    """
    first = _FIRST_SENTENCE.match(paragraph)
    if _PLAN_OPENER.search(first.group(0) if first else paragraph):
        return Frame("future")
    if _REVIEW_OPENER.match(paragraph):
        return Frame("past")
    year = _LEADING_YEAR.match(paragraph)
    if year:
        return Frame("past") if int(year.group(1)) < plan_year else Frame("future")
    return None
