"""Access-matrix rows for the map (merged by core/tests/test_access_matrix.py).

The map is a cockpit view: office and leaders (business.read_all). Importing polygons and setting
positions is the office's (plan.edit).
"""

OFFICE = {"office"}
READ_ALL = {"office", "leader", "leader_cj"}


def _task() -> int:
    from plans.models import Task

    return Task.objects.get(object="老旧小区改造提升", node__kind="key_task").pk


PAGES = {
    "maps:map": (READ_ALL, None, "", {}),
    "maps:data": (READ_ALL, None, "", {}),
    "maps:zones": (OFFICE, None, "", {}),
    "maps:task_location": (OFFICE, lambda: {"pk": _task()}, "", {}),
}
POST_ONLY = {"maps:zone_delete"}
POST_ONLY_KWARGS = {"maps:zone_delete": "pk"}
POST_WRITERS = {"maps:zone_delete": OFFICE}
