"""The read-only API, version 1 (django-ninja): JSON resources and flat CSV/JSON feeds over what a board member sees.

Every operation takes the partnership's slug and a personal access token (api.auth). Nothing here writes.
"""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html
from ninja import NinjaAPI, Router, Schema
from ninja.openapi.docs import DocsBase
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field, create_model

from actions.models import Action, ActionGroup, ProgressUpdate, RagRating, Strategy
from actions.selectors import recommendations_with_ratings
from api import feeds
from api.auth import RateLimited, TokenAuth, Unauthorized
from api.disclosure import shown
from consultations.models import Consultation
from consultations.selectors import questions_with_results
from vawg.periods import Quarter
from vawg.tables import Table

PAGE_LIMIT = 100


class Docs(DocsBase):
    """The API's documentation as one of the site's own pages, written from the OpenAPI description itself, so
    it cannot drift from the API: every operation with its parameters and responses. Swagger UI was tried and
    failed axe (contrast, nested controls, target sizes); this page passes, and the description stays at
    openapi.json for tools that read it."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        operations = []
        for path, methods in schema["paths"].items():
            for method, operation in methods.items():
                parameters = [
                    [
                        format_html('<code class="app-break-anywhere">{}</code>', parameter["name"]),
                        parameter["in"],
                        "Yes" if parameter.get("required") else "No",
                        parameter.get("description") or parameter.get("schema", {}).get("title", ""),
                    ]
                    for parameter in operation.get("parameters", [])
                ]
                responses = [
                    f"{code}: {response.get('description', '')} ({', '.join(response.get('content', {})) or 'no body'})"
                    for code, response in operation.get("responses", {}).items()
                ]
                operations.append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "summary": operation.get("summary", ""),
                        "description": operation.get("description", ""),
                        "parameters": Table(
                            caption=f"Parameters of {method.upper()} {path}",
                            columns=["Name", "In", "Required", "Meaning"],
                            rows=parameters,
                        )
                        if parameters
                        else None,
                        "responses": responses,
                        "id": operation.get("operationId", ""),
                    }
                )
        context = {
            "schema": schema,
            "operations": operations,
            "openapi_url": self.get_openapi_url(api, kwargs),
        }
        return render(request, "api/docs.html", context)


api = NinjaAPI(
    title="VAWG Partnership Tracker API",
    version="1",
    description=(
        "Read-only access to what a board member of the partnership sees. Authenticate with a personal access "
        "token made on the partnership's 'API and data feeds' page: `Authorization: Bearer <token>`. Counts about "
        "people are suppressed as in the published annual report; a strategic lead's token may add "
        "`?suppressed=false`, which is recorded in the audit log."
    ),
    auth=TokenAuth(),
    urls_namespace="api_v1",
    docs=Docs(),
    docs_decorator=login_required,
)


@api.exception_handler(Unauthorized)
def _unauthorized(request: HttpRequest, exc: Unauthorized) -> HttpResponse:
    response = api.create_response(request, {"detail": str(exc)}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


# --- schemas -------------------------------------------------------------------------------------------------


class Error(Schema):
    detail: str


ERRORS = {401: Error, 403: Error, 404: Error, 429: Error}


class FeedLink(Schema):
    kind: str
    title: str
    description: str
    csv: str
    json_url: str = Field(alias="json")
    columns: list[dict]


class PartnershipOut(Schema):
    slug: str
    name: str
    short_name: str
    suppression_threshold: int
    suppressed: bool = Field(description="Whether this response's counts are suppressed")
    role: str = Field(description="The token owner's role in the partnership")
    feeds: list[FeedLink]


class PriorityOut(Schema):
    id: int
    number: int
    title: str
    short_title: str
    commitment: str


class StrategyOut(Schema):
    id: int
    slug: str
    title: str
    first_year: int
    last_year: int
    priorities: list[PriorityOut]


class RatingOut(Schema):
    year: int
    quarter: int
    period: str
    rating: str
    forecast: str
    reason: str
    set_at: datetime


class UpdateOut(Schema):
    group: str
    year: int
    quarter: int
    period: str
    successes_and_challenges: str
    next_steps: str
    impact: str
    proposed_rating: str


class ActionOut(Schema):
    id: int
    strategy: str
    priority: int
    ref: str
    text: str
    intended_impact: str
    groups: list[str]
    ratings: list[RatingOut] = Field(description="Rating history, oldest quarter first")
    accepted_updates: list[UpdateOut] = Field(description="Progress updates the lead accepted, oldest first")


class RecommendationOut(Schema):
    id: int
    source_type: str
    source: str
    source_date: date
    ref: str
    text: str
    status: str
    actions: list[str] = Field(description="References of the actions answering it")


class ConsultationOut(Schema):
    slug: str
    title: str
    audience: str
    method: str
    period: str
    respondents: int | None
    respondents_display: str
    results: str = Field(description="Address of its results")


class EditionOut(Schema):
    id: int
    year: int
    financial_year: str
    edition: int | None
    published_at: datetime | None
    published_by: str
    pages: int
    pdf_bytes: int
    pdf_sha256: str
    pdf_url: str
    html_url: str


# --- resources -----------------------------------------------------------------------------------------------

router = Router(tags=["Resources"])
feed_router = Router(tags=["Feeds"])


def _column(column: feeds.Column) -> dict:
    described = {"name": column.name, "type": column.type, "description": column.description}
    return {**described, "format": column.format} if column.format else described


def _feed_links(request: HttpRequest) -> list[dict]:
    slug = request.partnership.slug
    return [
        {
            "kind": feed.kind,
            "title": feed.title,
            "description": feed.description,
            "csv": request.build_absolute_uri(reverse(f"api_v1:feed_{feed.kind}_csv", args=[slug])),
            "json": request.build_absolute_uri(reverse(f"api_v1:feed_{feed.kind}_json", args=[slug])),
            "columns": [_column(c) for c in feed.columns],
        }
        for feed in feeds.FEEDS.values()
    ]


@router.get("/{partnership_slug}/", response={200: PartnershipOut, **ERRORS}, url_name="partnership")
def partnership(request: HttpRequest, partnership_slug: str):
    """The partnership, your role in it, and every feed with its columns."""
    p = request.partnership
    return {
        "slug": p.slug,
        "name": p.name,
        "short_name": p.short_name,
        "suppression_threshold": p.suppression_threshold,
        "suppressed": request.disclosure.suppressed,
        "role": request.membership.role,
        "feeds": _feed_links(request),
    }


@router.get("/{partnership_slug}/strategies", response={200: list[StrategyOut], **ERRORS}, url_name="strategies")
def strategies(request: HttpRequest, partnership_slug: str):
    """Every strategy with its priorities."""
    found = Strategy.objects.filter(partnership=request.partnership).prefetch_related("priorities")
    return [
        {**_fields(s, "id", "slug", "title", "first_year", "last_year"), "priorities": list(s.priorities.all())}
        for s in found.order_by("first_year", "slug")
    ]


def _fields(obj, *names: str) -> dict:
    return {name: getattr(obj, "pk" if name == "id" else name) for name in names}


def _actions(request: HttpRequest):
    return (
        Action.objects.filter(strategy__partnership=request.partnership)
        .select_related("strategy", "priority")
        .prefetch_related(
            Prefetch(
                "responsibilities", queryset=ActionGroup.objects.select_related("group").order_by("group__abbreviation")
            ),
            Prefetch("ratings", queryset=RagRating.objects.order_by("year", "quarter")),
            Prefetch(
                "progress_updates",
                queryset=ProgressUpdate.objects.filter(status=ProgressUpdate.Status.ACCEPTED)
                .select_related("group")
                .order_by("year", "quarter", "group__abbreviation"),
                to_attr="accepted_updates",
            ),
        )
        .order_by("strategy__first_year", "sort_key")
    )


def _action_out(action: Action) -> dict:
    return {
        **_fields(action, "id", "ref", "text", "intended_impact"),
        "strategy": action.strategy.slug,
        "priority": action.priority.number,
        "groups": [r.group.abbreviation for r in action.responsibilities.all()],
        "ratings": [
            {
                **_fields(r, "year", "quarter", "rating", "forecast", "reason", "set_at"),
                "period": str(Quarter(r.year, r.quarter)),
            }
            for r in action.ratings.all()
        ],
        "accepted_updates": [
            {
                **_fields(u, "year", "quarter", "successes_and_challenges", "next_steps", "impact", "proposed_rating"),
                "group": u.group.abbreviation,
                "period": str(Quarter(u.year, u.quarter)),
            }
            for u in action.accepted_updates
        ],
    }


class ActionPage(LimitOffsetPagination):
    class Input(LimitOffsetPagination.Input):
        limit: int = Field(PAGE_LIMIT, ge=1, le=PAGE_LIMIT)


@router.get("/{partnership_slug}/actions", response={200: list[ActionOut], **ERRORS}, url_name="actions")
@paginate(ActionPage)
def actions(request: HttpRequest, partnership_slug: str, strategy: str | None = None):
    """Every action with its groups, rating history and accepted updates, a page at a time (`limit`, `offset`);
    `strategy` (a slug) for one strategy's."""
    queryset = _actions(request)
    if strategy:
        queryset = queryset.filter(strategy__slug=strategy)
    return _ActionList(queryset)


