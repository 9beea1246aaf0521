"""Background tasks (django-tasks): the database backend and `manage.py db_worker` in production, run
immediately in development and tests. WeasyPrint gives memory back only when its process ends, so run the
worker recycled, e.g. `manage.py db_worker --max-tasks 20` under a supervisor (systemd, Kubernetes) that starts
it again when it exits."""

from django_tasks import task


@task()
def build_edition(edition_id: int) -> dict:
    from reports.services import edition_build

    outcome = edition_build(edition_id=edition_id)
    return {"edition": edition_id, "succeeded": outcome.succeeded}


@task()
def build_update_edition(edition_id: int) -> dict:
    from reports.services import update_edition_build

    edition = update_edition_build(edition_id=edition_id)
    return {"edition": edition_id, "succeeded": edition.state == edition.State.READY}
