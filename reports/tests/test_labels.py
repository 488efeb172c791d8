"""The engine's vocabulary has one set of words, in reports/labels.py, Chinese by default."""

from django.utils import translation

from reports.engine import Light, Likelihood, Reason, Status
from reports.labels import LIGHT_LABELS, LIKELIHOOD_LABELS, REASON_LABELS, STATUS_LABELS
from reports.models import Judgement


def test_every_code_of_the_engine_has_a_label():
    assert set(STATUS_LABELS) == set(Status)
    assert set(LIGHT_LABELS) == set(Light)
    assert set(REASON_LABELS) == set(Reason)
    assert set(LIKELIHOOD_LABELS) == set(Likelihood)


def test_the_labels_are_chinese_under_the_default_language():
    with translation.override("zh-hans"):
        assert [str(STATUS_LABELS[s]) for s in Status] == ["未启动", "正常推进", "进度滞后", "逾期", "已完成", "未报送"]
        assert [str(LIGHT_LABELS[li]) for li in Light] == ["绿灯", "黄灯", "红灯"]
        assert str(LIKELIHOOD_LABELS[Likelihood.HIGHLY_UNLIKELY]) == "难以完成"


def test_the_judgement_choices_take_the_same_labels():
    assert dict(Judgement.Likelihood.choices) == {k.value: v for k, v in LIKELIHOOD_LABELS.items()}
