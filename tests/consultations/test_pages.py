"""Consultation pages: what each role sees, forms, and query counts that do not grow with the data."""

import pytest
from django.urls import reverse

from consultations import services
from consultations.models import Consultation, Question, ResponseCount
from tests.consultations.factories import POLICE, ConsultationFactory, make_question, set_counts


@pytest.fixture
def consultation(world):
    return ConsultationFactory(partnership=world.partnership, slug="survivor-survey", respondents=69)


def url(name, *args, world=None):
    return reverse(f"consultations:{name}", args=[world.partnership.slug, *args])


def add_questions(consultation, count, start=1):
    for number in range(start, start + count):
        question = make_question(consultation, ref=f"Q{number}", items=["Police", "Courts"])
        set_counts(question, {(item, label): n for item in ("Police", "Courts") for label, n in POLICE.items()})
        services.quote_approve(
            quote=services.quote_confirm_check(
                quote=services.quote_create(consultation=consultation, user=None, text=f"They listened {number}."),
                user=None,
                reviewed_flags=True,
            ),
            user=consultation.partnership.memberships.filter(role="strategic_lead").first().user,
            consent_given=True,
        )
    theme = services.theme_save(consultation=consultation, user=None, title=f"Theme {start}")
    return theme


def test_detail_shows_diverging_chart_and_data_table(world, client, consultation):
    add_questions(consultation, 1)
    client.force_login(world.board_member)
    page = client.get(url("consultation_detail", consultation.slug, world=world)).content.decode()
    assert 'src="data:image/svg+xml;base64,' in page
    assert "Police: 43% positive, 35% negative, 10% no experience or don&#x27;t know" in page  # alt text
    assert "<caption" in page and "19% (13)" in page
    assert "Percentages are of everyone who answered each row, including &#x27;No experience&#x27;." in page
    assert "Enter results" not in page  # board members read only


def test_detail_query_count_does_not_grow_with_questions(world, client, consultation, django_assert_num_queries):
    add_questions(consultation, 2)
    client.force_login(world.board_member)
    detail = url("consultation_detail", consultation.slug, world=world)
    client.get(detail)  # draws and stores the charts
    with django_assert_num_queries(15):
        client.get(detail)
    add_questions(consultation, 10, start=3)
    client.get(detail)  # draws the new charts once
    with django_assert_num_queries(15):
        page = client.get(detail).content.decode()
    assert page.count('src="data:image/svg+xml') == 12


def test_index_lists_consultations_with_a_fixed_query_count(world, client, consultation, django_assert_num_queries):
    client.force_login(world.coordinator)
    index = url("index", world=world)
    with django_assert_num_queries(7) as small:
        client.get(index)
    for _ in range(5):
        ConsultationFactory(partnership=world.partnership)
    ConsultationFactory(partnership=world.other_partnership, title="Someone else's")
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(index).content.decode()
    assert "6 consultations" in page and "Someone else" not in page


def test_index_filters_by_audience(world, client, consultation):
    ConsultationFactory(partnership=world.partnership, title="Professionals survey", audience="professionals")
    client.force_login(world.lead)
    page = client.get(url("index", world=world) + "?audience=professionals").content.decode()
    assert "Professionals survey" in page and consultation.title not in page


def test_another_partnerships_consultation_is_404(world, client):
    other = ConsultationFactory(partnership=world.other_partnership, slug="theirs")
    client.force_login(world.lead)
    assert client.get(url("consultation_detail", other.slug, world=world)).status_code == 404


def test_lead_adds_a_consultation_and_a_question(world, client):
    client.force_login(world.lead)
    response = client.post(
        url("consultation_create", world=world),
        {
            "title": "Young people's survey",
            "audience": "young_people",
            "method": "survey",
            "respondents": "40",
            "other_participants": "0",
        },
    )
    consultation = Consultation.objects.get(title="Young people's survey")
    assert response.status_code == 302 and consultation.slug == "young-peoples-survey"
    assert consultation.created_by == world.lead
    response = client.post(
        url("question_create", consultation.slug, world=world),
        {"ref": "Q1", "text": "How safe do you feel?", "kind": "rating_scale", "items": "At school\nOnline"},
    )
    assert response.status_code == 302
    question = consultation.questions.get()
    assert [o.label for o in question.options.all()][-1] == "No experience"  # the usual scale
    assert [i.label for i in question.items.all()] == ["At school", "Online"]


