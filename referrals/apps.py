from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"

    def ready(self) -> None:
        from partnership import imports
        from referrals.resources import IMPORTERS, FiguresImportHandler

        for kind in IMPORTERS:
            imports.register(kind, FiguresImportHandler(kind))
