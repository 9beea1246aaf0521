# READ CONTRIBUTING.md at the repository root before editing: rules for the shared working tree (own paths only,
# commit with `git add <your paths>`, shared helpers, permission-rule format, demo loader, browser fixtures).
"""Permission rules for the actions URLs, merged into tests/test_permissions.py (see its RULES for the format).

Pages read by every member; pages that change the plan for strategic leads only; progress updates for leads and
the coordinators of the group (another group's coordinator: 403). An empty POST to a form re-renders it with
errors (200) and changes nothing; other partnerships' members and the administrator get 404 throughout.
"""

from tests.actions.factories import (
    ActionFactory,
    CaseReviewFactory,
    PriorityFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    StrategyFactory,
    UpdateRoundFactory,
    case_review_recommendation,
)

PERSONAS = ["anonymous", "board_member", "coordinator", "other_coordinator", "lead", "admin", "outsider_lead"]
OUTSIDERS = {"admin": 404, "outsider_lead": 404, "anonymous": "login"}


def _rule(get: dict, post: dict) -> dict:
    return {"GET": {**get, **OUTSIDERS}, "POST": {**post, **OUTSIDERS}}


READ = _rule(
    dict.fromkeys(["board_member", "coordinator", "other_coordinator", "lead"], "ok"),
    dict.fromkeys(["board_member", "coordinator", "other_coordinator", "lead"], 405),
)
LEAD_FORM = _rule(
    {"board_member": 403, "coordinator": 403, "other_coordinator": 403, "lead": "ok"},
    {"board_member": 403, "coordinator": 403, "other_coordinator": 403, "lead": "ok"},
)
LEAD_READ = _rule(
    {"board_member": 403, "coordinator": 403, "other_coordinator": 403, "lead": "ok"},
    {"board_member": 403, "coordinator": 403, "other_coordinator": 403, "lead": 405},
)
LEAD_POST_ONLY = _rule(
    {"board_member": 403, "coordinator": 403, "other_coordinator": 403, "lead": 405},
    {"board_member": 403, "coordinator": 403, "other_coordinator": 403, "lead": "redirect"},
)


def _slug(w):
    return {"partnership_slug": w.partnership.slug}


def _strategy(w):
    return StrategyFactory(partnership=w.partnership, slug="2015-18", first_year=2015, last_year=2017)


def _action(w):
    priority = PriorityFactory(strategy=_strategy(w), number=1)
    return ActionFactory(priority=priority, ref="1.1", groups=[w.group])


def _review(w):
    return CaseReviewFactory(partnership=w.partnership)


def _review_recommendation(w):
    review = _review(w)
    recommendation = case_review_recommendation(review)
    return {"review_id": review.pk, "recommendation_id": recommendation.pk}


def _round_action_group(w):
    action = _action(w)
    update_round = UpdateRoundFactory(strategy=action.strategy, year=2016, quarter=1)
    return {**_slug(w), "round_id": update_round.pk, "action_id": action.pk, "group_id": w.group.pk}


def _evidence(w):
    """A PDF the coordinator added to an action of their group."""
    from django.core.files.base import ContentFile

    from actions.models import Evidence

    evidence = Evidence(
        action=_action(w), filename="minutes.pdf", kind="PDF", extension=".pdf", size=9, uploaded_by=w.coordinator
    )
    evidence.file.save("upload", ContentFile(b"%PDF-1.4\n"), save=True)
    return evidence


def _submitted_update(w):
    action = _action(w)
    UpdateRoundFactory(strategy=action.strategy, year=2016, quarter=1)
    update = ProgressUpdateFactory(action=action, group=w.group, year=2016, quarter=1)
    return {**_slug(w), "update_id": update.pk}


def _import_batch(w):
    from partnership.models import PendingUpload

    strategy = _strategy(w)
    batch = PendingUpload.objects.create(
        partnership=w.partnership,
        user=w.lead,
        kind="action-plan",
        filename="plan.csv",
        content=b"x",
        params={"strategy": strategy.pk, "year": 2015, "quarter": 4},
    )
    return {**_slug(w), "batch_id": batch.pk}


