"""The token pages: any member makes, lists and revokes their own personal access tokens for the partnership."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from api import feeds, selectors, services
from api.forms import TokenForm
from partnership.access import partnership_view
from vawg.tables import Table, summary

SECTION = "api"


def _tokens_url(request: HttpRequest) -> str:
    return reverse("api:tokens", args=[request.partnership.slug])


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y, H:i") if moment else "Never"


def with_summary(token):
    """The token's facts for the summary list (its secret is never among them: only its first characters)."""
    token.summary_rows = summary(
        [
            ("Starts with", f"{token.prefix}..."),
            ("Status", token.status),
            ("Made", _when(token.created_at)),
            ("Expires", _when(token.expires_at)),
            ("Revoked", _when(token.revoked_at)) if token.revoked_at else ("Last used", _when(token.last_used_at)),
        ]
    )
    return token


def _page(request: HttpRequest, form: TokenForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "tokens": [with_summary(token) for token in selectors.tokens_of(request.membership)],
        "docs_url": reverse("api_v1:openapi-view"),
        "api_root": request.build_absolute_uri(reverse("api_v1:partnership", args=[request.partnership.slug])),
        "feed_example": request.build_absolute_uri(
            reverse("api_v1:feed_referrals_csv", args=[request.partnership.slug])
        ),
        "rate_limit": settings.API_RATE_LIMIT,
        "rate_window": settings.API_RATE_WINDOW_SECONDS,
        "is_lead": request.membership.is_strategic_lead,
    }
    return render(request, "api/tokens.html", context, status=status)


@partnership_view(methods=("GET", "POST"))
def tokens(request: HttpRequest) -> HttpResponse:
    request.current_section = SECTION
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.token_create(
                membership=request.membership, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Shown in this response only: it is not stored, so there is no page to come back to for it.
            return render(
                request,
                "api/token_created.html",
                {"token": token, "secret": secret, "tokens_url": _tokens_url(request)},
            )
    return _page(request, form)


@partnership_view(methods=("GET", "POST"))
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    request.current_section = SECTION
    token = selectors.token_of(request.membership, token_id)
    if request.method == "POST":
        services.token_revoke(token=token)
        messages.success(request, f"Token {token.name} ({token.prefix}...) revoked: it no longer works.")
        return redirect(_tokens_url(request))
    return render(request, "api/token_revoke.html", {"token": with_summary(token), "tokens_url": _tokens_url(request)})


@partnership_view()
def feed_columns(request: HttpRequest) -> HttpResponse:
    """Every feed and its columns as a page: the same facts as the OpenAPI description, readable by everyone (the
    API documentation describes operations, this page what each column means)."""
    request.current_section = SECTION
    slug = request.partnership.slug
    described = []
    for feed in feeds.FEEDS.values():
        rows = [
            [format_html('<code class="app-break-anywhere">{}</code>', c.name), c.type, c.description]
            for c in feed.columns
        ]
        urls = [
            request.build_absolute_uri(reverse(f"api_v1:feed_{feed.kind}_{extension}", args=[slug]))
            for extension in ("csv", "json")
        ]
        table = Table(caption=f"Columns of {feed.title}", columns=["Column", "Type", "Meaning"], rows=rows)
        described.append({"feed": feed, "table": table, "urls": urls})
    return render(request, "api/feed_columns.html", {"feeds": described, "docs_url": reverse("api_v1:openapi-view")})
