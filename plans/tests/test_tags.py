import pytest

from core.errors import ServiceError
from plans import services
from plans.models import DimensionTag

pytestmark = pytest.mark.django_db


def test_a_tag_name_is_refused_twice_in_one_kind_but_a_tag_may_be_saved_under_its_own_name():
    kind = DimensionTag.Kind.INDUSTRY
    tag = services.tag_save(actor=None, kind=kind, name="测试产业甲")
    services.tag_save(actor=None, kind=DimensionTag.Kind.ZONE, name="测试产业甲")  # another kind: allowed

    with pytest.raises(ServiceError) as refused:
        services.tag_save(actor=None, kind=kind, name="测试产业甲")
    assert refused.value.field == "name"

    saved = services.tag_save(actor=None, tag=tag, kind=kind, name="测试产业甲", rank=5)
    assert saved.pk == tag.pk and DimensionTag.objects.get(pk=tag.pk).rank == 5
