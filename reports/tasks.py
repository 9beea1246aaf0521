"""Background tasks (django-tasks): the database backend and `manage.py db_worker` in production, run
immediately in development and tests. WeasyPrint gives memory back only when its process ends, so run the
worker under a supervisor that restarts it after some tasks (see the report's closing notes)."""

from django_tasks import task


@task()
def build_edition(edition_id: int) -> dict:
    from reports.services import edition_build

    outcome = edition_build(edition_id=edition_id)
    return {"edition": edition_id, "succeeded": outcome.succeeded}
