from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"

    def ready(self) -> None:
        from actions import scale_data
        from actions.plan_file import PlanImportHandler
        from actions.resources import CaseReviewImportHandler, CaseReviewResource
        from partnership import charts, imports
        from partnership import scale_data as scale

        imports.register("action-plan", PlanImportHandler())
        imports.register(CaseReviewResource.kind, CaseReviewImportHandler())
        scale.register(scale_data.STEP)
        # The ratings the summary chart counts, and the plan's structure its rows and labels come from.
        charts.register(
            "actions",
            specs="actions.charts:partnership_specs",
            models=["actions.RagRating", "actions.Action", "actions.Priority", "actions.Strategy"],
        )
