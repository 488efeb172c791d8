"""Demo supervision records for the 2021 plan: orders, instructions, an inspection with rectifications.

Written straight into the tables with their 2021 dates (the services would stamp
them "now" and notify people about things that happened years ago), like the
reporting demo; one audit event records the load. Idempotent: nothing is added
when the first demo order exists.

    二七督〔2021〕1号  催办 T004 三期道路综合改造 → 区住建局: answered on time, verified, closed
    二七督〔2021〕2号  督办 T005 老旧小区改造 → 区住建局: issued 9-30, due 10-13 over National Day,
                       answered, sent back for photos, answered again, verified
    二七督〔2021〕3号  催办 T011 示范村建设 → 区农业农村局: never acknowledged, escalated to 通报 with
                       every rung of the chain reminded (as the 2021 sweeps would have)
"""

import io
from datetime import date, datetime, time

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from core import uploads
from core.workcalendar import work_calendar
from org.models import Unit
from plans.models import PlanNode, Task
from supervision.escalation import Kind, Rung, Thresholds, decide
from supervision.models import (
    Attachment,
    Finding,
    FollowUp,
    FollowUpAnswer,
    Inspection,
    InspectionTarget,
    Instruction,
    OrderEscalation,
    OrderResponse,
    OrderSequence,
    OrderTarget,
    Rectification,
    SupervisionOrder,
)
from supervision.numbering import format_number
from supervision.services import store_attachments


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _task(obj: str) -> Task:
    return Task.objects.select_related("lead_unit", "node").get(object=obj, node__kind=PlanNode.Kind.KEY_TASK)


def _lead(task: Task) -> Unit:
    """The demo tasks all have a lead unit (plans/demo.py); a missing one is a broken demo plan."""
    if task.lead_unit is None:
        raise LookupError(f"demo task {task.code} has no lead unit")
    return task.lead_unit


