from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"

    def ready(self) -> None:
        from consultations.importers import ResponsesImportHandler, ResultsImportHandler
        from partnership import imports

        imports.register("consultation-results", ResultsImportHandler())
        imports.register("consultation-responses", ResponsesImportHandler())
