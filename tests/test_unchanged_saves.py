"""Opening a record's edit page and saving it as shown changes none of its values (dates included): each new
record kind's form, read back from its rendered HTML and posted as a browser would."""

import datetime
from html.parser import HTMLParser

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from tests.actions.factories import CaseReviewFactory
from tests.activity.factories import (
    AgencyFactory,
    AttendanceFactory,
    ContractFactory,
    EventFactory,
    MeetingFactory,
    TrainingSessionFactory,
)
from tests.reports.factories import SubgroupUpdateFactory

IGNORED = {"version", "updated_at", "updated_by", "created_at", "created_by"}


class FormReader(HTMLParser):
    """The values a browser would send from the page's form that carries a version field."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = []
        elif self._form is None:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self._form.append((a["name"], a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self._form.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = [a.get("name"), ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def posted_form(html: str) -> dict[str, list[str]]:
    reader = FormReader()
    reader.feed(html)
    form = next(f for f in reader.forms if any(name == "version" for name, _ in f))
    data: dict[str, list[str]] = {}
    for name, value in form:
        data.setdefault(name, []).append(value)
    return data


def values(record):
    record.refresh_from_db()
    return {k: v for k, v in model_to_dict(record).items() if k not in IGNORED}


def _activity(factory, kind):
    def make(world):
        record = factory(partnership=world.partnership)
        return record, reverse("activity:edit", args=[world.partnership.slug, kind, record.pk])

    return make


def _meeting(world):
    meeting = MeetingFactory(partnership=world.partnership, group=world.group, date=datetime.date(2015, 6, 1))
    AttendanceFactory(meeting=meeting, agency=AgencyFactory(partnership=world.partnership))
    return meeting, reverse("activity:edit", args=[world.partnership.slug, "meetings", meeting.pk])


def _case_review(world):
    review = CaseReviewFactory(partnership=world.partnership, commissioned_on=datetime.date(2015, 11, 3))
    return review, reverse("actions:case_review_edit", args=[world.partnership.slug, review.pk])


def _update(world):
    update = SubgroupUpdateFactory(
        partnership=world.partnership, group=world.group, report_date=datetime.date(2018, 4, 12), author="The chair"
    )
    return update, reverse("reports:update_edit", args=[world.partnership.slug, update.pk])


def _report(world):
    from reports import services

    report = services.report_create(partnership=world.partnership, year=2015, user=world.lead)
    report.cover_date, report.foreword = "April 2016", "## Our year\n\n- **one**\n- [two](https://example.org)"
    report.save()
    return report


def _cover(world):
    report = _report(world)
    return report, reverse("reports:narrative", args=[world.partnership.slug, 2015])


def _section(world):
    section = _report(world).sections.order_by("position").first()
    return section, reverse("reports:section", args=[world.partnership.slug, 2015, section.pk])


def _block(world):
    from reports import services

    section = _report(world).sections.order_by("position").first()
    block = services.block_add_text(
        section=section, user=world.lead, text="## Heading\n\nText with *emphasis*.\n\n- a\n  - b"
    )
    return block, reverse("reports:block", args=[world.partnership.slug, 2015, block.pk])


def _forward_item(world):
    from actions import selectors as plan
    from reports import services
    from tests.actions.factories import build_plan

    build_plan(world.partnership, [world.group], actions=2, quarters=((2015, 4),))
    report = _report(world)
    priority = plan.strategy_for_year(world.partnership, 2015).priorities.first()
    item = services.forward_item_add(report=report, user=world.lead, text="Refresh the directory.", priority=priority)
    return item, reverse("reports:forward_item", args=[world.partnership.slug, 2015, item.pk])


CASES = {
    "training": _activity(TrainingSessionFactory, "training"),
    "event": _activity(EventFactory, "events"),
    "contract": _activity(ContractFactory, "contracts"),
    "meeting": _meeting,
    "case review": _case_review,
    "sub-group update": _update,
    "report cover and fixed texts": _cover,
    "report section": _section,
    "report narrative block": _block,
    "forward-plan item": _forward_item,
}


@pytest.mark.parametrize("case", CASES)
def test_saving_an_edit_page_unchanged_keeps_every_value(client, world, case):
    record, url = CASES[case](world)
    before = values(record)
    client.force_login(world.lead)
    response = client.get(url)
    assert response.status_code == 200
    saved = client.post(url, posted_form(response.content.decode()))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert values(record) == before
