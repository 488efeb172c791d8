"""Projects on the public portal, the map and the wall (registered in ProjectsConfig.ready())."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from core.publishing import MapQuery, get_public_kind, map_sources, wall_panels
from core.uploads import Upload
from plans.models import DimensionTag
from portal import services as portal
from portal.models import PublicItem
from portal.tests.test_photos import photo_with_gps
from projects import services
from projects.models import Project
from projects.tests.factories import make_project

pytestmark = pytest.mark.django_db

OWNER = "演示建设投资有限公司"
PROGRESS_TEXT = "三号楼基础浇筑完成，塔吊进场"
PROBLEM = "征迁补偿款尚未拨付到位"


@pytest.fixture
def project(users):
    year = timezone.localdate().year
    block = DimensionTag.objects.get_or_create(kind=DimensionTag.Kind.BLOCK, name="二七商圈")[0]
    p = make_project(
        code="XM-PUB-001", year=year, name="内部项目名称", owner=OWNER, address="演示路1号",
        latitude=Decimal("34.72"), longitude=Decimal("113.62"), tags=[block],
        stage_dates=[dt.date(year - 1, 3, 1), dt.date(year - 1, 9, 1), dt.date(year, 1, 10), None, None],
    )  # fmt: skip
    report = services.report_file(
        actor=users["zjj_reporter"], project=p, month=dt.date(year, 1, 31), amount_month=Decimal(80),
        progress_text=PROGRESS_TEXT, submit=True, stage_index=2, stage_reached_on=dt.date(year, 1, 20),
        stage_evidence="开工令", files=[Upload(photo_with_gps(), "site.jpg")],
    )  # fmt: skip
    services.report_approve(actor=users["zjj_head"], report=report)
    services.problem_raise(
        actor=users["office"], project=p, category="funding", description=PROBLEM, unit=p.lead_unit, workdays=5
    )
    return Project.objects.get(pk=p.pk)


@pytest.fixture
def published(users, project):
    office = users["office"]
    item = portal.item_save(
        actor=office, kind="project", object_id=project.pk, title="新建社区服务中心",
        summary="为居民建设社区服务中心。", year=project.plan_year,
    )  # fmt: skip
    portal.update_add(actor=office, item=item, day=timezone.localdate(), text="主体施工顺利推进。")
    return portal.item_publish(actor=office, item=item, publish=True)


def test_a_published_project_has_its_public_page(client, published, project):
    page = client.get(f"/public/projects/{project.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "新建社区服务中心" in html and "为居民建设社区服务中心。" in html and "主体施工顺利推进。" in html
    # The stage timeline: 开工 reached (3 of 5 stages: 60 %), the later ones without a date are absent.
    assert "开工（已完成）" in html or "开工 (reached)" in html
    assert "签约" in html and "60%" in html
    assert f"/public/projects/{project.pk}/" in client.get("/public/").content.decode()


def test_nothing_of_an_unpublished_project_is_reachable(client, users, project, published):
    other = make_project(code="XM-PUB-002")
    portal.item_save(actor=users["office"], kind="project", object_id=other.pk, title="草稿项目", summary="", year=2021)
    for pk in [other.pk, 0, 999999, *Project.objects.exclude(pk=project.pk).values_list("pk", flat=True)]:
        assert client.get(f"/public/projects/{pk}/").status_code == 404, pk
    # A project id is not a task id and the reverse.
    assert client.get(f"/public/tasks/{project.pk}/").status_code == 404
    assert "草稿项目" not in client.get("/public/").content.decode()
    portal.item_publish(actor=users["office"], item=published, publish=False)
    assert client.get(f"/public/projects/{project.pk}/").status_code == 404


def test_no_internal_field_of_a_project_reaches_the_public_pages(client, published, project):
    internal = {
        project.code, project.name, OWNER, project.lead_unit.name, project.leader_post.title,
        PROGRESS_TEXT, PROBLEM, "site.jpg", "开工令",
    }  # fmt: skip
    pages = "".join(
        client.get(url).content.decode()
        for url in ("/public/", f"/public/projects/{project.pk}/", f"/public/projects/{project.pk}/?lang=en")
    )
    assert {text for text in internal if text in pages} == set()
    assert "/projects/" not in pages.replace(f"/public/projects/{project.pk}/", "")


def test_the_office_publishes_a_report_photo_as_a_clean_copy(users, published, project):
    candidates = get_public_kind("project").photos(project.pk)
    assert [c.label.endswith("site.jpg") for c in candidates] == [True]
    photo = portal.photo_publish(actor=users["office"], item=published, caption="工地", source_ref=candidates[0].ref)
    assert photo.source_ref == candidates[0].ref
    from portal.photos import has_metadata

    with photo.file.open("rb") as handle:
        assert not has_metadata(handle.read())


def test_projects_are_map_points_coloured_by_their_light(users, project):
    source = next(s for s in map_sources() if s.key == "project")
    day = timezone.localdate()
    points = source.points(MapQuery(as_of=day, plan_ids=(), user=users["leader"]))
    (point,) = [p for p in points if p.pk == project.pk]
    from projects.status import statuses_on

    assert point.light == statuses_on(day, [project])[project.pk].light and point.light in ("green", "yellow", "red")
    assert (point.lat, point.lng) == (34.72, 113.62) and point.url == f"/projects/{project.pk}/"
    assert point.block_ids == tuple(project.tags.values_list("pk", flat=True))
    # A unit sees only its own projects on the map.
    assert [p for p in source.points(MapQuery(day, (), users["fgw_reporter"])) if p.pk == project.pk] == []


def test_the_map_payload_carries_the_project_kind(client_as, project):
    data = client_as("leader").get("/map/data/").json()
    assert {"key": "project", "label": "Projects"} in data["sources"] or any(
        s["key"] == "project" for s in data["sources"]
    )
    (point,) = [p for p in data["points"] if p["kind"] == "project" and p["pk"] == project.pk]
    assert point["light"] in ("green", "yellow", "red")
    only_red = client_as("leader").get("/map/data/?kind=project&light=red").json()["points"]
    assert all(p["kind"] == "project" and p["light"] == "red" for p in only_red)


def test_the_wall_shows_the_investment_panel(client_as, project):
    panel = next(p for p in wall_panels() if p.key == "investment")
    payload = client_as("kiosk").get("/cockpit/wall/data/").json()
    shown = next(p for p in payload["panels"] if p["key"] == "investment")
    assert shown["title"] == str(panel.title)
    rows = {label: (value, light) for label, value, light in shown["rows"]}
    assert len(rows) <= 8
    projects = next(v for k, v in rows.items() if "项目数" in k or k == "Projects")
    assert projects[0] == str(Project.objects.count())
    completed = next(v for k, v in rows.items() if "完成投资" in k or k == "Completed investment")
    assert completed[0] == "80万元"


def test_the_office_adds_projects_by_code_all_or_nothing(client_as, project):
    office = client_as("office")
    assert "portal-add-code-form" in office.get("/portal/").content.decode()
    refused = office.post("/portal/add-by-code/", {"kind": "project", "codes": f"{project.code}\nXM-NONE"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "XM-NONE" in html and ("第 2 行" in html or "Line 2" in html)
    assert not PublicItem.objects.filter(kind="project").exists()
    done = office.post("/portal/add-by-code/", {"kind": "project", "codes": f"  {project.code}  \n\n"})
    assert done.status_code == 302
    item = PublicItem.objects.get(kind="project", object_id=project.pk)
    assert not item.is_published and item.year == project.plan_year
    assert client_as("office").get(f"/portal/items/{item.pk}/").status_code == 200
    # Adding again creates nothing; a task code is not a project code.
    office.post("/portal/add-by-code/", {"kind": "project", "codes": project.code})
    assert PublicItem.objects.filter(kind="project").count() == 1
    head = client_as("zjj_head").post("/portal/add-by-code/", {"kind": "project", "codes": project.code})
    assert head.status_code == 403
