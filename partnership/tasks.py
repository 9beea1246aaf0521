"""Background tasks of the imports too large for a web request (see partnership.imports)."""

from django_tasks import task


@task()
def check_upload(upload_id: int) -> None:
    from partnership.imports import run

    run(upload_id, "check")


@task()
def apply_upload(upload_id: int) -> None:
    from partnership.imports import run

    run(upload_id, "apply")


@task()
def draw_charts(partnership_id: int, providers: list[str]) -> int:
    """Draw and store a partnership's charts after its data changed (partnership.charts)."""
    from partnership.charts import draw_stored
    from partnership.models import Partnership
    from vawg.db_router import use_primary

    with use_primary():  # it follows a change: a lagging replica might not have the partnership's new figures
        partnership = Partnership.objects.filter(pk=partnership_id).first()
        return draw_stored(partnership, providers) if partnership is not None else 0


@task()
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail notifications after the change that raised them is committed (partnership.services.notify)."""
    from partnership.services import notification_emails_send

    return notification_emails_send(notification_ids)
