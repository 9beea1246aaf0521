from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"

    def ready(self) -> None:
        from consultations import scale_data
        from consultations.importers import ResponsesImportHandler, ResultsImportHandler
        from partnership import charts, imports
        from partnership import scale_data as scale

        imports.register("consultation-results", ResultsImportHandler())
        imports.register("consultation-responses", ResponsesImportHandler())
        scale.register(scale_data.STEP)
        # The results, questions and options the charts are drawn from; a consultation's own fields give comparisons.
        charts.register(
            "consultations",
            specs="consultations.charts:partnership_specs",
            models=[
                "consultations.Consultation",
                "consultations.Question",
                "consultations.AnswerOption",
                "consultations.QuestionItem",
                "consultations.ResponseCount",
            ],
        )
