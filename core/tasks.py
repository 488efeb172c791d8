"""Queue tasks of the floor, run by `manage.py db_worker`."""

from django_tasks import task


@task()
def run_job(job_id: int) -> str:
    """A background job (core/jobs.py): its kind's function, progress and file."""
    from core.jobs import job_run

    return job_run(job_id)
