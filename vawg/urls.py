from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path

from api.endpoints import api
from partnership import mfa_views
from partnership import views as partnership_views
from vawg import views

# The Django admin signs in through the service's own sign-in page (same throttling and session rules).
admin.site.login = login_required(admin.site.login)
admin.site.site_header = "VAWG Partnership Tracker administration"
admin.site.site_title = "VAWG Partnership Tracker"

urlpatterns = [
    path("", partnership_views.start, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("health/", views.health, name="health"),
    path("account/sign-in/", views.LoginView.as_view(), name="login"),
    path("account/sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(template_name="registration/password_change.html"),
        name="password_change",
    ),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html"),
        name="password_change_done",
    ),
    path(
        "account/password-reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "account/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "account/password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="registration/password_reset_confirm.html"),
        name="password_reset_confirm",
    ),
    path(
        "account/password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("account/session/extend/", views.session_extend, name="session_extend"),
    path("account/two-factor/", mfa_views.manage, name="mfa_manage"),
    path("account/two-factor/set-up/", mfa_views.setup, name="mfa_setup"),
    path("account/two-factor/verify/", mfa_views.verify, name="mfa_verify"),
    path("account/two-factor/recovery-codes/", mfa_views.recovery_codes, name="mfa_recovery_codes"),
    path("account/two-factor/turn-off/", mfa_views.remove, name="mfa_remove"),
    path("admin/", admin.site.urls),
    # The read-only API and feeds (token-authenticated; "api" is a reserved partnership slug).
    path("api/v1/", api.urls),
    # Partnership pages last: every path under /<partnership-slug>/ goes through partnership.access.
    path("<slug:partnership_slug>/", include("partnership.urls")),
    path("<slug:partnership_slug>/plan/", include("actions.urls")),
    path("<slug:partnership_slug>/figures/", include("referrals.urls")),
    path("<slug:partnership_slug>/consultations/", include("consultations.urls")),
    path("<slug:partnership_slug>/activity/", include("activity.urls")),
    path("<slug:partnership_slug>/reports/", include("reports.urls")),
    path("<slug:partnership_slug>/audit/", include("partnership.audit_urls")),
    path("<slug:partnership_slug>/api-tokens/", include("api.urls")),
]
