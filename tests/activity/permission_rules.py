"""Permission rules for the activity URLs, merged into tests/test_permissions.py (see its RULES for the format).

Reading is for every member; adding, editing, deleting and importing are for strategic leads. Another
partnership's members and the administrator get 404, for every kind of record.
"""

from tests.activity.factories import ContractFactory, EventFactory, MeetingFactory, TrainingSessionFactory

MEMBERS = {"board_member", "coordinator", "other_coordinator", "lead"}
OUTSIDERS = {"admin": 404, "outsider_lead": 404, "anonymous": "login"}
REFUSED = {"board_member": 403, "coordinator": 403, "other_coordinator": 403}


def read():
    return {
        "GET": {**dict.fromkeys(MEMBERS, "ok"), **OUTSIDERS},
        "POST": {**dict.fromkeys(MEMBERS, 405), **OUTSIDERS},
    }


def lead_only(get, post):
    return {"GET": {"lead": get, **REFUSED, **OUTSIDERS}, "POST": {"lead": post, **REFUSED, **OUTSIDERS}}


def slug(w, **kwargs):
    return {"partnership_slug": w.partnership.slug, **kwargs}


def with_records(w, kind="training"):
    """One record of every kind, so a list page shows rows (and its totals) whatever the kind."""
    TrainingSessionFactory(partnership=w.partnership)
    EventFactory(partnership=w.partnership)
    MeetingFactory(partnership=w.partnership, group=w.group)
    ContractFactory(partnership=w.partnership)
    return slug(w, kind=kind)


def a_meeting(w):
    return slug(w, kind="meetings", pk=MeetingFactory(partnership=w.partnership, group=w.group).pk)


def a_contract(w):
    return slug(w, kind="contracts", pk=ContractFactory(partnership=w.partnership).pk)


RULES: dict = {
    "activity:index": (slug, read()),
    "activity:list": (lambda w: with_records(w, "meetings"), read()),
    "activity:export": (lambda w: with_records(w, "training"), read()),
    # An empty POST re-renders the form with its errors and adds nothing.
    "activity:create": (lambda w: slug(w, kind="events"), lead_only("ok", "ok")),
    "activity:edit": (a_meeting, lead_only("ok", "ok")),
    "activity:delete": (a_contract, lead_only("ok", "redirect")),
    "activity:import": (lambda w: slug(w, kind="contracts"), lead_only("ok", "ok")),
}
