"""Background jobs in the API: progress and the file (`/api/v1/jobs/{id}`), the requester's only."""

from ninja import Router

from core.api import require_api_perm
from core.jobs import JobOut, job_get_for_user, job_out
from workbench.views import job_file_response

router = Router(tags=["jobs"])


@router.get("/jobs/{job_id}", response=JobOut)
def job_detail(request, job_id: int):
    """State and progress of a job you started (e.g. `POST /tasks/ledger-jobs`); `file_url` once done."""
    require_api_perm(request)
    return job_out(job_get_for_user(request.user, job_id))


@router.get("/jobs/{job_id}/file")
def job_file(request, job_id: int):
    """The finished job's file (404 for anyone but its requester, or before it is done)."""
    require_api_perm(request)
    return job_file_response(job_get_for_user(request.user, job_id), actor=request.user)
