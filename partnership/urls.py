from django.urls import path

from partnership import views

app_name = "partnership"

urlpatterns = [
    path("", views.home, name="home"),
    path("governance/", views.governance, name="governance"),
    path("boroughs/", views.boroughs, name="boroughs"),
    path("settings/", views.settings, name="settings"),
    path("charts/<str:key>.svg", views.chart, name="chart"),
    path("imports/<int:upload_id>/", views.upload, name="upload"),
    path("imports/<int:upload_id>/status/", views.upload_status, name="upload_status"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/preferences/", views.notification_preferences, name="notification_preferences"),
]
