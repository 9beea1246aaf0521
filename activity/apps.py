from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "activity"
    verbose_name = "Training, events, meetings and contracts"

    def ready(self) -> None:
        from activity import scale_data
        from activity.resources import IMPORTERS, ActivityImportHandler
        from partnership import imports
        from partnership import scale_data as scale

        for kind in IMPORTERS:
            imports.register(f"activity-{kind}", ActivityImportHandler(kind))
        scale.register(scale_data.STEP)