class _ActionList:
    """A queryset that pages like one and gives each page's actions as the schema wants them."""

    def __init__(self, queryset):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice):
        return [_action_out(action) for action in self.queryset[window]]


@router.get("/{partnership_slug}/actions/{action_id}", response={200: ActionOut, **ERRORS}, url_name="action")
def action(request: HttpRequest, partnership_slug: str, action_id: int):
    """One action."""
    return _action_out(get_object_or_404(_actions(request), pk=action_id))


@router.get(
    "/{partnership_slug}/recommendations", response={200: list[RecommendationOut], **ERRORS}, url_name="recommendations"
)
def recommendations(request: HttpRequest, partnership_slug: str):
    """Review recommendations with the actions that answer them."""
    return [
        {
            **_fields(r, "id", "source_type", "source", "source_date", "ref", "text", "status"),
            "actions": [a.ref for a in r.actions.all()],
        }
        for r in recommendations_with_ratings(request.partnership)
    ]


@router.get(
    "/{partnership_slug}/consultations", response={200: list[ConsultationOut], **ERRORS}, url_name="consultations"
)
def consultations(request: HttpRequest, partnership_slug: str):
    """The partnership's consultations (aggregated results: see each one's `results`)."""
    slug = request.partnership.slug
    rows = []
    for c in Consultation.objects.filter(partnership=request.partnership).order_by("-period_end", "title"):
        respondents, respondents_display = shown(request.disclosure.count(c.respondents))
        rows.append(
            {
                **_fields(c, "slug", "title", "audience", "method"),
                "period": c.period_label or "",
                "respondents": respondents,
                "respondents_display": respondents_display,
                "results": request.build_absolute_uri(
                    reverse("api_v1:consultation_results", kwargs={"partnership_slug": slug, "consultation": c.slug})
                ),
            }
        )
    return rows


