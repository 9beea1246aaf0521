from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.index, name="index"),
    path("marac/", views.marac, name="marac"),
    path("marac/chart.svg", views.marac_chart, name="marac_chart"),
    path("marac/export/", views.marac_export, name="marac_export"),
    path("marac/enter/", views.marac_choose, name="marac_choose"),
    path("marac/<int:borough_id>/<int:year>/q<int:quarter>/", views.marac_edit, name="marac_edit"),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/chart.svg", views.referrals_chart, name="referrals_chart"),
    path("referrals/export/", views.referrals_export, name="referrals_export"),
    path("referrals/enter/", views.referrals_enter, name="referrals_enter"),
    path("justice/", views.justice, name="justice"),
    path("justice/export/", views.justice_export, name="justice_export"),
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/export/", views.indicators_export, name="indicators_export"),
    path("indicators/<int:indicator_id>/", views.indicator, name="indicator"),
    path("indicators/<int:indicator_id>/comparators/", views.comparator_add, name="comparator_add"),
    path(
        "indicators/<int:indicator_id>/comparators/<int:figure_id>/delete/",
        views.comparator_delete,
        name="comparator_delete",
    ),
    path("indicators/comparators/export/", views.comparators_export, name="comparators_export"),
    path("populations/export/", views.population_export, name="population_export"),
    path("import/<slug:kind>/", views.import_figures, name="import"),
]
