"""Access-matrix rows for background jobs (merged by core/tests/test_access_matrix.py).

A job and its file are its requester's alone: everyone else gets 404 (no existence leak). Role sets are
spelled out here so this module imports nothing from the matrix.
"""

BUSINESS = {"office", "leader", "leader_cj", "zjj_head", "zjj_reporter", "fgw_reporter"}
OTHERS = {"leader", "leader_cj", "zjj_head", "zjj_reporter", "fgw_reporter", "sysadmin", "secadmin", "auditadmin"}
NOT_MINE = {name: 404 for name in [*OTHERS, "outsider"]}


def _office_job() -> int:
    """A finished task-ledger export the office asked for."""
    from accounts.models import User
    from core.jobs import job_run, job_start

    job = job_start(
        actor=User.objects.get(username="office"), kind="task_ledger_export", params={"filter": {}, "as_of": None}
    )
    job_run(job.pk)
    return job.pk


PAGES = {
    "workbench:job_detail": ({"office"}, lambda: {"pk": _office_job()}, "", NOT_MINE),
    "workbench:job_file": ({"office"}, lambda: {"pk": _office_job()}, "", NOT_MINE),
}
POST_ONLY = {"plans:task_export_job"}
POST_WRITERS = {"plans:task_export_job": BUSINESS}
API_PATH_PARAMS = {"{job_id}": _office_job}
API_GET = {
    "/api/v1/jobs/{job_id}": ({"office"}, NOT_MINE),
    "/api/v1/jobs/{job_id}/file": ({"office"}, NOT_MINE),
}
API_WRITE = {("post", "/api/v1/tasks/ledger-jobs"): (BUSINESS, {})}
API_WRITE_OK = {("post", "/api/v1/tasks/ledger-jobs"): 202}
