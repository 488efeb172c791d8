"""Demo data of the portal (labelled demo): the seed's 温暖二七 livelihood commitments made public.

The demo plan holds the old-compound commitment (248 个老旧小区); the seed text's other livelihood
lines (公办幼儿园, 中小学午餐供应和课后延时服务, 社区日间照料中心, 婴幼儿照护服务设施, section
"在美好生活创造上争先出彩") are added here as tasks with demo targets, so the portal has the year's
list. Public texts are written for citizens; photos are generated images marked "DEMO" (published
through the real service: the stored copies are re-encoded without EXIF).
"""

from datetime import date
from decimal import Decimal
from io import BytesIO

from django.db import transaction

from core.uploads import Upload
from org.models import LeaderPost, Unit
from plans.demo import TITLE
from plans.models import Plan, PlanNode, Task
from plans.services import TaskData, task_create
from portal import services
from portal.models import PublicItem

AREA = "在美好生活创造上争先出彩"
SEED_LINE = "加快推进学前教育公办园新增项目建设,进一步打造名校教育集团,扎实做好中小学午餐供应和课后延时服务等工作"

# object: (title in the plan, demo target, unit, lead unit, post, public title, public summary, notes)
LIVELIHOOD = [
    (
        "公办幼儿园新增",
        "加快推进学前教育公办园新增项目建设",
        6,
        "所",
        "区教育局",
        "分管社会事业副区长",
        "新增公办幼儿园",
        "新建和改扩建公办幼儿园，增加普惠性学前学位，让孩子在家门口入园。（演示数据）",
        [(date(2021, 4, 30), "2所新园完成主体施工。"), (date(2021, 9, 1), "4所新园秋季开园招生。")],
    ),
    (
        "中小学午餐供应",
        "扎实做好中小学午餐供应工作",
        60,
        "所",
        "区教育局",
        "分管社会事业副区长",
        "中小学午餐供应",
        "为全区公办中小学提供安全营养的午餐，家长不再为中午接送发愁。（演示数据）",
        [(date(2021, 3, 15), "春季学期午餐覆盖学校扩大到40所。")],
    ),
    (
        "课后延时服务",
        "扎实做好课后延时服务工作",
        60,
        "所",
        "区教育局",
        "分管社会事业副区长",
        "课后延时服务",
        "放学后在校开展作业辅导和兴趣活动，覆盖全区公办中小学。（演示数据）",
        [(date(2021, 9, 10), "秋季学期起全区公办中小学全部开展课后服务。")],
    ),
    (
        "社区日间照料中心",
        "持续深化社区梯次型养老服务、日间照料中心、中央厨房等公益品牌",
        10,
        "个",
        "区民政局",
        "分管社会事业副区长",
        "社区日间照料中心",
        "在社区建设日间照料中心，为老年人提供助餐、休息和康复服务。（演示数据）",
        [(date(2021, 6, 30), "5个日间照料中心投入运营。")],
    ),
    (
        "婴幼儿照护服务设施",
        "加快布局社区婴幼儿照护服务设施建设",
        8,
        "个",
        "区卫健委",
        "分管社会事业副区长",
        "社区婴幼儿照护服务设施",
        "在社区布局托育服务点，为3岁以下婴幼儿家庭提供照护服务。（演示数据）",
        [],
    ),
]
OLD_COMPOUNDS = (
    "老旧小区改造提升",
    "老旧小区改造",
    "改造提升248个老旧小区：管网、屋面、外立面、加装电梯和小区环境，改善居住条件。",
    [
        (date(2021, 6, 30), "上半年完成首批小区主体改造。"),
        (date(2021, 10, 15), "多数小区进入外立面和环境整治收尾阶段。"),
    ],
)


