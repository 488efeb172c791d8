"""Writes on supervision orders, instructions, inspections and rectifications. Keyword-only, atomic, audited.

Each service checks the actor's permission again (pages and API check first),
locks the row it changes and checks its state inside the transaction, records
an audit event and notifies the people concerned (notifications.services.notify,
inside the same transaction: a rolled-back write notifies nobody).

One module per seam: `common` (messages, who is who, permission and state checks,
files), `orders`, `instructions`, `inspections` (with their rectifications). The
public names are re-exported here: callers write `services.order_issue(...)`.
"""

from supervision.services.common import (
    MAX_FILES,
    Upload,
    escalation_thresholds,
    msg_forbidden,
    msg_not_workday,
    rung_people,
    store_attachments,
)
from supervision.services.inspections import (
    finding_add,
    inspection_add_photos,
    inspection_record,
    rectification_close,
    rectification_open,
    rectification_remind_late,
    rectification_report,
    rectification_return,
    rectification_url,
    rectification_verify,
)
from supervision.services.instructions import (
    followup_accept,
    followup_answer,
    followup_may_decide,
    followup_return,
    instruction_create,
    instruction_unit,
)
from supervision.services.orders import (
    MAX_RESPONSE_WORKDAYS,
    EscalationResult,
    order_acknowledge,
    order_close,
    order_escalate,
    order_issue,
    order_remind_due,
    order_respond,
    order_return,
    order_url,
    order_verify,
    response_due_date,
)

__all__ = [
    "MAX_FILES",
    "MAX_RESPONSE_WORKDAYS",
    "EscalationResult",
    "Upload",
    "escalation_thresholds",
    "finding_add",
    "followup_accept",
    "followup_answer",
    "followup_may_decide",
    "followup_return",
    "inspection_add_photos",
    "inspection_record",
    "instruction_create",
    "instruction_unit",
    "msg_forbidden",
    "msg_not_workday",
    "order_acknowledge",
    "order_close",
    "order_escalate",
    "order_issue",
    "order_remind_due",
    "order_respond",
    "order_return",
    "order_url",
    "order_verify",
    "rectification_close",
    "rectification_open",
    "rectification_remind_late",
    "rectification_report",
    "rectification_return",
    "rectification_url",
    "rectification_verify",
    "response_due_date",
    "rung_people",
    "store_attachments",
]
