# ruff: noqa: E501  (data tables and row tuples read better on one line each)
"""A deterministic city (郑州: 16 districts and counties) for benchmarks: `manage.py seed_scale`.

Built through the same models and tables as the product, inserted in bulk with ids assigned here
(PostgreSQL: COPY; SQLite: executemany), so 20 000 tasks and 200 000 reports load in about a minute:

- per district: a unit tree (district, supervision office, departments, sub-districts and towns),
  leader posts, a plan tree (vision → paths → areas → key tasks → sub-tasks, treebeard paths
  computed here), tasks with 三定, milestones, co-operating units and weights;
- a year of reports up to the given day: approved, returned, pending approval, late, missing,
  with evidence file records (one placeholder file on disk per kind, a distinct hash per record);
- the office's judgements, verifications of finished tasks, audit events hash-chained in order
  (`audit_verify` prints OK), a few supervision orders (issued through the service), and the
  day's stored statuses.

Same seed, same day → same city. Every generated account shares one password, hashed once.
"""

import hashlib
import io
import json
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import RoleGrant, User
from accounts.roles import Role
from audit import chain
from audit.models import AuditChainHead, AuditEvent
from audit.services import audit_keyring
from core.collation import pinyin_key
from core.workcalendar import work_calendar
from maps.models import Location
from org.models import LeaderPost, Unit
from plans import treepath
from plans.models import DimensionTag, Milestone, Plan, PlanNode, Task
from portal.models import PublicItem, PublicUpdate
from reports import engine
from reports.models import EvidenceFile, Judgement, ProgressReport
from reports.status import DueDates

SCALE_PASSWORD = "Luoshi@2026"  # noqa: S105  (generated benchmark accounts only; printed by seed_scale)
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = treepath.STEPLEN

# (code, name, kind of government): 郑州's 12 county-level divisions and 4 development zones.
DISTRICTS = [
    ("zy", "中原区", "区"),
    ("eq", "二七区", "区"),
    ("gc", "管城回族区", "区"),
    ("js", "金水区", "区"),
    ("sj", "上街区", "区"),
    ("hj", "惠济区", "区"),
    ("zm", "中牟县", "县"),
    ("gy", "巩义市", "市"),
    ("xy", "荥阳市", "市"),
    ("xm", "新密市", "市"),
    ("xz", "新郑市", "市"),
    ("df", "登封市", "市"),
    ("zd", "郑东新区", "管委会"),
    ("gx", "高新区", "管委会"),
    ("jk", "经开区", "管委会"),
    ("hk", "航空港区", "管委会"),
]
DEPARTMENTS = [
    "发改委", "住建局", "城管局", "农业农村局", "教育局", "卫健委", "财政局", "商务局", "工信局", "科技局",
    "人社局", "民政局", "文广旅局", "市场监管局", "生态环境分局", "交通运输局", "应急管理局", "大数据局",
    "自然资源局", "水利局", "审计局", "统计局", "司法局", "退役军人事务局", "医保局", "林业局", "信访局",
    "园林局", "房管中心", "投资促进局", "征收办", "融媒体中心", "国资中心", "城投公司", "体育中心", "档案馆",
]  # fmt: skip
PLACES = [
    "建设路", "桐柏路", "三官庙", "绿东村", "林山寨", "秦岭路", "棉纺路", "航海西路", "汝河路", "须水",
    "中原西路", "西流湖", "石佛", "莲湖", "沟赵", "柳林", "兴达路", "丰庆路", "南阳路", "杨金路",
    "东风路", "文化路", "未来路", "凤凰台", "龙子湖", "如意湖", "博学路", "商都路", "圃田", "祭城",
    "紫荆山", "北下街", "城东路", "西大街", "南关", "航海东路", "十八里河", "南曹", "金岱", "侯寨",
    "马寨", "大河路", "花园路", "丰产路", "人民路", "杜岭", "经八路", "大石桥", "二里岗", "陇海",
]  # fmt: skip
POSTS = {
    "区": ["区委书记", "区长", "常务副区长", "分管城建副区长", "分管经济副区长", "分管农业副区长", "分管社会事业副区长", "分管政法副区长"],
    "县": ["县委书记", "县长", "常务副县长", "分管城建副县长", "分管经济副县长", "分管农业副县长", "分管社会事业副县长", "分管政法副县长"],
    "市": ["市委书记", "市长", "常务副市长", "分管城建副市长", "分管经济副市长", "分管农业副市长", "分管社会事业副市长", "分管政法副市长"],
    "管委会": ["党工委书记", "管委会主任", "常务副主任", "分管建设副主任", "分管招商副主任", "分管规划副主任", "分管社会事务副主任", "分管安全副主任"],
}  # fmt: skip
PATHS = ["品质城市", "田园城市", "温暖城市"]
AREAS = [
    "在改革创新深化上争先出彩", "在产业转型升级上争先出彩", "在城市品质提升上争先出彩",
    "在乡村振兴上争先出彩", "在生态环境保护上争先出彩", "在民生福祉改善上争先出彩",
]  # fmt: skip
BLOCKS = ["城市核心板块", "科创板块", "文旅板块", "商贸物流板块", "生态板块", "乡村振兴板块"]
INDUSTRIES = ["电子信息", "装备制造", "现代物流", "文化旅游", "数字经济", "生物医药"]
WORKS = [
    ("老旧小区改造提升", "个"), ("背街小巷整治", "条"), ("道路综合改造", "公里"), ("口袋公园建设", "个"),
    ("雨污分流改造", "公里"), ("农村人居环境整治", "个村"), ("高标准农田建设", "万亩"), ("中小学新建扩建", "所"),
    ("社区卫生服务中心建设", "个"), ("养老服务设施建设", "个"), ("招商引资签约", "亿元"), ("重点项目投资", "亿元"),
    ("新增就业", "人"), ("城市绿化提升", "万平方米"), ("智慧停车泊位", "个"), ("燃气管网改造", "公里"),
    ("企业上云", "家"), ("高新技术企业培育", "家"), ("保障性住房筹集", "套"), ("充电桩建设", "个"),
]  # fmt: skip
NARRATIVES = [
    "{o}累计完成{v}{u}，按计划推进，现场施工有序。",
    "截至本期末，{o}累计完成{v}{u}；已召开推进会协调施工组织。",
    "{o}本期新增进度，累计{v}{u}；督促施工单位加大人员机械投入。",
    "累计完成{v}{u}。{o}相关手续已办结，正在组织验收准备。",
    "{o}本期完成阶段性工作，累计{v}{u}，资金拨付正常。",
]
PROBLEMS = ["", "", "", "部分点位群众意见不统一，需加强沟通。", "雨季影响施工进度。", "资金拨付流程较长。"]
NEXT_STEPS = ["继续加快推进，确保按节点完成。", "协调解决存在问题，倒排工期。", "加强现场督导，每周调度。"]
# How a task's reality differs from its plan: (share, pace, stops reporting after this fraction of the year).
PROFILES = [
    (0.55, 1.0, 1.0),
    (0.10, 1.15, 1.0),
    (0.18, 0.78, 1.0),
    (0.08, 0.5, 1.0),
    (0.05, 0.9, 0.55),
    (0.04, 1.3, 1.0),
]


