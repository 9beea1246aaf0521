# READ CONTRIBUTING.md at the repository root before editing: rules for the shared working tree (own paths only,
# commit with `git add <your paths>`, shared helpers, permission-rule format, demo loader, browser fixtures).
"""Permission rules for the consultations URLs, merged into tests/test_permissions.py (see its RULES for the format).

Members read; only strategic leads write (coordinators and board members get 403); other partnerships' members
and the administrator get 404; signed-out visitors are sent to sign in.
"""

PERSONAS = ["anonymous", "board_member", "coordinator", "other_coordinator", "lead", "admin", "outsider_lead"]
MEMBERS = {"board_member", "coordinator", "other_coordinator", "lead"}


def _outcomes(member, lead):
    """member: outcome for members who are not leads; lead: the lead's outcome."""
    result = dict.fromkeys(PERSONAS, 404)
    result["anonymous"] = "login"
    for persona in MEMBERS:
        result[persona] = member
    result["lead"] = lead
    return result


def read(get="ok"):
    return {"GET": _outcomes(get, get), "POST": _outcomes(405, 405)}


def lead_page(post="ok", get="ok"):
    return {"GET": _outcomes(403, get), "POST": _outcomes(403, post)}


def lead_post_only(post="ok"):
    return {"GET": _outcomes(403, 405), "POST": _outcomes(403, post)}


def lead_read_only():
    return {"GET": _outcomes(403, "ok"), "POST": _outcomes(403, 405)}


def _consultation(w, **fields):
    from tests.consultations.factories import ConsultationFactory

    return ConsultationFactory(partnership=w.partnership, slug="survivor-survey", **fields)


def _question(w):
    from tests.consultations.factories import POLICE, make_question, set_counts

    consultation = _consultation(w)
    question = make_question(consultation, items=["Police"], comparison_key="services")
    set_counts(question, {("Police", label): count for label, count in POLICE.items()})
    return question


def _compared_question(w):
    from consultations.models import Consultation
    from tests.consultations.factories import POLICE, ConsultationFactory, make_question, set_counts

    question = _question(w)
    other = ConsultationFactory(partnership=w.partnership, audience=Consultation.Audience.PROFESSIONALS)
    twin = make_question(other, items=["Police"], comparison_key="services")
    set_counts(twin, {("Police", label): count for label, count in POLICE.items()})
    return question


def _theme(w):
    from consultations import services

    return services.theme_save(consultation=_consultation(w), user=None, title="A professional lottery")


def _quote(w):
    from consultations import services

    return services.quote_create(consultation=_consultation(w), user=None, text="They listened to me.")


def slug(w):
    return {"partnership_slug": w.partnership.slug, "slug": _consultation(w).slug}


def question(w):
    q = _question(w)
    return {"partnership_slug": w.partnership.slug, "slug": q.consultation.slug, "pk": q.pk}


def compared(w):
    q = _compared_question(w)
    return {"partnership_slug": w.partnership.slug, "slug": q.consultation.slug, "pk": q.pk}


def theme(w):
    t = _theme(w)
    return {"partnership_slug": w.partnership.slug, "slug": t.consultation.slug, "pk": t.pk}


def quote(w):
    q = _quote(w)
    return {"partnership_slug": w.partnership.slug, "slug": q.consultation.slug, "pk": q.pk}


RULES: dict = {
    "consultations:index": (lambda w: {"partnership_slug": w.partnership.slug}, read()),
    "consultations:consultation_create": (lambda w: {"partnership_slug": w.partnership.slug}, lead_page()),
    "consultations:consultation_detail": (slug, read()),
    "consultations:consultation_edit": (slug, lead_page()),
    "consultations:results_history": (slug, read()),
    "consultations:question_create": (slug, lead_page()),
    "consultations:question_edit": (question, lead_page()),
    "consultations:question_delete": (question, lead_page(post="redirect")),
    "consultations:question_results": (question, lead_page()),
    "consultations:question_chart": (question, read()),
    "consultations:comparison_chart": (compared, read()),
    "consultations:theme_create": (slug, lead_page()),
    "consultations:theme_edit": (theme, lead_page()),
    "consultations:theme_delete": (theme, lead_page(post="redirect")),
    # Drafts may still hold identifying details: only strategic leads see the quote pipeline.
    "consultations:quotes": (slug, lead_read_only()),
    "consultations:quote_create": (slug, lead_page()),
    "consultations:quote_detail": (quote, lead_read_only()),
    "consultations:quote_edit": (quote, lead_page()),
    "consultations:quote_confirm_check": (quote, lead_post_only()),
    "consultations:quote_approve": (quote, lead_post_only()),
    "consultations:quote_withdraw": (quote, lead_post_only()),
    "consultations:results_import": (slug, lead_page()),
    # Nothing uploaded yet: the confirm step sends the lead back to the upload.
    "consultations:results_import_confirm": (slug, lead_post_only(post="redirect")),
    "consultations:responses_import": (slug, lead_page()),
    "consultations:responses_mapping": (slug, lead_page(post="redirect", get="redirect")),
    "consultations:results_export": (slug, read()),
    "consultations:quotes_export": (slug, read()),
}
