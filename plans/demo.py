"""Demo plan: the Erqi District 2021 plan, its tree and one task per commitment of the gold file.

The 三定 assignments are realistic but invented for the demo (posts, never people).
Idempotent: a plan with the demo title is left as it is.
"""

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from org.models import LeaderPost, Unit
from plans.milestones import MilestoneLine
from plans.models import DimensionTag, Plan, PlanNode
from plans.services import TaskData, node_add, plan_create, plan_update, tag_save, task_create

DATA = Path(__file__).resolve().parent / "demo_data"
TITLE = "二七区2021年度重点工作"

TAGS = {
    DimensionTag.Kind.BLOCK: ["二七商圈", "健康产业", "凤湖智能新区", "华侨城文旅", "足球小镇", "总部经济"],
    DimensionTag.Kind.INDUSTRY: ["高端商贸业", "现代制造业", "文旅康养业", "科技服务业"],
    DimensionTag.Kind.ZONE: ["中心城区", "二七新区", "马寨产业集聚区", "田园区"],
}
VISION = "建设现代化国际化生态化新城区"
PATHS = {
    "品质二七": ["在主导产业升级上争先出彩", "在城市品质提升上争先出彩", "在改革创新深化上争先出彩"],
    "田园二七": ["在美丽田园打造上争先出彩"],
    "温暖二七": ["在美好生活创造上争先出彩", "在社会治理强化上争先出彩"],
}
AREA_TAGS = {
    "在主导产业升级上争先出彩": ["高端商贸业", "现代制造业", "文旅康养业", "科技服务业"],
    "在美丽田园打造上争先出彩": ["田园区"],
}
SUBDISTRICTS = [
    "淮河路街道",
    "解放路街道",
    "铭功路街道",
    "一马路街道",
    "蜜蜂张街道",
    "五里堡街道",
    "大学路街道",
    "建中街街道",
    "福华街街道",
    "德化街街道",
    "嵩山路街道",
    "京广路街道",
    "长江路街道",
    "人和路街道",
]

# Per commitment, by its object in the gold file: (leader post, lead unit, co-units, tags, milestones).
ASSIGNMENTS = {
    "小微企业园新启动建设": (
        "分管经济副区长",
        "区工信局",
        ["区发改委", "区商务局", "马寨镇"],
        ["科技服务业"],
        [("2021-12-31", 3), ("2022-12-31", 7)],
    ),
    "核心板块打造": ("常务副区长", "区发改委", ["区商务局", "区文广旅局", "区城管局"], ["中心城区", "二七新区"], []),
    "“一环十横十纵”二期道路": ("分管城建副区长", "区住建局", ["区城管局", "区交通运输局"], ["中心城区"], []),
    "三期道路综合改造": (
        "分管城建副区长",
        "区住建局",
        ["区城管局", "区交通运输局"],
        ["中心城区"],
        [("2021-03-31", 1), ("2021-05-31", 2)],
    ),
    "老旧小区改造提升": (
        "分管城建副区长",
        "区住建局",
        SUBDISTRICTS,
        ["中心城区"],
        [("2021-03-31", 40), ("2021-06-30", 100), ("2021-09-30", 180)],
    ),
    "打通断头路": (
        "分管城建副区长",
        "区交通运输局",
        ["区住建局", "区城管局"],
        ["二七新区"],
        [("2021-06-30", 5), ("2021-09-30", 10)],
    ),
    "精品村建设": ("分管农业副区长", "区农业农村局", ["侯寨乡", "区文广旅局"], ["田园区"], []),
    "示范村建设": ("分管农业副区长", "区农业农村局", ["侯寨乡"], ["田园区"], []),
    "规范村建设": ("分管农业副区长", "区农业农村局", ["侯寨乡", "马寨镇"], ["田园区"], []),
    "重大生态项目建设": (
        "分管农业副区长",
        "区生态环境分局",
        ["区农业农村局", "区发改委"],
        ["田园区"],
        [("2021-06-30", 10), ("2021-09-30", 20)],
    ),
}
# Sub-tasks of the 248 old compounds: three sub-districts' shares, with quarterly milestones.
OLD_COMPOUND_SUBTASKS = [
    ("铭功路街道老旧小区改造提升", 36, "铭功路街道", [("2021-03-31", 6), ("2021-06-30", 15), ("2021-09-30", 26)]),
    ("解放路街道老旧小区改造提升", 32, "解放路街道", [("2021-03-31", 5), ("2021-06-30", 13), ("2021-09-30", 23)]),
    ("淮河路街道老旧小区改造提升", 28, "淮河路街道", [("2021-03-31", 4), ("2021-06-30", 11), ("2021-09-30", 20)]),
]


