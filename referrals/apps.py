from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"

    def ready(self) -> None:
        from partnership import home_panels, imports
        from partnership import scale_data as scale
        from referrals import scale_data
        from referrals.resources import IMPORTERS, FiguresImportHandler
        from referrals.selectors import headline_figures

        for kind in IMPORTERS:
            imports.register(kind, FiguresImportHandler(kind))
        scale.register(scale_data.STEP)
        home_panels.register("figures", headline_figures)
