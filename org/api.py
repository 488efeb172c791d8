from ninja import Router

from accounts.roles import Perm
from core.api import Out, require_api_perm
from org.selectors import unit_list

router = Router(tags=["organisation"])


class UnitOut(Out):
    id: int
    code: str
    name: str
    full_name: str
    kind: str
    parent_id: int | None
    is_active: bool


@router.get("/units", response=list[UnitOut])
def units(request):
    """All units in pinyin order."""
    require_api_perm(request, Perm.ORG_READ)
    return list(unit_list())
