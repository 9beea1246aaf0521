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