RULES: dict = {
    "actions:plan": (lambda w: (_strategy(w), _slug(w))[1], READ),
    "actions:plan_export": (lambda w: (_strategy(w), _slug(w))[1], READ),
    "actions:summary": (lambda w: (_strategy(w), _slug(w))[1], READ),
    "actions:summary_csv": (lambda w: (_strategy(w), _slug(w))[1], READ),
    "actions:appendix": (lambda w: (_strategy(w), _slug(w))[1], READ),
    "actions:recommendations": (lambda w: _slug(w), READ),
    "actions:structure": (lambda w: _slug(w), READ),
    "actions:rounds": (lambda w: _slug(w), READ),
    "actions:action_detail": (lambda w: {**_slug(w), "action_id": _action(w).pk}, READ),
    "actions:round_status": (
        lambda w: {**_slug(w), "round_id": UpdateRoundFactory(strategy=_strategy(w)).pk},
        READ,
    ),
    # Strategic leads only.
    "actions:plan_import": (lambda w: (_strategy(w), _slug(w))[1], LEAD_FORM),
    # Confirming someone's upload: the lead's own batch; with an empty POST the bad file is reported (400).
    "actions:plan_import_confirm": (
        _import_batch,
        _rule(
            {"board_member": 403, "coordinator": 403, "other_coordinator": 403, "lead": 405},
            {"board_member": 403, "coordinator": 403, "other_coordinator": 403, "lead": 400},
        ),
    ),
    "actions:action_create": (lambda w: (_strategy(w), _slug(w))[1], LEAD_FORM),
    "actions:action_edit": (lambda w: {**_slug(w), "action_id": _action(w).pk}, LEAD_FORM),
    "actions:action_rate": (lambda w: {**_slug(w), "action_id": _action(w).pk}, LEAD_FORM),
    "actions:strategy_create": (lambda w: _slug(w), LEAD_FORM),
    "actions:strategy_edit": (lambda w: {**_slug(w), "strategy_id": _strategy(w).pk}, LEAD_FORM),
    "actions:priority_create": (lambda w: {**_slug(w), "strategy_id": _strategy(w).pk}, LEAD_FORM),
    "actions:priority_edit": (
        lambda w: {
            **_slug(w),
            "strategy_id": (p := PriorityFactory(strategy=_strategy(w))).strategy_id,
            "priority_id": p.pk,
        },
        LEAD_FORM,
    ),
    "actions:round_open": (lambda w: _slug(w), LEAD_FORM),
    "actions:round_edit": (lambda w: {**_slug(w), "round_id": UpdateRoundFactory(strategy=_strategy(w)).pk}, LEAD_FORM),
    "actions:round_review": (
        lambda w: {**_slug(w), "round_id": UpdateRoundFactory(strategy=_strategy(w)).pk},
        LEAD_READ,
    ),
    "actions:update_review": (_submitted_update, LEAD_FORM),
    "actions:recommendation_create": (lambda w: _slug(w), LEAD_FORM),
    "actions:case_reviews": (lambda w: _slug(w), READ),
    "actions:case_reviews_export": (lambda w: _slug(w), READ),
    "actions:case_review_detail": (lambda w: {**_slug(w), "review_id": _review(w).pk}, READ),
    "actions:case_reviews_import": (lambda w: _slug(w), LEAD_FORM),
    "actions:case_review_create": (lambda w: _slug(w), LEAD_FORM),
    "actions:case_review_edit": (lambda w: {**_slug(w), "review_id": _review(w).pk}, LEAD_FORM),
    # An empty POST lacks the version the page was opened on: the page re-renders and nothing is deleted.
    "actions:case_review_delete": (lambda w: {**_slug(w), "review_id": _review(w).pk}, LEAD_FORM),
    "actions:case_review_recommendation_create": (lambda w: {**_slug(w), "review_id": _review(w).pk}, LEAD_FORM),
    "actions:case_review_recommendation_edit": (
        lambda w: {**_slug(w), **_review_recommendation(w)},
        LEAD_FORM,
    ),
    "actions:recommendation_edit": (
        lambda w: {**_slug(w), "recommendation_id": RecommendationFactory(partnership=w.partnership).pk},
        LEAD_FORM,
    ),
    # Leads and coordinators; a coordinator only for their own group (the world's coordinator writes for CHOG).
    "actions:my_updates": (
        lambda w: _slug(w),
        _rule(
            {"board_member": 403, "coordinator": "ok", "other_coordinator": "ok", "lead": "ok"},
            {"board_member": 403, "coordinator": "redirect", "other_coordinator": "redirect", "lead": "redirect"},
        ),
    ),
    # JSON for the page's script: an empty POST is refused (400) and saves nothing.
    "actions:update_draft": (
        _round_action_group,
        _rule(
            {"board_member": 403, "coordinator": 405, "other_coordinator": 405, "lead": 405},
            {"board_member": 403, "coordinator": 400, "other_coordinator": 403, "lead": 400},
        ),
    ),
    # Evidence: any member downloads (another partnership's 404); leads and the action's coordinators add (an empty
    # POST is refused with a message and a redirect); the uploader or a lead removes (another coordinator: 403).
    "actions:evidence_upload": (
        lambda w: {**_slug(w), "action_id": _action(w).pk},
        _rule(
            {"board_member": 403, "coordinator": 405, "other_coordinator": 405, "lead": 405},
            {"board_member": 403, "coordinator": "redirect", "other_coordinator": 403, "lead": "redirect"},
        ),
    ),
    "actions:evidence_download": (
        lambda w: {**_slug(w), "evidence_id": _evidence(w).pk},
        _rule(
            dict.fromkeys(["board_member", "coordinator", "other_coordinator", "lead"], "ok"),
            dict.fromkeys(["board_member", "coordinator", "other_coordinator", "lead"], 405),
        ),
    ),
    "actions:evidence_remove": (
        lambda w: {**_slug(w), "evidence_id": _evidence(w).pk},
        _rule(
            {"board_member": 403, "coordinator": 405, "other_coordinator": 405, "lead": 405},
            {"board_member": 403, "coordinator": "redirect", "other_coordinator": 403, "lead": "redirect"},
        ),
    ),
    "actions:update_edit": (
        _round_action_group,
        _rule(
            {"board_member": 403, "coordinator": "ok", "other_coordinator": 403, "lead": "ok"},
            {"board_member": 403, "coordinator": "ok", "other_coordinator": 403, "lead": "ok"},
        ),
    ),
}
