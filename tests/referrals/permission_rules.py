"""Permission rules for the referrals URLs, merged into tests/test_permissions.py (see its RULES for the format).

Reading is for every member; entering MARAC returns and referral counts is for strategic leads and the
coordinators of the group that owns the dataset (here CHOG, coordinated by `coordinator`); the other
coordinator is refused. Another partnership's members and the administrator get 404.
"""

from referrals.models import Dataset
from tests.referrals.factories import (
    ComparatorFigureFactory,
    IndicatorFigureFactory,
    MaracReturnFactory,
    ReferralCountFactory,
    ServiceFactory,
    own,
)

PERSONAS = ["anonymous", "board_member", "coordinator", "other_coordinator", "lead", "admin", "outsider_lead"]
MEMBERS = {"board_member", "coordinator", "other_coordinator", "lead"}
OUTSIDERS = {"admin": 404, "outsider_lead": 404, "anonymous": "login"}


def read():
    return {
        "GET": {**dict.fromkeys(MEMBERS, "ok"), **OUTSIDERS},
        "POST": {**dict.fromkeys(MEMBERS, 405), **OUTSIDERS},
    }


def owner_write(*, post: bool):
    """Lead and the owning group's coordinator; board members 403 by role, the other coordinator 403 by group."""
    allowed = {"lead": "ok", "coordinator": "ok", "other_coordinator": 403, "board_member": 403}
    if post:
        return {"GET": {**allowed, **OUTSIDERS}, "POST": {**allowed, **OUTSIDERS}}
    refused_post = {"lead": 405, "coordinator": 405, "other_coordinator": 405, "board_member": 403}
    return {"GET": {**allowed, **OUTSIDERS}, "POST": {**refused_post, **OUTSIDERS}}


def slug(w):
    return {"partnership_slug": w.partnership.slug}


def with_marac(w):
    MaracReturnFactory(borough=w.borough)
    return slug(w)


def with_referrals(w):
    ReferralCountFactory(service=ServiceFactory(partnership=w.partnership), borough=w.borough)
    return slug(w)


def marac_owned(w, **kwargs):
    own(w.partnership, Dataset.MARAC, w.group)
    return {**slug(w), **kwargs}


def referrals_owned(w):
    own(w.partnership, Dataset.REFERRALS, w.group)
    ServiceFactory(partnership=w.partnership)
    return slug(w)


def with_indicator(w):
    figure = IndicatorFigureFactory(indicator__partnership=w.partnership)
    return {**slug(w), "indicator_id": figure.indicator_id}


def with_comparator(w):
    figure = ComparatorFigureFactory(indicator__partnership=w.partnership)
    return {**slug(w), "indicator_id": figure.indicator_id, "figure_id": figure.pk}


def with_comparator_figures(w):
    ComparatorFigureFactory(indicator__partnership=w.partnership)
    return slug(w)


def lead_only(get, post):
    refused = {"board_member": 403, "coordinator": 403, "other_coordinator": 403}
    return {"GET": {"lead": get, **refused, **OUTSIDERS}, "POST": {"lead": post, **refused, **OUTSIDERS}}


RULES: dict = {
    "referrals:index": (slug, read()),
    "referrals:marac": (with_marac, read()),
    "referrals:marac_chart": (with_marac, read()),
    "referrals:marac_export": (with_marac, read()),
    "referrals:referrals": (with_referrals, read()),
    "referrals:referrals_chart": (with_referrals, read()),
    "referrals:referrals_export": (with_referrals, read()),
    "referrals:justice": (slug, read()),
    "referrals:justice_export": (slug, read()),
    "referrals:indicators": (slug, read()),
    "referrals:indicators_export": (slug, read()),
    "referrals:population_export": (slug, read()),
    "referrals:indicator": (with_indicator, read()),
    "referrals:comparators_export": (with_comparator_figures, read()),
    # The form sits on the indicator's page: a GET of its address goes there; an empty POST re-renders with errors.
    "referrals:comparator_add": (with_indicator, lead_only("redirect", "ok")),
    "referrals:comparator_delete": (with_comparator, lead_only(405, "redirect")),
    "referrals:marac_choose": (marac_owned, owner_write(post=False)),
    "referrals:marac_edit": (
        lambda w: marac_owned(w, borough_id=w.borough.pk, year=2015, quarter=2),
        owner_write(post=True),
    ),
    "referrals:referrals_enter": (referrals_owned, owner_write(post=True)),
    "referrals:import": (lambda w: marac_owned(w, kind="marac"), owner_write(post=True)),
}