def _offset(text: str, quote: str) -> int | None:
    # Quotes in the gold file ignore whitespace: search with optional whitespace between characters.
    pattern = r"\s*".join(re.escape(c) for c in quote if not c.isspace())
    match = re.search(pattern, text)
    return match.start() if match else None


def _milestones(points) -> list[MilestoneLine]:
    return [MilestoneLine(date.fromisoformat(d), Decimal(v), "") for d, v in points]


@transaction.atomic
def load_demo_plan() -> Plan | None:
    if Plan.objects.filter(title=TITLE).exists():
        return None
    for kind, names in TAGS.items():
        for rank, name in enumerate(names):
            if not DimensionTag.objects.filter(kind=kind, name=name).exists():
                tag_save(actor=None, kind=kind, name=name, rank=rank)
    tags = {t.name: t for t in DimensionTag.objects.all()}
    units = {u.name: u for u in Unit.objects.all()}
    posts = {p.title: p for p in LeaderPost.objects.all()}
    text = (DATA / "erqi-2021-plan.txt").read_text(encoding="utf-8")
    gold = json.loads((DATA / "erqi-2021-plan.gold.json").read_text(encoding="utf-8"))
    plan = plan_create(actor=None, year=gold["plan_year"], title=TITLE, source_text=text)
    vision = node_add(actor=None, plan=plan, parent=None, title=VISION, kind=PlanNode.Kind.VISION)
    areas: dict[str, PlanNode] = {}
    for path_title, area_titles in PATHS.items():
        path = node_add(actor=None, plan=plan, parent=vision, title=path_title, kind=PlanNode.Kind.PATH)
        for title in area_titles:
            area_tags = [tags[n] for n in AREA_TAGS.get(title, [])]
            areas[title] = node_add(
                actor=None, plan=plan, parent=path, title=title, kind=PlanNode.Kind.AREA, tags=area_tags
            )
    for item in gold["commitments"]:
        post, lead, co_units, tag_names, points = ASSIGNMENTS[item["object"]]
        task = task_create(
            actor=None,
            plan=plan,
            parent=areas[item["area"]],
            source_offset=_offset(text, item["quote"]),
            data=TaskData(
                title=item["quote"],
                deadline=date.fromisoformat(item["deadline"]),
                target_value=Decimal(str(item["target_value"])),
                target_unit=item["unit"],
                object=item["object"],
                modality=item["modality"],
                source_quote=item["quote"],
                responsible_post=posts[post],
                lead_unit=units[lead],
                co_units=[units[n] for n in co_units],
                tags=[tags[n] for n in tag_names],
                milestones=_milestones(points),
            ),
        )
        if item["object"] == "老旧小区改造提升":
            for title, target, unit_name, sub_points in OLD_COMPOUND_SUBTASKS:
                task_create(
                    actor=None,
                    plan=plan,
                    parent=task.node,
                    data=TaskData(
                        title=title,
                        deadline=date(2021, 12, 31),
                        target_value=Decimal(target),
                        target_unit="个",
                        object="老旧小区改造提升",
                        responsible_post=posts[post],
                        lead_unit=units[unit_name],
                        co_units=[units["区住建局"]],
                        milestones=_milestones(sub_points),
                        source_quote=item["quote"],
                    ),
                )
    plan_update(actor=None, plan=plan, title=plan.title, source_text=plan.source_text, status=Plan.Status.ACTIVE)
    return plan
