"""Queue tasks of reports, run by `manage.py db_worker`."""

from django_tasks import task


@task()
def status_catch_up_run() -> int:
    """Today's rows of the tasks a submission marked (reports.snapshots.status_catch_up)."""
    from reports.snapshots import status_catch_up

    return status_catch_up()
