from django.urls import path

from consultations import views

app_name = "consultations"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.consultation_create, name="consultation_create"),
    path("<slug:slug>/", views.consultation_detail, name="consultation_detail"),
    path("<slug:slug>/edit/", views.consultation_edit, name="consultation_edit"),
    path("<slug:slug>/history/", views.results_history, name="results_history"),
    path("<slug:slug>/questions/new/", views.question_create, name="question_create"),
    path("<slug:slug>/questions/<int:pk>/edit/", views.question_edit, name="question_edit"),
    path("<slug:slug>/questions/<int:pk>/delete/", views.question_delete, name="question_delete"),
    path("<slug:slug>/questions/<int:pk>/results/", views.question_results, name="question_results"),
    path("<slug:slug>/questions/<int:pk>/chart.svg", views.question_chart, name="question_chart"),
    path("<slug:slug>/questions/<int:pk>/comparison.svg", views.comparison_chart, name="comparison_chart"),
    path("<slug:slug>/themes/new/", views.theme_create, name="theme_create"),
    path("<slug:slug>/themes/<int:pk>/edit/", views.theme_edit, name="theme_edit"),
    path("<slug:slug>/themes/<int:pk>/delete/", views.theme_delete, name="theme_delete"),
    path("<slug:slug>/quotes/", views.quotes, name="quotes"),
    path("<slug:slug>/quotes/new/", views.quote_create, name="quote_create"),
    path("<slug:slug>/quotes/<int:pk>/", views.quote_detail, name="quote_detail"),
    path("<slug:slug>/quotes/<int:pk>/edit/", views.quote_edit, name="quote_edit"),
    path("<slug:slug>/quotes/<int:pk>/check/", views.quote_confirm_check, name="quote_confirm_check"),
    path("<slug:slug>/quotes/<int:pk>/approve/", views.quote_approve, name="quote_approve"),
    path("<slug:slug>/quotes/<int:pk>/withdraw/", views.quote_withdraw, name="quote_withdraw"),
    path("<slug:slug>/import/results/", views.results_import, name="results_import"),
    path("<slug:slug>/import/results/confirm/", views.results_import_confirm, name="results_import_confirm"),
    path("<slug:slug>/import/responses/", views.responses_import, name="responses_import"),
    path("<slug:slug>/import/responses/mapping/", views.responses_mapping, name="responses_mapping"),
    path("<slug:slug>/export/results/", views.results_export, name="results_export"),
    path("<slug:slug>/export/quotes/", views.quotes_export, name="quotes_export"),
]