def path_of(*positions: int) -> str:
    """Treebeard's materialised path for 1-based sibling positions from the root down."""
    out = []
    for pos in positions:
        digits = ""
        for _ in range(STEPLEN):
            pos, rem = divmod(pos, len(ALPHABET))
            digits = ALPHABET[rem] + digits
        out.append(digits)
    return "".join(out)


@dataclass
class Sizes:
    tasks: int = 20000
    reports: int = 200000
    units: int = 1000
    users: int = 5000


@dataclass
class Outcome:
    counts: dict[str, int] = field(default_factory=dict)
    username_examples: dict[str, str] = field(default_factory=dict)


class _Ids:
    """Ids assigned here, after the largest already in each table, so rows can reference each other."""

    def __init__(self) -> None:
        self._next: dict[type, int] = {}

    def take(self, model: type[models.Model], n: int = 1) -> int:
        if model not in self._next:
            self._next[model] = (model._default_manager.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        first = self._next[model]
        self._next[model] += n
        return first


def insert(model, columns: Sequence[str], rows: list[tuple]) -> None:
    """Bulk insert plain tuples (COPY on PostgreSQL): the generator's only write path besides services."""
    if not rows:
        return
    table = model._meta.db_table
    cols = [model._meta.get_field(c).column if not c.endswith("_id") else c for c in columns]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quoted = ", ".join(connection.ops.quote_name(c) for c in cols)
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(cols))
            names = ", ".join(connection.ops.quote_name(c) for c in cols)
            sql = f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES ({marks})"  # noqa: S608
            for start in range(0, len(rows), 5000):
                cursor.executemany(sql, rows[start : start + 5000])


