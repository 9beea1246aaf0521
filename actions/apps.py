from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"

    def ready(self) -> None:
        from actions.plan_file import PlanImportHandler
        from partnership import imports

        imports.register("action-plan", PlanImportHandler())
