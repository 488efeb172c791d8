"""批示 end to end: a leader's instruction answered with a photo, sent back by the office, accepted by the leader;
each person finds it on a personal home page (issue 13, defect 5)."""

from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import login, shot


def logout(page):
    page.locator("form[action='/accounts/logout/'] button").click()


def photo(tmp_path) -> str:
    path = tmp_path / "专班会议.jpg"
    Image.new("RGB", (1200, 900), (95, 110, 120)).save(path, format="JPEG")
    return str(path)


def test_an_instruction_answered_sent_back_and_accepted(offline_page, tmp_path):
    from django.utils import timezone

    from accounts.models import User
    from core.workcalendar import work_calendar
    from plans.models import Task
    from supervision import services

    page = offline_page
    task = Task.objects.get(object="老旧小区改造提升", node__kind="key_task")
    instruction = services.instruction_create(
        actor=User.objects.get(username="leader_cj"),
        text="要倒排工期，挂图作战",
        due_date=work_calendar().add_workdays(timezone.localdate(), 5),
        task=task,
    )

    # The reporter sees it on the home page and answers with a photo.
    login(page, "zjj_reporter")
    expect(page.get_by_test_id("count-open-instructions")).to_have_text("1")
    shot(page, "home-unit")
    page.get_by_test_id("home-unit-supervision").get_by_role("link", name="要倒排工期").click()
    page.fill("#id_answer", "已成立工作专班")
    page.set_input_files("#id_files", photo(tmp_path))
    page.get_by_test_id("answer").click()
    expect(page.get_by_test_id("followup-answer")).to_have_count(1)
    expect(page.locator("[data-testid=followup-answer] img")).to_have_count(1)
    logout(page)

    # The office finds it waiting for verification and sends it back.
    login(page, "office")
    expect(page.get_by_test_id("count-answered-instructions")).to_have_text("1")
    shot(page, "home-office")
    page.goto(page.base + f"/supervision/instructions/{instruction.pk}/")
    page.fill("#id_reason", "请写明每周进度和完成时限")
    page.get_by_test_id("send-back").click()
    expect(page.get_by_test_id("followup-returned")).to_be_visible()
    logout(page)

    # The reporter answers again; the leader who wrote it accepts; the history shows both answers.
    login(page, "zjj_reporter")
    page.goto(page.base + f"/supervision/instructions/{instruction.pk}/")
    page.fill("#id_answer", "每周完成不少于8个小区，12月20日前全部完工")
    page.get_by_test_id("answer").click()
    logout(page)
    login(page, "leader_cj")
    expect(page.get_by_test_id("count-to-review")).to_have_text("1")
    shot(page, "home-leader")
    page.goto(page.base + f"/supervision/instructions/{instruction.pk}/")
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("followup-state")).to_have_text("已接受")
    expect(page.get_by_test_id("followup-answer")).to_have_count(2)
    shot(page, "instruction-accepted")