def test_question_form_errors_rerender_with_a_summary(world, client, consultation):
    client.force_login(world.lead)
    response = client.post(
        url("question_create", consultation.slug, world=world),
        {"ref": "Q1", "text": "Rank them", "kind": "ranking", "options": "A\nB"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "<title>Error: " in page and "how many places" in page
    assert not consultation.questions.exists()


def test_lead_enters_results_and_bad_counts_are_refused(world, client, consultation):
    question = make_question(consultation, items=["Police"])
    option = question.options.get(label="Positive")
    item = question.items.get()
    client.force_login(world.lead)
    results = url("question_results", consultation.slug, question.pk, world=world)
    name = f"count-{item.pk}-{option.pk}-0"
    response = client.post(results, {name: "-4"})
    assert "A count cannot be negative" in response.content.decode()
    response = client.post(results, {name: "lots"})
    assert "Enter a whole number" in response.content.decode()
    other = question.options.get(label="Negative")
    response = client.post(results, {name: "50", f"count-{item.pk}-{other.pk}-0": "30"})
    assert "more than the 69 respondents" in response.content.decode()
    assert not ResponseCount.objects.exists()
    response = client.post(results, {name: "16"})
    assert response.status_code == 302
    assert ResponseCount.objects.get().count == 16


@pytest.mark.parametrize("persona", ["coordinator", "board_member"])
def test_coordinators_and_board_members_cannot_enter_results(world, client, consultation, persona):
    question = make_question(consultation, items=["Police"])
    option = question.options.first()
    client.force_login(world.users()[persona])
    response = client.post(
        url("question_results", consultation.slug, question.pk, world=world),
        {f"count-{question.items.get().pk}-{option.pk}-0": "5"},
    )
    assert response.status_code == 403
    assert not ResponseCount.objects.exists()


def test_chart_view_serves_svg_with_text_kept_as_text(world, client, consultation):
    add_questions(consultation, 1)
    question = consultation.questions.get()
    client.force_login(world.coordinator)
    response = client.get(url("question_chart", consultation.slug, question.pk, world=world))
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    svg = response.content.decode()
    assert "<text" in svg and ">Police</text>" in svg


def test_side_by_side_view_for_the_same_question(world, client, consultation):
    question = make_question(consultation, items=["Police"], comparison_key="services")
    set_counts(question, {("Police", label): n for label, n in POLICE.items()})
    professionals = ConsultationFactory(
        partnership=world.partnership, title="Professionals survey", audience=Consultation.Audience.PROFESSIONALS
    )
    twin = make_question(professionals, items=["Police"], comparison_key="services")
    set_counts(twin, {("Police", "Very positive"): 50, ("Police", "Negative"): 10})
    elsewhere = ConsultationFactory(partnership=world.other_partnership)
    make_question(elsewhere, items=["Police"], comparison_key="services")
    client.force_login(world.board_member)
    page = client.get(url("consultation_detail", consultation.slug, world=world)).content.decode()
    assert "Side by side with the same question in other consultations" in page
    assert "Professionals: Professionals survey (Q1)" in page  # its data table
    assert page.count(elsewhere.title) == 0
    response = client.get(url("comparison_chart", consultation.slug, question.pk, world=world))
    assert "Police (Survivors)" in response.content.decode() and "Police (Professionals)" in response.content.decode()


def test_free_text_question_shows_its_themes(world, client, consultation):
    question = make_question(consultation, ref="Q9", kind=Question.Kind.FREE_TEXT, text="Anything else?")
    services.theme_save(consultation=consultation, user=None, title="Being believed", question=question)
    client.force_login(world.board_member)
    page = client.get(url("consultation_detail", consultation.slug, world=world)).content.decode()
    assert "Free-text answers are not stored" in page and "Being believed" in page