def demo_photo(color: tuple[int, int, int], *, gps: tuple[float, float] | None = None) -> bytes:
    """A small generated JPEG (a site photo stand-in), with an EXIF GPS block when `gps` is given."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), color)
    draw = ImageDraw.Draw(image)
    for i in range(0, 640, 40):
        draw.line([(i, 480), (i + 200, 200)], fill=tuple(min(255, c + 40) for c in color), width=6)
    draw.rectangle([(220, 140), (420, 330)], outline=(250, 250, 250), width=8)
    exif = Image.Exif()
    if gps:
        lat, lon = gps
        exif[0x8825] = {1: "N", 2: _dms(lat), 3: "E", 4: _dms(lon)}
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80, exif=exif.tobytes())
    return out.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 2)
    return (float(degrees), float(minutes), seconds)


def _attach(data: bytes, name: str, by: User, **parent) -> Attachment:
    checked = uploads.validate_upload(uploads.Upload(data, name), kind=uploads.PHOTO)
    return store_attachments(by, [checked], **parent)[0]


def _order(
    seq: int, *, kind: str, task: Task, issued_on: date, workdays: int, content: str, requirements: str, by: User
) -> SupervisionOrder:
    due = work_calendar().add_workdays(issued_on, workdays)
    order = SupervisionOrder.objects.create(
        number=format_number(settings.SUPERVISION_ORDER_PREFIX, issued_on.year, seq),
        year=issued_on.year,
        seq=seq,
        kind=kind,
        level=kind,
        unit=_lead(task),
        content=content,
        requirements=requirements,
        issued_on=issued_on,
        due_date=due,
        response_workdays=workdays,
        issued_by=by,
        issued_at=_at(issued_on, 9),
    )
    OrderTarget.objects.create(order=order, target=task)
    return order


@uploads.atomic
def load_demo_supervision() -> int:
    """Create the demo records (once); returns how many orders were created."""
    prefix = settings.SUPERVISION_ORDER_PREFIX
    if SupervisionOrder.objects.filter(number=format_number(prefix, 2021, 1)).exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=["office", "leader", "leader_cj", "leader_ny"])}
    office = users["office"]
    zjj_reporter, zjj_head = User.objects.get(username="zjj_reporter"), User.objects.get(username="zjj_head")

    # 1. 催办, answered on time, verified, closed once the task was done.
    roads = _task("三期道路综合改造")
    first = _order(
        1,
        kind=Kind.REMINDER,
        task=roads,
        issued_on=date(2021, 5, 20),
        workdays=5,
        content="截至2021年5月20日，区住建局牵头的“三期道路综合改造”任务完成进度约为计划的80%，"
        "按当前进度将超过6月30日的完成时限。",
        requirements="请于反馈时限内书面反馈滞后原因、赶工措施和完成时间。",
        by=office,
    )
    first.state, first.acknowledged_by, first.acknowledged_at = "closed", zjj_head, _at(date(2021, 5, 21))
    first.first_responded_at = first.responded_at = _at(date(2021, 5, 26), 16)
    first.verified_by, first.verified_at, first.verification_note = office, _at(date(2021, 5, 28)), "措施可行"
    first.closed_by, first.closed_at = office, _at(date(2021, 7, 20))
    first.save()
    OrderResponse.objects.create(
        order=first,
        text="滞后原因：雨季施工受限、管线迁改协调慢。措施：增加两个作业面、夜间施工，7月中旬完成全部改造。",
        submitted_by=zjj_reporter,
        submitted_at=first.responded_at,
        decision=OrderResponse.Decision.ACCEPTED,
        decided_by=office,
        decided_at=first.verified_at,
        decision_note="措施可行",
    )

    # 2. 督办 over the National Day holiday: due 10-13; sent back once for photos; verified.
    compounds = _task("老旧小区改造提升")
    second = _order(
        2,
        kind=Kind.ORDER,
        task=compounds,
        issued_on=date(2021, 9, 30),
        workdays=5,
        content="截至2021年9月30日，区住建局牵头的“2021年底前高质量完成248个老旧小区改造提升任务”"
        "应完成180个，实际完成约160个，进度滞后，按当前进度预计难以在年底前完成。",
        requirements="请于反馈时限内书面反馈滞后原因、四季度赶工计划，并上传现场照片。",
        by=office,
    )
    sent_back = OrderResponse.objects.create(
        order=second,
        text="已召开专题推进会，四季度每月完成不少于30个小区，12月底前全部完工。",
        submitted_by=zjj_reporter,
        submitted_at=_at(date(2021, 10, 12), 17),
        decision=OrderResponse.Decision.RETURNED,
        decided_by=office,
        decided_at=_at(date(2021, 10, 14)),
        decision_note="请补充分小区的赶工计划和现场照片",
    )
    answer = OrderResponse.objects.create(
        order=second,
        text="已补充分小区赶工计划（见附件），现场照片2张。10月起每周报送进展。",
        submitted_by=zjj_reporter,
        submitted_at=_at(date(2021, 10, 18), 15),
        decision=OrderResponse.Decision.ACCEPTED,
        decided_by=office,
        decided_at=_at(date(2021, 10, 20)),
    )
    _attach(demo_photo((120, 110, 95), gps=(34.7286, 113.6253)), "小区改造现场.jpg", zjj_reporter, response=answer)
    second.state = "verified"
    second.acknowledged_by, second.acknowledged_at = zjj_head, _at(date(2021, 10, 8))
    second.first_responded_at, second.responded_at = sent_back.submitted_at, answer.submitted_at
    second.returned_at, second.return_reason = sent_back.decided_at, sent_back.decision_note
    second.verified_by, second.verified_at = office, answer.decided_at
    second.save()

    # 3. 催办 never acknowledged: escalated as the 2021 sweeps would have done, up to 通报 and the office.
    model_villages = _task("示范村建设")
    third = _order(
        3,
        kind=Kind.REMINDER,
        task=model_villages,
        issued_on=date(2021, 11, 15),
        workdays=5,
        content="区农业农村局牵头的“示范村建设”任务多期未按时报送进展（每5周缺报1期），请加强报送管理。",
        requirements="请说明缺报原因，并按期报送。",
        by=office,
    )
    calendar, thresholds = work_calendar(), Thresholds()
    for rung, threshold in [(Rung.REPORTER, 1), (Rung.UNIT_HEAD, 3), (Rung.LEADER, 5), (Rung.OFFICE, 8)]:
        day = calendar.add_workdays(third.due_date, threshold)
        decision = decide(
            issued_kind=Kind.REMINDER, due=third.due_date, today=day, calendar=calendar, thresholds=thresholds
        )
        OrderEscalation.objects.create(
            order=third,
            due_date=third.due_date,
            rung=rung,
            day=day,
            workdays_late=decision.workdays_late,
            level=decision.level,
        )
        third.level = decision.level
        third.escalated_at = _at(day, 2)
    third.save()
    OrderSequence.objects.update_or_create(year=2021, defaults={"last": 3})

    # Leader instructions: one answered (on a task), one still open and overdue (on the late order).
    on_task = Instruction.objects.create(
        author=users["leader_cj"],
        text="老旧小区改造是民生实事，要倒排工期、挂图作战，确保年底前全面完成。住建局每周报进展。",
        target_object=compounds,
    )
    answered = FollowUp.objects.create(
        instruction=on_task,
        unit=_lead(compounds),
        due_date=date(2021, 10, 27),
        state=FollowUp.State.ANSWERED,
        answer="已按批示要求倒排工期，成立4个现场工作组，每周一报送进展，确保12月底前全部完工。",
        answered_by=zjj_head,
        answered_at=_at(date(2021, 10, 26), 17),
    )
    # The answer's history row: the office or 分管城建副区长 can accept it or send it back.
    FollowUpAnswer.objects.create(
        followup=answered, text=answered.answer, submitted_by=zjj_head, submitted_at=_at(date(2021, 10, 26), 17)
    )
    on_order = Instruction.objects.create(
        author=users["leader"],
        text="示范村建设缺报问题要严肃对待，农业农村局主要负责同志要亲自过问。",
        order=third,
    )
    FollowUp.objects.create(instruction=on_order, unit=third.unit, due_date=date(2021, 12, 6))
    Instruction.objects.filter(pk=on_task.pk).update(created_at=_at(date(2021, 10, 20), 11))
    Instruction.objects.filter(pk=on_order.pk).update(created_at=_at(date(2021, 11, 29), 11))

    # A site inspection with photos and two findings, each opening a rectification.
    inspection = Inspection.objects.create(
        inspected_on=date(2021, 8, 12),
        inspectors="督查室工作人员（2人）",
        place="淮河路街道老旧小区改造项目现场",
        latitude=None,
        longitude=None,
        summary="实地查看3个在建小区，总体进度与报送一致，部分施工现场管理不规范。",
        recorded_by=office,
    )
    InspectionTarget.objects.create(inspection=inspection, target=compounds)
    _attach(demo_photo((96, 120, 140), gps=(34.7286, 113.6253)), "现场全景.jpg", office, inspection=inspection)
    _attach(demo_photo((140, 120, 96)), "施工围挡.jpg", office, inspection=inspection)
    located = inspection.attachments.exclude(latitude=None).get()  # the one photo with GPS above
    inspection.latitude, inspection.longitude = located.latitude, located.longitude
    inspection.coordinates_source = Inspection.CoordinatesSource.PHOTO
    inspection.save()
    fence = Finding.objects.create(
        inspection=inspection, text="2个小区施工围挡破损、未设置安全警示标识。", target=compounds, created_by=office
    )
    pipes = Finding.objects.create(
        inspection=inspection,
        text="1个小区雨污分流管网开挖后未及时回填，影响居民出行。",
        target=compounds,
        created_by=office,
    )
    done = Rectification.objects.create(
        finding=fence,
        unit=_lead(compounds),
        requirement="修复破损围挡，设置安全警示标识。",
        deadline=date(2021, 8, 26),
        state=Rectification.State.CLOSED,
        opened_by=office,
        opened_at=_at(date(2021, 8, 13)),
        report="已修复围挡120米，设置警示标识16处。",
        reported_by=zjj_reporter,
        reported_at=_at(date(2021, 8, 24)),
        verified_by=office,
        verified_at=_at(date(2021, 8, 27)),
        closed_by=office,
        closed_at=_at(date(2021, 8, 30)),
    )
    _attach(demo_photo((150, 90, 70)), "整改前.jpg", office, rectification=done, stage=Attachment.Stage.BEFORE)
    _attach(demo_photo((80, 150, 90)), "整改后.jpg", zjj_reporter, rectification=done, stage=Attachment.Stage.AFTER)
    Rectification.objects.create(
        finding=pipes,
        unit=_lead(compounds),
        requirement="10个工作日内完成管网回填并恢复路面。",
        deadline=calendar.add_workdays(date(2021, 8, 13), 10),
        opened_by=office,
        opened_at=_at(date(2021, 8, 13)),
    )
    audit_record(
        verb="demo.load",
        object_type="supervision",
        object_repr="demo supervision records",
        after={
            "orders": 3,
            "instructions": 2,
            "inspections": 1,
            "rectifications": 2,
        },
        actor_username="load_demo",
    )
    return 3
