"""Access-matrix rows for the decomposition routes (merged by core/tests/test_access_matrix.py).

Every page is the office's (plan.edit); the plan text with each task's sentence is readable by
everyone who reads plans. Role sets are spelled out here (the same as the matrix's) so this
module imports nothing from the matrix.
"""

OFFICE = {"office"}
BUSINESS = {"office", "leader", "leader_cj", "zjj_head", "zjj_reporter", "fgw_reporter"}


def _plan() -> int:
    from plans.models import Plan

    return Plan.objects.order_by("pk").first().pk


def _plan_with_draft() -> int:
    """The demo plan with a proposal extracted from its own text, so the review page and export have rows."""
    from decomposition.services import draft_extract
    from plans.models import Plan

    plan = Plan.objects.order_by("pk").first()
    draft_extract(actor=None, plan=plan, text=plan.source_text)
    return plan.pk


PAGES = {
    "decomposition:draft": (OFFICE, lambda: {"pk": _plan_with_draft()}, "", {}),
    "decomposition:export": (OFFICE, lambda: {"pk": _plan_with_draft()}, "", {}),
    "decomposition:plan_text": (BUSINESS, lambda: {"pk": _plan()}, "", {}),
    "decomposition:duties": (OFFICE, None, "", {}),
}
WRITES = ["extract", "row_update", "row_assign", "row_delete", "row_add", "assign", "accept"]
POST_ONLY = {f"decomposition:{name}" for name in WRITES}
POST_ONLY_KWARGS = {f"decomposition:{name}": "pk" for name in WRITES}
POST_WRITERS = {f"decomposition:{name}": OFFICE for name in WRITES}
