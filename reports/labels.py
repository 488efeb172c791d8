"""The words for the engine's vocabulary, once: the engine is pure and holds only the codes.

msgids are English; the Chinese (未启动, 绿灯, 很有把握 …) is in locale/zh_Hans. Pages, exports,
notifications, form choices and the Judgement model's choices all take their labels from here.
"""

from django.utils.translation import gettext_lazy as _

from reports.engine import Light, Likelihood, Reason, Status

STATUS_LABELS = {
    Status.NOT_STARTED: _("Not started"),
    Status.ON_TRACK: _("On track"),
    Status.LAGGING: _("Lagging"),
    Status.OVERDUE: _("Overdue"),
    Status.DONE: _("Done"),
    Status.MISSING: _("Report missing"),
}
LIGHT_LABELS = {Light.GREEN: _("Green"), Light.YELLOW: _("Yellow"), Light.RED: _("Red")}
LIKELIHOOD_LABELS = {
    Likelihood.HIGHLY_LIKELY: _("Highly likely"),
    Likelihood.LIKELY: _("Likely"),
    Likelihood.UNLIKELY: _("Unlikely"),
    Likelihood.HIGHLY_UNLIKELY: _("Highly unlikely"),
}
REASON_LABELS = {
    Reason.BEFORE_START: _("before the start date"),
    Reason.NOTHING_EXPECTED_YET: _("nothing expected yet"),
    Reason.VERIFIED_DONE: _("verified complete"),
    Reason.AWAITING_VERIFICATION: _("target reported reached, awaiting verification"),
    Reason.COMPLETED_LATE: _("completed after the deadline"),
    Reason.OVERDUE: _("past the deadline"),
    Reason.REPORT_MISSING: _("report missing for the current period"),
    Reason.REPORT_LATE: _("report late"),
    Reason.LAG_OVER_YELLOW: _("lag over the yellow threshold"),
    Reason.LAG_OVER_RED: _("lag over the red threshold"),
    Reason.PROJECTION_MISSES_DEADLINE: _("projected to miss the deadline"),
    Reason.STALLED: _("no progress recently"),
    Reason.INSUFFICIENT_HISTORY: _("too few reports to project"),
    Reason.JUDGEMENT_OVERRIDE: _("light set by the office's judgement"),
}
STALE_LABELS = {
    "narrative_repeated": _("narrative repeats the previous period"),
    "value_unchanged": _("value unchanged for several periods"),
    "evidence_reused": _("evidence file used before"),
}