def demo_photo(label: str, colour: tuple[int, int, int]) -> bytes:
    """A generated picture marked DEMO, with EXIF GPS and camera data like a phone photo's."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600), colour)
    draw = ImageDraw.Draw(image)
    for i in range(0, 800, 80):
        draw.rectangle([i + 10, 300 - (i % 160), i + 70, 560], fill=(240, 240, 235), outline=(90, 90, 90))
    draw.rectangle([0, 0, 800, 60], fill=(30, 30, 30))
    draw.text((20, 20), f"DEMO {label}", fill=(255, 255, 255))
    exif = Image.Exif()
    exif[0x010F] = "DemoPhone"
    exif[0x8825] = {1: "N", 2: (34.0, 44.0, 0.0), 3: "E", 4: (113.0, 38.0, 0.0)}
    out = BytesIO()
    image.save(out, format="JPEG", quality=80, exif=exif)
    return out.getvalue()


def _livelihood_tasks(plan: Plan) -> list[tuple[Task, tuple]]:
    area = PlanNode.objects.get(plan=plan, kind=PlanNode.Kind.AREA, title=AREA)
    units = {u.name: u for u in Unit.objects.all()}
    posts = {p.title: p for p in LeaderPost.objects.all()}
    made = []
    for row in LIVELIHOOD:
        obj, title, target, unit, lead, post = row[:6]
        task = Task.objects.filter(plan=plan, object=obj, is_deleted=False).first()
        if task is None:
            task = task_create(
                actor=None,
                plan=plan,
                parent=area,
                source_offset=plan.source_text.find(SEED_LINE) if SEED_LINE in plan.source_text else None,
                data=TaskData(
                    title=title,
                    deadline=date(2021, 12, 31),
                    target_value=Decimal(target),
                    target_unit=unit,
                    object=obj,
                    source_quote=title,
                    lead_unit=units.get(lead),
                    responsible_post=posts.get(post),
                ),
            )
        made.append((task, row[6:]))
    return made


# Year-end figures of the added commitments (demo): reported and approved; the first two verified done.
YEAR_END_VALUES = {"中小学午餐供应": 60, "课后延时服务": 60, "公办幼儿园新增": 4, "社区日间照料中心": 7}


def _year_end_reports(tasks: list[Task], office) -> None:
    from datetime import datetime, time

    from django.utils import timezone

    from reports.models import ProgressReport

    at = timezone.make_aware(datetime.combine(date(2021, 12, 27), time(10)))
    for task in tasks:
        value = YEAR_END_VALUES.get(task.object)
        if value is None or task.lead_unit is None or ProgressReport.objects.filter(task=task).exists():
            continue
        ProgressReport.objects.create(
            task=task,
            unit=task.lead_unit,
            is_lead=True,
            period_end=date(2021, 12, 26),
            due_date=date(2021, 12, 28),
            value=Decimal(value),
            narrative=f"{task.object}：年度工作按计划推进。（演示数据）",
            state=ProgressReport.State.APPROVED,
            created_by=office,
            first_submitted_at=at,
            submitted_at=at,
            approved_at=at,
            approved_by=office,
        )
        if task.target_value is not None and value >= task.target_value:
            Task.objects.filter(pk=task.pk).update(verified_on=date(2021, 12, 30))


@transaction.atomic
def load_demo_portal() -> int:
    """Publish the livelihood commitments (idempotent); returns the number of items created."""
    from accounts.models import User

    plan = Plan.objects.filter(title=TITLE).first()
    office = User.objects.filter(username="office").first()
    if plan is None or office is None:
        return 0
    entries = _livelihood_tasks(plan)
    _year_end_reports([t for t, _texts in entries], office)
    old = Task.objects.filter(plan=plan, object=OLD_COMPOUNDS[0], node__kind=PlanNode.Kind.KEY_TASK).first()
    if old is not None:
        entries.insert(0, (old, OLD_COMPOUNDS[1:]))
    created = 0
    for index, (task, (public_title, summary, notes)) in enumerate(entries):
        if PublicItem.objects.filter(kind="task", object_id=task.pk).exists():
            continue
        item = services.item_save(
            actor=office, kind="task", object_id=task.pk, title=public_title, summary=summary, year=plan.year
        )
        for day, text in notes:
            services.update_add(actor=office, item=item, day=day, text=text)
        if index < 3:
            colours = [(120, 160, 200), (200, 170, 120), (150, 190, 140)]
            services.photo_publish(
                actor=office,
                item=item,
                caption=f"{public_title}（演示图片）",
                upload=Upload(demo_photo(str(index + 1), colours[index]), f"demo-{index + 1}.jpg"),
            )
        services.item_publish(actor=office, item=item, publish=True)
        created += 1
    return created


# Demo projects made public (after projects.demo): (name ends with, public title, summary, notes).
PUBLIC_PROJECTS = [
    (
        "断头路打通工程（演示）",
        "打通断头路",
        "打通辖区内的断头路，让居民出行少绕路、上学上班更顺畅。（演示数据）",
        [(0, "道路路基施工完成，进入路面铺装阶段。")],
    ),
    (
        "社区卫生服务中心（演示）",
        "新建社区卫生服务中心",
        "新建社区卫生服务中心，提供常见病诊疗、健康体检和家庭医生签约服务。（演示数据）",
        [(0, "主体结构施工中。")],
    ),
    (
        "口袋公园（演示）",
        "建设口袋公园",
        "利用边角空地建设口袋公园，增加居民身边的休闲绿地。（演示数据）",
        [],
    ),
]


def load_demo_portal_projects() -> int:
    """Publish three demo projects with public texts (idempotent); returns the number created."""
    from accounts.models import User
    from projects.models import Project

    office = User.objects.filter(username="office").first()
    if office is None:
        return 0
    created = 0
    for index, (suffix, public_title, summary, notes) in enumerate(PUBLIC_PROJECTS):
        project = Project.objects.filter(name__endswith=suffix).order_by("code").first()
        if project is None or PublicItem.objects.filter(kind="project", object_id=project.pk).exists():
            continue
        item = services.item_save(
            actor=office,
            kind="project",
            object_id=project.pk,
            title=public_title,
            summary=summary,
            year=project.plan_year,
        )
        for _offset, text in notes:
            services.update_add(actor=office, item=item, day=date(project.plan_year, 6, 30), text=text)
        colours = [(110, 150, 190), (190, 160, 110), (130, 180, 120)]
        services.photo_publish(
            actor=office,
            item=item,
            caption=f"{public_title}（演示图片）",
            upload=Upload(demo_photo(f"P{index + 1}", colours[index]), f"demo-project-{index + 1}.jpg"),
        )
        services.item_publish(actor=office, item=item, publish=True)
        created += 1
    return created
