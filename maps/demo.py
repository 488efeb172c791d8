"""Demo data of the map (labelled demo): approximate polygons for the six core blocks (六大核心板块)
and positions for the public livelihood tasks. The shapes are small squares placed inside 二七区 by
eye, not the blocks' real boundaries; `Zone.is_demo` marks them and the map says "demo"."""

import json

from django.db import transaction

from maps import services
from maps.models import Location, Zone
from plans.demo import TITLE
from plans.models import Plan, Task

# Block → (centre lng, lat in WGS-84, half side in degrees): approximate, inside the district outline.
BLOCKS = {
    "二七商圈": (113.642, 34.748, 0.008),
    "总部经济": (113.640, 34.722, 0.006),
    "健康产业": (113.600, 34.695, 0.008),
    "凤湖智能新区": (113.580, 34.660, 0.008),
    "华侨城文旅": (113.550, 34.650, 0.008),
    "足球小镇": (113.578, 34.636, 0.006),
}
# Positions of demo tasks, by object (approximate, WGS-84).
POSITIONS = {
    "老旧小区改造提升": (34.750, 113.645),
    "公办幼儿园新增": (34.700, 113.605),
    "中小学午餐供应": (34.725, 113.638),
    "课后延时服务": (34.690, 113.570),
    "社区日间照料中心": (34.745, 113.650),
    "婴幼儿照护服务设施": (34.660, 113.585),
}


def demo_geojson() -> bytes:
    features = []
    for name, (x, y, r) in BLOCKS.items():
        ring = [[x - r, y - r], [x + r, y - r], [x + r, y + r], [x - r, y + r], [x - r, y - r]]
        features.append(
            {
                "type": "Feature",
                "properties": {"name": name, "demo": True},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()


@transaction.atomic
def load_demo_map() -> int:
    """Import the demo polygons (through the real importer) and place the demo tasks; idempotent."""
    from accounts.models import User

    office = User.objects.filter(username="office").first()
    plan = Plan.objects.filter(title=TITLE).first()
    if office is None or plan is None:
        return 0
    created = 0
    if not Zone.objects.filter(name__in=BLOCKS).exists():
        created += len(services.zones_import(actor=office, data=demo_geojson(), is_demo=True))
    for obj, (lat, lng) in POSITIONS.items():
        task = Task.objects.filter(plan=plan, object=obj, is_deleted=False).order_by("node__depth", "pk").first()
        if task is not None and not Location.objects.filter(kind="task", object_id=task.pk).exists():
            services.task_locate(actor=office, task=task, latitude=lat, longitude=lng, source=Location.Source.TYPED)
            created += 1
    return created
