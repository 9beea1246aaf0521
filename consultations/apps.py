from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"

    def ready(self) -> None:
        from consultations import scale_data
        from consultations.importers import ResponsesImportHandler, ResultsImportHandler
        from partnership import imports
        from partnership import scale_data as scale

        imports.register("consultation-results", ResultsImportHandler())
        imports.register("consultation-responses", ResponsesImportHandler())
        scale.register(scale_data.STEP)
