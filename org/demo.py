"""Demo data: the Erqi District (二七区) organisation and the demo accounts.

Loaded only by `manage.py load_demo`, idempotently: running it again changes
nothing. Posts carry titles only; no real person's name is attached to any
post (SPEC §1). Every account created here is flagged `is_demo`.
"""

from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from accounts.services import role_grant, user_create
from org.models import LeaderPost, Unit
from org.services import post_save, unit_save

DEMO_PASSWORD = "Luoshi@2021"  # noqa: S105  (documented demo password, demo accounts only)

DISTRICT = ("erqi", "二七区", "郑州市二七区", Unit.Kind.DISTRICT)

# (code, name as written in ledgers, full name, kind)
UNITS = [
    ("dcs", "区委区政府督查室", "中共郑州市二七区委办公室 郑州市二七区人民政府办公室 督查室", Unit.Kind.OFFICE),
    ("qzfb", "区政府办", "郑州市二七区人民政府办公室", Unit.Kind.DEPARTMENT),
    ("fgw", "区发改委", "郑州市二七区发展和改革委员会", Unit.Kind.DEPARTMENT),
    ("zjj", "区住建局", "郑州市二七区住房和城乡建设局", Unit.Kind.DEPARTMENT),
    ("cgj", "区城管局", "郑州市二七区城市管理局", Unit.Kind.DEPARTMENT),
    ("nyj", "区农业农村局", "郑州市二七区农业农村工作委员会", Unit.Kind.DEPARTMENT),
    ("jyj", "区教育局", "郑州市二七区教育局", Unit.Kind.DEPARTMENT),
    ("wjw", "区卫健委", "郑州市二七区卫生健康委员会", Unit.Kind.DEPARTMENT),
    ("czj", "区财政局", "郑州市二七区财政局", Unit.Kind.DEPARTMENT),
    ("swj", "区商务局", "郑州市二七区商务局", Unit.Kind.DEPARTMENT),
    ("gxj", "区工信局", "郑州市二七区工业和信息化局", Unit.Kind.DEPARTMENT),
    ("kjj", "区科技局", "郑州市二七区科学技术局", Unit.Kind.DEPARTMENT),
    ("rsj", "区人社局", "郑州市二七区人力资源和社会保障局", Unit.Kind.DEPARTMENT),
    ("mzj", "区民政局", "郑州市二七区民政局", Unit.Kind.DEPARTMENT),
    ("wglj", "区文广旅局", "郑州市二七区文化广电和旅游局", Unit.Kind.DEPARTMENT),
    ("scjgj", "区市场监管局", "郑州市二七区市场监督管理局", Unit.Kind.DEPARTMENT),
    ("hbj", "区生态环境分局", "郑州市生态环境局二七分局", Unit.Kind.DEPARTMENT),
    ("jtj", "区交通运输局", "郑州市二七区交通运输局", Unit.Kind.DEPARTMENT),
    ("yjj", "区应急管理局", "郑州市二七区应急管理局", Unit.Kind.DEPARTMENT),
    ("dsj", "区大数据局", "郑州市二七区政务服务和大数据管理局", Unit.Kind.DEPARTMENT),
    ("hhl", "淮河路街道", "二七区淮河路街道办事处", Unit.Kind.SUBDISTRICT),
    ("jfl", "解放路街道", "二七区解放路街道办事处", Unit.Kind.SUBDISTRICT),
    ("mgl", "铭功路街道", "二七区铭功路街道办事处", Unit.Kind.SUBDISTRICT),
    ("yml", "一马路街道", "二七区一马路街道办事处", Unit.Kind.SUBDISTRICT),
    ("mfz", "蜜蜂张街道", "二七区蜜蜂张街道办事处", Unit.Kind.SUBDISTRICT),
    ("wlb", "五里堡街道", "二七区五里堡街道办事处", Unit.Kind.SUBDISTRICT),
    ("dxl", "大学路街道", "二七区大学路街道办事处", Unit.Kind.SUBDISTRICT),
    ("jzj", "建中街街道", "二七区建中街街道办事处", Unit.Kind.SUBDISTRICT),
    ("fhj", "福华街街道", "二七区福华街街道办事处", Unit.Kind.SUBDISTRICT),
    ("dhj", "德化街街道", "二七区德化街街道办事处", Unit.Kind.SUBDISTRICT),
    ("ssl", "嵩山路街道", "二七区嵩山路街道办事处", Unit.Kind.SUBDISTRICT),
    ("jgl", "京广路街道", "二七区京广路街道办事处", Unit.Kind.SUBDISTRICT),
    ("cjl", "长江路街道", "二七区长江路街道办事处", Unit.Kind.SUBDISTRICT),
    ("hrl", "人和路街道", "二七区人和路街道办事处", Unit.Kind.SUBDISTRICT),
    ("mzz", "马寨镇", "二七区马寨镇人民政府", Unit.Kind.TOWN),
    ("hzx", "侯寨乡", "二七区侯寨乡人民政府", Unit.Kind.TOWN),
]

# (title, rank, portfolio, holder username or None)
POSTS = [
    ("区委书记", 10, "全面工作", "leader_sj"),
    ("区长", 20, "政府全面工作", "leader"),
    ("区委副书记", 30, "党建、乡村振兴", "leader_fsj"),
    ("常务副区长", 40, "发展改革、财政、审计", "leader_cw"),
    ("分管城建副区长", 50, "住房城乡建设、城市管理、交通", "leader_cj"),
    ("分管经济副区长", 60, "工业、商务、科技、招商", "leader_jj"),
    ("分管农业副区长", 70, "农业农村、生态环境、应急", "leader_ny"),
    ("分管社会事业副区长", 80, "教育、卫生健康、民政、文旅", "leader_sh"),
]

