from django.urls import path

from activity import views

app_name = "activity"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:kind>/", views.record_list, name="list"),
    path("<slug:kind>/add/", views.record_create, name="create"),
    path("<slug:kind>/export/", views.record_export, name="export"),
    path("<slug:kind>/import/", views.record_import, name="import"),
    path("<slug:kind>/<int:pk>/", views.record_edit, name="edit"),
    path("<slug:kind>/<int:pk>/delete/", views.record_delete, name="delete"),
]
