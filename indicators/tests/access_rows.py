"""Access-matrix rows for the indicator routes (merged by core/tests/test_access_matrix.py).

The indicator built here is 区住建局's: its people read it and its reporter enters values; another
unit's reporter gets 404 (no existence leak). The office keeps the catalogue and targets.
"""

BUSINESS = {"office", "leader", "leader_cj", "zjj_head", "zjj_reporter", "fgw_reporter"}
ZJJ_READERS = BUSINESS - {"fgw_reporter"}
OFFICE = {"office"}
NOT_IN_SCOPE = {"fgw_reporter": 404}


def zjj_indicator() -> int:
    from indicators.models import Indicator
    from org.models import Unit

    indicator, _ = Indicator.objects.get_or_create(
        name="矩阵测试指标",
        unit="平方米",
        defaults={"display_unit": "万平方米", "source_unit": Unit.objects.get(code="zjj")},
    )
    return indicator.pk


def pending_value() -> int:
    from accounts.models import User
    from indicators.models import Indicator
    from indicators.services import value_enter

    indicator = Indicator.objects.get(pk=zjj_indicator())
    reporter = User.objects.get(username="zjj_reporter")
    return value_enter(
        actor=reporter, indicator=indicator, period="2021", value="1", unit="万平方米", kind="estimate"
    ).pk


PAGES = {
    "indicators:catalogue": (BUSINESS, None, "", {}),
    "indicators:detail": (ZJJ_READERS, lambda: {"pk": zjj_indicator()}, "", NOT_IN_SCOPE),
    "indicators:create": (OFFICE, None, "", {}),
    "indicators:ledger_export": (BUSINESS, None, "year=2021", {}),
    "indicators:ledger_import": ({"office", "zjj_reporter", "fgw_reporter"}, None, "", {}),
    "indicators:edit": (OFFICE, lambda: {"pk": zjj_indicator()}, "", {}),
}
POST_ONLY = {
    "indicators:value_enter",
    "indicators:target_set",
    "indicators:value_approve",
    "indicators:value_return",
    "indicators:cockpit_choose",
    "indicators:cockpit_move",
    "indicators:merge",
}
POST_ONLY_KWARGS = {name: "pk" for name in POST_ONLY}
POST_WRITERS = {
    # Reporters may enter values (the service keeps each to its own unit's indicators).
    "indicators:value_enter": {"office", "zjj_reporter", "fgw_reporter"},
    "indicators:target_set": OFFICE,
    "indicators:cockpit_choose": OFFICE,
    "indicators:cockpit_move": OFFICE,
    "indicators:merge": OFFICE,
    # Heads approve their own unit's values; the office approves those of indicators without a unit.
    "indicators:value_approve": {"office", "zjj_head"},
    "indicators:value_return": {"office", "zjj_head"},
}
API_GET = {
    "/api/v1/indicators": (BUSINESS, {}),
    "/api/v1/indicators/{indicator_id}": (ZJJ_READERS, NOT_IN_SCOPE),
}
API_WRITE = {
    ("post", "/api/v1/indicators/{indicator_id}/values"): ({"office", "zjj_reporter"}, NOT_IN_SCOPE),
}
API_PATH_PARAMS = {"{indicator_id}": zjj_indicator}
API_WRITE_BODIES = {
    ("post", "/api/v1/indicators/{indicator_id}/values"): {
        "period": "2021",
        "value": "12.5",
        "unit": "万平方米",
        "kind": "estimate",
    },  # fmt: skip
}
