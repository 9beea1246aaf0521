# READ CONTRIBUTING.md at the repository root before editing: rules for the shared working tree (own paths only,
# commit with `git add <your paths>`, shared helpers, permission-rule format, demo loader, browser fixtures).
"""Permission rules for the reports URLs, merged into tests/test_permissions.py (see its RULES for the format).

Reading is for every member; starting, editing, building, publishing and deleting are the strategic lead's.
The edition in these rules is published, so every member may read it and the lead's delete is refused
(a redirect with a message; tests/reports/test_views.py checks nothing was deleted).
"""

PERSONAS = ["anonymous", "board_member", "coordinator", "other_coordinator", "lead", "admin", "outsider_lead"]
MEMBERS = {"board_member", "coordinator", "other_coordinator", "lead"}


def _outcomes(member, lead, others=404):
    """Members get `member`, the lead `lead`; non-members 404 and anonymous visitors the sign-in page."""
    outcomes = {p: (member if p in MEMBERS else others) for p in PERSONAS}
    outcomes.update({"anonymous": "login", "lead": lead})
    return outcomes


READ = {"GET": _outcomes("ok", "ok"), "POST": _outcomes(405, 405)}
LEAD_FORM = {"GET": _outcomes(403, "ok"), "POST": _outcomes(403, "ok")}
LEAD_POST = {"GET": _outcomes(403, 405), "POST": _outcomes(403, "redirect")}


def _partnership(w):
    return {"partnership_slug": w.partnership.slug}


def _report(w):
    from tests.reports.factories import AnnualReportFactory

    report = AnnualReportFactory(partnership=w.partnership, year=2015)
    return {"partnership_slug": w.partnership.slug, "year": report.year}


def _edition(w):
    from tests.reports.factories import ReportEditionFactory

    kwargs = _report(w)
    edition = ReportEditionFactory(report__partnership=w.partnership, report__year=2015)
    return {**kwargs, "edition_id": edition.pk}


def _update(w):
    from tests.reports.factories import SubgroupUpdateFactory

    update = SubgroupUpdateFactory(partnership=w.partnership, group=w.group)
    return {"partnership_slug": w.partnership.slug, "update_id": update.pk}


def _update_edition(w):
    from tests.reports.factories import SubgroupUpdateEditionFactory

    edition = SubgroupUpdateEditionFactory(update__partnership=w.partnership, update__group=w.group)
    return {"partnership_slug": w.partnership.slug, "update_id": edition.update_id, "edition_id": edition.pk}


# A delete page asks first (GET) and deletes on POST, then goes back to the list.
LEAD_DELETE = {"GET": _outcomes(403, "ok"), "POST": _outcomes(403, "redirect")}


def _section(w):
    from reports import services

    kwargs = _report(w)
    report = w.partnership.annual_reports.get(year=2015)
    section = services.section_add(report=report, user=None, heading="Introduction")
    return {**kwargs, "section_id": section.pk}


def _block(w):
    from reports import services
    from reports.models import ReportSection

    kwargs = _section(w)
    section = ReportSection.objects.get(pk=kwargs.pop("section_id"))
    block = services.block_add_text(section=section, user=None, text="Our year.")
    return {**kwargs, "block_id": block.pk}


def _forward_item(w):
    from reports import services

    kwargs = _report(w)
    report = w.partnership.annual_reports.get(year=2015)
    item = services.forward_item_add(report=report, user=None, text="Commission a refuge review.")
    return {**kwargs, "item_id": item.pk}


RULES: dict = {
    # The report editor: the strategic lead's. An empty POST re-shows the form with its errors (nothing changes);
    # an empty move or draft answer is refused with a message and goes back to the section.
    "reports:sections": (_report, LEAD_FORM),
    "reports:section": (_section, LEAD_FORM),
    "reports:section_move": (_section, LEAD_POST),
    "reports:section_delete": (_section, LEAD_DELETE),
    "reports:block": (_block, LEAD_FORM),
    "reports:block_delete": (_block, LEAD_DELETE),
    "reports:block_move": (_block, LEAD_POST),
    "reports:block_draft": (_block, LEAD_POST),
    "reports:forward_items": (_report, LEAD_FORM),
    "reports:forward_item": (_forward_item, LEAD_FORM),
    "reports:forward_item_delete": (_forward_item, LEAD_DELETE),
    "reports:updates": (_partnership, READ),
    "reports:update_new": (_partnership, LEAD_FORM),
    "reports:update_detail": (_update, READ),
    "reports:update_edit": (_update, LEAD_FORM),
    "reports:update_preview": (_update, READ),
    # An empty POST lacks the narrative version the lead saw: refused with a message, nothing built.
    "reports:update_build": (_update, LEAD_POST),
    "reports:update_edition_pdf": (_update_edition, READ),
    "reports:update_edition_html": (_update_edition, READ),
    "reports:index": (_partnership, READ),
    "reports:new": (_partnership, LEAD_FORM),
    "reports:detail": (_report, READ),
    "reports:narrative": (_report, LEAD_FORM),
    "reports:build": (_report, LEAD_POST),
    "reports:publish": (_report, LEAD_FORM),
    "reports:edition": (_edition, READ),
    "reports:edition_status": (_edition, READ),
    "reports:edition_pdf": (_edition, READ),
    "reports:edition_html": (_edition, READ),
    "reports:edition_docx": (_edition, READ),
    "reports:edition_delete": (_edition, LEAD_POST),
}