def _row_model(feed: feeds.Feed):
    types = {"integer": int, "number": float, "string": str, "boolean": bool}
    fields = {c.name: (types[c.type] | None, Field(None, description=c.description)) for c in feed.columns}
    return create_model(f"{feed.kind.title().replace('_', '')}Row", **fields)


ROW_MODELS = {kind: _row_model(feed) for kind, feed in feeds.FEEDS.items()}


@router.get(
    "/{partnership_slug}/consultations/{consultation}/results",
    response={200: list[ROW_MODELS["consultation_results"]], **ERRORS},
    url_name="consultation_results",
)
def consultation_results(request: HttpRequest, partnership_slug: str, consultation: str):
    """One consultation's results, as the consultation_results feed gives them."""
    found = get_object_or_404(Consultation, partnership=request.partnership, slug=consultation)
    feed = feeds.FEEDS["consultation_results"]
    rows = feeds.consultation_result_rows(questions_with_results([found]), request.disclosure)
    return JsonResponse([dict(zip(feed.names, map(feeds.json_value, row), strict=True)) for row in rows], safe=False)


@router.get("/{partnership_slug}/reports", response={200: list[EditionOut], **ERRORS}, url_name="reports")
def reports(request: HttpRequest, partnership_slug: str):
    """Published editions of the annual report, with download links (the links need the person signed in)."""
    names = [c.name for c in feeds.FEEDS["report_editions"].columns]
    return [dict(zip(names, row, strict=True)) for row in feeds.FEEDS["report_editions"].rows(request)]


# --- feeds ---------------------------------------------------------------------------------------------------


def _feed_view(feed: feeds.Feed, extension: str):
    def view(request: HttpRequest, partnership_slug: str) -> HttpResponse:
        return feeds.stream(request, feed, extension)

    view.__name__ = f"feed_{feed.kind}_{extension}"
    view.__doc__ = f"{feed.title}: {feed.description}"
    return view


for _feed in feeds.FEEDS.values():
    feed_router.add_api_operation(
        f"/{{partnership_slug}}/feeds/{_feed.kind}.json",
        ["GET"],
        _feed_view(_feed, "json"),
        response={200: list[ROW_MODELS[_feed.kind]], **ERRORS},
        url_name=f"feed_{_feed.kind}_json",
        summary=f"{_feed.title} (JSON)",
    )
    feed_router.add_api_operation(
        f"/{{partnership_slug}}/feeds/{_feed.kind}.csv",
        ["GET"],
        _feed_view(_feed, "csv"),
        response=ERRORS,
        url_name=f"feed_{_feed.kind}_csv",
        summary=f"{_feed.title} (CSV)",
        # The rows as CSV, the JSON feed's columns in the same order; described here, as ninja describes JSON only.
        openapi_extra={
            "responses": {
                "200": {
                    "description": "CSV with a heading row",
                    "content": {"text/csv": {"schema": {"type": "string"}}},
                }
            }
        },
    )

api.add_router("", router)
api.add_router("", feed_router)