def reset_sequences(model_list: Sequence[type[models.Model]]) -> None:
    """Move id sequences past the ids assigned here (never backwards)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in model_list:
            table, pk = model._meta.db_table, model._meta.pk.column
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
            seq = cursor.fetchone()[0]
            if seq:
                cursor.execute(
                    f"SELECT setval(%s, GREATEST((SELECT COALESCE(MAX({pk}), 1) FROM {table}), "  # noqa: S608
                    "(SELECT last_value FROM " + seq + ")))",
                    [seq],
                )


def _jsonable(value):
    return json.dumps(value, ensure_ascii=False)


def _aware(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class CityBuilder:
    def __init__(self, *, sizes: Sizes, seed: int, today: date, year: int | None = None) -> None:
        self.sizes, self.seed, self.today = sizes, seed, today
        self.year = year or today.year
        self.rng = random.Random(seed)
        self.ids = _Ids()
        self.now = timezone.now()
        self.events: list[tuple] = []  # (at, actor_id, username, verb, object_type, object_id, repr, before, after)
        self.out = Outcome()

    # --- organisation ---------------------------------------------------------------------------

    def build_org(self) -> None:
        sizes = self.sizes
        self.districts = DISTRICTS[: max(1, min(16, sizes.units // 4))]
        nd = len(self.districts)
        unit_rows: list[tuple[Any, ...]] = []
        post_rows: list[list[Any]] = []
        city_id = self.ids.take(Unit)
        unit_rows.append(
            (
                city_id,
                None,
                "zz-city",
                "郑州市（生成）",
                "郑州市人民政府",
                "district",
                True,
                pinyin_key("郑州市（生成）"),
            )
        )
        per = [(sizes.units - 1) // nd + (1 if i < (sizes.units - 1) % nd else 0) for i in range(nd)]
        self.units_by_district: dict[str, list[tuple[int, str, str]]] = {}  # code → [(id, name, kind)]
        self.office_unit: dict[str, int] = {}
        self.district_unit: dict[str, int] = {}
        for (dcode, dname, gov), n in zip(self.districts, per, strict=True):
            did = self.ids.take(Unit)
            name = f"郑州市{dname}"
            unit_rows.append((did, city_id, f"zz-{dcode}", name, name, "district", True, pinyin_key(name)))
            self.district_unit[dcode] = did
            oid = self.ids.take(Unit)
            oname = f"{dname}督查室"
            unit_rows.append(
                (oid, did, f"zz-{dcode}-dcs", oname, f"{dname}委{dname}政府督查室", "office", True, pinyin_key(oname))
            )
            self.office_unit[dcode] = oid
            rest = max(n - 2, 1)
            ndept = min(len(DEPARTMENTS), max(1, round(rest * 0.6)))
            nplace = max(rest - ndept, 0)
            members = []
            for i in range(ndept):
                uid = self.ids.take(Unit)
                uname = f"{dname}{DEPARTMENTS[i]}"
                unit_rows.append(
                    (uid, did, f"zz-{dcode}-d{i:02d}", uname, uname, "department", True, pinyin_key(uname))
                )
                members.append((uid, uname, "department"))
            for i in range(nplace):
                uid = self.ids.take(Unit)
                place = PLACES[i % len(PLACES)] + ("" if i < len(PLACES) else str(i // len(PLACES) + 1))
                suffix = "街道" if i % 4 else ("镇" if gov in ("县", "市") else "街道")
                uname = f"{dname}{place}{suffix}"
                unit_rows.append(
                    (
                        uid,
                        did,
                        f"zz-{dcode}-s{i:02d}",
                        uname,
                        uname + "办事处",
                        "subdistrict" if suffix == "街道" else "town",
                        True,
                        pinyin_key(uname),
                    )
                )
                members.append((uid, uname, "subdistrict"))
            self.units_by_district[dcode] = members
        insert(Unit, ["id", "parent_id", "code", "name", "full_name", "kind", "is_active", "sort_key"], unit_rows)
        self.out.counts["units"] = len(unit_rows)

        # Users: admins, then per district its office staff and leaders, then a reporter and a head per unit,
        # then more reporters, until the number asked for.
        password = make_password(SCALE_PASSWORD)  # hashed once for every generated account
        wanted: list[tuple[str, str, int, Role]] = [
            ("zz_sysadmin", "系统管理员（生成）", city_id, Role.SYSTEM_ADMIN),
            ("zz_secadmin", "安全管理员（生成）", city_id, Role.SECURITY_ADMIN),
            ("zz_auditadmin", "审计管理员（生成）", city_id, Role.AUDIT_ADMIN),
        ]
        self.posts_by_district: dict[str, list[int]] = {}
        post_holders = []
        for dcode, dname, gov in self.districts:
            wanted.append(
                (f"zz_{dcode}_office", f"{dname}督查室工作人员（生成）", self.office_unit[dcode], Role.OFFICE)
            )
            ids = []
            for rank, title in enumerate(POSTS[gov]):
                pid = self.ids.take(LeaderPost)
                ids.append(pid)
                username = f"zz_{dcode}_leader{rank}"
                post_rows.append([pid, f"{dname}{title}", (rank + 1) * 10, "", None, True])
                post_holders.append((len(post_rows) - 1, username))
                wanted.append((username, f"{dname}{title}（生成）", self.district_unit[dcode], Role.LEADER))
            self.posts_by_district[dcode] = ids
        unit_list = [
            (dcode, uid, uname) for dcode, _n, _g in self.districts for uid, uname, _k in self.units_by_district[dcode]
        ]
        for dcode, uid, uname in unit_list:
            code = f"{dcode}{uid}"
            wanted.append((f"zz_{code}_r1", f"{uname}填报员（生成）", uid, Role.UNIT_REPORTER))
            wanted.append((f"zz_{code}_head", f"{uname}负责人（生成）", uid, Role.UNIT_HEAD))
        extra = 2
        while len(wanted) < sizes.users and unit_list:
            for dcode, uid, uname in unit_list:
                if len(wanted) >= sizes.users:
                    break
                wanted.append((f"zz_{dcode}{uid}_r{extra}", f"{uname}填报员{extra}（生成）", uid, Role.UNIT_REPORTER))
            extra += 1
        wanted = wanted[: sizes.users]
        user_rows, grant_rows = [], []
        self.user_id: dict[str, int] = {}
        self.reporters: dict[int, list[int]] = defaultdict(list)
        self.heads: dict[int, int] = {}
        self.office_user: dict[str, int] = {}
        joined = _aware(date(self.year, 1, 4), 9)
        for username, display, unit_id, role in wanted:
            uid = self.ids.take(User)
            self.user_id[username] = uid
            user_rows.append(
                (
                    uid,
                    password,
                    None,
                    False,
                    username,
                    "",
                    "",
                    "",
                    False,
                    True,
                    joined,
                    display,
                    unit_id,
                    "",
                    True,
                    pinyin_key(display),
                )
            )
            grant_rows.append((self.ids.take(RoleGrant), uid, role.value, None, joined))
            if role is Role.UNIT_REPORTER:
                self.reporters[unit_id].append(uid)
            elif role is Role.UNIT_HEAD:
                self.heads[unit_id] = uid
            elif role is Role.OFFICE:
                self.office_user[username.split("_")[1]] = uid
        for index, username in post_holders:
            post_rows[index][4] = self.user_id.get(username)
        insert(
            User,
            ["id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email", "is_staff",
             "is_active", "date_joined", "display_name", "unit_id", "phone", "is_demo", "sort_key"],
            user_rows,
        )  # fmt: skip
        insert(RoleGrant, ["id", "user_id", "role", "granted_by_id", "granted_at"], grant_rows)
        insert(
            LeaderPost, ["id", "title", "rank", "portfolio", "holder_id", "is_active"], [tuple(r) for r in post_rows]
        )
        self.out.counts["users"] = len(user_rows)
        self.out.counts["leader_posts"] = len(post_rows)
        some_unit = unit_list[0][1] if unit_list else None
        self.out.username_examples = {
            "office": f"zz_{self.districts[0][0]}_office",
            "leader": f"zz_{self.districts[0][0]}_leader1",
            "reporter": next(
                (
                    u
                    for u, i in self.user_id.items()
                    if some_unit is not None and i in self.reporters.get(some_unit, [])
                ),
                "",
            ),
        }
        self.first_office = self.user_id[self.out.username_examples["office"]]

    # --- plans and tasks ------------------------------------------------------------------------

    def build_plans(self) -> None:
        rng, sizes = self.rng, self.sizes
        tag_ids = {}
        existing = {(t.kind, t.name): t.pk for t in DimensionTag.objects.all()}
        tag_rows = []
        for kind, names in (("block", BLOCKS), ("industry", INDUSTRIES)):
            for rank, name in enumerate(names):
                key = (kind, name)
                if key in existing:
                    tag_ids[key] = existing[key]
                else:
                    tag_ids[key] = self.ids.take(DimensionTag)
                    tag_rows.append((tag_ids[key], kind, name, rank * 10, True))
        insert(DimensionTag, ["id", "kind", "name", "rank", "is_active"], tag_rows)
        per_task = sizes.reports / max(sizes.tasks, 1)
        self.cadence = "weekly" if per_task > 25 else "monthly" if per_task > 5 else "quarterly"
        nd = len(self.districts)
        last_root = PlanNode.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
        roots = int(last_root, 36) if last_root else 0
        plan_rows: list[tuple[Any, ...]] = []
        node_rows: list[tuple[Any, ...]] = []
        tag_links: list[tuple[Any, ...]] = []
        task_rows: list[tuple[Any, ...]] = []
        co_rows: list[tuple[Any, ...]] = []
        ms_rows: list[tuple[Any, ...]] = []
        self.tasks: list[dict] = []
        created = _aware(date(self.year, 1, 4), 10)
        for di, (dcode, dname, _gov) in enumerate(self.districts):
            n_tasks = sizes.tasks // nd + (1 if di < sizes.tasks % nd else 0)
            plan_id = self.ids.take(Plan)
            plan_rows.append(
                (
                    plan_id,
                    self.year,
                    f"{dname}{self.year}年度重点工作（生成）",
                    "",
                    Plan.Status.ACTIVE.value,
                    self.cadence,
                    1,
                    Decimal(10),
                    Decimal(25),
                    created,
                    created,
                )
            )
            # Nodes: vision → 3 paths → 2 areas each → key tasks → sub-tasks.
            n_key = max(1, math.ceil(n_tasks * 0.4))
            subs = [0] * n_key
            for _ in range(n_tasks - n_key):
                subs[rng.randrange(n_key)] += 1
            keys_per_area = [n_key // 6 + (1 if i < n_key % 6 else 0) for i in range(6)]
            root_pos = roots + di + 1
            vision = (self.ids.take(PlanNode), path_of(root_pos))
            node_rows.append((vision[0], vision[1], 1, 3, plan_id, "vision", f"{dname}{self.year}年愿景"))
            members = self.units_by_district[dcode]
            weights = [1.0 / (i + 1) for i in range(len(members))]  # a few units lead many tasks
            posts = self.posts_by_district[dcode]
            code_no, key_index = 0, 0
            for p in range(3):
                pid = self.ids.take(PlanNode)
                ppath = vision[1] + path_of(p + 1)
                node_rows.append((pid, ppath, 2, 2, plan_id, "path", PATHS[p]))
                for a in range(2):
                    ai = p * 2 + a
                    nkeys = keys_per_area[ai]
                    aid = self.ids.take(PlanNode)
                    apath = ppath + path_of(a + 1)
                    node_rows.append((aid, apath, 3, nkeys, plan_id, "area", AREAS[ai]))
                    tag_links.append((aid, tag_ids[("block", BLOCKS[ai])]))
                    if ai % 2 == 0:
                        tag_links.append((aid, tag_ids[("industry", INDUSTRIES[ai])]))
                    for k in range(nkeys):
                        kpath = apath + path_of(k + 1)
                        nsub = subs[key_index]
                        key_index += 1
                        code_no += 1
                        key_task = self._task(plan_id, dcode, kpath, 4, nsub, code_no, 0, members, weights, posts)
                        node_rows.append(key_task.pop("node_row"))
                        for s in range(nsub):
                            code_no += 1
                            sub = self._task(
                                plan_id, dcode, kpath + path_of(s + 1), 5, 0, code_no, 1, members, weights, posts,
                                parent=key_task,
                            )  # fmt: skip
                            node_rows.append(sub.pop("node_row"))
        for t in self.tasks:
            task_rows.append(t["row"])
            co_rows.extend((self.ids.take(Task.co_units.through), t["id"], u) for u in t["co_units"])
            for day, value in t["milestones"]:
                ms_rows.append((self.ids.take(Milestone), t["id"], day, value, f"{day.month}月底前累计完成{value}"))
        insert(Plan, ["id", "year", "title", "source_text", "status", "cadence", "stagger_workdays", "lag_yellow_percent", "lag_red_percent", "created_at", "updated_at"], plan_rows)  # fmt: skip
        insert(PlanNode, ["id", "path", "depth", "numchild", "plan_id", "kind", "title"], node_rows)
        through = PlanNode.tags.through
        insert(
            through, ["id", "plannode_id", "dimensiontag_id"], [(self.ids.take(through), n, t) for n, t in tag_links]
        )
        insert(
            Task,
            ["id", "node_id", "plan_id", "code", "object", "target_value", "target_unit", "start_date", "deadline",
             "modality", "measures", "source_quote", "source_offset", "responsible_post_id", "lead_unit_id",
             "baseline_target_value", "baseline_deadline", "weight", "verified_on", "version", "is_deleted",
             "deleted_at", "created_at", "updated_at", "measure_key", "measure_params"],
            task_rows,
        )  # fmt: skip
        insert(Task.co_units.through, ["id", "task_id", "unit_id"], co_rows)
        insert(Milestone, ["id", "task_id", "date", "planned_value", "description"], ms_rows)
        self.out.counts.update(
            plans=len(plan_rows), plan_nodes=len(node_rows), tasks=len(task_rows), milestones=len(ms_rows)
        )

    def _task(
        self, plan_id, dcode, path, depth, numchild, code_no, level, members, weights, posts, parent=None
    ) -> dict:
        rng, year = self.rng, self.year
        work, measure = WORKS[rng.randrange(len(WORKS))]
        place = PLACES[rng.randrange(len(PLACES))]
        if parent is not None:
            lead = parent["lead"] if rng.random() < 0.3 else rng.choices(members, weights)[0][0]
            start, deadline = parent["start"], parent["deadline"]
            target_number = max(1, round(float(parent["target"]) * rng.uniform(0.1, 0.4)))
        else:
            lead = rng.choices(members, weights)[0][0]
            start = date(year, 1, 1) if rng.random() < 0.8 else date(year, rng.choice([2, 3, 4]), 1)
            deadline = rng.choices(
                [date(year, 12, 31), date(year, 6, 30), date(year, 9, 30), date(year, 10, 31)], [75, 10, 10, 5]
            )[0]
            target_number = rng.choice([5, 8, 10, 12, 20, 30, 50, 80, 100, 120, 200, 248, 300, 500])
        target = Decimal(target_number)
        title = f"{place}{work}{target}{measure}"
        node_id, task_id = self.ids.take(PlanNode), self.ids.take(Task)
        others = [m[0] for m in members if m[0] != lead]
        co = rng.sample(others, min(len(others), rng.choices([0, 1, 2, 3], [30, 40, 20, 10])[0]))
        milestones = []
        for month in (3, 6, 9):
            day = date(year, month, 30 if month in (6, 9) else 31)
            if start < day < deadline:
                span = (deadline - start).days
                share = (day - start).days / span
                milestones.append(
                    (day, Decimal(max(0, round(float(target) * min(1.0, share * rng.uniform(0.85, 1.05))))))
                )
        clean: list[tuple[date, Any]] = []
        for day, value in milestones:  # non-decreasing, as forms require
            clean.append((day, max(value, clean[-1][1]) if clean else value))
        weight = Decimal(rng.choices([1, 2, 3], [85, 10, 5])[0])
        created = _aware(date(year, 1, 4), 10)
        quote = f"{title}，确保按期完成。"
        row = (
            task_id, node_id, plan_id, f"T{code_no:04d}", f"{place}{work}", target, measure, start, deadline,
            "must" if rng.random() < 0.8 else "strive", "倒排工期，挂图作战。", quote, None,
            posts[2 + rng.randrange(len(posts) - 2)], lead, target, deadline, weight, None, 1, False, None, created, created,
            "", "{}",  # not bound to a measure: its actual comes from reports
        )  # fmt: skip
        pick = rng.random()
        cumulative = 0.0
        profile = PROFILES[0]
        for p in PROFILES:
            cumulative += p[0]
            if pick < cumulative:
                profile = p
                break
        task = {
            "id": task_id, "plan": plan_id, "code": f"T{code_no:04d}", "title": title, "lead": lead, "co_units": co,
            "start": start, "deadline": deadline, "target": target, "measure": measure, "object": f"{place}{work}",
            "milestones": clean, "level": level, "profile": profile, "row": row, "dcode": dcode,
            "node_row": (node_id, path, depth, numchild, plan_id, "sub_task" if level else "key_task", title),
        }  # fmt: skip
        self.tasks.append(task)
        return task

    # --- reports ----------------------------------------------------------------------------------

    def build_reports(self) -> None:
        rng, today = self.rng, self.today
        calendar = work_calendar()
        dues = DueDates(calendar)
        plan = Plan(cadence=self.cadence, stagger_workdays=1)
        elapsed = {}
        total = 0
        for t in self.tasks:
            periods = dues.periods(plan, t["level"], t["start"], t["deadline"])
            past = [p for p in periods if p.due < today]
            elapsed[t["id"]] = past
            total += len(past)
        co_share = 0.05
        present = min(0.97, self.sizes.reports / max(total * (1 + co_share), 1))
        report_rows: list[tuple[Any, ...]] = []
        evidence_rows: list[tuple[Any, ...]] = []
        judgement_rows: list[tuple[Any, ...]] = []
        self.verified: dict[int, date] = {}
        for t in self.tasks:
            target = float(t["target"])
            trajectory = engine.Trajectory(
                engine.TaskInput(
                    t["start"], t["deadline"], t["target"], [engine.Milestone(d, v) for d, v in t["milestones"]]
                )
            )
            _share, pace, stop = t["profile"]
            year_days = (t["deadline"] - t["start"]).days or 1
            value, finished = 0.0, None
            reporters = self.reporters.get(t["lead"]) or [self.first_office]
            head = self.heads.get(t["lead"], self.first_office)
            past = elapsed[t["id"]]
            for i, period in enumerate(past):
                if (period.end - t["start"]).days > stop * year_days:
                    break  # this task stopped reporting
                if finished is not None or rng.random() > present:
                    continue  # missing (未报送), or done
                planned = trajectory.value_at(period.end.toordinal())
                value = min(target, max(value, round(planned * pace * rng.uniform(0.97, 1.03), 1)))
                if value >= target:
                    finished = period.end
                late = rng.random() < 0.08
                submitted_day = (
                    period.due + timedelta(days=rng.randint(1, 6))
                    if late
                    else period.due - timedelta(days=rng.randint(0, 4))
                )
                submitted_day = min(submitted_day, today)
                submitted = min(
                    _aware(submitted_day, rng.randint(8, 17), rng.randint(0, 59)), self.now - timedelta(hours=1)
                )
                recent = (today - period.due).days < 10
                approved: datetime | None
                state, approved = "approved", submitted + timedelta(days=rng.randint(0, 2), hours=rng.randint(1, 5))
                roll = rng.random()
                if roll < 0.02 or (recent and roll < 0.12):
                    state, approved = "returned", None
                elif recent and roll < 0.55 or (approved is not None and approved > self.now):
                    state, approved = "submitted", None
                reporter = reporters[i % len(reporters)]
                rid = self.ids.take(ProgressReport)
                narrative = NARRATIVES[rng.randrange(len(NARRATIVES))].format(o=t["object"], v=value, u=t["measure"])
                report_rows.append((
                    rid, t["id"], t["lead"], True, period.end, period.due, Decimal(str(value)), narrative,
                    PROBLEMS[rng.randrange(len(PROBLEMS))], NEXT_STEPS[rng.randrange(len(NEXT_STEPS))], state,
                    reporter, submitted, approved or submitted, submitted, submitted, approved,
                    head if approved else None, "材料不完整，请补充佐证。" if state == "returned" else "", "[]", 2,
                ))  # fmt: skip
                repr_ = f"{t['code']} {period.end} "
                self.events.append((submitted, reporter, "report.submit", "reports.progressreport", rid, repr_, {"state": "draft"}, {"state": "submitted", "value": str(value)}))  # fmt: skip
                if approved:
                    self.events.append((approved, head, "report.approve", "reports.progressreport", rid, repr_, {"state": "submitted"}, {"state": "approved"}))  # fmt: skip
                elif state == "returned":
                    self.events.append((submitted + timedelta(hours=3), head, "report.return", "reports.progressreport", rid, repr_, {"state": "submitted"}, {"state": "returned"}))  # fmt: skip
                if rng.random() < 0.3:
                    for n in range(rng.choice([1, 1, 2])):
                        image = rng.random() < 0.7
                        digest = f"{rng.getrandbits(256):064x}"
                        evidence_rows.append((
                            self.ids.take(EvidenceFile), rid, "evidence/scale/placeholder.jpg" if image else "evidence/scale/placeholder.pdf",
                            "", f"现场照片{n + 1}.jpg" if image else "工作台账.pdf", "image/jpeg" if image else "application/pdf",
                            "image" if image else "document", rng.randint(80_000, 3_000_000), digest,
                            ".jpg" if image else ".pdf", reporter, submitted,
                        ))  # fmt: skip
                # A co-operating unit reports its own part now and then.
                if t["co_units"] and rng.random() < co_share * 3:
                    unit = t["co_units"][0]
                    co_reporter = (self.reporters.get(unit) or [self.first_office])[0]
                    report_rows.append((
                        self.ids.take(ProgressReport), t["id"], unit, False, period.end, period.due, Decimal(str(round(value / 3, 1))),
                        "配合单位完成相关工作。", "", "", "submitted", co_reporter, submitted, submitted, submitted, submitted,
                        None, None, "", "[]", 2,
                    ))  # fmt: skip
            if finished is not None and rng.random() < 0.8:
                verified = finished + timedelta(days=rng.randint(5, 20))
                if verified < today:
                    self.verified[t["id"]] = verified
            if rng.random() < 0.03:
                likelihood = rng.choice(["highly_likely", "likely", "unlikely", "highly_unlikely"])
                recorded = t["start"] + timedelta(
                    days=rng.randint(0, max(1, (min(today, t["deadline"]) - t["start"]).days))
                )
                office = self.office_user.get(t["dcode"], self.first_office)
                judgement_rows.append((self.ids.take(Judgement), t["id"], likelihood, "督查室研判：根据现场督查和报送情况。", recorded, office, _aware(recorded, 16)))  # fmt: skip
        insert(
            ProgressReport,
            ["id", "task_id", "unit_id", "is_lead", "period_end", "due_date", "value", "narrative", "problems",
             "next_steps", "state", "created_by_id", "created_at", "updated_at", "first_submitted_at", "submitted_at",
             "approved_at", "approved_by_id", "returned_reason", "stale_flags", "version"],
            report_rows,
        )  # fmt: skip
        insert(
            EvidenceFile,
            ["id", "report_id", "file", "thumbnail", "original_name", "content_type", "kind", "size", "sha256",
             "extension", "uploaded_by_id", "uploaded_at"],
            evidence_rows,
        )  # fmt: skip
        insert(
            Judgement,
            ["id", "task_id", "likelihood", "reason", "recorded_on", "recorded_by_id", "created_at"],
            judgement_rows,
        )
        for task_id, day in self.verified.items():
            Task.objects.filter(pk=task_id).update(verified_on=day)
        self._placeholders()
        self.out.counts.update(reports=len(report_rows), evidence_files=len(evidence_rows), judgements=len(judgement_rows), verified=len(self.verified))  # fmt: skip

    def _placeholders(self) -> None:
        """One real file per kind, so a generated evidence record opens (its hash is made up, so no reuse flags)."""
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), (90, 140, 200)).save(buffer, format="JPEG")
        for name, data in (
            ("evidence/scale/placeholder.jpg", buffer.getvalue()),
            ("evidence/scale/placeholder.pdf", b"%PDF-1.4\n% generated placeholder\n"),
        ):
            if not default_storage.exists(name):
                default_storage.save(name, io.BytesIO(data))

    # --- audit chain ------------------------------------------------------------------------------

    def build_audit(self) -> None:
        office = self.first_office
        created = _aware(date(self.year, 1, 4), 10)
        usernames = {v: k for k, v in self.user_id.items()}
        for t in self.tasks:
            self.events.append((created, office, "task.create", "plans.task", t["id"], f"{t['code']} {t['title']}", None, {"title": t["title"], "target_value": str(t["target"]), "deadline": t["deadline"].isoformat()}))  # fmt: skip
        for task_id, day in self.verified.items():
            self.events.append((_aware(day, 11), office, "task.verify", "plans.task", task_id, "", {"verified_on": None}, {"verified_on": day.isoformat()}))  # fmt: skip
        self.events.sort(key=lambda e: (e[0], e[2], e[4]))
        # All on chain 1, continuing its head; the other chains fill as the app's writers run concurrently.
        head = AuditChainHead.objects.filter(pk=1).first()
        prev, count = (head.last_hash, head.count) if head else (chain.GENESIS, 0)
        keyring = audit_keyring()
        rows = []
        first = self.ids.take(AuditEvent, len(self.events))
        for offset, (at, actor, verb, otype, oid, repr_, before, after) in enumerate(self.events):
            content = {
                "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
                "actor_id": actor,
                "actor_username": usernames.get(actor, ""),
                "verb": verb,
                "object_type": otype,
                "object_id": str(oid),
                "object_repr": repr_[:200],
                "before": before,
                "after": after,
                "ip": "",
            }
            digest = chain.event_hash(prev, content, key=keyring.current_key, key_id=keyring.current_id)
            rows.append((
                first + offset, at, actor, content["actor_username"], verb, otype, content["object_id"],
                content["object_repr"], None if before is None else _jsonable(before),
                None if after is None else _jsonable(after), "", keyring.current_id, 1, prev, digest,
            ))  # fmt: skip
            prev = digest
        insert(
            AuditEvent,
            ["id", "at", "actor_id", "actor_username", "verb", "object_type", "object_id", "object_repr", "before",
             "after", "ip", "key_id", "chain", "prev_hash", "hash"],
            rows,
        )  # fmt: skip
        AuditChainHead.objects.update_or_create(pk=1, defaults={"last_hash": prev, "count": count + len(rows)})
        self.out.counts["audit_events"] = len(rows)

    # --- supervision orders -------------------------------------------------------------------------

    def build_orders(self, n: int) -> int:
        """A few 督办 orders on red tasks, issued through the supervision service (numbering, audit, notices)."""
        from reports.models import StatusSnapshot
        from supervision.services import order_issue

        district_of = {t["id"]: t["dcode"] for t in self.tasks}
        red = list(
            StatusSnapshot.objects.filter(day=self.today, light="red", task_id__gte=min(district_of, default=0))
            .select_related("task", "task__lead_unit")
            .order_by("task_id")[: n * 3]
        )
        issued = 0
        for row in red[::3][:n]:
            task = row.task
            if task.lead_unit is None:
                continue
            dcode = district_of[task.pk]
            office = User.objects.get(pk=self.office_user.get(dcode, self.first_office))
            order_issue(
                actor=office,
                tasks=[task],
                unit=task.lead_unit,
                kind="reminder" if issued % 3 else "order",
                content=f"{task.code}进度滞后，请说明原因并提出整改措施。",
                issued_on=self.today - timedelta(days=self.rng.randint(1, 20)),
            )
            issued += 1
        return issued


def database_size() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            return cursor.fetchone()[0]
    import os

    name = connection.settings_dict["NAME"]
    return f"{os.path.getsize(name) / 1e6:.0f} MB" if name and os.path.exists(str(name)) else "in memory"


MODELS_WRITTEN: list[type[models.Model]] = [
    Unit, User, RoleGrant, LeaderPost, DimensionTag, Plan, PlanNode, PlanNode.tags.through, Task,
    Task.co_units.through, Milestone, ProgressReport, EvidenceFile, Judgement, AuditEvent,
    PublicItem, PublicUpdate, Location,
]  # fmt: skip


def build_city(*, sizes: Sizes, seed: int, today: date, orders: int | None = None, log=print) -> Outcome:
    """Build the city on the current database (call inside a transaction; nothing is deleted here)."""
    from reports.snapshots import status_refresh
    from scale.public_city import build_public

    builder = CityBuilder(sizes=sizes, seed=seed, today=today)
    import time as clock

    def step(name, fn):
        started = clock.perf_counter()
        fn()
        log(f"  {name}: {clock.perf_counter() - started:.1f} s")

    with transaction.atomic():
        step("organisation and users", builder.build_org)
        step("unit responsibilities", lambda: builder.out.counts.__setitem__("unit_duties", build_duties()))
        step("plans, tasks and milestones", builder.build_plans)
        step("reports, evidence, judgements", builder.build_reports)
        step("audit chain", builder.build_audit)
        step(
            "public items and positions", lambda: builder.out.counts.__setitem__("public_items", build_public(builder))
        )
        reset_sequences(MODELS_WRITTEN)
    step(
        "stored statuses for today",
        lambda: builder.out.counts.__setitem__("stored_statuses", status_refresh(as_of=today)),
    )
    n = orders if orders is not None else max(1, min(100, sizes.tasks // 200))
    step("supervision orders", lambda: builder.out.counts.__setitem__("orders", builder.build_orders(n)))
    return builder.out


def build_duties() -> int:
    """Every generated department gets the demo table's keywords for its kind (区住建局 → 老旧小区 …)."""
    from org.demo import DEMO_DUTIES
    from org.models import UnitDuty

    by_suffix = {name.removeprefix("区"): words for name, words in DEMO_DUTIES.items()}
    rows: list[UnitDuty] = []
    for unit_id, name in Unit.objects.filter(kind="department").values_list("pk", "name"):
        suffix = next((s for s in by_suffix if name.endswith(s)), "")
        rows += [
            UnitDuty(unit_id=unit_id, keyword=k, position=len(rows) + i)
            for i, k in enumerate(by_suffix.get(suffix, []))
        ]
    UnitDuty.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def fingerprint(model) -> str:
    """A digest of a table's rows (for the determinism test)."""
    digest = hashlib.sha256()
    for row in model.objects.order_by("pk").values_list():
        digest.update(repr(row).encode())
    return digest.hexdigest()
