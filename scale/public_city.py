"""The city's public items and positions (issue 18): a deterministic sample of tasks published on the
portal with a public note, and placed on the map, so the portal and map benchmarks run at city scale.

About one task in 60 (at most `MAX_PUBLIC`): a city publishes tens to a few hundred 民生实事 a year.
Written with the generator's bulk `insert` (COPY on PostgreSQL), like the rest of the city.
"""

import random
from datetime import timedelta

from django.utils import timezone

from maps.models import Location
from portal.models import PublicItem, PublicUpdate
from scale.generator import insert

MAX_PUBLIC = 300
EVERY = 60
# Inside 二七区 (WGS-84), where the city's points are scattered.
BOX = (113.56, 34.66, 113.66, 34.74)


def build_public(builder) -> int:
    rng = random.Random(18)
    chosen = [t for t in builder.tasks if t["level"] == 0][::EVERY][:MAX_PUBLIC]
    now = timezone.now()
    office = builder.first_office
    items, updates, places = [], [], []
    for n, t in enumerate(chosen, start=1):
        title, year = t["title"][:120], t["deadline"].year
        items.append((n, "task", t["id"], title, "公开说明（生成数据）", year, True, now, office, now, now, 1))
        updates.append((n, n, builder.today - timedelta(days=rng.randint(1, 60)), "已按计划推进。", office, now))
        lng, lat = rng.uniform(BOX[0], BOX[2]), rng.uniform(BOX[1], BOX[3])
        places.append((n, "task", t["id"], round(lat, 6), round(lng, 6), "typed", office, now))
    columns = ["id", "kind", "object_id", "title", "summary", "year", "is_published", "published_at"]
    insert(PublicItem, [*columns, "created_by_id", "created_at", "updated_at", "version"], items)
    insert(PublicUpdate, ["id", "item_id", "date", "text", "created_by_id", "created_at"], updates)
    insert(Location, ["id", "kind", "object_id", "latitude", "longitude", "source", "set_by_id", "set_at"], places)
    return len(items)
