"""The survivor-safe quote pipeline: draft -> redaction check confirmed -> approved with consent."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from consultations import services
from consultations.models import Quote, QuoteEvent
from consultations.selectors import approved_quotes
from tests.consultations.factories import ConsultationFactory
from vawg.concurrency import EditConflict


@pytest.fixture
def consultation(world):
    return ConsultationFactory(partnership=world.partnership, slug="survivor-survey")


def url(name, quote):
    consultation = quote.consultation
    return reverse(f"consultations:{name}", args=[consultation.partnership.slug, consultation.slug, quote.pk])


def draft(consultation, user, text="My son Adam felt safe with the IDVA."):
    return services.quote_create(consultation=consultation, user=user, text=text)


def test_it_goes_through_the_pipeline_and_every_step_is_attributable(world, consultation):
    quote = draft(consultation, world.lead)
    assert quote.status == Quote.Status.DRAFT
    assert [flag["text"] for flag in quote.flags] == ["Adam"]
    quote = services.quote_confirm_check(quote=quote, user=world.lead, reviewed_flags=True)
    assert quote.status == Quote.Status.CHECKED and quote.checked_by == world.lead and quote.checked_at
    quote = services.quote_approve(quote=quote, user=world.lead, consent_given=True, consent_note="Signed form")
    assert quote.status == Quote.Status.APPROVED and quote.approved_by == world.lead and quote.consent_given
    events = list(quote.events.values_list("action", "by__username"))
    assert events == [("drafted", "alice"), ("checked", "alice"), ("approved", "alice")]
    assert list(Quote.objects.approved()) == [quote]
    assert list(approved_quotes(world.partnership)) == [quote]


def test_a_quote_with_a_phone_number_is_not_saved(world, consultation):
    with pytest.raises(ValidationError) as error:
        draft(consultation, world.lead, "Ring her on 07700 900123 if you need to.")
    assert "Remove a phone number ('07700 900123') before saving" in error.value.message_dict["text"][0]
    assert not Quote.objects.exists()


def test_approval_needs_the_consent_box(world, consultation):
    quote = services.quote_confirm_check(quote=draft(consultation, world.lead), user=world.lead, reviewed_flags=True)
    with pytest.raises(ValidationError) as error:
        services.quote_approve(quote=quote, user=world.lead, consent_given=False)
    assert "Tick the consent box" in error.value.message_dict["consent_given"][0]
    quote.refresh_from_db()
    assert quote.status == Quote.Status.CHECKED and not quote.consent_given
    assert not Quote.objects.approved().exists()


def test_approval_needs_the_check_confirmed_first(world, consultation):
    quote = draft(consultation, world.lead)
    with pytest.raises(ValidationError, match="Confirm the redaction check before approving"):
        services.quote_approve(quote=quote, user=world.lead, consent_given=True)


def test_flags_must_be_reviewed_before_the_check_is_confirmed(world, consultation):
    quote = draft(consultation, world.lead)
    with pytest.raises(ValidationError) as error:
        services.quote_confirm_check(quote=quote, user=world.lead, reviewed_flags=False)
    assert "reviewed_flags" in error.value.message_dict
    clean = draft(consultation, world.lead, "They listened to me.")
    assert services.quote_confirm_check(quote=clean, user=world.lead, reviewed_flags=False).status == "checked"


def test_editing_an_approved_quote_sends_it_back_to_draft(world, consultation):
    quote = services.quote_confirm_check(quote=draft(consultation, world.lead), user=world.lead, reviewed_flags=True)
    quote = services.quote_approve(quote=quote, user=world.lead, consent_given=True)
    quote = services.quote_update(
        quote=quote, user=world.lead, text="My son felt safe with the IDVA.", version=quote.version
    )
    assert quote.status == Quote.Status.DRAFT and not quote.consent_given and quote.approved_by is None
    assert not Quote.objects.approved().exists()
    edited = quote.events.get(action=QuoteEvent.Action.EDITED)
    assert "Adam" not in edited.note  # the earlier wording is not kept anywhere


def test_a_stale_form_is_refused(world, consultation):
    quote = draft(consultation, world.lead)
    services.quote_update(quote=quote, user=world.lead, text="They listened.", version=quote.version)
    with pytest.raises(EditConflict, match="saved this quote while you were editing it") as refused:
        services.quote_update(quote=quote, user=world.lead, text="Something else.", version=quote.version)
    assert refused.value.values["text"] == "They listened."


def test_withdrawn_quotes_leave_reports(world, consultation):
    quote = services.quote_confirm_check(quote=draft(consultation, world.lead), user=world.lead, reviewed_flags=True)
    quote = services.quote_approve(quote=quote, user=world.lead, consent_given=True)
    services.quote_withdraw(quote=quote, user=world.lead, reason="Consent withdrawn")
    assert not Quote.objects.approved().exists()


def test_lead_checks_and_approves_in_the_browser(world, client, consultation):
    quote = draft(consultation, world.lead)
    client.force_login(world.lead)
    page = client.get(url("quote_detail", quote)).content.decode()
    assert "<mark" in page and "Adam</mark>" in page
    response = client.post(url("quote_confirm_check", quote), {"version": quote.version})
    assert response.status_code == 200
    assert "Confirm you have read every flagged word" in response.content.decode()
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DRAFT
    client.post(url("quote_confirm_check", quote), {"version": quote.version, "reviewed_flags": "on"})
    quote.refresh_from_db()
    response = client.post(url("quote_approve", quote), {"version": quote.version})
    assert "Tick the consent box" in response.content.decode()
    assert response.context["form_with_errors"] is not None
    quote.refresh_from_db()
    assert quote.status == Quote.Status.CHECKED
    client.post(url("quote_approve", quote), {"version": quote.version, "consent_given": "on"})
    quote.refresh_from_db()
    assert quote.status == Quote.Status.APPROVED and quote.approved_by == world.lead


def test_the_phone_number_form_error_saves_nothing(world, client, consultation):
    client.force_login(world.lead)
    create = reverse("consultations:quote_create", args=[world.partnership.slug, consultation.slug])
    response = client.post(create, {"text": "Call 07700 900123"})
    assert response.status_code == 200
    assert "Remove a phone number" in response.content.decode()
    assert not Quote.objects.exists()


@pytest.mark.parametrize("persona", ["coordinator", "board_member"])
def test_coordinators_and_board_members_cannot_edit_or_approve(world, client, consultation, persona):
    quote = services.quote_confirm_check(quote=draft(consultation, world.lead), user=world.lead, reviewed_flags=True)
    client.force_login(world.users()[persona])
    response = client.post(url("quote_approve", quote), {"version": quote.version, "consent_given": "on"})
    assert response.status_code == 403
    response = client.post(url("quote_edit", quote), {"text": "Changed", "version": quote.version})
    assert response.status_code == 403
    quote.refresh_from_db()
    assert quote.status == Quote.Status.CHECKED and quote.text.startswith("My son")


def test_members_see_only_approved_quotes(world, client, consultation):
    approved = services.quote_confirm_check(
        quote=draft(consultation, world.lead, "They believed me."), user=world.lead, reviewed_flags=True
    )
    services.quote_approve(quote=approved, user=world.lead, consent_given=True)
    draft(consultation, world.lead, "Not yet checked.")
    client.force_login(world.board_member)
    page = client.get(reverse("consultations:consultation_detail", args=[world.partnership.slug, consultation.slug]))
    content = page.content.decode()
    assert "They believed me." in content and "Not yet checked." not in content
    export = client.get(reverse("consultations:quotes_export", args=[world.partnership.slug, consultation.slug]))
    exported = export.content.decode("utf-8-sig")
    assert "They believed me." in exported and "Not yet checked." not in exported


def test_a_quote_changed_by_someone_else_is_answered_with_both_versions(world, client, consultation):
    quote = draft(consultation, world.lead, text="They listened to me.")
    opened_at = quote.version
    services.quote_update(quote=quote, user=world.lead, text="They listened to me, at last.", version=opened_at)
    client.force_login(world.lead)
    response = client.post(url("quote_edit", quote), {"text": "They heard me.", "version": opened_at})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Your changes were not saved" in page and "<title>Error:" in page
    assert "They listened to me, at last." in page and "They heard me." in page
    # A step on the quote's page from the old version is refused the same way, showing the stored status.
    response = client.post(url("quote_confirm_check", quote), {"version": opened_at, "reviewed_flags": "on"})
    assert response.status_code == 409 and "Status is now: Draft" in response.content.decode()
    quote.refresh_from_db()
    assert (quote.text, quote.status) == ("They listened to me, at last.", Quote.Status.DRAFT)
