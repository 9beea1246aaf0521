from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"

    def ready(self) -> None:
        from partnership import charts, home_panels, imports
        from partnership import scale_data as scale
        from referrals import scale_data
        from referrals.resources import IMPORTERS, FiguresImportHandler
        from referrals.tables import home_panel

        for kind in IMPORTERS:
            imports.register(kind, FiguresImportHandler(kind))
        scale.register(scale_data.STEP)
        home_panels.register("figures", home_panel)
        # The figures the MARAC and referrals charts are drawn from, the boroughs' names and populations included.
        charts.register(
            "referrals",
            specs="referrals.charts:partnership_specs",
            models=[
                "referrals.MaracReturn",
                "referrals.ReferralCount",
                "referrals.AbuseType",
                "referrals.Service",
                "referrals.OutcomeIndicator",
                "referrals.IndicatorFigure",
                "referrals.ComparatorFigure",
                "partnership.Borough",
                "partnership.BoroughPopulation",
                "partnership.Partnership",
            ],
        )
