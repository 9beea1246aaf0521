from django.urls import path

from actions import views

app_name = "actions"

# Mounted at /<partnership-slug>/plan/.
urlpatterns = [
    path("", views.plan, name="plan"),
    path("export/", views.plan_export, name="plan_export"),
    path("import/", views.plan_import, name="plan_import"),
    path("import/<int:batch_id>/confirm/", views.plan_import_confirm, name="plan_import_confirm"),
    path("actions/new/", views.action_edit, name="action_create"),
    path("actions/<int:action_id>/", views.action_detail, name="action_detail"),
    path("actions/<int:action_id>/edit/", views.action_edit, name="action_edit"),
    path("actions/<int:action_id>/rating/", views.action_rate, name="action_rate"),
    path("actions/<int:action_id>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:evidence_id>/remove/", views.evidence_remove, name="evidence_remove"),
    path("structure/", views.structure, name="structure"),
    path("structure/strategies/new/", views.strategy_edit, name="strategy_create"),
    path("structure/strategies/<int:strategy_id>/", views.strategy_edit, name="strategy_edit"),
    path("structure/strategies/<int:strategy_id>/priorities/new/", views.priority_edit, name="priority_create"),
    path(
        "structure/strategies/<int:strategy_id>/priorities/<int:priority_id>/",
        views.priority_edit,
        name="priority_edit",
    ),
    path("updates/", views.my_updates, name="my_updates"),
    path("updates/rounds/", views.rounds, name="rounds"),
    path("updates/rounds/new/", views.round_open, name="round_open"),
    path("updates/rounds/<int:round_id>/", views.round_status, name="round_status"),
    path("updates/rounds/<int:round_id>/edit/", views.round_edit, name="round_edit"),
    path("updates/rounds/<int:round_id>/review/", views.round_review, name="round_review"),
    path(
        "updates/rounds/<int:round_id>/actions/<int:action_id>/groups/<int:group_id>/",
        views.update_edit,
        name="update_edit",
    ),
    path(
        "updates/rounds/<int:round_id>/actions/<int:action_id>/groups/<int:group_id>/draft/",
        views.update_draft,
        name="update_draft",
    ),
    path("updates/<int:update_id>/review/", views.update_review, name="update_review"),
    path("summary/", views.summary, name="summary"),
    path("summary/csv/", views.summary_csv, name="summary_csv"),
    path("appendix/", views.appendix, name="appendix"),
    path("recommendations/", views.recommendations, name="recommendations"),
    path("recommendations/new/", views.recommendation_edit, name="recommendation_create"),
    path("recommendations/<int:recommendation_id>/", views.recommendation_edit, name="recommendation_edit"),
    path("case-reviews/", views.case_reviews, name="case_reviews"),
    path("case-reviews/export/", views.case_reviews_export, name="case_reviews_export"),
    path("case-reviews/import/", views.case_reviews_import, name="case_reviews_import"),
    path("case-reviews/new/", views.case_review_edit, name="case_review_create"),
    path("case-reviews/<int:review_id>/", views.case_review_detail, name="case_review_detail"),
    path("case-reviews/<int:review_id>/edit/", views.case_review_edit, name="case_review_edit"),
    path("case-reviews/<int:review_id>/delete/", views.case_review_delete, name="case_review_delete"),
    path(
        "case-reviews/<int:review_id>/recommendations/new/",
        views.case_review_recommendation_edit,
        name="case_review_recommendation_create",
    ),
    path(
        "case-reviews/<int:review_id>/recommendations/<int:recommendation_id>/",
        views.case_review_recommendation_edit,
        name="case_review_recommendation_edit",
    ),
]
