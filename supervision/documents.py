"""The order as a printable document: model → supervision.orderdoc.OrderDocument → .docx bytes."""

from django.conf import settings
from django.utils import timezone

from supervision.escalation import KIND_CHINESE, Kind
from supervision.models import SupervisionOrder
from supervision.orderdoc import OrderDocument, build_order_docx, cn_date
from supervision.targets import target_kind_of


def order_document(order: SupervisionOrder) -> OrderDocument:
    acknowledged = ""
    if order.acknowledged_at and order.acknowledged_by:
        acknowledged = (
            f"签收人：{order.acknowledged_by}\n签收时间：{cn_date(timezone.localtime(order.acknowledged_at).date())}"
        )
    return OrderDocument(
        issuer=settings.SUPERVISION_ISSUER_NAME,
        number=order.number,
        kind_label=KIND_CHINESE[Kind(order.level)],
        unit=order.unit.full_name or order.unit.name,
        # 督办事项: each supervised object's title (a task's code and title, a project's …), whatever its kind.
        tasks=[target_kind_of(obj).title(obj) for obj in order.target_objects()],
        content=order.content,
        requirements=order.requirements,
        issued_on=order.issued_on,
        due_date=order.due_date,
        response_workdays=order.response_workdays,
        acknowledged=acknowledged,
    )


def order_document_bytes(order: SupervisionOrder) -> bytes:
    return build_order_docx(order_document(order))


def order_docx_filename(order: SupervisionOrder) -> str:
    return f"督办通知单-{order.number}.docx"