# (username, display name, unit code, roles)
ACCOUNTS = [
    ("office", "督查室工作人员（演示）", "dcs", [Role.OFFICE]),
    ("leader", "区长（演示）", "erqi", [Role.LEADER]),
    ("leader_cj", "分管城建副区长（演示）", "erqi", [Role.LEADER]),
    ("leader_sj", "区委书记（演示）", "erqi", [Role.LEADER]),
    ("leader_fsj", "区委副书记（演示）", "erqi", [Role.LEADER]),
    ("leader_cw", "常务副区长（演示）", "erqi", [Role.LEADER]),
    ("leader_jj", "分管经济副区长（演示）", "erqi", [Role.LEADER]),
    ("leader_ny", "分管农业副区长（演示）", "erqi", [Role.LEADER]),
    ("leader_sh", "分管社会事业副区长（演示）", "erqi", [Role.LEADER]),
    ("zjj_head", "区住建局负责人（演示）", "zjj", [Role.UNIT_HEAD]),
    ("zjj_reporter", "区住建局填报员（演示）", "zjj", [Role.UNIT_REPORTER]),
    ("fgw_head", "区发改委负责人（演示）", "fgw", [Role.UNIT_HEAD]),
    ("fgw_reporter", "区发改委填报员（演示）", "fgw", [Role.UNIT_REPORTER]),
    ("sysadmin", "系统管理员（演示）", "dsj", [Role.SYSTEM_ADMIN]),
    ("secadmin", "安全管理员（演示）", "dsj", [Role.SECURITY_ADMIN]),
    ("auditadmin", "审计管理员（演示）", "dsj", [Role.AUDIT_ADMIN]),
]


@transaction.atomic
def load_demo_organisation() -> dict[str, int]:
    """Create what is missing; leave what exists as it is. Returns counts of what was created."""
    created = {"units": 0, "posts": 0, "users": 0, "roles": 0}
    code, name, full_name, kind = DISTRICT
    district = Unit.objects.filter(code=code).first()
    if district is None:
        district = unit_save(actor=None, code=code, name=name, full_name=full_name, kind=kind, parent=None)
        created["units"] += 1
    units = {u.code: u for u in Unit.objects.all()}
    for code, name, full_name, kind in UNITS:
        if code not in units:
            units[code] = unit_save(actor=None, code=code, name=name, full_name=full_name, kind=kind, parent=district)
            created["units"] += 1

    users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in ACCOUNTS])}
    for username, display_name, unit_code, roles in ACCOUNTS:
        user = users.get(username)
        if user is None:
            user = user_create(
                actor=None,
                username=username,
                display_name=display_name,
                password=DEMO_PASSWORD,
                unit=units[unit_code],
                is_demo=True,
            )
            users[username] = user
            created["users"] += 1
        for role in roles:
            if role not in user.role_codes:
                role_grant(actor=None, user=user, role=role)
                created["roles"] += 1

    existing_posts = set(LeaderPost.objects.values_list("title", flat=True))
    for title, rank, portfolio, holder in POSTS:
        if title not in existing_posts:
            post_save(actor=None, title=title, rank=rank, portfolio=portfolio, holder=users.get(holder))
            created["posts"] += 1
    return created


# 单位职责表 (demo): what each unit answers for, written from the units' general mandates (三定方案),
# not from the demo plan's tasks; the decomposition page suggests lead units from it.
DEMO_DUTIES = {
    "区发改委": ["重大项目", "固定资产投资", "营商环境", "价格", "总部经济"],
    "区住建局": ["老旧小区", "棚户区", "保障房", "安置房", "建筑", "市政道路", "道路建设", "燃气", "供热"],
    "区城管局": ["市容", "环卫", "垃圾", "城市管理", "绿化", "停车"],
    "区农业农村局": ["乡村振兴", "美丽乡村", "农业", "农村", "农田", "村庄"],
    "区教育局": ["学校", "幼儿园", "学位", "教育"],
    "区卫健委": ["医院", "卫生", "医疗", "健康"],
    "区商务局": ["商圈", "消费", "外贸", "招商", "电子商务"],
    "区工信局": ["工业", "制造业", "企业培育", "专精特新", "数字经济"],
    "区科技局": ["高新技术企业", "研发", "科技", "创新平台"],
    "区人社局": ["就业", "社保", "职业技能", "人才"],
    "区民政局": ["养老", "社区", "社会救助", "殡葬"],
    "区文广旅局": ["文化", "旅游", "景区", "文旅"],
    "区生态环境分局": ["生态", "环境", "污染", "大气", "水质", "碳"],
    "区交通运输局": ["交通", "公交", "公路", "物流"],
    "区应急管理局": ["安全生产", "应急", "防汛"],
    "区大数据局": ["政务服务", "一网通办", "大数据"],
}


def load_demo_duties() -> int:
    """The demo unit-responsibilities table; idempotent (an existing table is left as it is)."""
    from org.models import UnitDuty

    if UnitDuty.objects.exists():
        return 0
    units = {u.name: u for u in Unit.objects.filter(name__in=DEMO_DUTIES)}
    duties = [
        UnitDuty(unit=units[name], keyword=keyword, position=position)
        for position, (name, keyword) in enumerate((n, k) for n, words in DEMO_DUTIES.items() for k in words)
        if name in units
    ]
    UnitDuty.objects.bulk_create(duties)
    return len(duties)
