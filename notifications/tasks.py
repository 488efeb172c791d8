"""Background work for notifications, run by the django-tasks worker (`manage.py db_worker`)."""

from django_tasks import task


@task()
def deliver(delivery_id: int) -> str:
    """Try one delivery (an e-mail or a robot message); the retry schedule lives in services."""
    from notifications.services import delivery_attempt

    delivery = delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery is not None else "skipped"
