from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"

    def ready(self) -> None:
        from actions import scale_data
        from actions.plan_file import PlanImportHandler
        from partnership import imports
        from partnership import scale_data as scale

        imports.register("action-plan", PlanImportHandler())
        scale.register(scale_data.STEP)
